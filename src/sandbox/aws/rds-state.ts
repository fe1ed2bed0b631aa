// What the RDS model keeps: DB instances and DB snapshots, whose statuses are functions of the clock (an instance
// is `creating`, then `backing-up` while it takes its first automated backup, then `available`; a deleted one is
// `deleting`, then gone), and how DescribeDBInstances / DescribeDBSnapshots render them. docs/aws-behaviours.md, RDS.
import { type DBInstance, DBInstanceNotFoundFault, type DBSnapshot, type Tag } from "@aws-sdk/client-rds";
import { ACCOUNT } from "./ec2.js";
import { unmodeled } from "./errors.js";
import type { InstanceData } from "./rds-data.js";

export const REGION = "us-east-1";
/** How long a restore stays `creating`, then `backing-up`, and a deletion `deleting`: minutes, as in AWS. */
export const RDS_TIMINGS = { creatingMs: 8 * 60_000, backingUpMs: 3 * 60_000, deletingMs: 5 * 60_000 };
/** RDS uploads transaction logs every five minutes: the latest restorable time trails the clock by up to that. */
export const LOG_UPLOAD_MS = 5 * 60_000;
/** A snapshot being taken is `creating` this long before it is `available`. */
export const SNAPSHOT_MS = 10 * 60_000;

export interface InstanceRecord {
  id: string;
  resourceId: string;
  engine: string;
  engineVersion: string;
  licenseModel: string;
  instanceClass: string;
  allocatedStorage: number;
  storageType: string;
  port: number;
  dbName?: string;
  masterUsername: string;
  subnetGroup: { name: string; vpcId: string; subnets: string[] };
  securityGroups: string[];
  multiAZ: boolean;
  publiclyAccessible: boolean;
  backupRetentionPeriod: number;
  deletionProtection: boolean;
  tags: Tag[];
  /** When creating ends and backing-up begins, and when backing-up ends (the same time with backups off). */
  availableAt: number;
  backedUpAt: number;
  /** When its data was taken: a restore carries the snapshot's or the point in time's data. */
  dataAsOf: number;
  /** What it holds (rds-data.ts). */
  data: InstanceData;
  deletingSince?: number;
  deleteAutomatedBackups?: boolean;
  /** A customer-managed KMS key it is encrypted with: restoring it grants RDS the key (authorization/). */
  kmsKeyId?: string;
}

export interface SnapshotRecord {
  id: string;
  instanceId: string;
  resourceId: string;
  type: "automated" | "manual";
  /** SnapshotCreateTime: the point its data is from; it is `creating` until availableAt. */
  createdAt: number;
  availableAt: number;
  engine: string;
  engineVersion: string;
  licenseModel: string;
  allocatedStorage: number;
  storageType: string;
  port: number;
  /** The class of the instance it was taken from: a restore without DBInstanceClass uses it. */
  instanceClass: string;
  vpcId: string;
  masterUsername: string;
  /** What it holds, once its instance is gone; until then, its instance's data as of createdAt. */
  data?: InstanceData;
}

export const instanceArn = (id: string) => `arn:aws:rds:${REGION}:${ACCOUNT}:db:${id}`;
export const snapshotArn = (id: string) => `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:${id}`;
export const endpointOf = (id: string) => `${id}.c0fakeabcdef.${REGION}.rds.amazonaws.com`;

export type InstanceStatus = "creating" | "backing-up" | "available" | "deleting" | "gone";

export function statusOf(i: InstanceRecord, now: number, timings = RDS_TIMINGS): InstanceStatus {
  if (i.deletingSince !== undefined) return now >= i.deletingSince + timings.deletingMs ? "gone" : "deleting";
  if (now < i.availableAt) return "creating";
  if (now < i.backedUpAt) return "backing-up";
  return "available";
}

/** The latest restorable time: none without backups or before the first backup is done. */
export function latestRestorable(i: InstanceRecord, now: number): number | undefined {
  if (i.backupRetentionPeriod === 0 || now < i.backedUpAt || i.deletingSince !== undefined) return undefined;
  return Math.max(i.availableAt, Math.floor(now / LOG_UPLOAD_MS) * LOG_UPLOAD_MS);
}

export function renderInstance(i: InstanceRecord, now: number, timings = RDS_TIMINGS): DBInstance {
  const status = statusOf(i, now, timings);
  const created = status !== "creating";
  const restorable = latestRestorable(i, now);
  return {
    DBInstanceIdentifier: i.id,
    DBInstanceArn: instanceArn(i.id),
    DbiResourceId: i.resourceId,
    DBInstanceClass: i.instanceClass,
    Engine: i.engine,
    EngineVersion: i.engineVersion,
    LicenseModel: i.licenseModel,
    DBInstanceStatus: status,
    MasterUsername: i.masterUsername,
    ...(i.dbName ? { DBName: i.dbName } : {}),
    ...(i.kmsKeyId ? { StorageEncrypted: true, KmsKeyId: i.kmsKeyId } : {}),
    // The endpoint and creation time appear once the instance is made.
    ...(created ? { Endpoint: { Address: endpointOf(i.id), Port: i.port, HostedZoneId: "Z2R2ITUGPM61AM" } } : {}),
    ...(created ? { InstanceCreateTime: new Date(i.availableAt) } : {}),
    AllocatedStorage: i.allocatedStorage,
    StorageType: i.storageType,
    MultiAZ: i.multiAZ,
    PubliclyAccessible: i.publiclyAccessible,
    BackupRetentionPeriod: i.backupRetentionPeriod,
    ...(restorable !== undefined ? { LatestRestorableTime: new Date(restorable) } : {}),
    DeletionProtection: i.deletionProtection,
    DBSubnetGroup: {
      DBSubnetGroupName: i.subnetGroup.name,
      VpcId: i.subnetGroup.vpcId,
      SubnetGroupStatus: "Complete",
      Subnets: i.subnetGroup.subnets.map((SubnetIdentifier) => ({ SubnetIdentifier, SubnetStatus: "Active" })),
    },
    VpcSecurityGroups: i.securityGroups.map((VpcSecurityGroupId) => ({ VpcSecurityGroupId, Status: "active" })),
    TagList: i.tags.map((t) => ({ ...t })),
  };
}

export function snapshotStatus(s: SnapshotRecord, now: number): "creating" | "available" {
  return now < s.availableAt ? "creating" : "available";
}

export function renderSnapshot(s: SnapshotRecord, now: number): DBSnapshot {
  return {
    DBSnapshotIdentifier: s.id,
    DBSnapshotArn: snapshotArn(s.id),
    DBInstanceIdentifier: s.instanceId,
    DbiResourceId: s.resourceId,
    SnapshotType: s.type,
    Status: snapshotStatus(s, now),
    SnapshotCreateTime: new Date(s.createdAt),
    Engine: s.engine,
    EngineVersion: s.engineVersion,
    LicenseModel: s.licenseModel,
    AllocatedStorage: s.allocatedStorage,
    StorageType: s.storageType,
    Port: s.port,
    VpcId: s.vpcId,
    MasterUsername: s.masterUsername,
    PercentProgress: snapshotStatus(s, now) === "available" ? 100 : 0,
  };
}

/** Automated snapshots are named rds:<instance>-YYYY-MM-DD-HH-MM after the time they were taken. */
export function automatedSnapshotId(instanceId: string, at: number): string {
  const d = new Date(at).toISOString();
  return `rds:${instanceId}-${d.slice(0, 10)}-${d.slice(11, 13)}-${d.slice(14, 16)}`;
}

/** DB instance identifiers: 1-63 letters, digits or hyphens, a letter first, no hyphen last, no two in a row. */
export const validIdentifier = (id: string) => /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}$/.test(id) && !id.endsWith("-");

type ExceptionClass = new (opts: { message: string; $metadata: object }) => Error;

/** A modeled RDS fault, with the wire code (DBInstanceNotFound) the SDK also sets as `Code` for the query protocol. */
export function fault(cls: ExceptionClass, code: string, message: string, status = 400): Error {
  return Object.assign(new cls({ message, $metadata: { httpStatusCode: status } }), { Code: code });
}

export const notFound = (id: string) =>
  fault(DBInstanceNotFoundFault, "DBInstanceNotFound", `DBInstance ${id} not found.`, 404);
export const invalidValue = (message: string) => unmodeled("InvalidParameterValue", message);
export const invalidCombination = (message: string) => unmodeled("InvalidParameterCombination", message);
