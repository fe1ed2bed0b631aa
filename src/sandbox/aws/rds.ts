// Amazon RDS, as `infra dr-drill` and `infra runbook` use it: DB instances and their automated snapshots, restores
// from a snapshot or to a point in time that take minutes on the clock, deletion, and the instance classes offered
// per engine version. The production database is a prerequisite, not infra's: tests add it with `addDatabase`.
// Behaviours, with the AWS documentation they come from: docs/aws-behaviours.md, RDS.
import {
  AddTagsToResourceCommand,
  DBInstanceAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  DBSubnetGroupNotFoundFault,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  ListTagsForResourceCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  type RestoreDBInstanceFromDBSnapshotMessage,
  RestoreDBInstanceToPointInTimeCommand,
  type RestoreDBInstanceToPointInTimeMessage,
  type Tag,
} from "@aws-sdk/client-rds";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { PRIVATE_SUBNETS, VPC_ID } from "./ec2.js";
import { connect, dataAsOf, emptyData, type InstanceData, write } from "./rds-data.js";
import { RdsRestores } from "./rds-restore.js";
import {
  automatedSnapshotId,
  fault,
  type InstanceRecord,
  instanceArn,
  invalidCombination,
  invalidValue,
  notFound,
  RDS_TIMINGS,
  renderInstance,
  renderSnapshot,
  SNAPSHOT_MS,
  type SnapshotRecord,
  snapshotArn,
  statusOf,
  validIdentifier,
} from "./rds-state.js";
import { page } from "./shared.js";

export { endpointOf, RDS_TIMINGS } from "./rds-state.js";

/** The database's DB subnet group, a prerequisite: the two private subnets of the stack's VPC. */
export const DB_SUBNET_GROUP = "startupwebapp-db-subnets";
export const DB_SECURITY_GROUP = "sg-0d0d0d0d0d0d0d0d0";
export { PRIVATE_SUBNETS };

const DAY = 86_400_000;

/** The classes offered per engine unless a test withdraws one for an engine version (`withdraw`). */
const OFFERED = ["db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small", "db.t4g.medium", "db.m5.large"];

export class RdsModel {
  readonly name = "RDS";
  readonly client = RDSClient;
  readonly instances = new Map<string, InstanceRecord>();
  readonly snapshots: SnapshotRecord[] = [];
  readonly subnetGroups = new Map([
    [DB_SUBNET_GROUP, { name: DB_SUBNET_GROUP, vpcId: VPC_ID, subnets: PRIVATE_SUBNETS }],
    // What an instance lands in when no DB subnet group is named: the default VPC's.
    ["default", { name: "default", vpcId: "vpc-0defa0defa0defa00", subnets: ["subnet-0defa0defa0defa001"] }],
  ]);
  /** How long restores and deletions take; the bench may set AWS-like ones. */
  readonly timings = { ...RDS_TIMINGS };
  /** "class engine version" triples RDS does not offer. */
  readonly withdrawn = new Set<string>();
  private readonly restores = new RdsRestores(this);
  private seq = 0;

  constructor(readonly fake: Fake) {}

  readonly handlers: ServiceModel["handlers"] = [
    [DescribeDBInstancesCommand, (i) => this.describeInstances(i)],
    [DescribeDBSnapshotsCommand, (i) => this.describeSnapshots(i)],
    [
      RestoreDBInstanceFromDBSnapshotCommand,
      (i: RestoreDBInstanceFromDBSnapshotMessage) => this.restores.fromSnapshot(i),
    ],
    [
      RestoreDBInstanceToPointInTimeCommand,
      (i: RestoreDBInstanceToPointInTimeMessage) => this.restores.toPointInTime(i),
    ],
    [DeleteDBInstanceCommand, (i) => this.deleteInstance(i)],
    [DescribeOrderableDBInstanceOptionsCommand, (i) => this.orderable(i)],
    [AddTagsToResourceCommand, (i) => this.addTags(i)],
    [ListTagsForResourceCommand, (i) => ({ TagList: [...this.byArn(i.ResourceName).tags] })],
  ];

  now = () => this.fake.clock.now();

  /** The production database (a prerequisite), with automated snapshots taken `snapshotsAgoMs` ago. */
  addDatabase(o: {
    id: string;
    snapshotsAgoMs?: number[];
    instanceClass?: string;
    engineVersion?: string;
    multiAZ?: boolean;
    kmsKeyId?: string;
  }) {
    const now = this.now();
    const record: InstanceRecord = {
      id: o.id,
      resourceId: this.resourceId(),
      engine: "postgres",
      engineVersion: o.engineVersion ?? "16.4",
      licenseModel: "postgresql-license",
      instanceClass: o.instanceClass ?? "db.t4g.small",
      allocatedStorage: 20,
      storageType: "gp3",
      port: 5432,
      dbName: "startupwebapp",
      masterUsername: "postgres",
      subnetGroup: { ...(this.subnetGroups.get(DB_SUBNET_GROUP) as InstanceRecord["subnetGroup"]) },
      securityGroups: [DB_SECURITY_GROUP],
      multiAZ: o.multiAZ ?? true,
      publiclyAccessible: false,
      backupRetentionPeriod: 7,
      deletionProtection: true,
      tags: [{ Key: "Name", Value: o.id }],
      availableAt: now - 30 * 86_400_000,
      backedUpAt: now - 30 * 86_400_000,
      dataAsOf: now,
      data: emptyData(),
      ...(o.kmsKeyId ? { kmsKeyId: o.kmsKeyId } : {}),
    };
    this.instances.set(o.id, record);
    for (const ago of o.snapshotsAgoMs ?? [3 * 3_600_000]) this.takeSnapshot(record, now - ago, "automated");
    return record;
  }

  /** A snapshot of the instance's data at `at`, `creating` for SNAPSHOT_MS from then. */
  takeSnapshot(
    i: InstanceRecord,
    at: number,
    type: "automated" | "manual",
    id = automatedSnapshotId(i.id, at),
    availableAt = at + SNAPSHOT_MS,
  ) {
    const snapshot: SnapshotRecord = {
      id,
      instanceId: i.id,
      resourceId: i.resourceId,
      type,
      createdAt: at,
      availableAt,
      engine: i.engine,
      engineVersion: i.engineVersion,
      licenseModel: i.licenseModel,
      allocatedStorage: i.allocatedStorage,
      storageType: i.storageType,
      port: i.port,
      instanceClass: i.instanceClass,
      vpcId: i.subnetGroup.vpcId,
      masterUsername: i.masterUsername,
    };
    this.snapshots.push(snapshot);
    return snapshot;
  }

  /** Rows written to a table of an instance's database at the given times (the history tests give it). */
  write(id: string, database: string, table: string, at: number[]): void {
    write(this.mustFind(id).data, database, table, at);
  }

  /** What a snapshot holds: its own copy once its instance is gone, else the instance's data as of its time. */
  snapshotData(s: SnapshotRecord): InstanceData {
    if (s.data) return s.data;
    const source = [...this.instances.values()].find((i) => i.resourceId === s.resourceId);
    return source ? dataAsOf(source.data, s.createdAt) : emptyData();
  }

  /** What a PostgreSQL client in a task finds at an endpoint (rds-data.ts). */
  connect(to: Parameters<typeof connect>[2]) {
    return connect(this.live(), this.now(), to, this.timings);
  }

  /** RDS stops offering `instanceClass` for that engine version. */
  withdraw(instanceClass: string, engine: string, engineVersion: string): void {
    this.withdrawn.add(`${instanceClass} ${engine} ${engineVersion}`);
  }

  offers = (instanceClass: string, engine: string, engineVersion: string) =>
    OFFERED.includes(instanceClass) && !this.withdrawn.has(`${instanceClass} ${engine} ${engineVersion}`);

  resourceId = () => `db-FAKE${String(++this.seq).padStart(22, "0")}`;

  /** The instances that exist (deleting ones included), dropping those whose deletion has finished. */
  live(): InstanceRecord[] {
    for (const [id, i] of this.instances) {
      if (statusOf(i, this.now(), this.timings) !== "gone") continue;
      // Its snapshots that stay keep the data they were taken with.
      for (const s of this.snapshots) if (s.resourceId === i.resourceId) s.data ??= dataAsOf(i.data, s.createdAt);
      this.instances.delete(id);
      // Deleting an instance deletes its automated backups unless asked to retain them.
      if (i.deleteAutomatedBackups !== false) {
        for (let n = this.snapshots.length - 1; n >= 0; n--) {
          const s = this.snapshots[n];
          if (s?.resourceId === i.resourceId && s.type === "automated") this.snapshots.splice(n, 1);
        }
      }
    }
    this.backUpDaily();
    return [...this.instances.values()];
  }

  /**
   * Automated backups: one snapshot a day (a day after the last one, standing in for the backup window), each kept
   * for the instance's backup retention period.
   */
  private backUpDaily(): void {
    const now = this.now();
    for (const i of this.instances.values()) {
      if (i.backupRetentionPeriod === 0 || i.deletingSince !== undefined || now < i.backedUpAt) continue;
      const own = this.snapshots.filter((s) => s.resourceId === i.resourceId && s.type === "automated");
      for (let next = Math.max(...own.map((s) => s.createdAt), i.backedUpAt - DAY) + DAY; next <= now; next += DAY)
        this.takeSnapshot(i, next, "automated");
      const expired = (s: SnapshotRecord) =>
        s.resourceId === i.resourceId && s.type === "automated" && s.createdAt < now - i.backupRetentionPeriod * DAY;
      for (let n = this.snapshots.length - 1; n >= 0; n--)
        if (expired(this.snapshots[n] as SnapshotRecord)) this.snapshots.splice(n, 1);
    }
  }

  find(id: string | undefined): InstanceRecord | undefined {
    const wanted = id?.toLowerCase();
    return this.live().find((i) => i.id === wanted || instanceArn(i.id) === id);
  }

  mustFind(id: string | undefined): InstanceRecord {
    const found = this.find(id);
    if (!found) throw notFound(id ?? "");
    return found;
  }

  /** Snapshots whose time has come (an instance's first automated backup is known ahead, and hidden until then). */
  visibleSnapshots(): SnapshotRecord[] {
    this.live();
    return this.snapshots.filter((s) => s.createdAt <= this.now());
  }

  private describeInstances(i: { DBInstanceIdentifier?: string; MaxRecords?: number; Marker?: string }) {
    const all = i.DBInstanceIdentifier ? [this.mustFind(i.DBInstanceIdentifier)] : this.live();
    const { items, next } = page(all, i.Marker, records(i.MaxRecords), () => invalidValue("Invalid marker."));
    return {
      DBInstances: items.map((x) => renderInstance(x, this.now(), this.timings)),
      ...(next ? { Marker: next } : {}),
    };
  }

  private describeSnapshots(i: {
    DBInstanceIdentifier?: string;
    DBSnapshotIdentifier?: string;
    SnapshotType?: string;
    MaxRecords?: number;
    Marker?: string;
  }) {
    let all = this.visibleSnapshots();
    if (i.DBSnapshotIdentifier) {
      all = all.filter((s) => s.id === i.DBSnapshotIdentifier);
      if (all.length === 0)
        throw fault(
          DBSnapshotNotFoundFault,
          "DBSnapshotNotFound",
          `DBSnapshot ${i.DBSnapshotIdentifier} not found.`,
          404,
        );
    }
    if (i.DBInstanceIdentifier) all = all.filter((s) => s.instanceId === i.DBInstanceIdentifier?.toLowerCase());
    if (i.SnapshotType) all = all.filter((s) => s.type === i.SnapshotType);
    const { items, next } = page(all, i.Marker, records(i.MaxRecords), () => invalidValue("Invalid marker."));
    return { DBSnapshots: items.map((s) => renderSnapshot(s, this.now())), ...(next ? { Marker: next } : {}) };
  }

  private deleteInstance(i: {
    DBInstanceIdentifier: string;
    SkipFinalSnapshot?: boolean;
    FinalDBSnapshotIdentifier?: string;
    DeleteAutomatedBackups?: boolean;
  }) {
    const record = this.mustFind(i.DBInstanceIdentifier);
    const status = statusOf(record, this.now(), this.timings);
    if (status === "deleting")
      throw fault(
        InvalidDBInstanceStateFault,
        "InvalidDBInstanceState",
        `Instance ${record.id} is already being deleted.`,
      );
    // AWS does not say whether an instance can be deleted while it is still being created: the fake says no.
    if (status === "creating")
      throw fault(
        InvalidDBInstanceStateFault,
        "InvalidDBInstanceState",
        `Instance ${record.id} is currently creating.`,
      );
    if (record.deletionProtection)
      throw invalidCombination(
        "Cannot delete protected DB Instance, please disable deletion protection and try again.",
      );
    if (!i.SkipFinalSnapshot) {
      if (!i.FinalDBSnapshotIdentifier)
        throw invalidCombination("FinalDBSnapshotIdentifier is required when a final snapshot is required");
      this.takeSnapshot(record, this.now(), "manual", i.FinalDBSnapshotIdentifier);
    }
    record.deletingSince = this.now();
    record.deleteAutomatedBackups = i.DeleteAutomatedBackups ?? true;
    return { DBInstance: renderInstance(record, this.now(), this.timings) };
  }

  private orderable(i: { Engine: string; EngineVersion?: string; DBInstanceClass?: string; MaxRecords?: number }) {
    if (!i.Engine) throw invalidValue("The parameter Engine must be provided and must not be blank.");
    const versions = new Set([...this.instances.values()].map((x) => x.engineVersion));
    if (i.EngineVersion) versions.add(i.EngineVersion);
    const options = [...versions]
      .filter((v) => !i.EngineVersion || v === i.EngineVersion)
      .flatMap((v) => OFFERED.filter((c) => this.offers(c, i.Engine, v)).map((c) => [v, c] as const))
      .filter(([, c]) => !i.DBInstanceClass || c === i.DBInstanceClass)
      .map(([EngineVersion, DBInstanceClass]) => ({
        Engine: i.Engine,
        EngineVersion,
        DBInstanceClass,
        LicenseModel: "postgresql-license",
        MultiAZCapable: true,
        StorageType: "gp3",
      }));
    return { OrderableDBInstanceOptions: options };
  }

  private addTags(i: { ResourceName: string; Tags: Tag[] }) {
    const record = this.byArn(i.ResourceName);
    for (const t of i.Tags) {
      const at = record.tags.findIndex((x) => x.Key === t.Key);
      if (at >= 0) record.tags[at] = { ...t };
      else record.tags.push({ ...t });
    }
    return {};
  }

  private byArn(arn: string): InstanceRecord {
    const id = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:(.+)$/.exec(arn)?.[1];
    if (!id) throw invalidValue(`Unable to parse the ARN: ${arn}`);
    return this.mustFind(id);
  }

  checkIdentifier(id: string | undefined): string {
    if (!id || !validIdentifier(id))
      throw invalidValue(
        `The parameter DBInstanceIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`,
      );
    if (this.find(id))
      throw fault(DBInstanceAlreadyExistsFault, "DBInstanceAlreadyExists", "DB instance already exists");
    return id.toLowerCase();
  }

  subnetGroup(name: string | undefined) {
    const group = this.subnetGroups.get(name ?? "default");
    if (!group)
      throw fault(DBSubnetGroupNotFoundFault, "DBSubnetGroupNotFoundFault", `DBSubnetGroup '${name}' not found.`, 404);
    return { ...group, subnets: [...group.subnets] };
  }

  snapshotFor(id: string | undefined): SnapshotRecord {
    const snapshot = this.visibleSnapshots().find((s) => s.id === id || snapshotArn(s.id) === id);
    if (!snapshot) throw fault(DBSnapshotNotFoundFault, "DBSnapshotNotFound", `DBSnapshot not found: ${id}`, 404);
    if (this.now() < snapshot.availableAt)
      throw fault(
        InvalidDBSnapshotStateFault,
        "InvalidDBSnapshotState",
        `Snapshot ${snapshot.id} is not in available state.`,
      );
    return snapshot;
  }
}

/** MaxRecords: 20-100, default 100. */
function records(max: number | undefined): number {
  const n = max ?? 100;
  if (!Number.isInteger(n) || n < 20 || n > 100)
    throw invalidValue(`Invalid value ${max} for MaxRecords. Must be between 20 and 100`);
  return n;
}
