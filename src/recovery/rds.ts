// The RDS calls of a drill: read the database, pick what to restore and into which class, restore, wait, delete.
// Deleting is the one call that must work whatever state the drill left the instance in.
import {
  AddTagsToResourceCommand,
  type DBInstance,
  type DBSnapshot,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type Tag,
} from "@aws-sdk/client-rds";
import type { Context } from "../core/context.js";
import { AwsError, awsStep, ExitCode, InfraError, InputError, isAwsError } from "../core/errors.js";
import type { ResourceEvents } from "../core/events.js";
import { awsLine } from "../core/invocation.js";
import { done, pending, waitOptions, waitUntil } from "../core/wait.js";
import { KEPT_TAG } from "./config.js";

const NOT_FOUND = ["DBInstanceNotFound", "DBInstanceNotFoundFault"];
const INVALID_STATE = ["InvalidDBInstanceState", "InvalidDBInstanceStateFault"];
/** States a restore ends in when it went wrong: it will never become available. */
const BROKEN = ["failed", "incompatible-restore", "incompatible-network", "incompatible-parameters", "storage-full"];
/** RDS restores and deletions take minutes: back off to a poll every 30 s, as the AWS CLI's waiters poll. */
const POLL = { maxDelayMs: 30_000 };

/** Where a restore takes its data from, and the moment that data is of (what RPO is measured against). */
export type RestorePoint =
  | { kind: "snapshot"; snapshotId: string; time: number }
  | { kind: "point-in-time"; time: number };

/** A drill that cannot even start says why a real recovery could not either: exit 1, as a failed check. */
export class RecoveryImpossible extends InfraError {
  constructor(message: string, suggestion: string) {
    super(message, 1, suggestion);
  }
}

export async function describeInstance(ctx: Context, id: string): Promise<DBInstance | undefined> {
  const rds = await ctx.aws.rds();
  try {
    return (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
  } catch (err) {
    if (isAwsError(err, ...NOT_FOUND)) return undefined;
    throw err;
  }
}

export async function sourceInstance(ctx: Context, id: string): Promise<DBInstance> {
  const found = await awsStep("read database", id, () => describeInstance(ctx, id));
  if (!found)
    throw new InfraError(
      `RDS_INSTANCE_ID="${id}": no such DB instance in ${ctx.aws.settings.region}`,
      ExitCode.aws,
      "check RDS_INSTANCE_ID and --region",
    );
  return found;
}

/** The newest available automated snapshot, or the latest restorable time with --point-in-time latest. */
export async function restorePoint(ctx: Context, source: DBInstance, pointInTime: boolean): Promise<RestorePoint> {
  const id = source.DBInstanceIdentifier as string;
  if (pointInTime) {
    const time = source.LatestRestorableTime?.getTime();
    if (time === undefined)
      throw new RecoveryImpossible(
        `${id} has no latest restorable time: point-in-time restore is not possible`,
        "turn automated backups on (a backup retention period of 1 to 35 days)",
      );
    return { kind: "point-in-time", time };
  }
  const snapshots = await awsStep("list snapshots", id, () => automatedSnapshots(ctx, id));
  const newest = snapshots
    .filter((s) => s.Status === "available" && s.SnapshotCreateTime)
    .sort((a, b) => (a.SnapshotCreateTime as Date).getTime() - (b.SnapshotCreateTime as Date).getTime())
    .at(-1);
  if (!newest)
    throw new RecoveryImpossible(
      `${id} has no available automated snapshot to restore`,
      "turn automated backups on (a backup retention period of 1 to 35 days), or try --point-in-time latest",
    );
  return {
    kind: "snapshot",
    snapshotId: newest.DBSnapshotIdentifier as string,
    time: (newest.SnapshotCreateTime as Date).getTime(),
  };
}

async function automatedSnapshots(ctx: Context, id: string): Promise<DBSnapshot[]> {
  const rds = await ctx.aws.rds();
  const all: DBSnapshot[] = [];
  let Marker: string | undefined;
  do {
    const out = await rds.send(
      new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: id, SnapshotType: "automated", Marker }),
    );
    all.push(...(out.DBSnapshots ?? []));
    Marker = out.Marker;
  } while (Marker);
  return all;
}

/** What a drill restores into, beside production's own shape (the cost difference is the report's). */
export interface DrillShape {
  instanceClass: string;
  multiAZ: boolean;
  storageGb: number;
  production: { instanceClass: string; multiAZ: boolean };
}

/**
 * Production's class and Multi-AZ, so the drill's RTO is a recovery's; or DR_DRILL_INSTANCE_CLASS, single-AZ, for a
 * cheaper drill. The class must be one RDS offers for the engine version (not every version offers every class).
 */
export async function drillShape(ctx: Context, source: DBInstance, wanted: string | undefined): Promise<DrillShape> {
  const rds = await ctx.aws.rds();
  const { Engine, EngineVersion } = source;
  const production = { instanceClass: source.DBInstanceClass as string, multiAZ: Boolean(source.MultiAZ) };
  const DBInstanceClass = wanted ?? production.instanceClass;
  const out = await awsStep("check instance class", DBInstanceClass, () =>
    rds.send(new DescribeOrderableDBInstanceOptionsCommand({ Engine, EngineVersion, DBInstanceClass, MaxRecords: 20 })),
  );
  if ((out.OrderableDBInstanceOptions ?? []).length === 0) {
    const offered = "set DR_DRILL_INSTANCE_CLASS to a class RDS offers for that engine version";
    const none = `RDS does not offer ${DBInstanceClass} for ${Engine} ${EngineVersion}`;
    // The class asked for is the input's to change; production's own is one a real recovery could not use either.
    if (wanted) throw new InputError(none, offered);
    throw new RecoveryImpossible(
      `${none}: a recovery into production's class could not be made either`,
      `${offered}, and move production to one before it needs recovering`,
    );
  }
  return {
    instanceClass: DBInstanceClass,
    multiAZ: wanted ? false : production.multiAZ,
    storageGb: source.AllocatedStorage ?? 0,
    production,
  };
}

export interface RestoreRequest {
  source: DBInstance;
  point: RestorePoint;
  targetId: string;
  instanceClass: string;
  multiAZ: boolean;
  tags: Tag[];
}

/**
 * Restores as a recovery would, into the database's own subnet group and security groups (left out, RDS would use
 * the default ones, where the service cannot reach it), not public, without deletion protection.
 */
export async function restore(ctx: Context, r: RestoreRequest): Promise<void> {
  const rds = await ctx.aws.rds();
  const placement = {
    DBInstanceClass: r.instanceClass,
    DBSubnetGroupName: r.source.DBSubnetGroup?.DBSubnetGroupName,
    VpcSecurityGroupIds: (r.source.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId as string),
    MultiAZ: r.multiAZ,
    PubliclyAccessible: false,
    DeletionProtection: false,
    Tags: r.tags,
  };
  await awsStep("restore database", r.targetId, () =>
    r.point.kind === "snapshot"
      ? rds.send(
          new RestoreDBInstanceFromDBSnapshotCommand({
            DBInstanceIdentifier: r.targetId,
            DBSnapshotIdentifier: r.point.snapshotId,
            ...placement,
          }),
        )
      : rds.send(
          new RestoreDBInstanceToPointInTimeCommand({
            SourceDBInstanceIdentifier: r.source.DBInstanceIdentifier,
            TargetDBInstanceIdentifier: r.targetId,
            UseLatestRestorableTime: true,
            ...placement,
          }),
        ),
  );
}

/** Waits until the instance is available (through creating and backing-up), and returns it. */
export async function waitAvailable(ctx: Context, ev: ResourceEvents, id: string): Promise<DBInstance> {
  return awsStep("wait for database", id, () =>
    waitUntil(ctx, ev, { ...waitOptions(ctx, `DB instance ${id} available`), ...POLL }, async () => {
      const found = await describeInstance(ctx, id);
      const status = found?.DBInstanceStatus ?? "not visible yet";
      if (BROKEN.includes(status))
        throw new AwsError(
          "restore database",
          id,
          status,
          `the restored instance is ${status} and will not become available`,
        );
      return status === "available" && found ? done(found) : pending(status);
    }),
  );
}

/**
 * Deletes a drill instance without a final snapshot, whatever it is doing: while it is still being created RDS may
 * refuse (InvalidDBInstanceState), so ask again until it accepts; one already deleting or gone is fine. With `wait`,
 * returns once it is gone. Returns when RDS accepted deleting it (the instance's billing ends then: `deleting` is not
 * billed), or undefined when it was already gone.
 */
export async function deleteDrillInstance(
  ctx: Context,
  ev: ResourceEvents,
  id: string,
  wait: boolean,
): Promise<number | undefined> {
  const rds = await ctx.aws.rds();
  const accepted = await awsStep("delete drill instance", id, () =>
    waitUntil(ctx, ev, { ...waitOptions(ctx, `RDS to accept deleting ${id}`), ...POLL }, async () => {
      try {
        await rds.send(
          new DeleteDBInstanceCommand({
            DBInstanceIdentifier: id,
            SkipFinalSnapshot: true,
            DeleteAutomatedBackups: true,
          }),
        );
        return done(true);
      } catch (err) {
        if (isAwsError(err, ...NOT_FOUND)) return done(false);
        if (!isAwsError(err, ...INVALID_STATE)) throw err;
        const status = (await describeInstance(ctx, id))?.DBInstanceStatus;
        if (status === undefined) return done(false);
        return status === "deleting" ? done(true) : pending(status);
      }
    }),
  );
  if (!accepted) return undefined;
  const acceptedAt = ctx.clock.now();
  if (!wait) {
    ev.deleted(`drill instance ${id} (no final snapshot): RDS is deleting it`);
    return acceptedAt;
  }
  ev.step(`deleting drill instance ${id} (no final snapshot)`);
  await awsStep("wait for deletion", id, () =>
    waitUntil(ctx, ev, { ...waitOptions(ctx, `DB instance ${id} deleted`), ...POLL }, async () => {
      const found = await describeInstance(ctx, id);
      return found ? pending(found.DBInstanceStatus ?? "deleting") : done(undefined);
    }),
  );
  ev.deleted(`drill instance ${id}`);
  return acceptedAt;
}

/** Every DB instance of the account in the region (a drill picks a free name among them and finds its leftovers). */
export async function allInstances(ctx: Context): Promise<DBInstance[]> {
  const rds = await ctx.aws.rds();
  const found: DBInstance[] = [];
  let Marker: string | undefined;
  do {
    const out = await awsStep("list DB instances", "dr-drill", () =>
      rds.send(new DescribeDBInstancesCommand({ Marker })),
    );
    found.push(...(out.DBInstances ?? []));
    Marker = out.Marker;
  } while (Marker);
  return found;
}

/** --keep: the instance stays, marked so that a later drill leaves it alone, and the user is told how to delete it. */
export async function keep(ctx: Context, ev: ResourceEvents, id: string): Promise<void> {
  const rds = await ctx.aws.rds();
  const found = await describeInstance(ctx, id);
  await awsStep("mark drill instance kept", id, () =>
    rds.send(
      new AddTagsToResourceCommand({
        ResourceName: found?.DBInstanceArn,
        Tags: [{ Key: KEPT_TAG, Value: new Date(ctx.clock.now()).toISOString() }],
      }),
    ),
  );
  ev.warning(`${id} kept (--keep), billed until deleted: ${keptAdvice(ctx, id)}`);
}

/** The AWS CLI line that deletes a drill instance, as it runs where this drill ran. */
export const deleteLine = (ctx: Context, id: string) =>
  awsLine(
    ctx.invocation ?? { region: ctx.aws.settings.region },
    "rds",
    "delete-db-instance",
    "--db-instance-identifier",
    id,
    "--skip-final-snapshot",
  );

export const keptAdvice = (ctx: Context, id: string) => `delete it with ${deleteLine(ctx, id)}`;
