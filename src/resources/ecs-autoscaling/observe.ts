// What of `ecs-autoscaling` exists: the service's scalable target (by its resource id) and the two policies on it,
// described in the fields the desired state uses. The target carries the stack's tags; the policies cannot be
// tagged and belong to whoever owns their target. A target this stack made for another service of the cluster
// (ECS_SERVICE_NAME changed) is found by its tags, to be deregistered. On an endpoint that cannot read a scalable
// target's tags, the target is ours when the env file records this stack's policies (what create records). The
// TargetTracking alarms of this stack's policies that outlived them (an endpoint that does not delete them with the
// policy, and a destroy stopped in between) are found too, to be deleted.
import {
  type ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  ListTagsForResourceCommand,
  type ScalableTarget,
  type ScalingPolicy,
} from "@aws-sdk/client-application-auto-scaling";
import { type CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { Context } from "../../core/context.js";
import { awsStep } from "../../core/errors.js";
import { optional } from "../../core/unsupported.js";
import { isPending, type ObservedObject } from "../../state/model.js";
import { isManaged } from "../common/tags.js";
import { type AutoScalingConfig, DIMENSION, NAMESPACE, type PolicyKind } from "./config.js";
import { type ScalingPolicyInput, scalableTargetFields, scalingPolicyFields } from "./inputs.js";

export async function observeAutoScaling(ctx: Context, c: AutoScalingConfig): Promise<Map<string, ObservedObject>> {
  const found = new Map<string, ObservedObject>();
  // A service another step of this run names has no target yet; and every target of the cluster would look like
  // another service's.
  if (isPending(c.serviceName)) return found;
  const aas = await ctx.aws.autoscaling();
  const all = await awsStep("list scalable targets", NAMESPACE, () => targetsOf(aas));
  const others = await Promise.all(
    all
      .filter((t) => t.ResourceId?.startsWith(`service/${c.cluster}/`) && t.ResourceId !== c.resourceId)
      .filter((t) => t.ScalableTargetARN)
      .map(async (t) => ({
        t,
        tags: await awsStep("read scalable target tags", t.ResourceId ?? "", () =>
          tagsOf(ctx, aas, t.ScalableTargetARN as string),
        ),
      })),
  );
  const target = all.find((t) => t.ResourceId === c.resourceId);
  if (target) await describeTarget(ctx, aas, c, target, found);
  // Last, so destroy (which goes backwards) deregisters them first.
  for (const { t, tags } of others)
    if (tags && isManaged(tags) && tags.some((x) => x.Key === "Project" && x.Value === c.project))
      found.set(`scalable-target:${t.ResourceId}`, describeTargetFields(`scalable-target:${t.ResourceId}`, t, true));
  return found;
}

async function describeTarget(
  ctx: Context,
  aas: ApplicationAutoScalingClient,
  c: AutoScalingConfig,
  target: ScalableTarget,
  found: Map<string, ObservedObject>,
) {
  const tags = target.ScalableTargetARN
    ? await awsStep("read scalable target tags", c.resourceId, () =>
        tagsOf(ctx, aas, target.ScalableTargetARN as string),
      )
    : [];
  const recorded =
    ctx.env.get("AUTOSCALING_CPU_POLICY") === c.cpuPolicy ||
    ctx.env.get("AUTOSCALING_MEMORY_POLICY") === c.memoryPolicy;
  const managed = tags ? isManaged(tags) : recorded;
  found.set("scalable-target", describeTargetFields("scalable-target", target, managed));
  const policies = await awsStep("read scaling policies", c.resourceId, () => policiesOf(aas, c));
  for (const [kind, name] of [
    ["cpu", c.cpuPolicy],
    ["memory", c.memoryPolicy],
  ] as const) {
    const p = policies.find((x) => x.PolicyName === name);
    if (p) found.set(`policy:${kind}`, describePolicy(kind, p, managed));
  }
  if (!managed) return;
  const cw = await ctx.aws.cloudwatch();
  for (const a of await awsStep("read target tracking alarms", c.resourceId, () => outlived(cw, c, policies)))
    found.set(`alarm:${a.AlarmName}`, {
      key: `alarm:${a.AlarmName}`,
      kind: "target tracking alarm",
      name: a.AlarmName as string,
      id: a.AlarmArn ?? "",
      fields: {},
      managed: true,
    });
}

/** The TargetTracking alarms that name one of this stack's policies as their action, but no such policy has. */
async function outlived(cw: CloudWatchClient, c: AutoScalingConfig, policies: ScalingPolicy[]): Promise<MetricAlarm[]> {
  const out = await cw.send(
    new DescribeAlarmsCommand({ AlarmNamePrefix: `TargetTracking-${c.resourceId}-`, MaxRecords: 100 }),
  );
  const live = new Set(policies.flatMap((p) => (p.Alarms ?? []).map((a) => a.AlarmName)));
  // The action is the policy's ARN, which ends in ":policyName/<name>" (moto adds ":createdBy/<id>").
  const ofOurs = (action: string) =>
    [c.cpuPolicy, c.memoryPolicy].some(
      (n) => action.endsWith(`:policyName/${n}`) || action.includes(`:policyName/${n}:`),
    );
  return (out.MetricAlarms ?? []).filter((a) => !live.has(a.AlarmName) && (a.AlarmActions ?? []).some(ofOurs));
}

function describeTargetFields(key: string, t: ScalableTarget, managed: boolean): ObservedObject {
  return {
    key,
    kind: "scalable target",
    name: t.ResourceId ?? "",
    id: t.ScalableTargetARN ?? t.ResourceId ?? "",
    fields: scalableTargetFields(t),
    managed,
    raw: t,
  };
}

function describePolicy(kind: PolicyKind, p: ScalingPolicy, managed: boolean): ObservedObject {
  return {
    key: `policy:${kind}`,
    kind: "scaling policy",
    name: p.PolicyName ?? "",
    id: p.PolicyARN ?? "",
    fields: scalingPolicyFields(p as ScalingPolicyInput),
    // A policy is held by its scalable target: ours when that is.
    managed,
    raw: p,
  };
}

/** Every ECS service's scalable target in the region, 50 a page. */
async function targetsOf(aas: ApplicationAutoScalingClient): Promise<ScalableTarget[]> {
  const all: ScalableTarget[] = [];
  let NextToken: string | undefined;
  do {
    const out = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: NAMESPACE, ScalableDimension: DIMENSION, NextToken }),
    );
    all.push(...(out.ScalableTargets ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return all;
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

/** A scalable target's tags, or undefined when the endpoint cannot read them. */
async function tagsOf(ctx: Context, aas: ApplicationAutoScalingClient, arn: string) {
  const out = await optional(ctx, TAGS_READ, () => aas.send(new ListTagsForResourceCommand({ ResourceARN: arn })));
  return out && Object.entries(out.Tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

const TAGS_READ = {
  resource: "ecs-autoscaling",
  operation: "application-autoscaling ListTagsForResource",
  without:
    "a scalable target counts as this stack's when the env file records its policies (AUTOSCALING_CPU_POLICY, AUTOSCALING_MEMORY_POLICY)",
};
