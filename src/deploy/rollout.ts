// The steps every way of moving the service shares: point it at a revision (or start a new deployment of the one it
// runs), follow that deployment, and once it runs and answers, mark and record the revision.
import type { Service, TaskDefinition } from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { WaitTimeoutError } from "../core/errors.js";
import { describeService, type Revision } from "../resources/common/ecs.js";
import { failedDeployment } from "../resources/common/failed-deployment.js";
import { markKnownGood } from "../resources/common/known-good.js";
import { DeploymentFailed, followDeployment, standing } from "../resources/ecs-service/deployment.js";
import { pointService } from "../resources/ecs-service/point.js";
import { recordRevision } from "../resources/ecs-service-task-definition/revisions.js";
import type { DeployConfig } from "./config.js";
import { probe } from "./probe.js";
import { mainContainer, shortName } from "./revision.js";

/** Points the service at a revision (the service's owner makes the call), and returns the deployment's id. */
export const updateService = (ctx: Context, c: DeployConfig, arn: string, step: string, force = false) =>
  pointService(ctx, c, arn, step, force);

export const follow = (ctx: Context, c: DeployConfig, deploymentId: string, taskDefinitionArn: string) =>
  followDeployment({
    ctx,
    ev: ctx.events.for("deploy"),
    cluster: c.cluster,
    serviceName: c.serviceName,
    deploymentId,
    taskDefinitionArn,
  });

/**
 * --no-wait: the deployment has started and is left to run. The env file says what the service names now (as
 * after any move); the known-good mark waits for a run that follows it to the end and probes it, which `again` is.
 */
export async function leftRunning(
  ctx: Context,
  c: DeployConfig,
  deploymentId: string,
  td: TaskDefinition,
  again: string,
) {
  await record(ctx, td);
  ctx.events
    .for("deploy")
    .skipped(
      `deployment ${deploymentId} of ${c.serviceName} started, not followed (--no-wait): \`infra status\` shows how it goes; \`infra ${again}\` without --no-wait follows it to the end and probes it`,
    );
}

/**
 * The service already runs the revision asked for: follow the deployment that moved it there if it is still going,
 * probe, and mark and record it, as the run that started it would have. A deployment that FAILED is not followed:
 * ECS does nothing more for it, so a new deployment of the revision starts.
 */
export async function settle(ctx: Context, c: DeployConfig, svc: Service, current: Revision, again: string) {
  const ev = ctx.events.for("deploy");
  const arn = current.taskDefinitionArn as string;
  const primary = svc.deployments?.find((d) => d.status === "PRIMARY");
  const failed = failedDeployment(svc);
  if (!ctx.options.wait && !failed) {
    ev.exists(`${c.serviceName} runs ${mainContainer(current)?.image} (${shortName(arn)})`);
    if (primary?.id && primary.rolloutState === "IN_PROGRESS") return leftRunning(ctx, c, primary.id, current, again);
    ev.skipped(`not probed (--no-wait): \`infra ${again}\` without --no-wait probes it`);
    return;
  }
  try {
    if (failed) {
      const id = await updateService(ctx, c, arn, "start a new deployment", true);
      ev.updated(`service ${c.serviceName}: new deployment ${id} of ${shortName(arn)}: deployment ${failed.id} FAILED`);
      if (!ctx.options.wait) return leftRunning(ctx, c, id, current, again);
      await follow(ctx, c, id, arn);
    } else {
      ev.exists(`${c.serviceName} runs ${mainContainer(current)?.image} (${shortName(arn)})`);
      if (primary?.id && primary.rolloutState === "IN_PROGRESS") await follow(ctx, c, primary.id, arn);
    }
    await probe(ctx, c.probeUrl);
  } catch (err) {
    if (err instanceof DeploymentFailed)
      throw new DeploymentFailed(err.message, "`infra rollback` returns to the last known-good revision");
    if (!(err instanceof WaitTimeoutError)) throw err;
    // Out of time: the service names the revision all the same, and the env file says so.
    await record(ctx, current);
    const now = await describeService(await ctx.aws.ecs(), c.cluster, c.serviceName);
    throw new DeploymentFailed(
      `${err.message} (--timeout)${now ? `: ${standing(now)}` : ""}`,
      `\`infra ${again}\` follows it on; \`infra rollback\` returns to the last known-good revision`,
    );
  }
  await passed(ctx, current);
}

/** The revision runs and answered: known good from now on, and what the env file says runs. */
export async function passed(ctx: Context, td: Revision) {
  await markKnownGood(ctx, td);
  await record(ctx, td);
}

/** The env file says which revision runs (for `create`, and for people), through the resource that owns the keys. */
export const record = (ctx: Context, td: TaskDefinition) => recordRevision(ctx, td);
