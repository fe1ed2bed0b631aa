// What of `ecs-autoscaling` exists: the service's scalable target (by its resource id) and the two policies on it,
// described in the fields the desired state uses. The target carries the stack's tags; the policies cannot be
// tagged and belong to whoever owns their target (deregistering it deletes them). A target this stack made for
// another service of the cluster (ECS_SERVICE_NAME changed) is found by its tags, to be deregistered.
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
          tagsOf(aas, t.ScalableTargetARN as string),
        ),
      })),
  );
  const target = all.find((t) => t.ResourceId === c.resourceId);
  if (target) await describeTarget(aas, c, target, found);
  // Last, so destroy (which goes backwards) deregisters them first.
  for (const { t, tags } of others)
    if (isManaged(tags) && tags.some((x) => x.Key === "Project" && x.Value === c.project))
      found.set(`scalable-target:${t.ResourceId}`, describeTargetFields(`scalable-target:${t.ResourceId}`, t, true));
  return found;
}

async function describeTarget(
  aas: ApplicationAutoScalingClient,
  c: AutoScalingConfig,
  target: ScalableTarget,
  found: Map<string, ObservedObject>,
) {
  const tags = target.ScalableTargetARN
    ? await awsStep("read scalable target tags", c.resourceId, () => tagsOf(aas, target.ScalableTargetARN as string))
    : [];
  const managed = isManaged(tags);
  found.set("scalable-target", describeTargetFields("scalable-target", target, managed));
  const policies = await awsStep("read scaling policies", c.resourceId, () => policiesOf(aas, c));
  for (const [kind, name] of [
    ["cpu", c.cpuPolicy],
    ["memory", c.memoryPolicy],
  ] as const) {
    const p = policies.find((x) => x.PolicyName === name);
    if (p) found.set(`policy:${kind}`, describePolicy(kind, p, managed));
  }
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

async function tagsOf(aas: ApplicationAutoScalingClient, arn: string) {
  const out = await aas.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return Object.entries(out.Tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}
