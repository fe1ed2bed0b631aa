// Handlers for the target group the ECS service registers its tasks in: HTTP on the container port, target type
// ip, the scripts' health check, and the deregistration delay (AWS's default of 300 s unless set).
import {
  AddTagsCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsStep, isAwsError } from "../../core/errors.js";
import { retryWhile, waitOptions } from "../../core/wait.js";
import type { DesiredObject } from "../../state/model.js";
import { stackTags } from "../common/tags.js";
import type { KindHandlers } from "../resource.js";
import type { AlbConfig } from "./config.js";
import { clientsOf, findTargetGroup } from "./observe.js";

/** AWS's deregistration delay when none is set (ELBv2 target group attributes). */
const AWS_DEFAULT_DELAY = 300;

function healthCheck(c: AlbConfig) {
  return {
    HealthCheckProtocol: "HTTP" as const,
    HealthCheckPort: "traffic-port",
    HealthCheckPath: c.healthCheckPath,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 3,
    Matcher: { HttpCode: "200" },
  };
}

const HEALTH_FIELDS = [
  "health check",
  "health check interval",
  "health check timeout",
  "healthy threshold",
  "unhealthy threshold",
  "success codes",
];

export const targetGroupHandlers: KindHandlers<AlbConfig> = {
  async create(run, d: DesiredObject) {
    const { c, ctx } = run;
    const { elbv2 } = await clientsOf(ctx);
    const tg = await awsStep("create target group", c.targetGroupName, async () => {
      try {
        const out = await elbv2.send(
          new CreateTargetGroupCommand({
            Name: c.targetGroupName,
            Protocol: "HTTP",
            Port: c.containerPort,
            VpcId: c.vpcId,
            TargetType: "ip",
            ...healthCheck(c),
            Tags: stackTags(c, c.targetGroupName),
          }),
        );
        return out.TargetGroups?.[0] as TargetGroup;
      } catch (err) {
        // Made by a run whose answer was lost, with other settings (or it would have been returned).
        if (!isAwsError(err, "DuplicateTargetGroupName")) throw err;
        const existing = await findTargetGroup(elbv2, c, undefined);
        if (!existing) throw err;
        return existing;
      }
    });
    const arn = tg.TargetGroupArn as string;
    if (c.deregistrationDelay !== AWS_DEFAULT_DELAY) await setDelay(run.ctx, c, arn);
    return {
      key: d.key,
      kind: d.kind,
      name: c.targetGroupName,
      id: arn,
      fields: { ...d.fields },
      managed: true,
      raw: tg,
    };
  },
  async update(run, _d, o, fields) {
    const { c, ctx } = run;
    const { elbv2 } = await clientsOf(ctx);
    if (fields.some((f) => HEALTH_FIELDS.includes(f.field))) {
      await awsStep("modify target group", c.targetGroupName, () =>
        elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn: o.id, ...healthCheck(c) })),
      );
    }
    if (fields.some((f) => f.field === "deregistration delay")) await setDelay(ctx, c, o.id);
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

async function setDelay(ctx: Parameters<typeof clientsOf>[0], c: AlbConfig, arn: string) {
  const { elbv2 } = await clientsOf(ctx);
  await awsStep("set deregistration delay", c.targetGroupName, () =>
    elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: String(c.deregistrationDelay) }],
      }),
    ),
  );
}
