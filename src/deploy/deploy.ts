// `infra deploy` and `infra rollback`: move the service to a revision, follow the deployment that started, probe
// the service through its domain, and put it back on the revision it replaced when any of that fails (unless that
// one ran nothing: its deployment FAILED). Success is only ever reported for the revision asked for: a deployment
// the circuit breaker rolled back is a failure. A revision that passed is tagged known good in AWS (known-good.ts);
// the env file records what runs. The image the service names already gets a new deployment only when its tag
// names another digest now, or its deployment FAILED (redeploy.ts).
import type { Service, TaskDefinition } from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { InputError, WaitTimeoutError } from "../core/errors.js";
import { failedDeployment } from "../resources/common/failed-deployment.js";
import { lastKnownGoodBefore } from "../resources/common/known-good.js";
import { DeploymentFailed, standing } from "../resources/ecs-service/deployment.js";
import { liveService, requireImage, requireSettled, requireTaskSecrets, taskDefinition } from "./checks.js";
import type { DeployConfig } from "./config.js";
import type { ImageRef } from "./image.js";
import { runMigration } from "./migrate.js";
import { probe } from "./probe.js";
import { redeployIfMoved } from "./redeploy.js";
import { mainContainer, registerWithImage, shortName } from "./revision.js";
import { follow, leftRunning, passed, record, settle, updateService } from "./rollout.js";

export interface DeployOptions {
  image: ImageRef;
  migrate: boolean;
  /** --no-rollback: leave the service where the failed deployment left it. */
  rollback: boolean;
  /** --force-new-deployment: for the image the service names already, a new deployment even when not needed. */
  forceNewDeployment: boolean;
}

export async function deploy(ctx: Context, c: DeployConfig, o: DeployOptions): Promise<void> {
  const ev = ctx.events.for("deploy");
  const svc = await liveService(ctx, c);
  const current = await taskDefinition(ctx, svc.taskDefinition as string);
  // The service names the image already: an earlier run moved it (and may have lost the answer), or its tag was
  // pushed again since.
  if (mainContainer(current)?.image === o.image.uri) return redeployIfMoved(ctx, c, svc, current, o);
  const again = `deploy --image ${o.image.uri}`;
  requireSettled(svc, c);
  await requireImage(ctx, o.image);
  await requireTaskSecrets(ctx, current);
  if (o.migrate) await runMigration(ctx, c, o.image.uri);
  const next = await registerWithImage(ctx, current, o.image.uri);
  ev.created(`task definition ${shortName(next.taskDefinitionArn)} (${o.image.uri})`);
  if (await moveTo(ctx, c, svc, next, current, { rollback: o.rollback, again })) await passed(ctx, next);
}

export async function rollback(ctx: Context, c: DeployConfig, to: string | undefined): Promise<void> {
  const svc = await liveService(ctx, c);
  const current = await taskDefinition(ctx, svc.taskDefinition as string);
  const target = to ? await taskDefinition(ctx, revisionRef(to, current)) : await lastKnownGoodBefore(ctx, current);
  if (target.status !== "ACTIVE")
    throw new InputError(`${shortName(target.taskDefinitionArn)} is ${target.status}: ECS starts nothing from it`);
  // Once the service runs it, `rollback --to` that revision follows the deployment to its end and probes it.
  const again = `rollback --to ${target.revision}`;
  if (target.taskDefinitionArn === current.taskDefinitionArn) return settle(ctx, c, svc, current, again);
  if (await moveTo(ctx, c, svc, target, current, { rollback: true, again })) await passed(ctx, target);
}

/**
 * `--to 7`, `--to family:7` or an ARN, of the family the service runs: a revision of another family (the migration
 * task's) is another program, not an earlier version of this one.
 */
function revisionRef(to: string, current: TaskDefinition): string {
  if (/^\d+$/.test(to)) return `${current.family}:${to}`;
  const family = /^(?:arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?([\w-]+):\d+$/.exec(to)?.[1];
  if (!family) throw new InputError(`--to ${to} is not a revision (7, family:7 or a task definition ARN)`);
  if (family !== current.family)
    throw new InputError(
      `--to ${to} is a revision of ${family}, and the service runs ${current.family}: rollback moves it between revisions of that family only`,
      `name a revision of ${current.family}, or just its number`,
    );
  return to;
}

async function moveTo(
  ctx: Context,
  c: DeployConfig,
  svc: Service,
  next: TaskDefinition,
  previous: TaskDefinition,
  o: { rollback: boolean; again: string },
): Promise<boolean> {
  const ev = ctx.events.for("deploy");
  const nextArn = next.taskDefinitionArn as string;
  const deploymentId = await updateService(ctx, c, nextArn, "update service");
  ev.updated(
    `service ${c.serviceName} -> ${shortName(nextArn)} (deployment ${deploymentId}, was ${shortName(svc.taskDefinition)})`,
  );
  // The service names the new revision from now on, whatever follows: a run stopped while it follows (a cancelled
  // CI job, Ctrl-C, a refused read) writes back a record that says so, as a failure's way back records the old one.
  await record(ctx, next);
  if (!ctx.options.wait) {
    await leftRunning(ctx, c, deploymentId, next, o.again);
    return false;
  }
  try {
    await follow(ctx, c, deploymentId, nextArn);
    await probe(ctx, c.probeUrl);
  } catch (err) {
    const failure = await asFailure(ctx, c, err);
    if (!o.rollback) {
      const now = await liveService(ctx, c);
      await record(ctx, await taskDefinition(ctx, now.taskDefinition as string));
      throw new DeploymentFailed(failure.message, `not rolled back (--no-rollback): ${standing(now)}`);
    }
    // A revision whose deployment FAILED ran nothing: going back to it would not run the service either.
    const failed = failedDeployment(svc);
    if (failed)
      throw new DeploymentFailed(
        failure.message,
        `not rolled back: ${c.serviceName} ran nothing before (deployment ${failed.id} FAILED); deploy an image that runs`,
      );
    const back = await restore(ctx, c, previous, failure);
    throw new DeploymentFailed(
      failure.message,
      `rolled back: ${c.serviceName} runs ${shortName(back.taskDefinitionArn)} again`,
    );
  }
  return true;
}

/**
 * A failed deploy: a deployment that FAILED, a probe that failed, or a wait that ran out of time (then the service
 * may be anywhere in its deployment, which the message says). Any other error is not a deploy's failure.
 */
async function asFailure(ctx: Context, c: DeployConfig, err: unknown): Promise<DeploymentFailed> {
  if (err instanceof DeploymentFailed) return err;
  if (!(err instanceof WaitTimeoutError)) throw err;
  return new DeploymentFailed(`${err.message} (--timeout): ${standing(await liveService(ctx, c))}`, "");
}

/**
 * Puts the service back on the revision it ran, or follows the circuit breaker's own rollback there. The env file
 * says so at once: whatever the wait finds, that is the revision the service names.
 */
async function restore(
  ctx: Context,
  c: DeployConfig,
  previous: TaskDefinition,
  failure: DeploymentFailed,
): Promise<TaskDefinition> {
  const arn = previous.taskDefinitionArn as string;
  const svc = await liveService(ctx, c);
  const primary = svc.deployments?.find((d) => d.status === "PRIMARY");
  const moved = svc.taskDefinition !== arn;
  const deploymentId = moved ? await updateService(ctx, c, arn, "roll back service") : primary?.id;
  ctx.events.for("deploy").warning(`rolling back ${c.serviceName} to ${shortName(arn)}`);
  await record(ctx, previous);
  if (!deploymentId || (!moved && primary?.rolloutState === "COMPLETED")) return previous;
  try {
    await follow(ctx, c, deploymentId, arn);
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    throw new DeploymentFailed(
      failure.message,
      `rolling back: ${standing(await liveService(ctx, c))}, not finished within --timeout; \`infra rollback --to ${previous.revision}\` follows it to the end`,
    );
  }
  return previous;
}
