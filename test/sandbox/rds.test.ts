// The RDS fake behaves as AWS documents it: checked with the real SDK client.
import {
  AddTagsToResourceCommand,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DBSnapshotNotFoundFault,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  InvalidRestoreFault,
  ListTagsForResourceCommand,
  PointInTimeRestoreNotEnabledFault,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from "@aws-sdk/client-rds";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { describe, expect, it } from "vitest";
import { DB_SECURITY_GROUP, DB_SUBNET_GROUP } from "../../src/sandbox/aws/rds.js";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const rds = () => new RDSClient({ region: "us-east-1" });
const DB = "startupwebapp-multi-tenant-prod";
const HOUR = 3_600_000;
const MINUTE = 60_000;

const describeOne = async (id: string) =>
  (await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
const statusOf = async (id: string) => (await describeOne(id))?.DBInstanceStatus;
const latestSnapshot = async () => {
  const out = await rds().send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: DB, SnapshotType: "automated" }));
  return out.DBSnapshots?.at(-1)?.DBSnapshotIdentifier as string;
};
const restoreFromSnapshot = async (id: string, extra: object = {}) =>
  rds().send(
    new RestoreDBInstanceFromDBSnapshotCommand({
      DBInstanceIdentifier: id,
      DBSnapshotIdentifier: await latestSnapshot(),
      ...extra,
    }),
  );

describe("RDS fake", () => {
  it("describes the database and its automated snapshots, named and timed as AWS names them", async () => {
    fake.current.rds.addDatabase({ id: DB, snapshotsAgoMs: [27 * HOUR, 3 * HOUR] });
    const db = await describeOne(DB);
    expect(db).toMatchObject({
      DBInstanceStatus: "available",
      MultiAZ: true,
      DBSubnetGroup: { DBSubnetGroupName: DB_SUBNET_GROUP },
      VpcSecurityGroups: [{ VpcSecurityGroupId: DB_SECURITY_GROUP, Status: "active" }],
      Endpoint: { Port: 5432 },
    });
    // Transaction logs reach S3 every five minutes: the latest restorable time trails by up to that.
    const lag = fake.current.clock.now() - (db?.LatestRestorableTime?.getTime() ?? 0);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(5 * MINUTE);
    const snapshots = (await rds().send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: DB }))).DBSnapshots;
    expect(
      snapshots?.map((s) => [
        s.SnapshotType,
        s.Status,
        fake.current.clock.now() - (s.SnapshotCreateTime?.getTime() ?? 0),
      ]),
    ).toEqual([
      ["automated", "available", 27 * HOUR],
      ["automated", "available", 3 * HOUR],
    ]);
    expect(snapshots?.[1]?.DBSnapshotIdentifier).toMatch(/^rds:startupwebapp-multi-tenant-prod-2025-12-31-21-00$/);
    await expect(describeOne("nope")).rejects.toBeInstanceOf(DBInstanceNotFoundFault);
    await expect(describeOne("nope")).rejects.toMatchObject({ Code: "DBInstanceNotFound" });
    await expect(rds().send(new DescribeDBInstancesCommand({ MaxRecords: 10 }))).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
  });

  it("restores a snapshot into an instance that is creating, then backing-up, then available", async () => {
    fake.current.rds.addDatabase({ id: DB });
    const out = await restoreFromSnapshot("drill", {
      DBInstanceClass: "db.t4g.micro",
      DBSubnetGroupName: DB_SUBNET_GROUP,
      VpcSecurityGroupIds: [DB_SECURITY_GROUP],
      PubliclyAccessible: false,
      MultiAZ: false,
    });
    expect(out.DBInstance).toMatchObject({ DBInstanceStatus: "creating", DBInstanceClass: "db.t4g.micro" });
    expect(out.DBInstance?.Endpoint).toBeUndefined();
    fake.current.clock.advance(8 * MINUTE);
    expect(await statusOf("drill")).toBe("backing-up");
    fake.current.clock.advance(3 * MINUTE);
    const drill = await describeOne("drill");
    expect(drill).toMatchObject({
      DBInstanceStatus: "available",
      Endpoint: { Address: expect.stringMatching(/^drill\..*\.rds\.amazonaws\.com$/) },
      DBSubnetGroup: { DBSubnetGroupName: DB_SUBNET_GROUP },
      VpcSecurityGroups: [{ VpcSecurityGroupId: DB_SECURITY_GROUP }],
      PubliclyAccessible: false,
      MultiAZ: false,
      DeletionProtection: false,
    });
  });

  it("puts a restore that names no subnet group or security group in the default ones, publicly accessible", async () => {
    fake.current.rds.addDatabase({ id: DB });
    await restoreFromSnapshot("careless");
    expect(await describeOne("careless")).toMatchObject({
      DBSubnetGroup: { DBSubnetGroupName: "default" },
      VpcSecurityGroups: [{ VpcSecurityGroupId: "sg-0defa0defa0defa00" }],
      PubliclyAccessible: true,
      DBInstanceClass: "db.t4g.small",
    });
  });

  it("refuses a name in use, a snapshot still being taken, an unknown snapshot and a class not offered", async () => {
    const db = fake.current.rds.addDatabase({ id: DB });
    await expect(restoreFromSnapshot(DB)).rejects.toBeInstanceOf(DBInstanceAlreadyExistsFault);
    await expect(restoreFromSnapshot("Bad--name")).rejects.toMatchObject({ name: "InvalidParameterValue" });
    fake.current.rds.takeSnapshot(db, fake.current.clock.now(), "manual", "in-progress");
    await expect(
      rds().send(
        new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: "x", DBSnapshotIdentifier: "in-progress" }),
      ),
    ).rejects.toBeInstanceOf(InvalidDBSnapshotStateFault);
    await expect(
      rds().send(
        new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: "x", DBSnapshotIdentifier: "gone" }),
      ),
    ).rejects.toBeInstanceOf(DBSnapshotNotFoundFault);
    fake.current.rds.withdraw("db.t4g.micro", "postgres", "16.4");
    await expect(restoreFromSnapshot("x", { DBInstanceClass: "db.t4g.micro" })).rejects.toMatchObject({
      name: "InvalidParameterCombination",
      message: expect.stringMatching(
        /^RDS does not support creating a DB instance with the following combination: DBInstanceClass=db\.t4g\.micro, Engine=postgres, EngineVersion=16\.4/,
      ),
    });
    const offered = await rds().send(
      new DescribeOrderableDBInstanceOptionsCommand({
        Engine: "postgres",
        EngineVersion: "16.4",
        DBInstanceClass: "db.t4g.micro",
      }),
    );
    expect(offered.OrderableDBInstanceOptions).toEqual([]);
    const t3 = await rds().send(
      new DescribeOrderableDBInstanceOptionsCommand({
        Engine: "postgres",
        EngineVersion: "16.4",
        DBInstanceClass: "db.t3.micro",
      }),
    );
    expect(t3.OrderableDBInstanceOptions?.map((o) => o.DBInstanceClass)).toEqual(["db.t3.micro"]);
  });

  it("restores to the latest restorable time, and refuses a time outside the window or two ways of saying it", async () => {
    fake.current.rds.addDatabase({ id: DB, snapshotsAgoMs: [20 * HOUR] });
    fake.current.clock.advance(3 * MINUTE);
    const latest = (await describeOne(DB))?.LatestRestorableTime as Date;
    await rds().send(
      new RestoreDBInstanceToPointInTimeCommand({
        SourceDBInstanceIdentifier: DB,
        TargetDBInstanceIdentifier: "pitr",
        UseLatestRestorableTime: true,
      }),
    );
    expect(fake.current.rds.instances.get("pitr")?.dataAsOf).toBe(latest.getTime());
    const pitr = (i: object) =>
      rds().send(
        new RestoreDBInstanceToPointInTimeCommand({
          SourceDBInstanceIdentifier: DB,
          TargetDBInstanceIdentifier: "p2",
          ...i,
        }),
      );
    await expect(pitr({ UseLatestRestorableTime: true, RestoreTime: latest })).rejects.toMatchObject({
      name: "InvalidParameterCombination",
    });
    await expect(pitr({})).rejects.toMatchObject({ name: "InvalidParameterCombination" });
    await expect(pitr({ RestoreTime: new Date(latest.getTime() + MINUTE) })).rejects.toBeInstanceOf(
      InvalidRestoreFault,
    );
    await expect(pitr({ RestoreTime: new Date(latest.getTime() - 21 * HOUR) })).rejects.toBeInstanceOf(
      InvalidRestoreFault,
    );
    await pitr({ RestoreTime: new Date(latest.getTime() - HOUR) });
    expect(fake.current.rds.instances.get("p2")?.dataAsOf).toBe(latest.getTime() - HOUR);
    const record = fake.current.rds.instances.get(DB);
    if (record) record.backupRetentionPeriod = 0;
    await expect(pitr({ TargetDBInstanceIdentifier: "p3", UseLatestRestorableTime: true })).rejects.toBeInstanceOf(
      PointInTimeRestoreNotEnabledFault,
    );
  });

  it("deletes an instance once it is made: deleting, then gone with its automated backups", async () => {
    fake.current.rds.addDatabase({ id: DB });
    await restoreFromSnapshot("drill");
    const del = () =>
      rds().send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "drill", SkipFinalSnapshot: true }));
    await expect(del()).rejects.toBeInstanceOf(InvalidDBInstanceStateFault);
    fake.current.clock.advance(11 * MINUTE);
    expect(fake.current.rds.visibleSnapshots().some((s) => s.instanceId === "drill")).toBe(true);
    await expect(rds().send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "drill" }))).rejects.toMatchObject({
      name: "InvalidParameterCombination",
    });
    expect((await del()).DBInstance?.DBInstanceStatus).toBe("deleting");
    await expect(del()).rejects.toMatchObject({
      Code: "InvalidDBInstanceState",
      message: "Instance drill is already being deleted.",
    });
    fake.current.clock.advance(5 * MINUTE);
    await expect(describeOne("drill")).rejects.toBeInstanceOf(DBInstanceNotFoundFault);
    expect(fake.current.rds.visibleSnapshots().some((s) => s.instanceId === "drill")).toBe(false);
    await expect(del()).rejects.toBeInstanceOf(DBInstanceNotFoundFault);
    // The production database is protected.
    await expect(
      rds().send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: DB, SkipFinalSnapshot: true })),
    ).rejects.toMatchObject({ message: expect.stringMatching(/deletion protection/) });
  });

  it("takes an automated snapshot a day and keeps each for the backup retention period", async () => {
    fake.current.rds.addDatabase({ id: DB, snapshotsAgoMs: [6 * 24 * HOUR + 3 * HOUR, 3 * HOUR] });
    const ages = async () =>
      ((await rds().send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: DB }))).DBSnapshots ?? []).map(
        (s) => (fake.current.clock.now() - (s.SnapshotCreateTime?.getTime() ?? 0)) / HOUR,
      );
    expect(await ages()).toEqual([147, 3]);
    fake.current.clock.advance(2 * 24 * HOUR);
    // Two more, a day apart after the last; the one taken 7 days and 3 hours ago has expired (retention 7 days).
    expect(await ages()).toEqual([51, 27, 3]);
  });

  it("tags instances and lists them through the tagging API", async () => {
    fake.current.rds.addDatabase({ id: DB });
    await restoreFromSnapshot("drill", { Tags: [{ Key: "ManagedBy", Value: "infra" }] });
    const arn = "arn:aws:rds:us-east-1:123456789012:db:drill";
    await rds().send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: "Kept", Value: "yes" }] }));
    expect((await rds().send(new ListTagsForResourceCommand({ ResourceName: arn }))).TagList).toEqual([
      { Key: "ManagedBy", Value: "infra" },
      { Key: "Kept", Value: "yes" },
    ]);
    const tagged = await new ResourceGroupsTaggingAPIClient({ region: "us-east-1" }).send(
      new GetResourcesCommand({ TagFilters: [{ Key: "ManagedBy", Values: ["infra"] }] }),
    );
    expect(tagged.ResourceTagMappingList?.map((m) => m.ResourceARN)).toEqual([arn]);
  });
});
