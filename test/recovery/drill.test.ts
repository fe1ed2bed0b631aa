import fsp from "node:fs/promises";
import { DeregisterTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { describe, expect, it, vi } from "vitest";
import { Interrupt } from "../../src/core/interrupt.js";
import { parseRecord } from "../../src/recovery/record.js";
import { DB_SECURITY_GROUP, DB_SUBNET_GROUP, endpointOf } from "../../src/sandbox/aws/rds.js";
import { runCli, useFake } from "../helpers.js";
import { CHECK_FAMILY, DB, drillStack, HOUR, leftovers, MIGRATION, MINUTE, NOTHING_LEFT, recorded } from "./support.js";

const DRILL = `${DB}-drill-20260101`;

describe("infra dr-drill against the AWS fake", () => {
  const fake = useFake();

  it("refuses an env file it could not record the result in, exit 2, before restoring anything", async () => {
    const path = await drillStack(fake.current);
    const since = fake.current.calls.length;
    const access = vi.spyOn(fsp, "access").mockRejectedValue(Object.assign(new Error("denied"), { code: "EACCES" }));
    try {
      const result = await runCli(["dr-drill", "-f", path], fake.current);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/cannot write .*\(EACCES\)/);
      expect(fake.current.calls.slice(since)).toEqual([]);
    } finally {
      access.mockRestore();
    }
  });

  it("restores the newest snapshot into a temporary instance, checks it, deletes it and records RTO and RPO", async () => {
    const path = await drillStack(fake.current);

    const result = await runCli(["dr-drill", "-f", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const rds = fake.current.calls.filter((c) => c.service === "RDS" && c.mutating);
    expect(rds.map((c) => c.op)).toEqual(["RestoreDBInstanceFromDBSnapshot", "DeleteDBInstance"]);
    expect(rds[0]?.input).toMatchObject({
      DBInstanceIdentifier: DRILL,
      DBSnapshotIdentifier: `rds:${DB}-2025-12-31-21-00`,
      DBInstanceClass: "db.t4g.micro",
      DBSubnetGroupName: DB_SUBNET_GROUP,
      VpcSecurityGroupIds: [DB_SECURITY_GROUP],
      MultiAZ: false,
      PubliclyAccessible: false,
      Tags: expect.arrayContaining([
        { Key: "infra:dr-drill-of", Value: DB },
        { Key: "ManagedBy", Value: "infra" },
      ]),
    });
    expect(rds[1]?.input).toEqual({
      DBInstanceIdentifier: DRILL,
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: true,
    });
    // The check ran from a copy of the migration definition, DATABASE_HOST pointed at the restored instance.
    const check = fake.current.ecs.taskDefinitions.find((t) => t.family === CHECK_FAMILY);
    const container = check?.containerDefinitions?.[0];
    expect(container?.command).toEqual(["python", "manage.py", "check", "--database", "default"]);
    expect(container?.environment).toContainEqual({ name: "DATABASE_HOST", value: endpointOf(DRILL) });
    expect(container?.secrets?.map((s) => s.name)).toEqual(["DATABASE_PASSWORD"]);
    expect(fake.current.ecs.oneOff.tasks.map((t) => t.taskDefinitionArn)).toEqual([check?.taskDefinitionArn]);
    expect(fake.current.ecs.taskDefinitions.filter((t) => t.family === MIGRATION).map((t) => t.status)).toEqual([
      "ACTIVE",
    ]);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
    // RTO from the fake clock: 8 min creating and 3 min backing-up, seen within one 30 s poll; RPO: the snapshot's age.
    const record = parseRecord(recorded(path, "DR_LAST_DRILL"));
    expect(record?.rtoMs).toBeGreaterThanOrEqual(11 * MINUTE);
    expect(record?.rtoMs).toBeLessThanOrEqual(11 * MINUTE + 30_000);
    expect(record?.rpoMs).toBe(3 * HOUR);
    expect(record).toMatchObject({ at: "2026-01-01T00:00:00Z", checkExit: 0, instanceClass: "db.t4g.micro" });
    // Available for the check's 2 minutes or so, then deleted: RDS bills its 10-minute minimum.
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ billed=600s /);
    expect(result.stdout).toMatch(
      new RegExp(`into\\s+${DRILL} \\(db\\.t4g\\.micro, single-AZ, not public\\), deleted$`, "m"),
    );
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ result=met$/);
    expect(result.stdout).toMatch(/RPO\s+3 h of data lost at most \(target 24 h\): met/);
    expect(result.stdout).toMatch(/check\s+python manage.py check --database default: exit 0/);
    expect(result.stderr).toMatch(/waiting for DB instance .*-drill-20260101 available \(backing-up, /);
    expect(result.stderr).toMatch(/check log: No migrations to apply\./);

    const json = JSON.parse((await runCli(["status", "-f", path, "--json"], fake.current)).stdout);
    expect(json.lastDrill).toMatchObject({ rpoMs: 3 * HOUR, checkExit: 0, result: "met" });
    const status = await runCli(["status", "-f", path], fake.current);
    expect(status.stdout).toMatch(
      /^Last DR drill: 2026-01-01 00:00 UTC from snapshot:rds:.*: RTO 11 min.*\(target 4h\), RPO 3 h \(target 24h\), check passed: targets met$/m,
    );
  });

  it("restores to the latest restorable time with --point-in-time latest", async () => {
    const path = await drillStack(fake.current);
    fake.current.clock.advance(7 * MINUTE);

    const result = await runCli(["dr-drill", "--point-in-time", "latest", "-f", path, "--json"], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const restore = fake.current.calls.find((c) => c.op === "RestoreDBInstanceToPointInTime");
    expect(restore?.input).toMatchObject({ SourceDBInstanceIdentifier: DB, UseLatestRestorableTime: true });
    const drill = JSON.parse(result.stdout).drill;
    // Logs reach S3 every 5 minutes: 7 minutes past the hour, the latest restorable time is 2 minutes old.
    expect(drill).toMatchObject({ rpoSeconds: 120, result: "met", restorePoint: { kind: "point-in-time" } });
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
  });

  it("exits 1 when a target is missed or the check fails, and still deletes the instance", async () => {
    const path = await drillStack(fake.current, 'DR_RPO_TARGET="2h"\n');
    const missed = await runCli(["dr-drill", "-f", path], fake.current);
    expect(missed.code).toBe(1);
    expect(missed.stdout).toMatch(/RPO\s+3 h of data lost at most \(target 2 h\): MISSED/);
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ result=missed$/);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);

    fake.current.ecs.oneOff.outcomes.set(":latest", {
      exitCode: 1,
      log: ["django.db.utils.OperationalError: no such table"],
    });
    fake.current.clock.advance(HOUR);
    const failed = await runCli(["dr-drill", "-f", path, "--check-command", "python manage.py check"], fake.current);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/check log: django\.db\.utils\.OperationalError: no such table/);
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ check=exit-1 .* result=failed$/);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
  });

  it("runs its check from a copy it registers even when the migration family's only revision is INACTIVE", async () => {
    // Given the migration family's only revision deregistered (ECS runs nothing from it),
    const path = await drillStack(fake.current);
    await new ECSClient({ region: "us-east-1" }).send(
      new DeregisterTaskDefinitionCommand({ taskDefinition: `${MIGRATION}:1` }),
    );

    // when the drill runs, then its check runs from an ACTIVE copy, removed afterwards; the family is left as it was.
    const result = await runCli(["dr-drill", "-f", path], fake.current);
    expect(result.code, result.stderr).toBe(0);
    expect(fake.current.ecs.oneOff.tasks.map((t) => t.taskDefinitionArn.split("/").at(-1))).toEqual([
      `${CHECK_FAMILY}:1`,
    ]);
    const migration = fake.current.ecs.taskDefinitions.filter((t) => t.family === MIGRATION);
    expect(migration.map((t) => `${t.revision} ${t.status}`)).toEqual(["1 INACTIVE"]);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
  });

  it("refuses bad input with exit 2 before any AWS call", async () => {
    const path = await drillStack(fake.current);
    const cases: [string[], string, RegExp][] = [
      [
        ["--point-in-time", "2025-12-31T12:00:00Z"],
        "",
        /--point-in-time 2025-12-31T12:00:00Z: a drill restores to the latest/,
      ],
      [["--check-command", "python manage.py check; rm -rf /"], "", /has shell syntax/],
      [["--check-command", "[1,2]"], "", /is not a JSON array of strings/],
      [[], 'DR_RTO_TARGET="soon"\n', /DR_RTO_TARGET="soon" is not a duration/],
      [[], 'RDS_INSTANCE_ID="1-bad--id"\n', /RDS_INSTANCE_ID="1-bad--id" is not an RDS instance identifier/],
      [[], 'ECS_TASK_DEFINITION_FAMILY=""\n', /dr-drill needs ECS_TASK_DEFINITION_FAMILY/],
      [[], 'DR_DRILL_INSTANCE_CLASS="t4g.micro"\n', /not a DB instance class/],
    ];
    for (const [args, extra, message] of cases) {
      if (extra) await import("node:fs").then((fs) => fs.appendFileSync(path, extra));
      const before = fake.current.calls.length;
      const result = await runCli(["dr-drill", "-f", path, ...args], fake.current);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(fake.current.calls.length).toBe(before);
      if (extra)
        await import("node:fs").then((fs) => fs.writeFileSync(path, fs.readFileSync(path, "utf8").replace(extra, "")));
    }
  });

  it("deletes what it made when Ctrl-C comes during the restore, and exits 130", async () => {
    const path = await drillStack(fake.current);
    const interrupt = new Interrupt();
    const stderr = (text: string) => {
      if (text.includes("waiting for DB instance")) interrupt.handle();
    };

    const result = await runCli(["dr-drill", "-f", path], fake.current, { stderr }, { interrupt });

    expect(result.code).toBe(130);
    expect(fake.current.calls.filter((c) => c.op === "DeleteDBInstance").length).toBeGreaterThan(0);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
    expect(recorded(path, "DR_LAST_DRILL") ?? "").toBe("");
  });

  it("deletes what it made when Ctrl-C comes while the check runs", async () => {
    const path = await drillStack(fake.current);
    const interrupt = new Interrupt();
    let errors = "";
    const stderr = (text: string) => {
      errors += text;
      if (text.includes("waiting for check task")) interrupt.handle();
    };

    const result = await runCli(["dr-drill", "-f", path], fake.current, { stderr }, { interrupt });

    expect(result.code).toBe(130);
    expect(errors).toMatch(/error: interrupted: dr-drill stopped; what it made was deleted/);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
  });

  it("removes a drill instance and check revision a killed run left, and leaves a kept one alone", async () => {
    const path = await drillStack(fake.current);
    // A drill killed yesterday (kill -9: no cleanup), then a drill kept with --keep.
    await leaveLikeAKilledRun(fake.current);
    await leaveLikeAKilledRun(fake.current, `${DB}-drill-20251231-2`);
    const kept = await runCli(["dr-drill", "--keep", "-f", path], fake.current);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toMatch(/-drill-20251231 is left from an earlier drill that did not finish: deleting it first/);
    expect(kept.stderr).toMatch(
      /-drill-20251231-2 is left from an earlier drill that did not finish: deleting it first/,
    );
    expect(kept.stdout).toMatch(
      new RegExp(
        `kept: delete it with aws rds delete-db-instance --db-instance-identifier ${DRILL} --skip-final-snapshot --region us-east-1`,
      ),
    );
    expect(leftovers(fake.current)).toEqual({ instances: [DRILL], checkRevisions: [] });

    fake.current.clock.advance(24 * HOUR);
    const next = await runCli(["dr-drill", "-f", path], fake.current);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(new RegExp(`${DRILL} was kept by an earlier drill \\(--keep\\)`));
    expect(leftovers(fake.current)).toEqual({ instances: [DRILL], checkRevisions: [] });
  });

  it("runs again the same day after a drill kept with --keep, into the next free name, each report saying what became of its instance", async () => {
    // Given a drill kept with --keep today,
    const path = await drillStack(fake.current);
    const first = await runCli(["dr-drill", "--keep", "-f", path], fake.current);
    expect(first.code, first.stderr).toBe(0);

    // when two more drills run the same day, the first of them kept too,
    const second = await runCli(["dr-drill", "--keep", "-f", path], fake.current);
    const third = await runCli(["dr-drill", "-f", path], fake.current);

    // then each restores into a name of its own, and says truly whether it kept or deleted it.
    expect(second.code, second.stderr).toBe(0);
    expect(third.code, third.stderr).toBe(0);
    const restored = fake.current.calls.filter((c) => c.op === "RestoreDBInstanceFromDBSnapshot");
    expect(restored.map((c) => (c.input as { DBInstanceIdentifier: string }).DBInstanceIdentifier)).toEqual([
      DRILL,
      `${DRILL}-2`,
      `${DRILL}-3`,
    ]);
    expect(third.stderr).toMatch(new RegExp(`${DRILL} was kept by an earlier drill \\(--keep\\)`));
    expect(third.stderr).toMatch(new RegExp(`${DRILL}-2 was kept by an earlier drill \\(--keep\\)`));
    expect(second.stdout).toMatch(new RegExp(`into\\s+${DRILL}-2 \\(.*\\), kept: delete it with`));
    expect(third.stdout).toMatch(new RegExp(`into\\s+${DRILL}-3 \\(.*\\), deleted$`, "m"));
    expect(leftovers(fake.current)).toEqual({ instances: [DRILL, `${DRILL}-2`], checkRevisions: [] });
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ result=met$/);
  });

  it("leaves alone an instance that took its name first, and does not report it deleted", async () => {
    // Given another drill of the same database that creates the same name just before this one restores,
    const path = await drillStack(fake.current);
    const production = fake.current.rds.find(DB);
    let errors = "";
    const stderr = (text: string) => {
      errors += text;
      if (!text.includes(`restoring`) || !production) return;
      fake.current.rds.instances.set(DRILL, {
        ...production,
        id: DRILL,
        deletionProtection: false,
        tags: [{ Key: "infra:dr-drill-of", Value: DB }],
      });
    };

    // when this drill restores,
    const result = await runCli(["dr-drill", "-f", path], fake.current, { stderr });

    // then RDS refuses the name, and the other drill's instance is neither deleted nor said to be.
    expect(result.code, errors).toBe(3);
    expect(errors).toMatch(/DBInstanceAlreadyExists/);
    expect(result.stdout).toMatch(
      new RegExp(`into\\s+${DRILL}, not created: another instance has that name, left alone$`, "m"),
    );
    expect(fake.current.calls.filter((c) => c.op === "DeleteDBInstance")).toEqual([]);
    expect(leftovers(fake.current)).toEqual({ instances: [DRILL], checkRevisions: [] });
  });
});

/** What `kill -9` during a drill leaves: a tagged drill instance and an ACTIVE check revision. */
async function leaveLikeAKilledRun(
  fake: import("../../src/sandbox/aws/aws-fake.js").AwsFake,
  name = `${DB}-drill-20251231`,
) {
  const { RDSClient, RestoreDBInstanceFromDBSnapshotCommand } = await import("@aws-sdk/client-rds");
  const { ECSClient, RegisterTaskDefinitionCommand } = await import("@aws-sdk/client-ecs");
  await new RDSClient({ region: "us-east-1" }).send(
    new RestoreDBInstanceFromDBSnapshotCommand({
      DBInstanceIdentifier: name,
      DBSnapshotIdentifier: fake.rds.visibleSnapshots().find((s) => s.instanceId === DB)?.id,
      Tags: [{ Key: "infra:dr-drill-of", Value: DB }],
    }),
  );
  await new ECSClient({ region: "us-east-1" }).send(
    new RegisterTaskDefinitionCommand({
      family: CHECK_FAMILY,
      containerDefinitions: [{ name: "migrate", image: "x" }],
    }),
  );
}
