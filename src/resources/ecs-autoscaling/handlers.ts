// Handlers for the scalable target and its two target tracking policies. RegisterScalableTarget and
// PutScalingPolicy are create-or-update calls. AWS deletes a target's policies when it is deregistered, and a
// policy's TargetTracking-... alarms with the policy; not every endpoint does (docs/endpoints/moto.md), so destroy
// deletes each policy itself, then any of its alarms still there, as the earlier scripts did.
import {
  type ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type RegisterScalableTargetCommandInput,
  type ScalingPolicy,
  TagResourceCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { type CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { awsStep, isAwsError } from "../../core/errors.js";
import { optional } from "../../core/unsupported.js";
import { retryWhile, waitOptions } from "../../core/wait.js";
import type { DesiredObject, ObservedObject } from "../../state/model.js";
import { stackTags } from "../common/tags.js";
import type { ApplyRun, KindHandlers } from "../resource.js";
import { type AutoScalingConfig, DIMENSION, NAMESPACE } from "./config.js";
import { NOT_SUSPENDED, type ScalableTargetInput, type ScalingPolicyInput } from "./inputs.js";

const MINUTE = 60_000;
type Run = ApplyRun<AutoScalingConfig>;

const tagMap = (c: AutoScalingConfig) =>
  Object.fromEntries(stackTags(c, c.resourceId).map((t) => [t.Key, t.Value] as const));

const gone = (err: unknown) => {
  if (!isAwsError(err, "ObjectNotFoundException")) throw err;
};

/** Sends config.ts's target input: at creation with the stack's tags, and its suspended state only to resume. */
async function register(run: Run, d: DesiredObject, extra: Partial<RegisterScalableTargetCommandInput>) {
  const { SuspendedState, ...input } = d.input as ScalableTargetInput;
  const { c, ctx } = run;
  const aas = await ctx.aws.autoscaling();
  // Right after the service (or the service-linked role) is made, Application Auto Scaling may not see it yet.
  const retry = {
    ...waitOptions(ctx, `auto scaling to see ${c.serviceName}`),
    timeoutMs: 2 * MINUTE,
    transient: [{ code: "ValidationException", message: /Unable to assume IAM role|ECS service doesn't exist/i }],
  };
  return awsStep("register scalable target", c.resourceId, () =>
    retryWhile(ctx, run.ev, retry, () =>
      aas.send(
        new RegisterScalableTargetCommand({
          ...input,
          ...(extra.SuspendedState ? { SuspendedState } : {}),
          ...(extra.Tags ? { Tags: extra.Tags } : {}),
        }),
      ),
    ),
  );
}

export const scalableTargetHandlers: KindHandlers<AutoScalingConfig> = {
  async create(run, d): Promise<ObservedObject> {
    // Tags count only when the target is new; a target that already existed is adopted (TagResource) instead.
    const out = await register(run, d, { Tags: tagMap(run.c) });
    return {
      key: d.key,
      kind: d.kind,
      name: d.name,
      id: out.ScalableTargetARN ?? d.name,
      fields: { ...d.fields },
      managed: true,
    };
  },
  async update(run, d, _o, fields) {
    const resume = fields.some((f) => f.field === "scaling suspended");
    await register(run, d, resume ? { SuspendedState: NOT_SUSPENDED } : {});
  },
  async adopt(run, _d, o) {
    const aas = await run.ctx.aws.autoscaling();
    await awsStep("tag scalable target", o.name, () =>
      optional(run.ctx, TAGGING, () => aas.send(new TagResourceCommand({ ResourceARN: o.id, Tags: tagMap(run.c) }))),
    );
  },
  async delete(run, o) {
    const aas = await run.ctx.aws.autoscaling();
    await awsStep("deregister scalable target", o.name, () =>
      aas
        .send(
          new DeregisterScalableTargetCommand({
            ServiceNamespace: NAMESPACE,
            ResourceId: o.name,
            ScalableDimension: DIMENSION,
          }),
        )
        .then(() => undefined, gone),
    );
  },
};

const TAGGING = {
  resource: "ecs-autoscaling",
  operation: "application-autoscaling TagResource",
  without: "the adopted scalable target is recorded as this stack's in the env file instead (its policies' names)",
};

/** Sends config.ts's policy input (PutScalingPolicy creates or overwrites). */
async function putPolicy(run: Run, d: DesiredObject, aas: ApplicationAutoScalingClient) {
  const retry = {
    ...waitOptions(run.ctx, `policy ${d.name}`),
    timeoutMs: 2 * MINUTE,
    transient: ["ConcurrentUpdateException", "FailedResourceAccessException"],
  };
  return awsStep("put scaling policy", d.name, () =>
    retryWhile(run.ctx, run.ev, retry, () => aas.send(new PutScalingPolicyCommand(d.input as ScalingPolicyInput))),
  );
}

export const scalingPolicyHandlers: KindHandlers<AutoScalingConfig> = {
  async create(run, d) {
    const aas = await run.ctx.aws.autoscaling();
    const out = await putPolicy(run, d, aas);
    return {
      key: d.key,
      kind: d.kind,
      name: d.name,
      id: out.PolicyARN ?? d.name,
      fields: { ...d.fields },
      managed: true,
    };
  },
  async update(run, d) {
    await putPolicy(run, d, await run.ctx.aws.autoscaling());
  },
  // A policy cannot carry tags: it is ours once its scalable target is.
  async adopt() {},
  async delete(run, o) {
    const aas = await run.ctx.aws.autoscaling();
    await awsStep("delete scaling policy", o.name, () =>
      aas
        .send(
          new DeleteScalingPolicyCommand({
            PolicyName: o.name,
            ServiceNamespace: NAMESPACE,
            ResourceId: run.c.resourceId,
            ScalableDimension: DIMENSION,
          }),
        )
        .then(() => undefined, gone),
    );
    await deleteLeftAlarms(run, o);
  },
};

/** A TargetTracking alarm whose policy is gone (observe.ts): never wanted, only deleted. */
export const outlivedAlarmHandlers: KindHandlers<AutoScalingConfig> = {
  create() {
    throw new Error("a target tracking alarm is made by its policy, never by infra");
  },
  async adopt() {},
  async delete(run, o) {
    const cw = await run.ctx.aws.cloudwatch();
    await awsStep("delete target tracking alarm", o.name, () => deleteAlarms(cw, [o.name]));
  },
};

/** The policy's TargetTracking alarms that outlived it (AWS deletes them with the policy; others may not). */
async function deleteLeftAlarms(run: Run, o: ObservedObject) {
  const names = ((o.raw as ScalingPolicy | undefined)?.Alarms ?? []).map((a) => a.AlarmName as string);
  if (names.length === 0) return;
  const cw = await run.ctx.aws.cloudwatch();
  const left = await awsStep("read the policy's alarms", o.name, () =>
    cw.send(new DescribeAlarmsCommand({ AlarmNames: names, MaxRecords: 100 })),
  );
  const still = (left.MetricAlarms ?? []).map((a) => a.AlarmName as string);
  if (still.length === 0) return;
  await awsStep("delete the policy's alarms", o.name, () => deleteAlarms(cw, still));
}

function deleteAlarms(cw: CloudWatchClient, AlarmNames: string[]) {
  return cw.send(new DeleteAlarmsCommand({ AlarmNames })).then(
    () => undefined,
    // Gone meanwhile (AWS deleting them after all): what was wanted.
    (err: unknown) => {
      if (!isAwsError(err, "ResourceNotFound")) throw err;
    },
  );
}
