// The IAM policy cannot drift from the code: each resource's and command's actions are recomputed here from the AWS
// calls its source makes (every `new XCommand(` or `paginateX(` in the files it imports, its shared pieces
// included), and must be exactly the catalogue's. Every call the fake receives in the suite is checked against it
// too (test/helpers.ts).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { iamAction, PREFIX } from "../src/iam/actions.js";
import { ACTIONS, actionsFor, policyFor } from "../src/iam/policy.js";
import { INPUTS, runCli, tempEnvFile, useFake } from "./helpers.js";

const SRC = new URL("../src/", import.meta.url).pathname;

/** The IAM prefix of each SDK client package, from the fake's service names (src/iam/actions.ts). */
const PACKAGE_PREFIX: Record<string, string> = {
  acm: PREFIX.ACM as string,
  "application-auto-scaling": PREFIX.ApplicationAutoScaling as string,
  cloudwatch: PREFIX.CloudWatch as string,
  "cloudwatch-logs": PREFIX.CloudWatchLogs as string,
  ec2: PREFIX.EC2 as string,
  ecr: PREFIX.ECR as string,
  ecs: PREFIX.ECS as string,
  "elastic-load-balancing-v2": PREFIX.ELBv2 as string,
  rds: PREFIX.RDS as string,
  "resource-groups-tagging-api": PREFIX.ResourceGroupsTaggingAPI as string,
  "route-53": PREFIX.Route53 as string,
  s3: PREFIX.S3 as string,
  sns: PREFIX.SNS as string,
  "secrets-manager": PREFIX.SecretsManager as string,
  wafv2: PREFIX.WAFV2 as string,
};

const ts = (dir: string) =>
  readdirSync(join(SRC, dir))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(SRC, dir, f));

/** The files a set of files imports, transitively, within the parts of src that call AWS. */
function closure(start: string[]): string[] {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)\.js"/g)) {
      const next = resolve(dirname(file), `${m[1]}.ts`);
      if (existsSync(next) && /\/src\/(resources|deploy|recovery|load|store|core\/leftovers)/.test(next))
        todo.push(next);
    }
  }
  return [...seen];
}

/** The IAM actions of the AWS calls those files make. */
function actionsOf(files: string[]): string[] {
  const found = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from "@aws-sdk\/client-([a-z0-9-]+)"/g)) {
      const prefix = PACKAGE_PREFIX[m[2] as string];
      // `XCommand`, or `XCommand as Y` (the operation is X, the code says `new Y(`).
      for (const [, op, alias] of (m[1] as string).matchAll(/(\w+)Command\b(?:\s+as\s+(\w+))?/g))
        if (text.includes(`new ${alias ?? `${op}Command`}(`)) found.add(iamAction(prefix as string, op as string));
      // A paginator (`paginateListTasks(`) makes the call of its operation, page after page.
      for (const [, op] of (m[1] as string).matchAll(/\bpaginate(\w+)\b/g))
        if (text.includes(`paginate${op}(`)) found.add(`${prefix}:${op}`);
    }
  }
  return [...found].sort();
}

const SOURCES: Record<string, string[]> = {
  ...Object.fromEntries(
    readdirSync(join(SRC, "resources"), { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== "common")
      .map((e) => [e.name, ts(`resources/${e.name}`)]),
  ),
  deploy: ts("deploy"),
  recovery: ts("recovery"),
  "load-test": [...ts("load"), join(SRC, "commands/load-test.ts")],
  leftovers: [join(SRC, "core/leftovers.ts")],
  state: [join(SRC, "store/s3-record.ts")],
  "state-init": [join(SRC, "store/open.ts")],
};

describe("the IAM policy", () => {
  it.each(Object.keys(SOURCES))("lists exactly the calls %s makes", (name) => {
    expect([...(ACTIONS[name] ?? [])].sort()).toEqual(actionsOf(closure(SOURCES[name] as string[])));
  });

  it("covers every part of infra that calls AWS", () => {
    expect(Object.keys(ACTIONS).sort()).toEqual(Object.keys(SOURCES).sort());
  });

  it("adds what AWS authorizes beside a call: tagging on create, passing the task roles, service-linked roles", () => {
    const actions = actionsFor(["ecs-service-task-definition", "alb", "waf"]);

    expect(actions).toEqual(
      expect.arrayContaining(["ecs:TagResource", "iam:PassRole", "elasticloadbalancing:SetWebAcl"]),
    );
    expect(actions).toContain("iam:CreateServiceLinkedRole");
  });

  it("lets infra pass only the two task roles, and only to ECS tasks", () => {
    const roles = ["arn:aws:iam::123456789012:role/exec", "arn:aws:iam::123456789012:role/task"];

    const pass = policyFor(["all"], roles).Statement.find((s) => s.Sid === "PassTheTaskRoles");

    expect(pass).toEqual({
      Sid: "PassTheTaskRoles",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: roles,
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
  });

  describe("infra iam-policy", () => {
    const fake = useFake();

    it("prints the policy of what is named, with the task roles from the env file, and calls no AWS", async () => {
      const result = await runCli(["iam-policy", "ecs-service-task-definition", "--file", tempEnvFile()], fake.current);

      expect(result.code).toBe(0);
      const policy = JSON.parse(result.stdout);
      expect(policy.Statement[0].Action).toContain("ecs:RegisterTaskDefinition");
      expect(policy.Statement[0].Action).not.toContain("wafv2:CreateWebACL");
      expect(policy.Statement[1].Resource).toEqual([
        "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "arn:aws:iam::123456789012:role/startupwebapp-task-role",
      ]);
      expect(fake.current.calls).toEqual([]);
    });

    it("lets infra pass a role named with --pass-role beside the task roles, and refuses one that is not a role ARN", async () => {
      const migration = "arn:aws:iam::123456789012:role/startupwebapp-migration-role";

      const result = await runCli(
        ["iam-policy", "deploy", "--pass-role", migration, "--file", tempEnvFile()],
        fake.current,
      );
      const bad = await runCli(["iam-policy", "--pass-role", "*", "--file", tempEnvFile()], fake.current);

      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).Statement[1].Resource).toEqual([
        "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "arn:aws:iam::123456789012:role/startupwebapp-task-role",
        migration,
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^error: --pass-role="\*" is not an IAM role ARN/);
      expect(bad.stdout).toBe("");
    });

    it("refuses what is neither a resource nor a command, exit 2", async () => {
      const result = await runCli(["iam-policy", "albb", "--file", tempEnvFile()], fake.current);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/unknown resource or command albb/);
    });

    it("refuses a task role that is not a role ARN, rather than letting infra pass whatever it names", async () => {
      const path = tempEnvFile(INPUTS.replace(/^ECS_TASK_ROLE_ARN=.*$/m, 'ECS_TASK_ROLE_ARN="*"'));

      const result = await runCli(["iam-policy", "--file", path], fake.current);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: ECS_TASK_ROLE_ARN="\*" is not/);
      expect(result.stdout).toBe("");
    });

    it("refuses a malformed env file rather than treating it as absent", async () => {
      const result = await runCli(["iam-policy", "--file", tempEnvFile(`${INPUTS}oops\n`)], fake.current);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/not a KEY=value line/);
    });

    it("without an env file, notes that any task role may be passed: as NDJSON under --json", async () => {
      const missing = join(tmpdir(), "infra-no-such-folder", "aws-resources.env");

      const text = await runCli(["iam-policy", "--file", missing], fake.current);
      const json = await runCli(["iam-policy", "--file", missing, "--json"], fake.current);

      expect(text.code).toBe(0);
      expect(text.stderr).toMatch(/^note: no env file at .*: iam:PassRole is allowed for any role/);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stderr)).toMatchObject({ kind: "note", message: expect.stringMatching(/^no env file/) });
      expect(JSON.parse(json.stdout).policy.Statement[1].Resource).toBe("arn:aws:iam::*:role/*");
    });
  });
});
