import { appendFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Context } from "../../src/core/context.js";
import * as autoscaling from "../../src/resources/ecs-autoscaling/actions.js";
import { autoScalingConfig } from "../../src/resources/ecs-autoscaling/config.js";
import * as monitoring from "../../src/resources/monitoring/actions.js";
import { monitoringConfig } from "../../src/resources/monitoring/config.js";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { contextFor, INPUTS, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { installInProcess } from "../support/in-process.js";

const step = {
  autoscaling: (ctx: Context) => autoscaling.create(ctx, autoScalingConfig(ctx.env, "create")),
  monitoring: (ctx: Context) => monitoring.create(ctx, monitoringConfig(ctx.env, "create")),
};
const destroyBoth = async (ctx: Context) => {
  await monitoring.destroy(ctx, monitoringConfig(ctx.env, "destroy"));
  await autoscaling.destroy(ctx, autoScalingConfig(ctx.env, "destroy"));
};

/** The stack up to the ECS service, made through the CLI. */
async function serviceStack(fake: AwsFake, extra = ""): Promise<string> {
  fake.route53.addZone("startupwebapp.com");
  const path = tempEnvFile();
  if (extra) appendFileSync(path, extra);
  for (const r of ["alb", "acm-certificate", "route53-records", "ecs-service-task-definition", "ecs-service"]) {
    const result = await runCli(["create", r, "--file", path], fake);
    expect(result.code, result.stderr).toBe(0);
  }
  return path;
}

function state(fake: AwsFake) {
  const ours = [...fake.cloudwatch.alarms.keys()].filter((n) => n.startsWith("startupwebapp-")).sort();
  return {
    targets: [...fake.autoscaling.targets.values()].map((t) => `${t.ResourceId} ${t.MinCapacity}-${t.MaxCapacity}`),
    policies: [...fake.autoscaling.policies.values()].map((p) => p.PolicyName).sort(),
    trackingAlarms: [...fake.cloudwatch.alarms.keys()].filter((n) => n.startsWith("TargetTracking-")).length,
    alarms: ours,
    dashboards: [...fake.cloudwatch.dashboards.keys()],
    topics: [...fake.sns.topics.keys()].map((a) => a.split(":").at(-1)),
    subscriptions: [...fake.sns.subscriptions.values()].map((s) => s.Endpoint),
  };
}

const SERVICE_ALARMS = [
  "alb-5xx",
  "ecs-cpu-high",
  "ecs-memory-high",
  "latency-p95",
  "no-healthy-hosts",
  "target-5xx",
  "unhealthy-hosts",
];
const RUNNING = {
  targets: ["service/startupwebapp-cluster/startupwebapp-service 1-4"],
  policies: ["startupwebapp-cpu-scaling", "startupwebapp-memory-scaling"],
  trackingAlarms: 4,
  alarms: SERVICE_ALARMS.map((n) => `startupwebapp-${n}`),
  dashboards: ["startupwebapp-service"],
  topics: ["startupwebapp-service-alerts"],
  subscriptions: [],
};
const NOTHING = {
  targets: [],
  policies: [],
  trackingAlarms: 0,
  alarms: [],
  dashboards: [],
  topics: [],
  subscriptions: [],
};

describe("ecs-autoscaling and monitoring against the AWS fake", () => {
  const fake = useFake();

  it("go create -> verify -> destroy -> recreate -> destroy, leaving nothing", async () => {
    const path = await serviceStack(fake.current);
    for (let round = 0; round < 2; round++) {
      const ctx = await contextFor(fake.current, path);
      await step.autoscaling(ctx);
      await step.monitoring(ctx);
      expect(state(fake.current)).toEqual(RUNNING);
      const checks = [
        ...(await autoscaling.verify(ctx, autoScalingConfig(ctx.env, "verify"))),
        ...(await monitoring.verify(ctx, monitoringConfig(ctx.env, "verify"))),
      ];
      expect(checks.filter((c) => c.status !== "OK")).toEqual([]);
      await destroyBoth(await contextFor(fake.current, path));
      expect(state(fake.current)).toEqual(NOTHING);
      expect(readText(path)).toMatch(/^AUTOSCALING_MIN_CAPACITY=""$/m);
    }
  });

  it("makes no mutating call when run again", async () => {
    const path = await serviceStack(fake.current, 'ALARM_EMAIL="ops@startupwebapp.com"\n');
    for (const s of [step.autoscaling, step.monitoring]) await s(await contextFor(fake.current, path));
    const before = fake.current.calls.length;
    for (const s of [step.autoscaling, step.monitoring]) await s(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });

  it("puts back an alarm changed by hand, and leaves the target tracking alarms to their policies", async () => {
    const path = await serviceStack(fake.current);
    for (const s of [step.autoscaling, step.monitoring]) await s(await contextFor(fake.current, path));
    const alarm = fake.current.cloudwatch.alarms.get("startupwebapp-latency-p95");
    if (alarm) alarm.Threshold = 5;
    const before = fake.current.calls.length;
    await step.monitoring(await contextFor(fake.current, path));
    const puts = fake.current.mutatingCalls(before);
    expect(puts.map((c) => `${c.op} ${(c.input as { AlarmName?: string }).AlarmName}`)).toEqual([
      "PutMetricAlarm startupwebapp-latency-p95",
    ]);
    expect(
      fake.current.calls.some((c) => (c.input as { AlarmName?: string }).AlarmName?.startsWith("TargetTracking-")),
    ).toBe(false);
  });

  it("adds the seed's RDS alarms when RDS_INSTANCE_ID is set, and an email subscription waiting for confirmation", async () => {
    const path = await serviceStack(
      fake.current,
      'RDS_INSTANCE_ID="startupwebapp-multi-tenant-prod"\nALARM_EMAIL="ops@startupwebapp.com"\n',
    );
    const ctx = await contextFor(fake.current, path);
    await step.monitoring(ctx);
    const rds = fake.current.cloudwatch.alarms;
    expect(rds.get("startupwebapp-rds-cpu-high")).toMatchObject({ Threshold: 70, Period: 300, EvaluationPeriods: 2 });
    expect(rds.get("startupwebapp-rds-connections-high")).toMatchObject({ Threshold: 80 });
    expect(rds.get("startupwebapp-rds-free-storage-low")).toMatchObject({
      Threshold: 2 * 1024 ** 3,
      ComparisonOperator: "LessThanThreshold",
    });
    expect(rds.get("startupwebapp-rds-freeable-memory-low")).toMatchObject({ Threshold: 500 * 1024 ** 2 });
    expect(ctx.events.log.some((e) => e.message.includes("confirmation link"))).toBe(true);
    const checks = await monitoring.verify(ctx, monitoringConfig(ctx.env, "verify"));
    expect(checks.find((c) => c.name.startsWith("email subscription"))?.status).toBe("SKIP");
    // Alarms in ALARM are reported, not failed.
    fake.current.cloudwatch.setState("startupwebapp-rds-cpu-high", "ALARM");
    const again = await contextFor(fake.current, path);
    expect(
      (await monitoring.verify(again, monitoringConfig(again.env, "verify"))).filter((c) => c.status === "FAIL"),
    ).toEqual([]);
    expect(
      again.events.log.some(
        (e) => e.kind === "warning" && e.message.includes("startupwebapp-rds-cpu-high is in ALARM"),
      ),
    ).toBe(true);
    await monitoring.destroy(again, monitoringConfig(again.env, "destroy"));
    expect(state(fake.current).subscriptions).toEqual([]);
    expect(state(fake.current).alarms).toEqual([]);
  });
});

describe("scaling and alarm inputs are checked before any change", () => {
  const fake = useFake();
  const cases: [string, string, RegExp][] = [
    [
      "min above max",
      'AUTOSCALING_MIN_CAPACITY="5"\nAUTOSCALING_MAX_CAPACITY="4"',
      /AUTOSCALING_MIN_CAPACITY=5 is above AUTOSCALING_MAX_CAPACITY=4/,
    ],
    ["a capacity of 0", 'AUTOSCALING_MIN_CAPACITY="0"', /AUTOSCALING_MIN_CAPACITY="0" is not a whole number above 0/],
    [
      "a non-numeric capacity",
      'AUTOSCALING_MAX_CAPACITY="four"',
      /AUTOSCALING_MAX_CAPACITY="four" is not a whole number/,
    ],
    ["a target of 0", 'AUTOSCALING_CPU_TARGET="0"', /AUTOSCALING_CPU_TARGET="0" is not a percentage/],
    ["a target above 100", 'AUTOSCALING_MEMORY_TARGET="120"', /AUTOSCALING_MEMORY_TARGET="120" is not a percentage/],
    [
      "a malformed email",
      'ALARM_EMAIL="ops at startupwebapp"',
      /ALARM_EMAIL="ops at startupwebapp" is not an email address/,
    ],
  ];
  for (const [name, lines, message] of cases) {
    it(`rejects ${name} with exit 2 and no AWS call`, async () => {
      const text = `${INPUTS}ALB_ARN="arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1"\nTARGET_GROUP_ARN="arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1"\n${lines}\n`;
      const path = tempEnvFile(text);
      const result = await runCli(["create", "ecs-autoscaling", "monitoring", "--file", path], fake.current);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(fake.current.calls).toEqual([]);
      expect(readText(path)).toBe(text);
    });
  }
});

describe("ecs-autoscaling and monitoring converge after a failure at any mutating call", () => {
  async function withStack<T>(body: (fake: AwsFake, path: string) => Promise<T>): Promise<T> {
    const fake = installInProcess(new AwsFake());
    try {
      return await body(fake, await serviceStack(fake, 'ALARM_EMAIL="ops@startupwebapp.com"\n'));
    } finally {
      fake.restore();
    }
  }
  const createBoth = async (fake: AwsFake, path: string) => {
    await step.autoscaling(await contextFor(fake, path));
    await step.monitoring(await contextFor(fake, path));
  };
  const withEmail = { ...RUNNING, subscriptions: ["ops@startupwebapp.com"] };

  it("of create, whether the call failed or only its response was lost", async () => {
    const calls = await withStack(async (fake, path) => {
      const before = fake.calls.length;
      await createBoth(fake, path);
      return fake.acceptedMutations(before);
    });
    expect(calls.length).toBe(13); // target, 2 policies, topic, subscription, 7 alarms, dashboard
    for (const when of ["before", "after"] as const) {
      for (const { nth, op } of calls) {
        await withStack(async (fake, path) => {
          fake.inject({ mutating: true, nth, when });
          await expect(createBoth(fake, path), `${when} ${op}`).rejects.toThrow();
          fake.clearFaults();
          fake.clock.advance(60_000);
          await createBoth(fake, path);
          expect(state(fake), `${when} ${op}`).toEqual(withEmail);
        });
      }
    }
  });

  it("of destroy, whether the call failed or only its response was lost", async () => {
    const calls = await withStack(async (fake, path) => {
      await createBoth(fake, path);
      const before = fake.calls.length;
      await destroyBoth(await contextFor(fake, path));
      return fake.acceptedMutations(before);
    });
    for (const when of ["before", "after"] as const) {
      for (const { nth, op } of calls) {
        await withStack(async (fake, path) => {
          await createBoth(fake, path);
          fake.inject({ mutating: true, nth, when });
          await expect(destroyBoth(await contextFor(fake, path)), `${when} ${op}`).rejects.toThrow();
          fake.clearFaults();
          fake.clock.advance(60_000);
          await destroyBoth(await contextFor(fake, path));
          expect(state(fake), `${when} ${op}`).toEqual(NOTHING);
        });
      }
    }
  });
});
