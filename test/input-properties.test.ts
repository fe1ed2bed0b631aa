// Generated values for the input keys of a finished stack (test/support/input-keys.ts): for any valid values of a
// resource's keys (several at once, the current value among them), plan shows exactly the fields those keys set,
// verify fails exactly when plan shows something, create makes exactly the calls those fields need, and after it
// nothing is left to change. The same for drift made behind infra's back, and for the changes AWS would refuse
// whatever the wait. Every key a resource reads is generated here or listed, with why, in NOT_GENERATED.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { EnvDocument } from "../src/core/env-document.js";
import type { AwsFake } from "../src/sandbox/aws/aws-fake.js";
import { INPUTS, runCli } from "./helpers.js";
import {
  ALB_NAME,
  ALB_SETTINGS,
  AUTOSCALING,
  callName,
  DASHBOARD_NAME,
  expand,
  FRONTEND,
  finishedStack,
  type Key,
  MONITORING,
  RECORDS,
  SERVICE_SETTINGS,
  setKeys,
  TASK_DEFINITION,
  WAF,
} from "./support/input-keys.js";
import { fromSaved, type SavedStack, saveStack } from "./support/saved-stack.js";

const GROUPS = [
  { resource: "ecs-autoscaling", what: "its keys", keys: AUTOSCALING },
  { resource: "monitoring", what: "its thresholds, email and database", keys: MONITORING },
  { resource: "monitoring", what: "the scripts' dashboard's name", keys: DASHBOARD_NAME },
  { resource: "alb", what: "its settings", keys: ALB_SETTINGS },
  { resource: "alb", what: "the load balancer's name", keys: ALB_NAME },
  { resource: "route53-records", what: "the API's name", keys: RECORDS },
  { resource: "ecs-service-task-definition", what: "its keys", keys: TASK_DEFINITION },
  { resource: "ecs-service-task-definition", what: "the frontend's domain", keys: FRONTEND },
  { resource: "ecs-service", what: "its keys", keys: SERVICE_SETTINGS },
  { resource: "waf", what: "its keys", keys: WAF },
];

/**
 * Keys a resource reads that are not generated here, and why. Each reaches AWS (or decides what does) in a way a
 * change on a finished stack cannot show on its own; where another test covers it, it says which.
 */
const NOT_GENERATED: Record<string, string> = {
  PROJECT_NAME: "the prefix of every name: a new stack beside the old one; each name has its own key, generated here",
  ENVIRONMENT: "only the Environment tag, written when infra makes or adopts an object (tags are not desired fields)",
  AWS_REGION: "another region is another stack: there is nothing there to compare with",
  VPC_ID: "the fake's account has one VPC; the security group and target group replace on it (vpc field)",
  PUBLIC_SUBNET_1_ID: "the fake's VPC has two public subnets, both in use; SetSubnets is covered in alb.test.ts",
  PUBLIC_SUBNET_2_ID: "as PUBLIC_SUBNET_1_ID",
  PRIVATE_SUBNET_1_ID: "the fake's VPC has two private subnets, both in use",
  PRIVATE_SUBNET_2_ID: "as PRIVATE_SUBNET_1_ID",
  BACKEND_SECURITY_GROUP_ID: "the fake's account has one backend group (a prerequisite)",
  ECS_CLUSTER_NAME: "the fake's account has one cluster (a prerequisite); the service replaces on it (cluster field)",
  CONTAINER_PORT: "a replace AWS refuses while the listener uses the target group: refused up front (REFUSED, below)",
  TARGET_GROUP_NAME: "as CONTAINER_PORT: refused up front (REFUSED, below)",
  ALB_SECURITY_GROUP_NAME: "a replace AWS refuses while the load balancer uses the group: refused up front (below)",
  DOMAIN_NAME:
    "a new certificate beside the old one, deleted once alb has moved the listener (a second create): dns-stack.test.ts",
  DNS_PROVIDER: "hands the records to another DNS provider: external DNS is covered in acm-certificate.test.ts",
  ECR_REPOSITORY_URI:
    "the image belongs to deploy once the service runs: create never undoes a deploy (ecs-owners.test.ts)",
  IMAGE_TAG: "as ECR_REPOSITORY_URI",
  CONTAINER_DEFINITION_FILE: "a whole container definition from a file: covered in ecs.test.ts",
  DESIRED_COUNT: "used when the service is created; then the count belongs to auto scaling (ecs-owners.test.ts)",
};

interface PlannedChange {
  action: string;
  name: string;
  fields?: { field: string }[];
}

/** The plan's lines: "<object>: <field>" for each field updated or forcing a replace, "<action> <object>" else. */
const plannedLines = async (fake: AwsFake, path: string, resource: string) => {
  const plan = await runCli(["plan", resource, "--json", "--file", path], fake);
  const [r] = JSON.parse(plan.stdout).resources as { changes: PlannedChange[] }[];
  return (r?.changes ?? [])
    .filter((c) => c.action !== "keep" && c.action !== "use")
    .flatMap((c) => [
      ...(c.action === "update" ? [] : [`${c.action} ${c.name}`]),
      ...(c.action === "update" || c.action === "replace" ? (c.fields ?? []).map((f) => `${c.name}: ${f.field}`) : []),
    ])
    .sort();
};

const unique = (lines: string[]) => [...new Set(lines)].sort();

/** A value of the key other than the stack's own, the same in every run. */
const otherValue = (key: Key) =>
  fc.sample(
    key.values.filter((v) => v !== key.current),
    { numRuns: 1, seed: 17 },
  )[0] as string;

/** After the change is applied: plan shows nothing, verify passes, a second create makes no mutating call. */
async function expectConverged(fake: AwsFake, path: string, resource: string) {
  expect(await plannedLines(fake, path, resource)).toEqual([]);
  const verified = await runCli(["verify", resource, "--file", path], fake);
  expect(verified.code, verified.stdout).toBe(0);
  const again = fake.calls.length;
  expect((await runCli(["create", resource, "--yes", "--file", path], fake)).code).toBe(0);
  expect(fake.mutatingCalls(again)).toEqual([]);
}

/** Made once for the file: every case starts from a copy. */
let stack: SavedStack;
beforeAll(async () => {
  stack = await saveStack(finishedStack);
}, 120_000);

describe.each(GROUPS)("$resource, $what set to generated values on a finished stack", ({ resource, keys }) => {
  it("plans exactly the fields of the keys that changed, and create calls AWS for exactly those objects", async () => {
    const values = fc.record(Object.fromEntries(Object.entries(keys).map(([k, spec]) => [k, spec.values])), {
      requiredKeys: [],
    });
    // Each key changed alone first (every key is seen to change what it should), then 8 generated runs: fast-check
    // counts the examples in numRuns.
    const alone = Object.keys(keys).map((key) => [{ [key]: otherValue(keys[key] as Key) }] as [Record<string, string>]);
    await fc.assert(
      fc.asyncProperty(values, (chosen) =>
        fromSaved(stack, async (fake, path) => {
          setKeys(path, chosen as Record<string, string>);
          const changed = Object.entries(chosen as Record<string, string>)
            .filter(([key, value]) => keys[key]?.current !== value)
            .map(([key, value]) => ({ key: keys[key] as Key, value }));
          for (const { key, value } of changed) key.prepare?.(fake, value);

          const planned = await plannedLines(fake, path, resource);
          const verified = await runCli(["verify", resource, "--file", path], fake);
          const before = fake.calls.length;
          const created = await runCli(["create", resource, "--yes", "--file", path], fake);
          const calls = fake
            .mutatingCalls(before)
            .map((c) => `${c.op} ${callName(c.input as Record<string, unknown>)}`);

          expect(planned).toEqual(unique(changed.flatMap(({ key, value }) => expand(key.fields, value))));
          expect(verified.code, verified.stdout).toBe(planned.length ? 1 : 0);
          expect(created.code, created.stderr).toBe(0);
          expect(calls.sort()).toEqual(unique(changed.flatMap(({ key, value }) => expand(key.calls, value))));
          await expectConverged(fake, path, resource);
        }),
      ),
      { numRuns: alone.length + 8, examples: alone },
    );
  }, 120_000);
});

describe("the keys generated", () => {
  it("leave out only the keys listed, with why: every key a resource reads is generated above or listed", async () => {
    const { RESOURCES } = await import("../src/resources/registry.js");
    const example = EnvDocument.parse(INPUTS, "inputs");
    const generated = (resource: string, key: string) => GROUPS.some((g) => g.resource === resource && key in g.keys);
    const unaccounted = RESOURCES.flatMap((r) => {
      const read = new Set<string>();
      try {
        const recording = (k: string) => {
          read.add(k);
          return example.get(k) || undefined;
        };
        r.config({ get: recording }, "create");
      } catch {
        // keys recorded by other resources are not set here: still read
      }
      const recordedByOthers = RESOURCES.filter((o) => o !== r).flatMap((o) => o.records);
      return [...read]
        .filter((k) => !r.records.includes(k) && !recordedByOthers.includes(k))
        .filter(
          (k) =>
            !(generated(r.name, k) || NOT_GENERATED[k] || (r.name !== "route53-records" && k === "API_DOMAIN_NAME")),
        )
        .map((k) => `${r.name}: ${k}`);
    });
    expect(unaccounted).toEqual([]);
  });
});

/** Drift: AWS changed behind infra's back, as a console click or another tool would, to a generated value. */
const DRIFTS: {
  name: string;
  resource: string;
  field: string;
  values: fc.Arbitrary<string | number>;
  drift: (fake: AwsFake, value: string | number) => void;
}[] = [
  {
    name: "the HTTPS listener's TLS policy",
    resource: "alb",
    field: "TLS policy",
    values: fc.constantFrom(
      "ELBSecurityPolicy-2016-08",
      "ELBSecurityPolicy-TLS-1-2-2017-01",
      "ELBSecurityPolicy-FS-1-2-Res-2020-10",
      "ELBSecurityPolicy-TLS13-1-3-2021-06",
    ),
    drift: (fake, policy) => {
      const https = [...fake.elbv2.listeners.values()].find((l) => l.Port === 443);
      if (https) https.SslPolicy = String(policy);
    },
  },
  {
    name: "an alarm's threshold",
    resource: "monitoring",
    field: "threshold",
    values: fc.integer({ min: 0, max: 100 }).filter((n) => n !== 80),
    drift: (fake, threshold) => {
      const alarm = fake.cloudwatch.alarms.get("startupwebapp-ecs-cpu-high");
      if (alarm) alarm.Threshold = Number(threshold);
    },
  },
  {
    name: "the scalable target's maximum",
    resource: "ecs-autoscaling",
    field: "max capacity",
    values: fc.integer({ min: 1, max: 20 }).filter((n) => n !== 4),
    drift: (fake, max) => {
      const target = [...fake.autoscaling.targets.values()][0];
      if (target) target.MaxCapacity = Number(max);
    },
  },
];

describe("drift made behind infra's back, to generated values", () => {
  it.each(DRIFTS)(
    "$name: plan, verify, status and create agree on it",
    async (d) => {
      await fc.assert(
        fc.asyncProperty(d.values, (value) =>
          fromSaved(stack, async (fake, path) => {
            d.drift(fake, value);
            const status = async () =>
              (
                JSON.parse((await runCli(["status", "--json", "--file", path], fake)).stdout).resources as {
                  resource: string;
                  changes: number;
                }[]
              ).find((r) => r.resource === d.resource)?.changes;

            const planned = await plannedLines(fake, path, d.resource);
            const verified = await runCli(["verify", d.resource, "--file", path], fake);
            const changes = await status();
            const before = fake.calls.length;
            const created = await runCli(["create", d.resource, "--yes", "--file", path], fake);

            expect(planned.map((line) => line.replace(/^.*: /, ""))).toEqual([d.field]);
            expect(verified.stdout).toMatch(new RegExp(`^\\[FAIL\\] ${d.resource}: .*: ${d.field} `, "m"));
            expect(changes).toBe(1);
            expect(created.code, created.stderr).toBe(0);
            expect(fake.mutatingCalls(before)).toHaveLength(1);
            await expectConverged(fake, path, d.resource);
            expect(await status()).toBe(0);
          }),
        ),
        { numRuns: 4 },
      );
    },
    60_000,
  );
});

const otherName = (current: string) =>
  fc
    .stringMatching(/^[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}$/)
    .map((s) => `startupwebapp-${s}`.slice(0, 32).replace(/-$/, ""))
    .filter((name) => name !== current);

describe("a change AWS would refuse whatever the wait, to any other value", () => {
  it.each([
    {
      key: "CONTAINER_PORT",
      values: fc
        .integer({ min: 1, max: 65535 })
        .filter((p) => p !== 8000)
        .map(String),
      message:
        /target group startupwebapp-tg would have to be replaced \(a target group's port is fixed\), but a listener forwards to it/,
    },
    {
      key: "TARGET_GROUP_NAME",
      values: otherName("startupwebapp-tg"),
      message: /target group startupwebapp-tg would have to be replaced .*a listener forwards to it/,
    },
    {
      key: "ALB_SECURITY_GROUP_NAME",
      values: otherName("startupwebapp-alb-sg"),
      message: /security group startupwebapp-alb-sg would have to be replaced .*the load balancer uses it/,
    },
  ])(
    "$key: refused with exit 2 before any change, instead of waiting on a delete AWS refuses",
    async (c) => {
      await fc.assert(
        fc.asyncProperty(c.values, (value) =>
          fromSaved(stack, async (fake, path) => {
            setKeys(path, { [c.key]: value });
            const before = fake.calls.length;

            const result = await runCli(["create", "all", "--yes", "--file", path], fake);

            expect(result.code).toBe(2);
            expect(result.stderr).toMatch(c.message);
            expect(fake.mutatingCalls(before)).toEqual([]);
          }),
        ),
        { numRuns: 4 },
      );
    },
    60_000,
  );
});
