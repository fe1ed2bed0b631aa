// The target group the ECS service registers its tasks in: HTTP on the container port, target type ip,
// the seed's health check and a 60 s deregistration delay.
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsStep, isAwsError } from "../../core/errors.js";
import { retryWhile } from "../../core/wait.js";
import { stackTags } from "../tags.js";
import { DEREGISTRATION_DELAY_SECONDS, HEALTH_CHECK } from "./config.js";
import { driftError, tagIfMissing } from "./elb-common.js";
import type { AlbRun } from "./run.js";

const DELAY_KEY = "deregistration_delay.timeout_seconds";

export function wantedHealthCheck(run: AlbRun) {
  return {
    HealthCheckProtocol: "HTTP" as const,
    HealthCheckPort: "traffic-port",
    HealthCheckPath: run.c.healthCheckPath,
    HealthCheckIntervalSeconds: HEALTH_CHECK.intervalSeconds,
    HealthCheckTimeoutSeconds: HEALTH_CHECK.timeoutSeconds,
    HealthyThresholdCount: HEALTH_CHECK.healthyThreshold,
    UnhealthyThresholdCount: HEALTH_CHECK.unhealthyThreshold,
    Matcher: { HttpCode: HEALTH_CHECK.matcher },
  };
}

/** The health check settings that differ from what we want, as "name: has -> want". */
export function healthCheckDrift(run: AlbRun, tg: TargetGroup): string[] {
  const want = wantedHealthCheck(run);
  const has: Record<string, unknown> = { ...tg, Matcher: tg.Matcher?.HttpCode };
  return Object.entries({ ...want, Matcher: want.Matcher.HttpCode })
    .filter(([key, value]) => has[key] !== value)
    .map(([key, value]) => `${key}: ${String(has[key])} -> ${String(value)}`);
}

export async function findTargetGroup(run: AlbRun): Promise<TargetGroup | undefined> {
  const recorded = run.ctx.env.get("TARGET_GROUP_ARN");
  const lookups = [...(recorded ? [{ TargetGroupArns: [recorded] }] : []), { Names: [run.c.targetGroupName] }];
  for (const input of lookups) {
    try {
      const out = await run.elbv2.send(new DescribeTargetGroupsCommand(input));
      if (out.TargetGroups?.[0]) return out.TargetGroups[0];
    } catch (err) {
      if (!isAwsError(err, "TargetGroupNotFound", "ValidationError")) throw err;
    }
  }
  return undefined;
}

export async function ensureTargetGroup(run: AlbRun): Promise<string> {
  const { c, ev } = run;
  const name = c.targetGroupName;
  const label = `target group ${name}`;
  let tg = await awsStep("find target group", name, () => findTargetGroup(run));
  if (!tg) {
    tg = await awsStep("create target group", name, async () => {
      try {
        const out = await run.elbv2.send(
          new CreateTargetGroupCommand({
            Name: name,
            Protocol: "HTTP",
            Port: c.containerPort,
            VpcId: c.vpcId,
            TargetType: "ip",
            ...wantedHealthCheck(run),
            Tags: stackTags(c, name),
          }),
        );
        return out.TargetGroups?.[0] as TargetGroup;
      } catch (err) {
        // Made by a concurrent run since we looked (with other settings, or it would have been returned).
        if (!isAwsError(err, "DuplicateTargetGroupName")) throw err;
        const existing = await findTargetGroup(run);
        if (!existing) throw err;
        return existing;
      }
    });
    ev.created(`${label} (HTTP ${c.containerPort}, health check ${c.healthCheckPath})`);
  } else {
    ev.exists(label);
    await tagIfMissing(run, tg.TargetGroupArn as string, label, stackTags(c, name));
  }
  const arn = tg.TargetGroupArn as string;
  await run.ctx.env.record({ TARGET_GROUP_ARN: arn });

  // Port, protocol, VPC and target type cannot change in place.
  const fixed = { Port: c.containerPort, Protocol: "HTTP", VpcId: c.vpcId, TargetType: "ip" } as const;
  for (const [key, want] of Object.entries(fixed)) {
    const has = (tg as Record<string, unknown>)[key];
    if (has !== want) {
      throw driftError(
        label,
        `${key} ${String(has)} (want ${want})`,
        "delete it, or set TARGET_GROUP_NAME to another name",
      );
    }
  }
  const drift = healthCheckDrift(run, tg);
  if (drift.length > 0) {
    await awsStep("modify target group", name, () =>
      run.elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, ...wantedHealthCheck(run) })),
    );
    ev.updated(`${label} health check: ${drift.join(", ")}`);
  }
  const delay = await awsStep("read target group attributes", name, () => deregistrationDelay(run, arn));
  if (delay !== DEREGISTRATION_DELAY_SECONDS) {
    await awsStep("set deregistration delay", name, () =>
      run.elbv2.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: arn,
          Attributes: [{ Key: DELAY_KEY, Value: DEREGISTRATION_DELAY_SECONDS }],
        }),
      ),
    );
    ev.updated(`${label} deregistration delay ${delay} s -> ${DEREGISTRATION_DELAY_SECONDS} s`);
  }
  return arn;
}

export async function deregistrationDelay(run: AlbRun, arn: string): Promise<string | undefined> {
  const out = await run.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
  return out.Attributes?.find((a) => a.Key === DELAY_KEY)?.Value;
}

/** A target group stays "in use" for a while after its listener or load balancer is deleted: retry. */
export async function deleteTargetGroup(run: AlbRun, arn: string): Promise<void> {
  const name = run.c.targetGroupName;
  await awsStep("delete target group", name, () =>
    retryWhile(
      run.ctx,
      run.ev,
      { ...run.waitFor(`target group ${name} to be released by its listeners`), transient: ["ResourceInUse"] },
      async () => {
        try {
          await run.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
        } catch (err) {
          if (!isAwsError(err, "TargetGroupNotFound")) throw err;
        }
      },
    ),
  );
  run.ev.deleted(`target group ${name}`);
}
