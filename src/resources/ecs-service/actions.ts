// `ecs-service` create, verify and destroy.
import { randomUUID } from "node:crypto";
import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DeleteServiceCommand,
  type Service,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
} from "@aws-sdk/client-ecs";
import { DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Context } from "../../core/context.js";
import { awsStep, InfraError, isAwsError } from "../../core/errors.js";
import { done, pending, retryWhile, waitOptions, waitUntil } from "../../core/wait.js";
import { type Check, checklist } from "../resource.js";
import { isManaged, stackTags } from "../shared/tags.js";
import type { ServiceConfig } from "./config.js";
import { describeService, followDeployment, reportTargetHealth } from "./deployment.js";
import { GOOD_REVISIONS, goodRevisions, withGoodRevision } from "./known-good.js";

const RESOURCE = "ecs-service";
const MINUTE = 60_000;

function desired(c: ServiceConfig) {
  return {
    taskDefinition: c.taskDefinitionArn,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: c.privateSubnetIds,
        securityGroups: [c.securityGroupId],
        assignPublicIp: "DISABLED" as const,
      },
    },
    loadBalancers: [
      { targetGroupArn: c.targetGroupArn, containerName: c.containerName, containerPort: c.containerPort },
    ],
    healthCheckGracePeriodSeconds: c.gracePeriodSeconds,
    deploymentConfiguration: {
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    enableExecuteCommand: true,
  };
}

/** What UpdateService must change on a live service: only what differs, and never a count auto scaling owns. */
export function serviceDrift(svc: Service, c: ServiceConfig): Partial<UpdateServiceCommandInput> {
  const want = desired(c);
  const net = svc.networkConfiguration?.awsvpcConfiguration;
  const wantNet = want.networkConfiguration.awsvpcConfiguration;
  const sorted = (xs?: string[]) => [...(xs ?? [])].sort().join();
  const lb = svc.loadBalancers?.[0];
  const cb = svc.deploymentConfiguration?.deploymentCircuitBreaker;
  const dc = svc.deploymentConfiguration;
  return {
    ...(svc.taskDefinition !== want.taskDefinition ? { taskDefinition: want.taskDefinition } : {}),
    ...(sorted(net?.subnets) !== sorted(wantNet.subnets) ||
    sorted(net?.securityGroups) !== sorted(wantNet.securityGroups) ||
    net?.assignPublicIp !== "DISABLED"
      ? { networkConfiguration: want.networkConfiguration }
      : {}),
    ...(svc.loadBalancers?.length !== 1 ||
    lb?.targetGroupArn !== c.targetGroupArn ||
    lb?.containerName !== c.containerName ||
    lb?.containerPort !== c.containerPort
      ? { loadBalancers: want.loadBalancers }
      : {}),
    ...(svc.healthCheckGracePeriodSeconds !== c.gracePeriodSeconds
      ? { healthCheckGracePeriodSeconds: c.gracePeriodSeconds }
      : {}),
    ...(!cb?.enable || !cb.rollback || dc?.minimumHealthyPercent !== 100 || dc.maximumPercent !== 200
      ? { deploymentConfiguration: want.deploymentConfiguration }
      : {}),
    ...(!svc.enableExecuteCommand ? { enableExecuteCommand: true } : {}),
    ...(!c.scaledByAutoScaling && svc.desiredCount !== c.desiredCount ? { desiredCount: c.desiredCount } : {}),
  };
}

export async function create(ctx: Context, c: ServiceConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  const [ecs, elbv2] = await Promise.all([ctx.aws.ecs(), ctx.aws.elbv2()]);
  await requireListener(ctx, c);
  let svc = await awsStep("read service", c.serviceName, () => describeService(ecs, c.cluster, c.serviceName));
  if (svc?.status === "DRAINING") svc = await waitGone(ctx, c, "the old service to finish draining");
  let deploymentId: string | undefined;
  if (!svc || svc.status === "INACTIVE") {
    svc = await createService(ctx, c);
    deploymentId = svc.deployments?.[0]?.id;
    ev.created(`service ${c.serviceName} (${c.desiredCount} tasks of ${c.taskDefinitionArn.split("/").at(-1)})`);
  } else {
    const drift = serviceDrift(svc, c);
    const primary = svc.deployments?.find((d) => d.status === "PRIMARY");
    if (Object.keys(drift).length === 0) {
      ev.exists(`service ${c.serviceName}`);
      // A deployment a cut-short run started is still ours to follow.
      if (primary?.rolloutState === "IN_PROGRESS") deploymentId = primary.id;
    } else {
      const out = await awsStep("update service", c.serviceName, () =>
        ecs.send(new UpdateServiceCommand({ cluster: c.cluster, service: c.serviceName, ...drift })),
      );
      const started = out.service?.deployments?.find((d) => d.status === "PRIMARY");
      deploymentId = started?.rolloutState === "IN_PROGRESS" ? started.id : undefined;
      svc = out.service ?? svc;
      ev.updated(`service ${c.serviceName}: ${Object.keys(drift).join(", ")}`);
    }
  }
  const recorded = { ECS_SERVICE_NAME: c.serviceName, ECS_SERVICE_ARN: svc.serviceArn ?? "" };
  await ctx.env.record(recorded);
  if (!ctx.options.wait) return;
  if (deploymentId) {
    const { cluster, serviceName, taskDefinitionArn } = c;
    await followDeployment({ ctx, ev, cluster, serviceName, deploymentId, taskDefinitionArn });
    ev.updated(`deployment ${deploymentId} completed`);
    const good = withGoodRevision(goodRevisions(ctx.env), c.taskDefinitionArn);
    await ctx.env.record({ [GOOD_REVISIONS]: good });
  }
  await reportTargetHealth(ev, elbv2, c.targetGroupArn);
}

async function createService(ctx: Context, c: ServiceConfig): Promise<Service> {
  const ecs = await ctx.aws.ecs();
  const input: CreateServiceCommandInput = {
    cluster: c.cluster,
    serviceName: c.serviceName,
    ...desired(c),
    desiredCount: c.desiredCount,
    launchType: "FARGATE",
    platformVersion: "LATEST",
    deploymentController: { type: "ECS" },
    propagateTags: "SERVICE",
    tags: stackTags(c, c.serviceName).map(({ Key, Value }) => ({ key: Key, value: Value })),
    // <= 36 ASCII characters; the SDK's retries of this call reuse it. Lookups make re-runs idempotent.
    clientToken: randomUUID(),
  };
  // Just after a listener or the service-linked role is made, ECS may not see them yet.
  const retry = {
    ...waitOptions(ctx, `ECS to accept service ${c.serviceName}`),
    timeoutMs: 2 * MINUTE,
    transient: [
      "ClusterNotFoundException",
      {
        code: "InvalidParameterException",
        message: /does not have an associated load balancer|Unable to assume the service linked role/i,
      },
    ],
  };
  return awsStep("create service", c.serviceName, () =>
    retryWhile(
      ctx,
      ctx.events.for(RESOURCE),
      retry,
      async () => (await ecs.send(new CreateServiceCommand(input))).service as Service,
    ),
  );
}

/** ECS refuses a service whose target group no listener forwards to: say which step makes that listener. */
async function requireListener(ctx: Context, c: ServiceConfig) {
  const elbv2 = await ctx.aws.elbv2();
  const tg = await awsStep("read target group", c.targetGroupArn, async () => {
    try {
      return (await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [c.targetGroupArn] })))
        .TargetGroups?.[0];
    } catch (err) {
      if (isAwsError(err, "TargetGroupNotFound")) return undefined;
      throw err;
    }
  });
  if (!tg) throw new InfraError(`target group ${c.targetGroupArn} does not exist`, 2, "run `infra create alb` first");
  if (!tg.LoadBalancerArns?.length) {
    throw new InfraError(
      `target group ${tg.TargetGroupName} is not attached to a listener yet`,
      2,
      "run `infra create acm-certificate`: the HTTPS listener it adds forwards to the target group",
    );
  }
}

/** Polls until the service is INACTIVE or MISSING (ServicesInactive fails on MISSING: not used). */
async function waitGone(ctx: Context, c: ServiceConfig, what: string): Promise<Service | undefined> {
  const ecs = await ctx.aws.ecs();
  return awsStep("wait for service", c.serviceName, () =>
    waitUntil(ctx, ctx.events.for(RESOURCE), { ...waitOptions(ctx, what), maxDelayMs: 15_000 }, async () => {
      const svc = await describeService(ecs, c.cluster, c.serviceName);
      return !svc || svc.status === "INACTIVE" ? done(svc) : pending(svc.status ?? "?");
    }),
  );
}

export async function destroy(ctx: Context, c: ServiceConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  const ecs = await ctx.aws.ecs();
  const svc = await awsStep("read service", c.serviceName, () => describeService(ecs, c.cluster, c.serviceName));
  if (svc?.status === "ACTIVE") {
    if (
      ctx.env.get("ECS_SERVICE_ARN") !== svc.serviceArn &&
      !isManaged(svc.tags?.map((t) => ({ Key: t.key, Value: t.value })))
    ) {
      ev.skipped(`service ${c.serviceName}: left in place, not made by infra`);
      return;
    }
    if ((svc.desiredCount ?? 0) > 0) {
      await awsStep("scale service to 0", c.serviceName, () =>
        ecs.send(new UpdateServiceCommand({ cluster: c.cluster, service: c.serviceName, desiredCount: 0 })),
      );
    }
    await awsStep("delete service", c.serviceName, async () => {
      try {
        await ecs.send(new DeleteServiceCommand({ cluster: c.cluster, service: c.serviceName, force: true }));
      } catch (err) {
        if (!isAwsError(err, "ServiceNotFoundException", "ServiceNotActiveException")) throw err;
      }
    });
    ev.deleted(`service ${c.serviceName}`);
  }
  if (svc && svc.status !== "INACTIVE" && ctx.options.wait) await waitGone(ctx, c, `service ${c.serviceName} INACTIVE`);
  await ctx.env.record({ ECS_SERVICE_NAME: "", ECS_SERVICE_ARN: "" });
}

export async function verify(ctx: Context, c: ServiceConfig): Promise<Check[]> {
  const { checks, check } = checklist(RESOURCE);
  const [ecs, elbv2] = await Promise.all([ctx.aws.ecs(), ctx.aws.elbv2()]);
  const svc = await awsStep("read service", c.serviceName, () => describeService(ecs, c.cluster, c.serviceName));
  check(`service ${c.serviceName} is ACTIVE`, svc?.status === "ACTIVE", svc?.status ?? "MISSING");
  if (svc?.status !== "ACTIVE") return checks;
  const recorded = ctx.env.get("ECS_SERVICE_TASK_DEFINITION_ARN");
  check(
    "runs the recorded task definition revision",
    svc.taskDefinition === recorded,
    svc.taskDefinition?.split("/").at(-1),
  );
  check("running == desired", svc.runningCount === svc.desiredCount, `${svc.runningCount}/${svc.desiredCount}`);
  const cb = svc.deploymentConfiguration?.deploymentCircuitBreaker;
  check("circuit breaker with rollback", Boolean(cb?.enable && cb.rollback));
  const net = svc.networkConfiguration?.awsvpcConfiguration;
  check("no public IP", net?.assignPublicIp === "DISABLED", net?.assignPublicIp);
  if (c.privateSubnetIds.length) {
    check(
      "tasks in the private subnets",
      [...(net?.subnets ?? [])].sort().join() === [...c.privateSubnetIds].sort().join(),
      net?.subnets?.join(", "),
    );
  }
  const tgArn = svc.loadBalancers?.[0]?.targetGroupArn;
  if (tgArn) {
    const targets = await reportTargetHealth(ctx.events.for(RESOURCE), elbv2, tgArn);
    const healthy = targets.filter((t) => t.TargetHealth?.State === "healthy").length;
    check("targets healthy", healthy > 0 && healthy === targets.length, `${healthy}/${targets.length} healthy`);
  } else check("behind the target group", false, "no load balancer on the service");
  return checks;
}
