// What of `ecs-autoscaling` exists: the service's scalable target (by its resource id) and the two policies on it,
// described in the fields the desired state uses. The target carries the stack's tags; the policies cannot be
// tagged and belong to whoever owns their target (deregistering it deletes them).
import {
  type ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  ListTagsForResourceCommand,
  type ScalableTarget,
  type ScalingPolicy,
} from "@aws-sdk/client-application-auto-scaling";
import type { Context } from "../../core/context.js";
import { awsStep } from "../../core/errors.js";
import { isPending, type ObservedObject } from "../../state/model.js";
import { isManaged } from "../shared/tags.js";
import { type AutoScalingConfig, DIMENSION, NAMESPACE, type PolicyKind } from "./config.js";

export async function observeAutoScaling(ctx: Context, c: AutoScalingConfig): Promise<Map<string, ObservedObject>> {
  const found = new Map<string, ObservedObject>();
  // A service named by a step that has not run yet cannot have a scalable target.
  if (isPending(c.serviceName)) return found;
  const aas = await ctx.aws.autoscaling();
  const target = await awsStep("find scalable target", c.resourceId, () => findTarget(aas, c.resourceId));
  if (!target) return found;
  const tags = target.ScalableTargetARN
    ? await awsStep("read scalable target tags", c.resourceId, () => tagsOf(aas, target.ScalableTargetARN as string))
    : [];
  const managed = isManaged(tags);
  found.set("scalable-target", {
    key: "scalable-target",
    kind: "scalable target",
    name: c.resourceId,
    id: target.ScalableTargetARN ?? c.resourceId,
    fields: {
      "min capacity": target.MinCapacity,
      "max capacity": target.MaxCapacity,
      "scaling suspended": suspended(target),
    },
    managed,
    raw: target,
  });
  const policies = await awsStep("read scaling policies", c.resourceId, () => policiesOf(aas, c));
  for (const [kind, name] of [
    ["cpu", c.cpuPolicy],
    ["memory", c.memoryPolicy],
  ] as const) {
    const p = policies.find((x) => x.PolicyName === name);
    if (p) found.set(`policy:${kind}`, describePolicy(kind, p, managed));
  }
  return found;
}

function describePolicy(kind: PolicyKind, p: ScalingPolicy, managed: boolean): ObservedObject {
  const t = p.TargetTrackingScalingPolicyConfiguration;
  const metric = t?.PredefinedMetricSpecification?.PredefinedMetricType ?? t?.CustomizedMetricSpecification?.MetricName;
  return {
    key: `policy:${kind}`,
    kind: "scaling policy",
    name: p.PolicyName ?? "",
    id: p.PolicyARN ?? "",
    fields: {
      type: p.PolicyType === "TargetTrackingScaling" ? "target tracking" : p.PolicyType,
      metric: metric ?? (t ? "none" : undefined),
      "target value": t?.TargetValue,
      "scale-out cooldown": t?.ScaleOutCooldown,
      "scale-in cooldown": t?.ScaleInCooldown,
      // Unset is AWS's default: scale-in on.
      "scale-in": t?.DisableScaleIn ? "disabled" : "enabled",
    },
    // A policy is held by its scalable target: ours when that is.
    managed,
    raw: p,
  };
}

function suspended(t: ScalableTarget): string {
  const s = t.SuspendedState;
  const which = [
    s?.DynamicScalingInSuspended ? "dynamic scale-in" : "",
    s?.DynamicScalingOutSuspended ? "dynamic scale-out" : "",
    s?.ScheduledScalingSuspended ? "scheduled scaling" : "",
  ].filter(Boolean);
  return which.length ? which.join(", ") : "none";
}

export async function findTarget(
  aas: ApplicationAutoScalingClient,
  resourceId: string,
): Promise<ScalableTarget | undefined> {
  const out = await aas.send(
    new DescribeScalableTargetsCommand({
      ServiceNamespace: NAMESPACE,
      ResourceIds: [resourceId],
      ScalableDimension: DIMENSION,
    }),
  );
  return out.ScalableTargets?.[0];
}

async function policiesOf(aas: ApplicationAutoScalingClient, c: AutoScalingConfig): Promise<ScalingPolicy[]> {
  const out = await aas.send(
    new DescribeScalingPoliciesCommand({
      ServiceNamespace: NAMESPACE,
      ResourceId: c.resourceId,
      ScalableDimension: DIMENSION,
      PolicyNames: [c.cpuPolicy, c.memoryPolicy],
    }),
  );
  return out.ScalingPolicies ?? [];
}

async function tagsOf(aas: ApplicationAutoScalingClient, arn: string) {
  const out = await aas.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return Object.entries(out.Tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}
