import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withPendingRecords } from "../../src/core/inputs.js";
import { autoScalingResource } from "../../src/resources/ecs-autoscaling/config.js";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { assess } from "../../src/state/lifecycle.js";
import { contextFor, INPUTS, lifecycleOf, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { expectConvergesAfterAnyFault } from "../support/faults.js";
import {
  ALB_RECORDS,
  RESOURCE_ID,
  registerTarget,
  runningService,
  SERVICE,
  scriptsAutoScaling,
} from "../support/scripts-stack.js";

const { create, destroy, verify, plan } = lifecycleOf(autoScalingResource);

/** The scalable target, its policies and the alarms AWS makes for them, as AWS holds them. */
function scalingState(fake: AwsFake) {
  return {
    targets: [...fake.autoscaling.targets.values()].map(
      (t) =>
        `${t.ResourceId} ${t.MinCapacity}-${t.MaxCapacity}${t.tags.ManagedBy === "infra" ? " ManagedBy=infra" : ""}`,
    ),
    policies: [...fake.autoscaling.policies.values()]
      .map((p) => {
        const t = p.TargetTrackingScalingPolicyConfiguration;
        const scaleIn = t?.DisableScaleIn ? ", no scale-in" : "";
        return `${p.PolicyName}: ${t?.PredefinedMetricSpecification?.PredefinedMetricType} ${t?.TargetValue}, cooldowns out ${t?.ScaleOutCooldown} in ${t?.ScaleInCooldown}${scaleIn}`;
      })
      .sort(),
    trackingAlarms: [...fake.cloudwatch.alarms.keys()].filter((n) => n.startsWith("TargetTracking-")).length,
  };
}

/** What the earlier scripts' auto scaling was: the defaults reproduce it, with the stack's tags on the target. */
const SCALING = {
  targets: [`${RESOURCE_ID} 1-4 ManagedBy=infra`],
  policies: [
    "startupwebapp-cpu-scaling: ECSServiceAverageCPUUtilization 70, cooldowns out 60 in 300",
    "startupwebapp-memory-scaling: ECSServiceAverageMemoryUtilization 80, cooldowns out 60 in 300",
  ],
  trackingAlarms: 4, // a high and a low alarm per policy
};
const NOTHING = { targets: [], policies: [], trackingAlarms: 0 };

/** The service the earlier scripts made, running; the env file with the prerequisites' ids. */
async function withService(): Promise<string> {
  await runningService();
  return tempEnvFile(INPUTS);
}

/** The step that records ECS_SERVICE_NAME, as `create all` sees it before that step has run. */
const serviceStep = { name: "ecs-service", records: ["ECS_SERVICE_NAME"] };

const desiredCount = (fake: AwsFake) => fake.ecs.serviceNamed(SERVICE)?.desiredCount;

describe("ecs-autoscaling against the AWS fake", () => {
  const fake = useFake();

  it("goes create -> verify -> destroy -> recreate -> destroy, and destroy leaves no policy or alarm behind", async () => {
    const path = await withService();
    for (let round = 0; round < 2; round++) {
      const ctx = await contextFor(fake.current, path);
      await create(ctx);
      expect(scalingState(fake.current)).toEqual(SCALING);
      expect(ctx.env.get("AUTOSCALING_CPU_POLICY")).toBe("startupwebapp-cpu-scaling");
      expect(ctx.env.get("AUTOSCALING_MEMORY_POLICY")).toBe("startupwebapp-memory-scaling");
      const checks = await verify(ctx);
      expect(checks.filter((c) => c.status !== "OK")).toEqual([]);
      expect(checks.map((c) => c.name)).toContain("policy startupwebapp-cpu-scaling has its target tracking alarms");

      const before = fake.current.calls.length;
      await destroy(ctx);
      // AWS would delete the policies (and their alarms) with the target; infra deletes each policy itself, since
      // not every endpoint does. Their alarms went with them: nothing more to delete.
      expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual([
        "DeleteScalingPolicy",
        "DeleteScalingPolicy",
        "DeregisterScalableTarget",
      ]);
      expect(scalingState(fake.current)).toEqual(NOTHING);
      expect(readText(path)).toMatch(/^AUTOSCALING_CPU_POLICY=""$/m);
      expect(readText(path)).toMatch(/^AUTOSCALING_MEMORY_POLICY=""$/m);
    }
  });

  it("destroy leaves no policy or alarm on an endpoint that deletes neither a target's policies nor their alarms", async () => {
    // Given an endpoint where deregistering a target keeps its policies, and deleting a policy keeps its alarms
    const path = await withService();
    fake.current.autoscaling.cascades = false;
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    expect(scalingState(fake.current)).toEqual(SCALING);

    // When the stack's auto scaling is destroyed
    const before = fake.current.calls.length;
    await destroy(ctx);

    // Then each policy is deleted, then the alarms it left, then the target: nothing is left
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual([
      "DeleteScalingPolicy",
      "DeleteAlarms",
      "DeleteScalingPolicy",
      "DeleteAlarms",
      "DeregisterScalableTarget",
    ]);
    expect(scalingState(fake.current)).toEqual(NOTHING);
  });

  it("makes no mutating call when run again, and destroy run twice finds nothing the second time", async () => {
    const path = await withService();
    await create(await contextFor(fake.current, path));
    let before = fake.current.calls.length;
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect((await plan(ctx)).changes.map((c) => c.action)).toEqual(["keep", "keep", "keep"]);
    await destroy(ctx);
    before = fake.current.calls.length;
    await destroy(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });

  it("owns the desired count once the target exists: a count scaling chose is left alone, a new range moves it", async () => {
    const path = await withService();
    await create(await contextFor(fake.current, path));
    fake.current.ecs.setDesired(SERVICE, 3); // what a scale-out does
    const before = fake.current.calls.length;
    await create(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(desiredCount(fake.current)).toBe(3);

    writeFileSync(path, `${readText(path)}AUTOSCALING_MAX_CAPACITY="2"\n`);
    await create(await contextFor(fake.current, path));
    // Application Auto Scaling brings the count into the new range; no UpdateService from infra.
    expect(desiredCount(fake.current)).toBe(2);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["RegisterScalableTarget"]);
  });

  it("puts back a maximum changed behind its back, with plan, verify and create agreeing", async () => {
    const path = await withService();
    await create(await contextFor(fake.current, path));
    const target = fake.current.autoscaling.targets.get(RESOURCE_ID);
    if (target) target.MaxCapacity = 8;
    const ctx = await contextFor(fake.current, path);

    const planned = (await plan(ctx)).changes.flatMap((c) =>
      c.action === "update" ? c.fields.map((f) => `${c.desired.name} ${f.field}: ${f.from} -> ${f.to}`) : [],
    );
    const failing = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => [c.name, c.detail]);
    const before = fake.current.calls.length;
    await create(ctx);

    expect(planned).toEqual([`${RESOURCE_ID} max capacity: 8 -> 4`]);
    expect(failing).toEqual([[`scalable target ${RESOURCE_ID}: max capacity`, "8, want 4"]]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["RegisterScalableTarget"]);
    expect(scalingState(fake.current)).toEqual(SCALING);
    const again = fake.current.calls.length;
    await create(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(again)).toEqual([]);
  });

  it("puts back a policy whose scale-in was turned off by hand, and resumes a suspended target", async () => {
    const path = await withService();
    await create(await contextFor(fake.current, path));
    const memory = fake.current.autoscaling.policyNamed("startupwebapp-memory-scaling");
    const config = memory?.TargetTrackingScalingPolicyConfiguration;
    if (config) config.DisableScaleIn = true;
    const target = fake.current.autoscaling.targets.get(RESOURCE_ID);
    if (target?.SuspendedState) target.SuspendedState.DynamicScalingInSuspended = true;
    const ctx = await contextFor(fake.current, path);

    const failing = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => [c.name, c.detail]);
    const before = fake.current.calls.length;
    await create(ctx);

    expect(failing).toEqual([
      [`scalable target ${RESOURCE_ID}: scaling suspended`, "dynamic scale-in, want none"],
      ["scaling policy startupwebapp-memory-scaling: scale-in", "disabled, want enabled"],
    ]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["RegisterScalableTarget", "PutScalingPolicy"]);
    expect(target?.SuspendedState?.DynamicScalingInSuspended).toBe(false);
    expect(scalingState(fake.current)).toEqual(SCALING);
  });

  it("deregisters the target it made for the service's old name when ECS_SERVICE_NAME changes, and no other", async () => {
    const path = await withService();
    await create(await contextFor(fake.current, path));
    await runningService("startupwebapp-web"); // the service, made again under a new name
    await runningService("someone-elses"); // with a target of its own, not this stack's
    await registerTarget("service/startupwebapp-cluster/someone-elses");
    writeFileSync(path, `${readText(path)}ECS_SERVICE_NAME="startupwebapp-web"\n`);
    const ctx = await contextFor(fake.current, path);

    const planned = (await plan(ctx)).changes.map(
      (c) => `${c.action} ${"desired" in c ? c.desired.name : c.observed.name}`,
    );
    const before = fake.current.calls.length;
    await create(ctx);

    expect(planned).toEqual([
      "create service/startupwebapp-cluster/startupwebapp-web",
      "create startupwebapp-cpu-scaling",
      "create startupwebapp-memory-scaling",
      `delete ${RESOURCE_ID}`,
    ]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual([
      "RegisterScalableTarget",
      "PutScalingPolicy",
      "PutScalingPolicy",
      "DeregisterScalableTarget",
    ]);
    expect([...fake.current.autoscaling.targets.keys()].sort()).toEqual([
      "service/startupwebapp-cluster/someone-elses",
      "service/startupwebapp-cluster/startupwebapp-web",
    ]);
    await destroy(ctx);
    expect([...fake.current.autoscaling.targets.keys()]).toEqual(["service/startupwebapp-cluster/someone-elses"]);
  });

  it("in a run that also makes the service, finds nothing to delete while the service's name is not known yet", async () => {
    const path = await withService();
    await create(await contextFor(fake.current, path));
    const ctx = await contextFor(fake.current, path);
    const env = withPendingRecords(ctx.env, [serviceStep]);
    const a = await assess(ctx, autoScalingResource, autoScalingResource.config(env, "plan"));
    expect(a.changes.map((c) => `${c.action} ${"desired" in c ? c.desired.kind : c.observed.kind}`)).toEqual([
      "create scalable target",
      "create scaling policy",
      "create scaling policy",
    ]);
  });

  it("adopts the earlier scripts' auto scaling: tags the target, changes nothing else, and destroy removes it", async () => {
    const path = await withService();
    await scriptsAutoScaling();
    const ctx = await contextFor(fake.current, path);

    const planned = (await plan(ctx)).changes.map((c) => `${c.action} ${"desired" in c ? c.desired.name : ""}`);
    const before = fake.current.calls.length;
    await create(ctx);

    expect(planned).toEqual([
      `adopt ${RESOURCE_ID}`,
      "adopt startupwebapp-cpu-scaling",
      "adopt startupwebapp-memory-scaling",
    ]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["TagResource"]);
    expect(scalingState(fake.current)).toEqual(SCALING);
    expect(ctx.env.get("AUTOSCALING_CPU_POLICY")).toBe("startupwebapp-cpu-scaling");
    await destroy(ctx);
    expect(scalingState(fake.current)).toEqual(NOTHING);
  });

  it("leaves a scalable target it did not make when it is told to destroy before adopting it", async () => {
    const path = await withService();
    await scriptsAutoScaling();
    const ctx = await contextFor(fake.current, path);
    const before = fake.current.calls.length;
    await destroy(ctx);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(scalingState(fake.current).policies).toHaveLength(2);
    expect(ctx.events.log.filter((e) => e.kind === "skipped").map((e) => e.message)).toEqual([
      "scaling policy startupwebapp-memory-scaling: left in place, not made by infra",
      "scaling policy startupwebapp-cpu-scaling: left in place, not made by infra",
      `scalable target ${RESOURCE_ID}: left in place, not made by infra`,
    ]);
  });

  it("waits up to 2 minutes for Application Auto Scaling to see the service, then stops saying what it waited for", async () => {
    const ctx = await contextFor(fake.current, tempEnvFile());
    await expect(create(ctx)).rejects.toThrow(
      /timed out after 120 s waiting for auto scaling to see startupwebapp-service/,
    );
    expect(ctx.events.log.filter((e) => e.kind === "waiting").map((e) => e.state)).toContain("ValidationException");
    expect(fake.current.clock.slept).toBeGreaterThanOrEqual(120_000);
    expect(fake.current.mutatingCalls().filter((c) => !c.refused)).toEqual([]);
  });
});

/** Each input the resource reads: the change plan shows, what verify fails on, and the only calls create makes. */
const TARGET = `scalable target ${RESOURCE_ID}`;
const CPU = "scaling policy startupwebapp-cpu-scaling";
const MEMORY = "scaling policy startupwebapp-memory-scaling";
const INPUT_CHANGES: { line: string; fields: string[]; calls: string[] }[] = [
  {
    line: 'AUTOSCALING_MIN_CAPACITY="2"',
    fields: [`${TARGET}: min capacity 1 -> 2`],
    calls: ["RegisterScalableTarget"],
  },
  {
    line: 'AUTOSCALING_MAX_CAPACITY="6"',
    fields: [`${TARGET}: max capacity 4 -> 6`],
    calls: ["RegisterScalableTarget"],
  },
  { line: 'AUTOSCALING_CPU_TARGET="60"', fields: [`${CPU}: target value 70 -> 60`], calls: ["PutScalingPolicy"] },
  { line: 'AUTOSCALING_MEMORY_TARGET="75"', fields: [`${MEMORY}: target value 80 -> 75`], calls: ["PutScalingPolicy"] },
  {
    line: 'AUTOSCALING_SCALE_OUT_COOLDOWN="120"',
    fields: [`${CPU}: scale-out cooldown 60 -> 120`, `${MEMORY}: scale-out cooldown 60 -> 120`],
    calls: ["PutScalingPolicy", "PutScalingPolicy"],
  },
  {
    line: 'AUTOSCALING_SCALE_IN_COOLDOWN="600"',
    fields: [`${CPU}: scale-in cooldown 300 -> 600`, `${MEMORY}: scale-in cooldown 300 -> 600`],
    calls: ["PutScalingPolicy", "PutScalingPolicy"],
  },
];

describe("ecs-autoscaling: one desired state for plan, verify and create", () => {
  const fake = useFake();

  it.each(INPUT_CHANGES)(
    "after $line, plan names the field, verify fails on it, create changes only that",
    async ({ line, fields, calls }) => {
      const path = await withService();
      await create(await contextFor(fake.current, path));
      writeFileSync(path, `${readText(path)}${line}\n`);
      const ctx = await contextFor(fake.current, path);

      const planned = (await plan(ctx)).changes.flatMap((c) =>
        c.action === "update"
          ? c.fields.map((f) => `${c.desired.kind} ${c.desired.name}: ${f.field} ${f.from} -> ${f.to}`)
          : [],
      );
      const failing = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => `${c.name} ${c.detail}`);
      const before = fake.current.calls.length;
      await create(ctx);

      expect(planned).toEqual(fields);
      // Verify says the same, as "<object>: <field> <is>, want <wanted>".
      expect(failing).toEqual(fields.map((f) => f.replace(/ (\S+) -> (\S+)$/, " $1, want $2")));
      expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(calls);
      expect((await verify(ctx)).filter((c) => c.status !== "OK")).toEqual([]);
      const again = fake.current.calls.length;
      await create(await contextFor(fake.current, path));
      expect(fake.current.mutatingCalls(again)).toEqual([]);
    },
  );
});

describe("ecs-autoscaling converges after a failure at any mutating call", () => {
  const run = async (fake: AwsFake, path: string, phase: "create" | "destroy") =>
    (phase === "create" ? create : destroy)(await contextFor(fake, path));

  it("of create, whether the call failed or only its response was lost", () =>
    expectConvergesAfterAnyFault({
      setup: () => withService(),
      run: (fake, path) => run(fake, path, "create"),
      calls: ["RegisterScalableTarget", "PutScalingPolicy", "PutScalingPolicy"],
      converged: (fake, _path, label) => expect(scalingState(fake), label).toEqual(SCALING),
    }));

  for (const { cascades, endpoint, calls } of [
    {
      cascades: true,
      endpoint: "",
      calls: ["DeleteScalingPolicy", "DeleteScalingPolicy", "DeregisterScalableTarget"],
    },
    {
      cascades: false,
      endpoint: " on an endpoint that does not delete policies and alarms with them",
      calls: ["DeleteScalingPolicy", "DeleteAlarms", "DeleteScalingPolicy", "DeleteAlarms", "DeregisterScalableTarget"],
    },
  ]) {
    it(`of destroy, whether the call failed or only its response was lost${endpoint}`, () =>
      expectConvergesAfterAnyFault({
        fake: () => {
          const fake = new AwsFake();
          fake.autoscaling.cascades = cascades;
          return fake;
        },
        setup: async (fake) => {
          const path = await withService();
          await run(fake, path, "create");
          return path;
        },
        run: (fake, path) => run(fake, path, "destroy"),
        calls,
        converged: (fake, _path, label) => expect(scalingState(fake), label).toEqual(NOTHING),
      }));
  }
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
    [
      "a dashboard name CloudWatch refuses",
      'CLOUDWATCH_DASHBOARD_NAME="RDS dashboard"',
      /CLOUDWATCH_DASHBOARD_NAME="RDS dashboard" is not a dashboard name/,
    ],
  ];
  for (const [name, lines, message] of cases) {
    it(`rejects ${name} with exit 2 and no AWS call`, async () => {
      const text = `${INPUTS}${ALB_RECORDS}${lines}\n`;
      const path = tempEnvFile(text);
      const result = await runCli(["create", "ecs-autoscaling", "monitoring", "--file", path], fake.current);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(fake.current.calls).toEqual([]);
      expect(readText(path)).toBe(text);
    });
  }
});
