import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/commands/program.js";
import { checkResourceNames } from "../../src/resources/registry.js";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { DB_SECURITY_GROUP, DB_SUBNET_GROUP, PRIVATE_SUBNETS } from "../../src/sandbox/aws/rds.js";
import { type InstanceRecord, latestRestorable } from "../../src/sandbox/aws/rds-state.js";
import { readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { documentCommands, sdkCallOf } from "../support/aws-cli.js";
import { DB, drillStack } from "./support.js";

/**
 * The whole stack with its database, revision 1 probed (a deploy of the image it runs marks it known good), a deploy
 * of v2, and one drill recorded.
 */
async function stackWithHistory(fake: AwsFake, extra = ""): Promise<string> {
  fake.route53.addZone("startupwebapp.com");
  const path = await drillStack(fake, `ALARM_EMAIL="ops@startupwebapp.com"\n${extra}`);
  const steps = [["create", "all"], ["deploy", "--image", ":latest"], ["deploy", "--image", ":v2"], ["dr-drill"]];
  for (const argv of steps) {
    if (argv[0] === "deploy") fake.ecr.push("startupwebapp", "v2");
    const result = await runCli([...argv, "-f", path], fake);
    expect(result.code, `${argv.join(" ")}: ${result.stderr}`).toBe(0);
  }
  return path;
}

/** Values that are not ids: a JMESPath query, an output format, JSON, the CLI's shorthand, a time, a pipe's file. */
const FREE_VALUES = [
  "--query",
  "--output",
  "--snapshot-type",
  "--secret-string",
  "--state-value",
  "--overrides",
  "--network-configuration",
  "--restore-time",
  "--launch-type",
  "--final-db-snapshot-identifier",
];

describe("infra runbook", () => {
  const fake = useFake();

  it("writes every procedure with this stack's ids: contacts, drills, rollback, migration, restore and verify, cutover and back, clean up, rebuild, alarms", async () => {
    const path = await stackWithHistory(
      fake.current,
      'RUNBOOK_CONTACTS="Bart Gottschalk, bart@example.com (primary); AWS Support, Business plan"\n',
    );

    const result = await runCli(["runbook", "-f", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const md = result.stdout;
    expect(md).toMatch(/^# Recovery runbook: startupwebapp \(production, us-east-1\)$/m);
    expect(md).toMatch(/^- Bart Gottschalk, bart@example\.com \(primary\)$/m);
    expect(md).toMatch(/^- AWS Support, Business plan$/m);
    expect(md).toMatch(/^Alarms notify: email ops@startupwebapp\.com\.$/m);
    expect(md).toMatch(/^\| RTO: restore to usable \| 4h \| 1\d min( \d+ s)? \|$/m);
    expect(md).toMatch(/^\| RPO: data lost at most \| 24h \| 3 h \d+ min \|$/m);
    expect(md).toMatch(/Run the next drill by 2026-02-0\d \d\d:\d\d UTC \(DR_MAX_AGE 35d/);
    expect(md).toMatch(
      /runs startupwebapp-service-task:2\. Revisions deployed and verified healthy, oldest first: startupwebapp-service-task:1, startupwebapp-service-task:2\./,
    );
    expect(md).toMatch(/--task-definition startupwebapp-service-task:1 /);
    // Migrations are rolled back from the migration task, its container named in the override.
    expect(md).toMatch(
      /aws ecs run-task .*--overrides '\{"containerOverrides":\[\{"name":"migrate","command":\["python","manage.py","showmigrations","--plan"\]\}\]\}'/,
    );
    // Every snapshot with its date, to pick an older one; the restore into production's shape.
    expect(md).toMatch(new RegExp(`^\\| rds:${DB}-2025-12-30-21-00 \\| 2025-12-30 21:00 UTC \\| available \\|$`, "m"));
    expect(md).toMatch(
      new RegExp(
        `--db-snapshot-identifier rds:${DB}-2025-12-31-21-00 --db-instance-class db\\.t4g\\.small --db-subnet-group-name ${DB_SUBNET_GROUP} --vpc-security-group-ids ${DB_SECURITY_GROUP} --multi-az --no-publicly-accessible`,
      ),
    );
    // The drill's check by hand, the login from the secret into the environment only.
    expect(md).toMatch(/^export PGPASSWORD="\$\(aws secretsmanager get-secret-value .* \| jq -r \.password\)"$/m);
    expect(md).toMatch(/^# infra dr-drill check/m);
    // Cutover and back, and the rename to the production id.
    expect(md).toMatch(
      /\| jq -c --arg host "\$RESTORED_HOST" '\.host = \$host' \| aws secretsmanager put-secret-value .*--secret-string file:\/\/\/dev\/stdin/,
    );
    expect(md).toMatch(/\| jq -c --arg host "\$PRODUCTION_HOST" /);
    expect(md).toMatch(
      new RegExp(`--db-instance-identifier ${DB}-restored --new-db-instance-identifier ${DB} --apply-immediately`),
    );
    expect(md).toMatch(
      /\*\*the VPC, .*\*\* \(VPC_ID=vpc-\w+, .*\): made by `create-vpc\.sh`, then `create-nat-gateway\.sh`/,
    );
    expect(md).toMatch(
      new RegExp(`aws ec2 describe-subnets --subnet-ids \\S+ \\S+ ${PRIVATE_SUBNETS[0]} ${PRIVATE_SUBNETS[1]}`),
    );
    expect(md).toMatch(
      /^\| startupwebapp-rds-cpu-high \| AWS\/RDS CPUUtilization \| > 70 for 2 x 300 s \| INSUFFICIENT_DATA \|$/m,
    );
    expect(md).toMatch(/sends to: email ops@startupwebapp\.com \(not confirmed yet/);
    expect(md).toMatch(/^\| `waf` \| .* \| `infra create waf -f .* --region us-east-1` \|$/m);
  });

  it("writes no secret to disk: a secret's value only ever goes through a pipe or into a variable", async () => {
    const path = await stackWithHistory(fake.current);
    const md = (await runCli(["runbook", "-f", path], fake.current)).stdout;
    const lines = [...md.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => (m[1] ?? "").split("\n"));

    const reading = lines.filter((l) => l.includes("get-secret-value"));
    expect(reading.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      const unquoted = line.replace(/'[^']*'|"[^"]*"/g, "''");
      expect(line, line).not.toMatch(/\btee\b/);
      expect(unquoted, line).not.toMatch(/>/); // no redirection into a file
      expect(line, line).not.toMatch(/file:\/\/(?!\/dev\/stdin)/);
    }
    for (const line of reading) expect(line, line).toMatch(/get-secret-value [^|)]*(\| jq|\))/);
  });

  it("has only infra lines that the real CLI parses, on this stack's env file and region", async () => {
    const path = await stackWithHistory(fake.current);
    const lines = documentCommands((await runCli(["runbook", "-f", path], fake.current)).stdout);
    const infra = lines.filter((l) => l[0] === "infra");
    expect(infra.length).toBeGreaterThanOrEqual(10);

    for (const [, ...args] of infra) {
      const program = buildProgram({
        io: { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, stdinIsTTY: false, ask: async () => "" },
        env: {},
      });
      const parsed: { command?: string; args?: string[] } = {};
      for (const cmd of program.commands as Command[])
        cmd.action((...a: unknown[]) => {
          Object.assign(parsed, { command: cmd.name(), args: cmd.args, file: cmd.optsWithGlobals().file });
          return void a;
        });
      await expect(program.parseAsync(args, { from: "user" }), args.join(" ")).resolves.toBeDefined();
      expect(parsed.command, args.join(" ")).toBe(args[0]);
      expect(args.slice(-4), args.join(" ")).toEqual(["-f", path, "--region", "us-east-1"]);
      if (["create", "verify", "destroy"].includes(args[0] ?? "")) checkResourceNames(parsed.args ?? []);
    }
  });

  it("has only AWS CLI lines that name real operations and options, and this stack's own ids, in its region", async () => {
    const path = await stackWithHistory(fake.current);
    const lines = documentCommands((await runCli(["runbook", "-f", path], fake.current)).stdout);
    const known = new Set([
      ...[...readText(path).matchAll(/^\w+="([^"]+)"/gm)].map((m) => m[1]),
      ...fake.current.rds.visibleSnapshots().map((s) => s.id),
      ...fake.current.cloudwatch.alarms.keys(),
      ...fake.current.ecs.taskDefinitions.map((t) => `${t.family}:${t.revision}`),
      `${DB}-restored`,
      DB_SUBNET_GROUP,
      DB_SECURITY_GROUP,
      "db.t4g.small",
      "startupwebapp",
      "us-east-1",
      latestRestorableOf(fake.current),
    ]);
    const aws = lines.filter((l) => l[0] === "aws");
    expect(aws.length).toBeGreaterThanOrEqual(20);
    const others = new Set(lines.filter((l) => l[0] !== "aws" && l[0] !== "infra").map((l) => l[0]));
    expect([...others].sort()).toEqual(["export", "jq", "sh"]);

    for (const words of aws) {
      const text = words.join(" ");
      // The option names are the operation's own (or the CLI's --region, --query, --output), typed as it takes them.
      await expect(sdkCallOf(words), text).resolves.toMatchObject({ region: "us-east-1" });
      let option = "";
      for (const word of words.slice(words[2] === "wait" ? 4 : 3)) {
        if (word.startsWith("--")) {
          option = word;
          continue;
        }
        if (!FREE_VALUES.includes(option) && !word.startsWith("$"))
          expect(known.has(word), `${option} ${word} in ${text}`).toBe(true);
      }
    }
  });

  it("carries --profile into every line when the runbook is written with one", async () => {
    const path = await stackWithHistory(fake.current);

    const md = (await runCli(["runbook", "-f", path, "--profile", "prod-admin"], fake.current)).stdout;

    const lines = documentCommands(md).filter((l) => l[0] === "aws" || l[0] === "infra");
    expect(lines.length).toBeGreaterThan(30);
    for (const words of lines) expect(words.join(" ")).toMatch(/ --profile prod-admin( |$)/);
  });

  it("says unknown (why) where AWS could not answer, never a false none or nobody", async () => {
    const path = await stackWithHistory(fake.current);
    const denied = () => Object.assign(new Error("User is not authorized"), { name: "AccessDenied" });
    for (const op of [
      "DescribeDBInstances",
      "DescribeDBSnapshots",
      "DescribeAlarms",
      "DescribeServices",
      "ListSubscriptionsByTopic",
      "DescribeTaskDefinition",
    ])
      for (let nth = 1; nth <= 3; nth++) fake.current.inject({ op, nth, error: denied });

    const result = await runCli(["runbook", "-f", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const md = result.stdout;
    expect(md).toMatch(/DB instance startupwebapp-multi-tenant-prod: unknown \(AccessDenied: User is not authorized\)/);
    expect(md).toMatch(/The automated snapshots: unknown \(AccessDenied/);
    expect(md).toMatch(/The alarms: unknown \(AccessDenied/);
    expect(md).toMatch(
      /runs unknown \(AccessDenied: User is not authorized\); its known-good revisions are unknown too/,
    );
    expect(md).toMatch(/^Alarms notify: unknown \(AccessDenied/m);
    expect(md).toMatch(/which sends to: unknown \(AccessDenied/);
    expect(md).not.toMatch(/nobody|No revision is tagged|none \(backups are off\)|No automated snapshot exists/);
    expect(md).toMatch(/infra rollback -f /);
  });

  it("refuses an env file without PROJECT_NAME with exit 2 before any AWS call", async () => {
    const path = tempEnvFile('AWS_REGION="us-east-1"\n');
    const result = await runCli(["runbook", "-f", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/runbook needs PROJECT_NAME/);
    expect(fake.current.calls).toEqual([]);
  });
});

/** The database's latest restorable time as the runbook writes it. */
function latestRestorableOf(fake: AwsFake): string {
  const at = latestRestorable(fake.rds.find(DB) as InstanceRecord, fake.clock.now()) as number;
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
}
