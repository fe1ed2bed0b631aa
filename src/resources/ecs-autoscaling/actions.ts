// `ecs-autoscaling` create, verify and destroy. Register and Put are create-or-update: compare first, so a
// re-run changes nothing. The TargetTracking-... alarms belong to the policies: never touched here.
import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  type MetricType,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type ScalableTarget,
  type ScalingPolicy,
} from "@aws-sdk/client-application-auto-scaling";
import type { Context } from "../../core/context.js";
import { awsStep, isAwsError } from "../../core/errors.js";
import { retryWhile, waitOptions } from "../../core/wait.js";
import { type Check, checklist } from "../resource.js";
import type { AutoScalingConfig } from "./config.js";

const RESOURCE = "ecs-autoscaling";
const NS = "ecs" as const;
const DIMENSION = "ecs:service:DesiredCount" as const;
const MINUTE = 60_000;

interface PolicySpec {
  name: string;
  metric: MetricType;
  target: number;
}

const policies = (c: AutoScalingConfig): PolicySpec[] => [
  { name: c.cpuPolicy, metric: "ECSServiceAverageCPUUtilization", target: c.cpuTarget },
  { name: c.memoryPolicy, metric: "ECSServiceAverageMemoryUtilization", target: c.memoryTarget },
];

async function readTarget(ctx: Context, c: AutoScalingConfig): Promise<ScalableTarget | undefined> {
  const aas = await ctx.aws.autoscaling();
  const out = await aas.send(
    new DescribeScalableTargetsCommand({
      ServiceNamespace: NS,
      ResourceIds: [c.resourceId],
      ScalableDimension: DIMENSION,
    }),
  );
  return out.ScalableTargets?.[0];
}

async function readPolicies(ctx: Context, c: AutoScalingConfig): Promise<ScalingPolicy[]> {
  const aas = await ctx.aws.autoscaling();
  const out = await aas.send(
    new DescribeScalingPoliciesCommand({
      ServiceNamespace: NS,
      ResourceId: c.resourceId,
      PolicyNames: [c.cpuPolicy, c.memoryPolicy],
    }),
  );
  return out.ScalingPolicies ?? [];
}

export function policyMatches(p: ScalingPolicy | undefined, spec: PolicySpec, c: AutoScalingConfig): boolean {
  const t = p?.TargetTrackingScalingPolicyConfiguration;
  return (
    p?.PolicyType === "TargetTrackingScaling" &&
    t?.TargetValue === spec.target &&
    t.PredefinedMetricSpecification?.PredefinedMetricType === spec.metric &&
    t.ScaleOutCooldown === c.scaleOutCooldown &&
    t.ScaleInCooldown === c.scaleInCooldown &&
    !t.DisableScaleIn
  );
}

export async function create(ctx: Context, c: AutoScalingConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  const aas = await ctx.aws.autoscaling();
  const target = await awsStep("read scalable target", c.resourceId, () => readTarget(ctx, c));
  if (target?.MinCapacity === c.min && target.MaxCapacity === c.max)
    ev.exists(`scalable target ${c.resourceId} (${c.min}-${c.max})`);
  else {
    // Just after the service (or its service-linked role) is made, auto scaling may not see it yet.
    const retry = {
      ...waitOptions(ctx, `auto scaling to see ${c.serviceName}`),
      timeoutMs: 2 * MINUTE,
      transient: [{ code: "ValidationException", message: /Unable to assume IAM role|ECS service doesn't exist/i }],
    };
    await awsStep("register scalable target", c.resourceId, () =>
      retryWhile(ctx, ev, retry, () =>
        aas.send(
          new RegisterScalableTargetCommand({
            ServiceNamespace: NS,
            ResourceId: c.resourceId,
            ScalableDimension: DIMENSION,
            MinCapacity: c.min,
            MaxCapacity: c.max,
          }),
        ),
      ),
    );
    if (target)
      ev.updated(`scalable target ${c.resourceId}: ${target.MinCapacity}-${target.MaxCapacity} -> ${c.min}-${c.max}`);
    else ev.created(`scalable target ${c.resourceId} (${c.min}-${c.max})`);
  }
  const existing = await awsStep("read scaling policies", c.resourceId, () => readPolicies(ctx, c));
  for (const spec of policies(c)) {
    const current = existing.find((p) => p.PolicyName === spec.name);
    if (policyMatches(current, spec, c)) {
      ev.exists(`policy ${spec.name}`);
      continue;
    }
    const retry = {
      ...waitOptions(ctx, `policy ${spec.name}`),
      timeoutMs: 2 * MINUTE,
      transient: ["ConcurrentUpdateException", "FailedResourceAccessException"],
    };
    await awsStep("put scaling policy", spec.name, () =>
      retryWhile(ctx, ev, retry, () =>
        aas.send(
          new PutScalingPolicyCommand({
            PolicyName: spec.name,
            ServiceNamespace: NS,
            ResourceId: c.resourceId,
            ScalableDimension: DIMENSION,
            PolicyType: "TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration: {
              TargetValue: spec.target,
              PredefinedMetricSpecification: { PredefinedMetricType: spec.metric },
              ScaleOutCooldown: c.scaleOutCooldown,
              ScaleInCooldown: c.scaleInCooldown,
              DisableScaleIn: false,
            },
          }),
        ),
      ),
    );
    (current ? ev.updated : ev.created)(`policy ${spec.name} (${spec.metric} ${spec.target})`);
  }
  const recorded = {
    AUTOSCALING_MIN_CAPACITY: String(c.min),
    AUTOSCALING_MAX_CAPACITY: String(c.max),
    AUTOSCALING_CPU_POLICY: c.cpuPolicy,
    AUTOSCALING_MEMORY_POLICY: c.memoryPolicy,
  };
  await ctx.env.record(recorded);
}

export async function destroy(ctx: Context, c: AutoScalingConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  const aas = await ctx.aws.autoscaling();
  const gone = (err: unknown) => {
    if (!isAwsError(err, "ObjectNotFoundException")) throw err;
  };
  const existing = await awsStep("read scaling policies", c.resourceId, () => readPolicies(ctx, c));
  for (const p of existing) {
    await awsStep("delete scaling policy", p.PolicyName as string, () =>
      aas
        .send(
          new DeleteScalingPolicyCommand({
            PolicyName: p.PolicyName,
            ServiceNamespace: NS,
            ResourceId: c.resourceId,
            ScalableDimension: DIMENSION,
          }),
        )
        .catch(gone),
    );
    ev.deleted(`policy ${p.PolicyName}`);
  }
  if (await awsStep("read scalable target", c.resourceId, () => readTarget(ctx, c))) {
    await awsStep("deregister scalable target", c.resourceId, () =>
      aas
        .send(
          new DeregisterScalableTargetCommand({
            ServiceNamespace: NS,
            ResourceId: c.resourceId,
            ScalableDimension: DIMENSION,
          }),
        )
        .catch(gone),
    );
    ev.deleted(`scalable target ${c.resourceId}`);
  }
  await ctx.env.record({
    AUTOSCALING_MIN_CAPACITY: "",
    AUTOSCALING_MAX_CAPACITY: "",
    AUTOSCALING_CPU_POLICY: "",
    AUTOSCALING_MEMORY_POLICY: "",
  });
}

export async function verify(ctx: Context, c: AutoScalingConfig): Promise<Check[]> {
  const { checks, check } = checklist(RESOURCE);
  const target = await awsStep("read scalable target", c.resourceId, () => readTarget(ctx, c));
  check(`scalable target ${c.resourceId} exists`, Boolean(target));
  if (!target) return checks;
  check(
    `capacity ${c.min}-${c.max}`,
    target.MinCapacity === c.min && target.MaxCapacity === c.max,
    `${target.MinCapacity}-${target.MaxCapacity}`,
  );
  const existing = await awsStep("read scaling policies", c.resourceId, () => readPolicies(ctx, c));
  for (const spec of policies(c)) {
    const p = existing.find((x) => x.PolicyName === spec.name);
    check(`policy ${spec.name}: ${spec.metric} ${spec.target}`, policyMatches(p, spec, c), p ? undefined : "missing");
    if (p)
      check(
        `policy ${spec.name} has its alarms`,
        (p.Alarms?.length ?? 0) > 0,
        p.Alarms?.map((a) => a.AlarmName).join(", "),
      );
  }
  return checks;
}
