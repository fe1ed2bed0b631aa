// RestoreDBInstanceFromDBSnapshot and RestoreDBInstanceToPointInTime: a new instance, `creating` for minutes, then
// `backing-up` (its first automated backup), then `available`. Where the request leaves a setting out, AWS's
// default applies, and those defaults are the inconvenient ones for a drill: the default DB subnet group and
// security group, public when the VPC has an internet gateway, the source's class (Multi-AZ off).
import {
  InvalidDBInstanceStateFault,
  InvalidRestoreFault,
  PointInTimeRestoreNotEnabledFault,
  type RestoreDBInstanceFromDBSnapshotMessage,
  type RestoreDBInstanceToPointInTimeMessage,
} from "@aws-sdk/client-rds";
import type { RdsModel } from "./rds.js";
import { dataAsOf, type InstanceData } from "./rds-data.js";
import {
  fault,
  type InstanceRecord,
  invalidCombination,
  latestRestorable,
  renderInstance,
  type SnapshotRecord,
  statusOf,
} from "./rds-state.js";

/** The VPCs the fake knows have an internet gateway attached (the stack's VPC has public subnets for the ALB). */
const WITH_INTERNET_GATEWAY = true;
/** The default VPC's default security group, where an instance lands when no group is named. */
const DEFAULT_SECURITY_GROUP = "sg-0defa0defa0defa00";

type Common = Pick<
  RestoreDBInstanceFromDBSnapshotMessage,
  | "DBInstanceClass"
  | "DBSubnetGroupName"
  | "VpcSecurityGroupIds"
  | "MultiAZ"
  | "PubliclyAccessible"
  | "Tags"
  | "DeletionProtection"
  | "BackupRetentionPeriod"
  | "Port"
>;

interface Source {
  engine: string;
  engineVersion: string;
  licenseModel: string;
  instanceClass: string;
  allocatedStorage: number;
  storageType: string;
  port: number;
  masterUsername: string;
  dbName?: string;
  dataAsOf: number;
  data: InstanceData;
}

export class RdsRestores {
  constructor(private readonly rds: RdsModel) {}

  fromSnapshot(i: RestoreDBInstanceFromDBSnapshotMessage) {
    const id = this.rds.checkIdentifier(i.DBInstanceIdentifier);
    const snapshot: SnapshotRecord = this.rds.snapshotFor(i.DBSnapshotIdentifier);
    return this.restore(id, i, { ...snapshot, dataAsOf: snapshot.createdAt, data: this.rds.snapshotData(snapshot) });
  }

  toPointInTime(i: RestoreDBInstanceToPointInTimeMessage) {
    const source = this.rds.mustFind(i.SourceDBInstanceIdentifier ?? i.SourceDbiResourceId);
    const id = this.rds.checkIdentifier(i.TargetDBInstanceIdentifier);
    if (i.RestoreTime && i.UseLatestRestorableTime)
      throw invalidCombination("Cannot specify both RestoreTime and UseLatestRestorableTime.");
    if (!i.RestoreTime && !i.UseLatestRestorableTime)
      throw invalidCombination("Either RestoreTime or UseLatestRestorableTime must be specified.");
    if (source.backupRetentionPeriod === 0)
      throw fault(
        PointInTimeRestoreNotEnabledFault,
        "PointInTimeRestoreNotEnabled",
        `Point-in-time restore is not enabled for ${source.id}: its backup retention period is 0.`,
      );
    if (statusOf(source, this.rds.now(), this.rds.timings) === "deleting")
      throw fault(InvalidDBInstanceStateFault, "InvalidDBInstanceState", `Instance ${source.id} is being deleted.`);
    const latest = latestRestorable(source, this.rds.now());
    const at = i.UseLatestRestorableTime ? latest : new Date(i.RestoreTime as Date).getTime();
    const earliest = Math.min(
      ...this.rds
        .visibleSnapshots()
        .filter((s) => s.resourceId === source.resourceId)
        .map((s) => s.createdAt),
    );
    if (latest === undefined || at === undefined || at > latest || at < earliest || Number.isNaN(at))
      throw fault(
        InvalidRestoreFault,
        "InvalidRestoreFault",
        `The restore time must be between the earliest and latest restorable times of ${source.id}.`,
      );
    return this.restore(id, i, { ...source, dataAsOf: at, data: dataAsOf(source.data, at) });
  }

  private restore(id: string, i: Common, from: Source) {
    const rds = this.rds;
    const instanceClass = i.DBInstanceClass ?? from.instanceClass;
    if (!rds.offers(instanceClass, from.engine, from.engineVersion))
      throw invalidCombination(
        `RDS does not support creating a DB instance with the following combination: DBInstanceClass=${instanceClass}, Engine=${from.engine}, EngineVersion=${from.engineVersion}, LicenseModel=${from.licenseModel}. For supported combinations of instance class and database engine version, see the documentation.`,
      );
    const subnetGroup = rds.subnetGroup(i.DBSubnetGroupName);
    const now = rds.now();
    const retention = i.BackupRetentionPeriod ?? 1;
    const availableAt = now + rds.timings.creatingMs;
    const record: InstanceRecord = {
      id,
      resourceId: rds.resourceId(),
      engine: from.engine,
      engineVersion: from.engineVersion,
      licenseModel: from.licenseModel,
      instanceClass,
      allocatedStorage: from.allocatedStorage,
      storageType: from.storageType,
      port: i.Port ?? from.port,
      ...(from.dbName ? { dbName: from.dbName } : {}),
      masterUsername: from.masterUsername,
      subnetGroup,
      securityGroups: i.VpcSecurityGroupIds?.length ? [...i.VpcSecurityGroupIds] : [DEFAULT_SECURITY_GROUP],
      multiAZ: i.MultiAZ ?? false,
      publiclyAccessible: i.PubliclyAccessible ?? WITH_INTERNET_GATEWAY,
      backupRetentionPeriod: retention,
      deletionProtection: i.DeletionProtection ?? false,
      tags: (i.Tags ?? []).map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" })),
      availableAt,
      backedUpAt: retention > 0 ? availableAt + rds.timings.backingUpMs : availableAt,
      dataAsOf: from.dataAsOf,
      data: structuredClone(from.data),
    };
    rds.instances.set(id, record);
    // The first automated backup, taken while the new instance is backing-up.
    if (retention > 0) rds.takeSnapshot(record, availableAt, "automated", undefined, record.backedUpAt);
    return { DBInstance: renderInstance(record, now, rds.timings) };
  }
}
