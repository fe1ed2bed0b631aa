import fsp from "node:fs/promises";
import { DeregisterTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { describe, expect, it, vi } from "vitest";
import { Interrupt } from "../../src/core/interrupt.js";
import { parseRecord } from "../../src/recovery/record.js";
import { postgresClient } from "../../src/sandbox/aws/postgres-client.js";
import { DB_SECURITY_GROUP, DB_SUBNET_GROUP, endpointOf } from "../../src/sandbox/aws/rds.js";
import { DB_SECRET_ARN } from "../../src/sandbox/aws/secrets.js";
import { runCli, useFake } from "../helpers.js";
import {
  CHECK_FAMILY,
  DB,
  drillStack,
  HOUR,
  leftovers,
  MIGRATION,
  MINUTE,
  NOTHING_LEFT,
  recorded,
  runningTasks,
} from "./support.js";

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

  it("restores the newest snapshot into production's shape, reads the restored data itself, deletes it and records RTO to usable and RPO", async () => {
    const path = await drillStack(fake.current);
    const random = vi.spyOn(Math, "random");

    const result = await runCli(["dr-drill", "-f", path], fake.current);
    const drawn = random.mock.calls.length;
    random.mockRestore();

    expect(result.code, result.stderr).toBe(0);
    // Every poll's jitter came from the fake's clock, none at random: this drill takes the same time every run.
    expect(drawn).toBe(0);
    const rds = fake.current.calls.filter((c) => c.service === "RDS" && c.mutating);
    expect(rds.map((c) => c.op)).toEqual(["RestoreDBInstanceFromDBSnapshot", "DeleteDBInstance"]);
    // Production's class and Multi-AZ: the drill's RTO is a recovery's.
    expect(rds[0]?.input).toMatchObject({
      DBInstanceIdentifier: DRILL,
      DBSnapshotIdentifier: `rds:${DB}-2025-12-31-21-00`,
      DBInstanceClass: "db.t4g.small",
      MultiAZ: true,
      DBSubnetGroupName: DB_SUBNET_GROUP,
      VpcSecurityGroupIds: [DB_SECURITY_GROUP],
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
    // The check is a PostgreSQL client pointed at the restored instance, logging in with the secret's keys.
    const check = fake.current.ecs.taskDefinitions.find((t) => t.family === CHECK_FAMILY);
    const container = check?.containerDefinitions?.[0];
    expect(container?.image).toBe("public.ecr.aws/docker/library/postgres:16-alpine");
    expect(container?.environment).toContainEqual({ name: "PGHOST", value: endpointOf(DRILL) });
    expect(container?.secrets).toEqual([
      { name: "PGUSER", valueFrom: `${DB_SECRET_ARN}:username::` },
      { name: "PGPASSWORD", valueFrom: `${DB_SECRET_ARN}:password::` },
    ]);
    expect(fake.current.ecs.taskDefinitions.filter((t) => t.family === MIGRATION).map((t) => t.status)).toEqual([
      "ACTIVE",
    ]);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
    // What the copy holds, not what production holds: 3 orders and 2 members as of the snapshot, no refunds table.
    expect(result.stdout).toMatch(
      /^ {2}check\s+passed: read .*-drill-20260101\..*:5432: 4 database\(s\), 2 table\(s\), 5 row\(s\)$/m,
    );
    expect(result.stdout).toMatch(/^\s+startupwebapp_prod: 2 table\(s\), 5 row\(s\)$/m);
    // RTO to usable: 8 min creating, 3 min backing-up (seen within a 30 s poll), then the check's 90 s and its log.
    const record = parseRecord(recorded(path, "DR_LAST_DRILL"));
    expect(record?.availableMs).toBeGreaterThanOrEqual(11 * MINUTE);
    expect(record?.availableMs).toBeLessThanOrEqual(11 * MINUTE + 30_000);
    expect(record?.rtoMs).toBeGreaterThanOrEqual((record?.availableMs ?? 0) + 90_000);
    expect(record?.rtoMs).toBeLessThanOrEqual((record?.availableMs ?? 0) + 3 * MINUTE);
    expect(record).toMatchObject({
      at: "2026-01-01T00:00:00Z",
      rpoMs: 3 * HOUR,
      check: "passed",
      instanceClass: "db.t4g.small",
      multiAZ: true,
      databases: 4,
      tables: 2,
      rows: 5,
    });
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ result=met$/);
    expect(recorded(path, "DR_LAST_SUCCESSFUL_DRILL")).toBe(recorded(path, "DR_LAST_DRILL"));
    expect(result.stdout).toMatch(
      new RegExp(`into\\s+${DRILL} \\(db\\.t4g\\.small, Multi-AZ as production, not public\\), deleted$`, "m"),
    );
    expect(result.stdout).toMatch(/RPO\s+3 h of data lost at most, from the restore point \(target 24 h\): met/);
    // What it cost, and what a cheaper drill of another shape would have.
    expect(result.stdout).toMatch(
      /cost\s+\$0\.01 for this drill \(db\.t4g\.small Multi-AZ .*\); db\.t4g\.micro single-AZ .*: \$0\.00/,
    );

    const json = JSON.parse((await runCli(["status", "-f", path, "--json"], fake.current)).stdout);
    expect(json.lastDrill).toMatchObject({ rpoMs: 3 * HOUR, check: "passed", result: "met" });
    expect(json.drillCurrent).toBe(true);
    const status = await runCli(["status", "-f", path], fake.current);
    expect(status.stdout).toMatch(
      /^Last DR drill: 2026-01-01 00:00 UTC from snapshot:rds:.*: RTO 1\d min.*\(target 4h\), RPO 3 h \(target 24h\), check passed: targets met$/m,
    );
  });

  it("passes only when the check read the restored instance: one that reached production instead fails", async () => {
    // Given a PostgreSQL client that connects to production whatever PGHOST says (production holds other data),
    const path = await drillStack(fake.current);
    fake.current.ecs.oneOff.programs.unshift([
      "postgres:",
      (run) => postgresClient({ ...run, env: { ...run.env, PGHOST: endpointOf(DB) } }),
    ]);

    // when the drill runs,
    const result = await runCli(["dr-drill", "-f", path], fake.current);

    // then its check fails naming the host it read, and the drill is recorded as failed.
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`check\\s+failed: it read ${endpointOf(DB)}:5432, not the restored instance`),
    );
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(
      / check=failed .* failed=check error=read-another-host result=failed$/,
    );
    expect(recorded(path, "DR_LAST_SUCCESSFUL_DRILL") ?? "").toBe("");
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
  });

  describe("with a check command in the app's image, whose settings ignore DATABASE_HOST and read the secret", () => {
    /** The earlier scripts' settings: every database setting from the secret named by DB_SECRET_NAME. */
    const app = (says: "host" | "nothing") => (run: import("../../src/sandbox/aws/ecs-run-task.js").ContainerRun) => {
      const secret = JSON.parse(run.secret(run.env.DB_SECRET_NAME ?? "") ?? "{}");
      const session = run.connect({
        host: secret.host,
        port: Number(secret.port),
        user: secret.username,
        password: secret.password,
        database: "startupwebapp_prod",
      });
      if ("error" in session) return { exitCode: 1, log: [session.error] };
      return { exitCode: 0, log: says === "host" ? [`dr-check connected ${secret.host} ${secret.port}`] : ["ok"] };
    };

    it("fails when the app says it read production", async () => {
      const path = await drillStack(fake.current);
      fake.current.ecs.oneOff.programs.unshift(["startupwebapp:", app("host")]);

      const result = await runCli(
        ["dr-drill", "-f", path, "--check-command", "python manage.py drcheck"],
        fake.current,
      );

      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        /check\s+failed: it read startupwebapp-multi-tenant-prod\..*, not the restored instance/,
      );
      expect(result.stdout).not.toMatch(/passed/);
    });

    it("does not report a pass when the app does not say which host it read", async () => {
      const path = await drillStack(fake.current);
      fake.current.ecs.oneOff.programs.unshift(["startupwebapp:", app("nothing")]);

      const result = await runCli(
        ["dr-drill", "-f", path, "--check-command", "python manage.py drcheck"],
        fake.current,
      );

      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/check\s+unverified: exit 0, but it did not say which database host it read/);
      expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ check=unverified .*result=failed$/);
    });

    it("passes when the app reads DATABASE_HOST and says so", async () => {
      const path = await drillStack(fake.current);
      fake.current.ecs.oneOff.programs.unshift([
        "startupwebapp:",
        (run) => ({ exitCode: 0, log: [`dr-check connected ${run.env.DATABASE_HOST} ${run.env.DATABASE_PORT}`] }),
      ]);

      const result = await runCli(
        ["dr-drill", "-f", path, "--check-command", "python manage.py drcheck"],
        fake.current,
      );

      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/check\s+passed: exit 0, read .*-drill-20260101\./);
    });
  });

  it("fails the check when a table DR_CHECK_TABLES names is not in the copy, and measures RPO from the newest row", async () => {
    // Given the refunds table (made after the snapshot) named as critical, and a freshness query on orders,
    const path = await drillStack(
      fake.current,
      'DR_CHECK_TABLES="order_order, startupwebapp_prod:public.order_refund"\nDR_FRESHNESS_QUERY="select max(created_date_time) from order_order"\n',
    );

    const result = await runCli(["dr-drill", "-f", path], fake.current);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/check\s+failed: missing table\(s\) startupwebapp_prod:public\.order_refund/);
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ failed=check error=incomplete result=failed$/);

    // and with the critical tables the copy has, the RPO is the age of its newest order: 4 h, not the snapshot's 3 h.
    fake.current.clock.advance(HOUR);
    await import("node:fs").then((fs) =>
      fs.writeFileSync(
        path,
        fs.readFileSync(path, "utf8").replace("startupwebapp_prod:public.order_refund", "user_member"),
      ),
    );
    const again = await runCli(["dr-drill", "-f", path], fake.current);
    expect(again.code, again.stdout).toBe(0);
    const record = parseRecord(recorded(path, "DR_LAST_DRILL"));
    expect(record?.newest).toBe("2025-12-31T20:00:00Z");
    expect(record?.rpoMs).toBe(Date.parse(record?.at ?? "") - Date.parse("2025-12-31T20:00:00Z"));
    expect(again.stdout).toMatch(
      /RPO\s+5 h \d+ min of data lost at most, measured from the newest row \(2025-12-31 20:00 UTC\); the restore point is 4 h \d+ min old/,
    );
  });

  it("restores to the latest restorable time with --point-in-time latest, and its copy holds the rows up to then", async () => {
    const path = await drillStack(fake.current);
    fake.current.clock.advance(7 * MINUTE);

    const result = await runCli(["dr-drill", "--point-in-time", "latest", "-f", path, "--json"], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const restore = fake.current.calls.find((c) => c.op === "RestoreDBInstanceToPointInTime");
    expect(restore?.input).toMatchObject({ SourceDBInstanceIdentifier: DB, UseLatestRestorableTime: true });
    const drill = JSON.parse(result.stdout).drill;
    // Logs reach S3 every 5 minutes: 7 minutes past the hour, the latest restorable time is 2 minutes old.
    expect(drill).toMatchObject({ rpoSeconds: 120, result: "met", restorePoint: { kind: "point-in-time" } });
    // Everything production held by then: 5 orders, 2 members, 1 refund.
    expect(drill.record).toMatchObject({ tables: 3, rows: 8 });
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
  });

  it("records a drill that failed, where and why, and status shows the last attempt beside the last success", async () => {
    // Given a successful drill,
    const path = await drillStack(fake.current);
    expect((await runCli(["dr-drill", "-f", path], fake.current)).code).toBe(0);
    const success = recorded(path, "DR_LAST_SUCCESSFUL_DRILL");

    // when a later one's check exits 1,
    fake.current.clock.advance(HOUR);
    fake.current.ecs.oneOff.programs.unshift(["postgres:", () => ({ exitCode: 2, log: ["dr-check failed connect"] })]);
    const failed = await runCli(["dr-drill", "-f", path], fake.current);

    // then it is recorded as failed at the check, the success stays recorded, and status shows both.
    expect(failed.code).toBe(1);
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(
      /^2026-01-01T01:\d\d:\d\dZ .* check=failed .* failed=check error=exit-2 result=failed$/,
    );
    expect(recorded(path, "DR_LAST_SUCCESSFUL_DRILL")).toBe(success);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
    const status = await runCli(["status", "-f", path], fake.current);
    expect(status.stdout).toMatch(
      /^Last DR drill: 2026-01-01 01:\d\d UTC from snapshot:.*: failed at check \(exit-2\)$/m,
    );
    expect(status.stdout).toMatch(/^Last successful DR drill: 2026-01-01 00:00 UTC .* targets met$/m);

    // and one that cannot even start (no snapshot to restore) is recorded too.
    const production = fake.current.rds.find(DB);
    if (production) production.backupRetentionPeriod = 0;
    fake.current.rds.snapshots.length = 0;
    const impossible = await runCli(["dr-drill", "-f", path], fake.current);
    expect(impossible.code).toBe(1);
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ check=not-run billed=0s failed=prepare error=\S+ result=failed$/);
  });

  it("makes verify fail and status say so when the last successful drill is older than DR_MAX_AGE", async () => {
    const path = await drillStack(fake.current, 'DR_MAX_AGE="30d"\n');
    // A database never drilled: verify says so (SKIP), and does not fail a stack made a minute ago.
    const never = JSON.parse((await runCli(["verify", "all", "-f", path, "--json"], fake.current)).stdout);
    expect(never.checks).toContainEqual(expect.objectContaining({ resource: "dr-drill", status: "SKIP" }));
    expect((await runCli(["dr-drill", "-f", path], fake.current)).code).toBe(0);

    fake.current.clock.advance(31 * 24 * HOUR);
    const status = await runCli(["status", "-f", path], fake.current);
    const verify = await runCli(["verify", "all", "-f", path, "--json"], fake.current);

    expect(status.stdout).toMatch(
      /^DR drill overdue: last successful DR drill 31 d ago, older than DR_MAX_AGE \(30d\)/m,
    );
    expect(verify.code).toBe(1);
    expect(JSON.parse(verify.stdout).checks).toContainEqual(
      expect.objectContaining({ resource: "dr-drill", status: "FAIL", name: expect.stringMatching(/DR_MAX_AGE/) }),
    );
  });

  it("restores into DR_DRILL_INSTANCE_CLASS single-AZ when set, and says what production's shape would cost", async () => {
    const path = await drillStack(fake.current, 'DR_DRILL_INSTANCE_CLASS="db.t4g.micro"\n');

    const result = await runCli(["dr-drill", "-f", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(fake.current.calls.find((c) => c.op === "RestoreDBInstanceFromDBSnapshot")?.input).toMatchObject({
      DBInstanceClass: "db.t4g.micro",
      MultiAZ: false,
    });
    expect(result.stdout).toMatch(/into\s+\S+ \(db\.t4g\.micro, single-AZ, not public\)/);
    expect(result.stdout).toMatch(/cost\s+\$0\.00 for this drill .*; production's db\.t4g\.small Multi-AZ .*: \$0\.01/);
  });

  it("refuses a DR_DRILL_INSTANCE_CLASS RDS does not offer for production's engine version: exit 2, recorded as the input's", async () => {
    const path = await drillStack(fake.current, 'DR_DRILL_INSTANCE_CLASS="db.t4g.micro"\n');
    fake.current.rds.withdraw("db.t4g.micro", "postgres", "16.4");

    const result = await runCli(["dr-drill", "-f", path], fake.current);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: RDS does not offer db\.t4g\.micro for postgres 16\.4 - set DR_DRILL_INSTANCE_CLASS/m,
    );
    expect(fake.current.calls.some((c) => c.op.startsWith("RestoreDBInstance"))).toBe(false);
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ failed=prepare error=input result=failed$/);
  });

  it("says a recovery is impossible when RDS no longer offers production's own class for its engine version: exit 1", async () => {
    const path = await drillStack(fake.current);
    fake.current.rds.withdraw("db.t4g.small", "postgres", "16.4");

    const result = await runCli(["dr-drill", "-f", path], fake.current);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: RDS does not offer db\.t4g\.small for postgres 16\.4: a recovery into/m);
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ failed=prepare error=impossible result=failed$/);
  });

  it("finds its own instance when the restore's answer was lost (DBInstanceAlreadyExists on the SDK's retry), and deletes it", async () => {
    // Given a restore that takes effect but whose answer is lost, so that the retry finds the name taken,
    const path = await drillStack(fake.current);
    const { DBInstanceAlreadyExistsFault } = await import("@aws-sdk/client-rds");
    fake.current.inject({
      op: "RestoreDBInstanceFromDBSnapshot",
      nth: 1,
      when: "after",
      error: () => new DBInstanceAlreadyExistsFault({ message: "DB instance already exists", $metadata: {} }),
    });

    const result = await runCli(["dr-drill", "-f", path], fake.current);

    // then the drill goes on with it as its own, and deletes it at the end.
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/is this drill's own restore \(RDS's first answer was lost\)/);
    expect(result.stdout).toMatch(new RegExp(`into\\s+${DRILL} .*, deleted$`, "m"));
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
  });

  it("rehearses the cutover on a copy of the secret, timed, and leaves production's secret and definitions alone", async () => {
    // Given the service's task definition, whose app finds its secret by DB_SECRET_NAME,
    const path = await drillStack(fake.current, 'ECS_SERVICE_TASK_DEFINITION_FAMILY="startupwebapp-service-task"\n');
    const { RegisterTaskDefinitionCommand } = await import("@aws-sdk/client-ecs");
    await new ECSClient({ region: "us-east-1" }).send(
      new RegisterTaskDefinitionCommand({
        family: "startupwebapp-service-task",
        containerDefinitions: [
          {
            name: "web",
            image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp:latest",
            command: ["gunicorn"],
            environment: [{ name: "DB_SECRET_NAME", value: "rds/startupwebapp/multi-tenant/master" }],
            secrets: [{ name: "DATABASE_PASSWORD", valueFrom: `${DB_SECRET_ARN}:password::` }],
            healthCheck: { command: ["CMD-SHELL", "curl -f http://localhost:8000/ || exit 1"] },
          },
        ],
      }),
    );
    const reached: string[] = [];
    fake.current.ecs.oneOff.programs.unshift([
      "startupwebapp:",
      (run) => {
        const secret = JSON.parse(run.secret(run.env.DB_SECRET_NAME ?? "") ?? "{}");
        reached.push(`${run.command.join(" ")} -> ${secret.host}`);
        return { exitCode: 0, log: ["No planned migration operations."] };
      },
    ]);
    const before = fake.current.secrets.valueOf(DB_SECRET_ARN);

    // when the drill rehearses the cutover,
    const result = await runCli(["dr-drill", "--rehearse-cutover", "-f", path], fake.current);

    // then the app ran once against the copy's host, timed into the RTO, and nothing of it is left.
    expect(result.code, result.stderr).toBe(0);
    expect(reached).toEqual([`python manage.py migrate --check -> ${endpointOf(DRILL)}`]);
    expect(result.stdout).toMatch(/cutover\s+passed in 1 min( \d+ s)?: the app started against the copy/);
    const record = parseRecord(recorded(path, "DR_LAST_DRILL"));
    // The app's task runs 90 s in the fake, seen within a poll.
    expect(record?.cutoverMs).toBeGreaterThanOrEqual(90_000);
    expect(record?.cutoverMs).toBeLessThanOrEqual(2 * MINUTE);
    expect(record?.rtoMs).toBeGreaterThanOrEqual((record?.availableMs ?? 0) + 90_000 + (record?.cutoverMs ?? 0));
    expect(fake.current.secrets.valueOf(DB_SECRET_ARN)).toBe(before);
    expect(
      [...fake.current.secrets.secrets.values()].filter((s) => s.deletedAt === undefined).map((s) => s.arn),
    ).toEqual([DB_SECRET_ARN]);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
  });

  it("runs its check even when the migration family's only revision is INACTIVE", async () => {
    const path = await drillStack(fake.current);
    await new ECSClient({ region: "us-east-1" }).send(
      new DeregisterTaskDefinitionCommand({ taskDefinition: `${MIGRATION}:1` }),
    );

    const result = await runCli(["dr-drill", "-f", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(fake.current.ecs.oneOff.tasks.map((t) => t.taskDefinitionArn.split("/").at(-1))).toEqual([
      `${CHECK_FAMILY}:1`,
    ]);
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
      [[], 'DR_CHECK_TABLES="orders; drop table x"\n', /DR_CHECK_TABLES/],
      [[], 'DR_FRESHNESS_QUERY="delete from order_order"\n', /DR_FRESHNESS_QUERY/],
      [["--rehearse-cutover"], "", /dr-drill needs ECS_SERVICE_TASK_DEFINITION_FAMILY/],
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

  it("deletes what it made when Ctrl-C comes during the restore, exits 130, and records the drill as interrupted", async () => {
    const path = await drillStack(fake.current);
    const interrupt = new Interrupt();
    const stderr = (text: string) => {
      if (text.includes("waiting for DB instance")) interrupt.handle();
    };

    const result = await runCli(["dr-drill", "-f", path], fake.current, { stderr }, { interrupt });

    expect(result.code).toBe(130);
    expect(fake.current.calls.filter((c) => c.op === "DeleteDBInstance").length).toBeGreaterThan(0);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ failed=interrupted error=interrupted result=failed$/);
  });

  it("stops the check task and deletes the instance when Ctrl-C comes while the check runs", async () => {
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
    expect(fake.current.calls.filter((c) => c.op === "StopTask").map((c) => c.input)).toEqual([
      expect.objectContaining({ cluster: "startupwebapp-cluster", task: expect.stringMatching(/:task\//) }),
    ]);
    fake.current.clock.advance(MINUTE);
    expect(runningTasks(fake.current)).toEqual([]);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
  });

  it("stops the check task and deletes the instance when the check outlives --timeout", async () => {
    const path = await drillStack(fake.current);

    const result = await runCli(["dr-drill", "-f", path, "--timeout", "15m"], fake.current);
    expect(result.code, result.stderr).toBe(0); // 15 minutes is enough for the fake's restore and check

    fake.current.latency.runTaskStopsMs = 20 * MINUTE; // a check that would run 20 minutes
    fake.current.clock.advance(HOUR);
    const slow = await runCli(["dr-drill", "-f", path, "--timeout", "15m"], fake.current);

    expect(slow.code).toBe(3);
    expect(slow.stderr).toMatch(/check task to finish/);
    expect(fake.current.calls.filter((c) => c.op === "StopTask")).toHaveLength(1);
    fake.current.clock.advance(MINUTE);
    expect(runningTasks(fake.current)).toEqual([]);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ failed=check error=timeout result=failed$/);
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
    const path = await drillStack(fake.current);
    const first = await runCli(["dr-drill", "--keep", "-f", path], fake.current);
    expect(first.code, first.stderr).toBe(0);

    const second = await runCli(["dr-drill", "--keep", "-f", path], fake.current);
    const third = await runCli(["dr-drill", "-f", path], fake.current);

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

    const result = await runCli(["dr-drill", "-f", path], fake.current, { stderr });

    // then RDS refuses the name, and the other drill's instance is neither deleted nor said to be.
    expect(result.code, errors).toBe(3);
    expect(errors).toMatch(/DBInstanceAlreadyExists/);
    expect(result.stdout).toMatch(
      new RegExp(`into\\s+${DRILL} \\(.*\\), not created: another instance has that name, left alone$`, "m"),
    );
    expect(fake.current.calls.filter((c) => c.op === "DeleteDBInstance")).toEqual([]);
    expect(leftovers(fake.current)).toEqual({ instances: [DRILL], checkRevisions: [] });
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/ failed=restore error=DBInstanceAlreadyExists\S* result=failed$/);
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
