// Generated values for the input keys of a finished stack: for any valid values of a resource's keys (several at
// once, the current value among them), plan shows exactly the fields those keys set, verify fails exactly when
// plan shows something, create makes exactly the calls those fields need, and after it nothing is left to change.
// Beside test/properties.test.ts, which changes each key a resource reads to one other value.
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { EnvDocument } from "../src/core/env-document.js";
import type { AwsFake } from "../src/sandbox/aws/aws-fake.js";
import { INPUTS, readText, runCli, tempEnvFile } from "./helpers.js";
import { fromSaved, type SavedStack, saveStack } from "./support/saved-stack.js";

/** One input key: the values generated for it, the value the stack was made with, and what a new value changes. */
interface Key {
  values: fc.Arbitrary<string>;
  current: string;
  /** The plan's lines ("<object name>: <field>") a new value shows. */
  fields: string[];
  /** The objects a new value makes create call AWS for, as "<op> <object name>" (one call per object). */
  calls: string[];
}

const int = (min: number, max: number) => fc.integer({ min, max }).map(String);

const AUTOSCALING: Record<string, Key> = {
  AUTOSCALING_MIN_CAPACITY: {
    values: int(1, 3),
    current: "1",
    fields: ["service/startupwebapp-cluster/startupwebapp-service: min capacity"],
    calls: ["RegisterScalableTarget service/startupwebapp-cluster/startupwebapp-service"],
  },
  AUTOSCALING_MAX_CAPACITY: {
    values: int(3, 8),
    current: "4",
    fields: ["service/startupwebapp-cluster/startupwebapp-service: max capacity"],
    calls: ["RegisterScalableTarget service/startupwebapp-cluster/startupwebapp-service"],
  },
  AUTOSCALING_CPU_TARGET: {
    values: int(50, 90),
    current: "70",
    fields: ["startupwebapp-cpu-scaling: target value"],
    calls: ["PutScalingPolicy startupwebapp-cpu-scaling"],
  },
  AUTOSCALING_MEMORY_TARGET: {
    values: int(60, 95),
    current: "80",
    fields: ["startupwebapp-memory-scaling: target value"],
    calls: ["PutScalingPolicy startupwebapp-memory-scaling"],
  },
  AUTOSCALING_SCALE_OUT_COOLDOWN: {
    values: fc.constantFrom("30", "60", "120"),
    current: "60",
    fields: ["startupwebapp-cpu-scaling: scale-out cooldown", "startupwebapp-memory-scaling: scale-out cooldown"],
    calls: ["PutScalingPolicy startupwebapp-cpu-scaling", "PutScalingPolicy startupwebapp-memory-scaling"],
  },
  AUTOSCALING_SCALE_IN_COOLDOWN: {
    values: fc.constantFrom("120", "300", "600"),
    current: "300",
    fields: ["startupwebapp-cpu-scaling: scale-in cooldown", "startupwebapp-memory-scaling: scale-in cooldown"],
    calls: ["PutScalingPolicy startupwebapp-cpu-scaling", "PutScalingPolicy startupwebapp-memory-scaling"],
  },
};

const MONITORING: Record<string, Key> = {
  ALARM_CPU_PERCENT: {
    values: int(75, 95),
    current: "80",
    fields: ["startupwebapp-ecs-cpu-high: description", "startupwebapp-ecs-cpu-high: threshold"],
    calls: ["PutMetricAlarm startupwebapp-ecs-cpu-high"],
  },
  ALARM_MEMORY_PERCENT: {
    values: int(80, 95),
    current: "85",
    fields: ["startupwebapp-ecs-memory-high: description", "startupwebapp-ecs-memory-high: threshold"],
    calls: ["PutMetricAlarm startupwebapp-ecs-memory-high"],
  },
  ALARM_LATENCY_P95_SECONDS: {
    values: fc.constantFrom("0.5", "1", "2", "3"),
    current: "1",
    fields: ["startupwebapp-latency-p95: description", "startupwebapp-latency-p95: threshold"],
    calls: ["PutMetricAlarm startupwebapp-latency-p95"],
  },
  ALARM_5XX_COUNT: {
    values: int(5, 15),
    current: "10",
    fields: [
      "startupwebapp-alb-5xx: description",
      "startupwebapp-alb-5xx: threshold",
      "startupwebapp-target-5xx: description",
      "startupwebapp-target-5xx: threshold",
    ],
    calls: ["PutMetricAlarm startupwebapp-alb-5xx", "PutMetricAlarm startupwebapp-target-5xx"],
  },
};

const ALB: Record<string, Key> = {
  HEALTH_CHECK_PATH: {
    values: fc.constantFrom("/order/products", "/health", "/status"),
    current: "/order/products",
    fields: ["startupwebapp-tg: health check"],
    calls: ["ModifyTargetGroup startupwebapp-tg"],
  },
  TARGET_DEREGISTRATION_DELAY: {
    values: fc.constantFrom("0", "60", "300", "3600"),
    current: "300",
    fields: ["startupwebapp-tg: deregistration delay"],
    calls: ["ModifyTargetGroupAttributes startupwebapp-tg"],
  },
  ALB_DELETION_PROTECTION: {
    values: fc.constantFrom("true", "false"),
    current: "false",
    fields: ["startupwebapp-alb: deletion protection"],
    calls: ["ModifyLoadBalancerAttributes startupwebapp-alb"],
  },
};

/** A finished stack: every resource made, the WAF, the database's alarms and the email too. */
async function finishedStack(fake: AwsFake): Promise<string> {
  fake.route53.addZone("startupwebapp.com");
  const path = tempEnvFile(
    `${INPUTS}WAF_ENABLED="true"\nRDS_INSTANCE_ID="startupwebapp-multi-tenant-prod"\nALARM_EMAIL="ops@startupwebapp.com"\n`,
  );
  const created = await runCli(["create", "all", "--file", path], fake);
  if (created.code !== 0) throw new Error(`create all failed: ${created.stderr}`);
  return path;
}

interface PlannedChange {
  action: string;
  name: string;
  fields?: { field: string }[];
}

const plannedLines = async (fake: AwsFake, path: string, resource: string) => {
  const plan = await runCli(["plan", resource, "--json", "--file", path], fake);
  const [r] = JSON.parse(plan.stdout).resources as { changes: PlannedChange[] }[];
  return (r?.changes ?? [])
    .filter((c) => c.action !== "keep" && c.action !== "use")
    .flatMap((c) => (c.fields ?? []).map((f) => `${c.name}: ${f.field}`))
    .sort();
};

/** The object a mutating call is about, by the name it carries. */
const callName = (input: Record<string, unknown>): string => {
  const named = ["PolicyName", "ResourceId", "AlarmName", "Name", "DashboardName"].find((k) => input[k]);
  if (named) return String(input[named]);
  const arn = String(input.TargetGroupArn ?? input.LoadBalancerArn ?? "");
  return arn.split("/").at(-2) ?? arn; // .../targetgroup/<name>/<id>, .../app/<name>/<id>
};

const unique = (lines: string[]) => [...new Set(lines)].sort();

/** Made once for the file: every case starts from a copy. */
let stack: SavedStack;
beforeAll(async () => {
  stack = await saveStack(finishedStack);
}, 120_000);

describe.each([
  { resource: "ecs-autoscaling", keys: AUTOSCALING },
  { resource: "monitoring", keys: MONITORING },
  { resource: "alb", keys: ALB },
])("$resource, its keys set to generated values on a finished stack", ({ resource, keys }) => {
  it("plans exactly the fields of the keys that changed, and create calls AWS for exactly those objects", async () => {
    const values = fc.record(Object.fromEntries(Object.entries(keys).map(([k, spec]) => [k, spec.values])), {
      requiredKeys: [],
    });
    await fc.assert(
      fc.asyncProperty(values, (chosen) =>
        fromSaved(stack, async (fake, path) => {
          const doc = EnvDocument.parse(readText(path), path);
          for (const [key, value] of Object.entries(chosen)) doc.set(key, value as string);
          writeFileSync(path, doc.toString());
          const changed = Object.entries(chosen)
            .filter(([key, value]) => keys[key]?.current !== value)
            .map(([key]) => keys[key] as Key);

          const planned = await plannedLines(fake, path, resource);
          const verified = await runCli(["verify", resource, "--file", path], fake);
          const before = fake.calls.length;
          const created = await runCli(["create", resource, "--yes", "--file", path], fake);
          const calls = fake
            .mutatingCalls(before)
            .map((c) => `${c.op} ${callName(c.input as Record<string, unknown>)}`);

          expect(planned).toEqual(unique(changed.flatMap((k) => k.fields)));
          expect(verified.code, verified.stdout).toBe(planned.length ? 1 : 0);
          expect(created.code, created.stderr).toBe(0);
          expect(calls.sort()).toEqual(unique(changed.flatMap((k) => k.calls)));
          // Nothing is left to change.
          expect(await plannedLines(fake, path, resource)).toEqual([]);
          const again = fake.calls.length;
          expect((await runCli(["create", resource, "--yes", "--file", path], fake)).code).toBe(0);
          expect(fake.mutatingCalls(again)).toEqual([]);
        }),
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
