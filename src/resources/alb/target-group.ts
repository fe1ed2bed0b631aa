// Handlers for the target group the ECS service registers its tasks in: they send what config.ts's albInputs says
// (HTTP on the container port, target type ip, the scripts' health check, the deregistration delay) and report
// what AWS answered. The delay is an attribute, set after creation only when it is not AWS's default of 300 s.
import {
  AddTagsCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  type TargetGroup,
  type TargetGroupAttribute,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsStep, isAwsError } from "../../core/errors.js";
import { retryWhile, waitOptions } from "../../core/wait.js";
import type { DesiredObject } from "../../state/model.js";
import { stackTags } from "../common/tags.js";
import type { ApplyRun, KindHandlers } from "../resource.js";
import type { AlbConfig } from "./config.js";
import { type TargetGroupInput, targetGroupFields } from "./inputs.js";
import { clientsOf, findTargetGroup, targetGroupAsInput, targetGroupAttributes } from "./observe.js";

/** The parameters ModifyTargetGroup takes: the health check (the rest of a target group is fixed). */
const HEALTH_CHECK = [
  "HealthCheckProtocol",
  "HealthCheckPort",
  "HealthCheckPath",
  "HealthCheckIntervalSeconds",
  "HealthCheckTimeoutSeconds",
  "HealthyThresholdCount",
  "UnhealthyThresholdCount",
  "Matcher",
] as const;

const HEALTH_FIELDS = [
  "health check",
  "health check interval",
  "health check timeout",
  "healthy threshold",
  "unhealthy threshold",
  "success codes",
];

const inputOf = (d: DesiredObject) => d.input as TargetGroupInput;

const healthCheckOf = (input: TargetGroupInput) =>
  Object.fromEntries(HEALTH_CHECK.map((k) => [k, input[k]])) as Pick<TargetGroupInput, (typeof HEALTH_CHECK)[number]>;

type Run = ApplyRun<AlbConfig>;

export const targetGroupHandlers: KindHandlers<AlbConfig> = {
  async create(run, d: DesiredObject) {
    const { c, ctx } = run;
    const { elbv2 } = await clientsOf(ctx);
    const { Attributes, ...input } = inputOf(d);
    const made = await awsStep("create target group", c.targetGroupName, async () => {
      try {
        const out = await elbv2.send(new CreateTargetGroupCommand({ ...input, Tags: stackTags(c, c.targetGroupName) }));
        return { tg: out.TargetGroups?.[0] as TargetGroup, found: false };
      } catch (err) {
        // AWS returns the group for the same settings: this one was made with others (by a run whose answer was
        // lost, or by hand since this run looked). Report it as AWS has it, and change what can be changed.
        if (!isAwsError(err, "DuplicateTargetGroupName")) throw err;
        const existing = await findTargetGroup(elbv2, c, undefined);
        if (!existing) throw err;
        return { tg: existing, found: true };
      }
    });
    const arn = made.tg.TargetGroupArn as string;
    let attributes: TargetGroupAttribute[] = made.found
      ? await awsStep("read target group attributes", c.targetGroupName, () => targetGroupAttributes(elbv2, made.tg))
      : [];
    let tg = made.tg;
    const has = () => targetGroupFields(targetGroupAsInput(tg, attributes));
    const want = targetGroupFields(inputOf(d));
    const differs = (field: string) => JSON.stringify(has()[field]) !== JSON.stringify(want[field]);
    if (HEALTH_FIELDS.some(differs)) tg = await modifyHealthCheck(run, arn, inputOf(d));
    if (differs("deregistration delay")) attributes = await setAttributes(run, arn, Attributes);
    const o = { key: d.key, kind: d.kind, name: c.targetGroupName, id: arn, managed: true, raw: tg };
    return { ...o, fields: has() };
  },
  async update(run, d, o, fields) {
    if (fields.some((f) => HEALTH_FIELDS.includes(f.field))) await modifyHealthCheck(run, o.id, inputOf(d));
    if (fields.some((f) => f.field === "deregistration delay")) await setAttributes(run, o.id, inputOf(d).Attributes);
  },
  async adopt(run, _d, o) {
    const { elbv2 } = await clientsOf(run.ctx);
    await awsStep("tag target group", o.name, () =>
      elbv2.send(new AddTagsCommand({ ResourceArns: [o.id], Tags: stackTags(run.c, o.name) })),
    );
  },
  async delete(run, o) {
    const { elbv2 } = await clientsOf(run.ctx);
    // A target group stays "in use" for a while after its listener or load balancer is deleted: retry.
    await awsStep("delete target group", o.name, () =>
      retryWhile(
        run.ctx,
        run.ev,
        {
          ...waitOptions(run.ctx, `target group ${o.name} to be released by its listeners`),
          transient: ["ResourceInUse"],
        },
        async () => {
          try {
            await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: o.id }));
          } catch (err) {
            if (!isAwsError(err, "TargetGroupNotFound")) throw err;
          }
        },
      ),
    );
  },
};

async function modifyHealthCheck(run: Run, arn: string, input: TargetGroupInput): Promise<TargetGroup> {
  const { elbv2 } = await clientsOf(run.ctx);
  const out = await awsStep("modify target group", run.c.targetGroupName, () =>
    elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, ...healthCheckOf(input) })),
  );
  return out.TargetGroups?.[0] as TargetGroup;
}

async function setAttributes(run: Run, arn: string, Attributes: TargetGroupAttribute[]) {
  const { elbv2 } = await clientsOf(run.ctx);
  const out = await awsStep("set deregistration delay", run.c.targetGroupName, () =>
    elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes })),
  );
  return out.Attributes ?? Attributes;
}
