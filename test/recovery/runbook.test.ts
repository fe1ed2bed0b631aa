import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/commands/program.js";
import { checkResourceNames } from "../../src/resources/registry.js";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { DB_SECURITY_GROUP, DB_SUBNET_GROUP } from "../../src/sandbox/aws/rds.js";
import { type InstanceRecord, latestRestorable } from "../../src/sandbox/aws/rds-state.js";
import { readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { DB, drillStack } from "./support.js";

/**
 * The whole stack with its database, revision 1 probed (a deploy of the image it runs marks it known good), a deploy
 * of v2, and one drill recorded.
 */
async function stackWithHistory(fake: AwsFake): Promise<string> {
  fake.route53.addZone("startupwebapp.com");
  const path = await drillStack(fake, 'ALARM_EMAIL="ops@startupwebapp.com"\n');
  const steps = [["create", "all"], ["deploy", "--image", ":latest"], ["deploy", "--image", ":v2"], ["dr-drill"]];
  for (const argv of steps) {
    if (argv[0] === "deploy") fake.ecr.push("startupwebapp", "v2");
    const result = await runCli([...argv, "-f", path], fake);
    expect(result.code, `${argv.join(" ")}: ${result.stderr}`).toBe(0);
  }
  return path;
}

/**
 * The command lines of the runbook, as words (single quotes and a trailing `> file` handled): the lines of its sh
 * blocks, and the inline `infra ...` commands of its prose and tables.
 */
function commandLines(markdown: string): string[][] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  const inline = [...markdown.replace(/```sh\n[\s\S]*?```/g, "").matchAll(/`(infra [^`]+)`/g)].map((m) => m[1] ?? "");
  return [...blocks.flatMap((b) => b.split("\n")), ...inline]
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) =>
      [...l.replace(/ > [\w.-]+$/, "").matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? ""),
    );
}

/** AWS CLI service names -> the SDK package of the same API. */
const PACKAGES: Record<string, string> = {
  rds: "@aws-sdk/client-rds",
  ecs: "@aws-sdk/client-ecs",
  secretsmanager: "@aws-sdk/client-secrets-manager",
  cloudwatch: "@aws-sdk/client-cloudwatch",
  sns: "@aws-sdk/client-sns",
};
/** Waiters, and the operation whose input they take. */
const WAITERS: Record<string, string> = {
  "db-instance-available": "DescribeDBInstances",
  "services-stable": "DescribeServices",
};
const GLOBAL_OPTIONS = ["region", "query", "output"];
/** Options whose values are not ids: a JMESPath query, an output format, a file, a state. */
const FREE_VALUES = ["--query", "--output", "--secret-string", "--state-value"];

const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

/** The input members of an SDK operation, from the schema the SDK ships. */
async function inputMembers(pkg: string, op: string): Promise<string[]> {
  const sdk = (await import(pkg)) as Record<string, unknown>;
  const schema = sdk[`${op}$`] as unknown[] | undefined;
  if (!schema) throw new Error(`${pkg} has no operation ${op}`);
  const input = typeof schema[4] === "function" ? (schema[4] as () => unknown[])() : (schema[4] as unknown[]);
  return (input[4] as string[]).map(squash);
}

describe("infra runbook", () => {
  const fake = useFake();

  it("writes the targets, the last drill, the restore, the rollback, the alarms and where they go", async () => {
    const path = await stackWithHistory(fake.current);

    const result = await runCli(["runbook", "-f", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const md = result.stdout;
    expect(md).toMatch(/^# Recovery runbook: startupwebapp \(production, us-east-1\)$/m);
    expect(md).toMatch(/^\| RTO: restore to available \| 4h \| 11 min \d+ s \|$/m);
    expect(md).toMatch(/^\| RPO: data lost at most \| 24h \| 3 h \d+ min \|$/m);
    expect(md).toMatch(/check passed, targets met\./);
    expect(md).toMatch(
      /runs startupwebapp-service-task:2\. Revisions deployed and verified healthy, oldest first: startupwebapp-service-task:1, startupwebapp-service-task:2\./,
    );
    expect(md).toMatch(/--task-definition startupwebapp-service-task:1 /);
    expect(md).toMatch(
      new RegExp(
        `--db-snapshot-identifier rds:${DB}-2025-12-31-21-00 --db-instance-class db\\.t4g\\.small --db-subnet-group-name ${DB_SUBNET_GROUP} --vpc-security-group-ids ${DB_SECURITY_GROUP} --multi-az --no-publicly-accessible`,
      ),
    );
    expect(md).toMatch(
      /^\| startupwebapp-rds-cpu-high \| AWS\/RDS CPUUtilization \| > 70 for 2 x 300 s \| INSUFFICIENT_DATA \|$/m,
    );
    expect(md).toMatch(/sends to: email ops@startupwebapp\.com \(not confirmed yet/);
    expect(md).toMatch(/^\| `waf` \| .* \| `infra create waf -f .*` \|$/m);
  });

  it("has only infra lines that the real CLI parses, on this stack's env file", async () => {
    const path = await stackWithHistory(fake.current);
    const lines = commandLines((await runCli(["runbook", "-f", path], fake.current)).stdout);
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
      expect(args.slice(-2), args.join(" ")).toEqual(["-f", path]);
      if (["create", "verify", "destroy"].includes(args[0] ?? "")) checkResourceNames(parsed.args ?? []);
    }
  });

  it("has only AWS CLI lines that name real operations and options, and this stack's own ids", async () => {
    const path = await stackWithHistory(fake.current);
    const lines = commandLines((await runCli(["runbook", "-f", path], fake.current)).stdout);
    const known = new Set([
      ...[...readText(path).matchAll(/^\w+="([^"]+)"/gm)].map((m) => m[1]),
      ...fake.current.rds.visibleSnapshots().map((s) => s.id),
      ...fake.current.cloudwatch.alarms.keys(),
      ...fake.current.ecs.taskDefinitions.map((t) => `${t.family}:${t.revision}`),
      `${DB}-restored`,
      DB_SUBNET_GROUP,
      DB_SECURITY_GROUP,
      "db.t4g.small",
      latestRestorableOf(fake.current),
    ]);
    const aws = lines.filter((l) => l[0] === "aws");
    expect(aws.length).toBeGreaterThanOrEqual(10);
    expect(lines.filter((l) => l[0] !== "aws" && l[0] !== "infra")).toEqual([["rm", "db-secret.json"]]);

    for (const [, service, operation, ...rest] of aws) {
      const text = [service, operation, ...rest].join(" ");
      const pkg = PACKAGES[service ?? ""] as string;
      expect(pkg, text).toBeDefined();
      const isWait = operation === "wait";
      const sdk = Object.keys(await import(pkg));
      // The CLI's names are the SDK's in kebab case: restore-db-instance-from-db-snapshot is RestoreDBInstanceFromDBSnapshot.
      const named = (prefix: string, kebab: string, suffix: string) =>
        sdk.find(
          (k) =>
            k.startsWith(prefix) &&
            k.endsWith(suffix) &&
            squash(k.slice(prefix.length, k.length - suffix.length)) === squash(kebab),
        );
      const found = isWait ? named("waitUntil", rest[0] ?? "", "") : named("", operation ?? "", "Command");
      expect(found, text).toBeDefined();
      const op = isWait ? (WAITERS[rest[0] ?? ""] as string) : (found as string).replace(/Command$/, "");
      const members = await inputMembers(pkg, op);
      let option = "";
      for (const word of isWait ? rest.slice(1) : rest) {
        if (word.startsWith("--")) {
          option = word;
          const name = squash(word.replace(/^--(no-)?/, ""));
          expect(members.includes(name) || GLOBAL_OPTIONS.includes(name), `${word} in ${text}`).toBe(true);
          continue;
        }
        if (!FREE_VALUES.includes(option)) expect(known.has(word), `${option} ${word} in ${text}`).toBe(true);
      }
      expect(rest.slice(-2), text).toEqual(["--region", "us-east-1"]);
    }
  });

  it("still writes what the env file knows when AWS cannot be read, and says what is missing", async () => {
    const path = await stackWithHistory(fake.current);
    const denied = () => Object.assign(new Error("User is not authorized"), { name: "AccessDenied" });
    for (const op of ["DescribeDBInstances", "DescribeAlarms", "DescribeServices", "ListSubscriptionsByTopic"])
      for (let nth = 1; nth <= 3; nth++) fake.current.inject({ op, nth, error: denied });

    const result = await runCli(["runbook", "-f", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /\(DB instance startupwebapp-multi-tenant-prod could not be read from AWS: AccessDenied: User is not authorized\)/,
    );
    expect(result.stdout).toMatch(/\(the alarms could not be read from AWS: AccessDenied/);
    expect(result.stdout).toMatch(/infra rollback -f /);
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
