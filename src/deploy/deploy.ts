// `infra deploy` and `infra rollback`: move the service to a revision, follow the deployment that started,
// probe the service through its domain, and put it back on the revision it replaced when any of that fails.
// Success is only ever reported for the revision asked for (anchors.md: "deploy reported success although the
// circuit breaker rolled it back").
import { type Service, type TaskDefinition, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { awsStep, InputError } from "../core/errors.js";
import { DeploymentFailed, followDeployment } from "../resources/ecs-service/deployment.js";
import { GOOD_REVISIONS, goodRevisions, withGoodRevision } from "../resources/ecs-service/known-good.js";
import { liveService, requireImage, requireSecrets, taskDefinition } from "./checks.js";
import type { DeployConfig } from "./config.js";
import type { ImageRef } from "./image.js";
import { runMigration } from "./migrate.js";
import { probe } from "./probe.js";
import { mainContainer, registerWithImage, shortName } from "./revision.js";

export interface DeployOptions {
  image: ImageRef;
  migrate: boolean;
  /** --no-rollback: leave the service where the failed deployment left it. */
  rollback: boolean;
}

export async function deploy(ctx: Context, c: DeployConfig, o: DeployOptions): Promise<void> {
  const ev = ctx.events.for("deploy");
  const svc = await liveService(ctx, c, { settled: true });
  const current = await taskDefinition(ctx, svc.taskDefinition as string);
  if (mainContainer(current)?.image === o.image.uri) {
    ev.exists(`${c.serviceName} already runs ${o.image.uri} (${shortName(current.taskDefinitionArn)})`);
    return;
  }
  await requireImage(ctx, o.image);
  await requireSecrets(ctx, current);
  if (o.migrate) await runMigration(ctx, c, o.image.uri);
  const next = await registerWithImage(ctx, current, o.image.uri);
  ev.created(`task definition ${shortName(next.taskDefinitionArn)} (${o.image.uri})`);
  await moveTo(ctx, c, svc, next, current, { rollback: o.rollback });
  // IMAGE_TAG too, so that `create ecs-service-task-definition` keeps this image rather than going back to the old tag.
  const sameRepository = o.image.repository === c.ecrRepository && o.image.tag && !o.image.digest;
  await record(ctx, next, { good: true, ...(sameRepository ? { imageTag: o.image.tag } : {}) });
}

export async function rollback(ctx: Context, c: DeployConfig, to: string | undefined): Promise<void> {
  const svc = await liveService(ctx, c, { settled: false });
  const current = svc.taskDefinition as string;
  const target = to ? await taskDefinition(ctx, revisionRef(to, current)) : await lastGoodBefore(ctx, current);
  if (target.status !== "ACTIVE")
    throw new InputError(`${shortName(target.taskDefinitionArn)} is ${target.status}, not ACTIVE`);
  if (target.taskDefinitionArn === current) {
    ctx.events.for("deploy").exists(`${c.serviceName} already runs ${shortName(current)}`);
    return;
  }
  const previous = await taskDefinition(ctx, current);
  await moveTo(ctx, c, svc, target, previous, { rollback: true });
  await record(ctx, target, { good: false });
}

/** `--to 7`, `--to family:7` or an ARN. */
function revisionRef(to: string, current: string): string {
  if (/^\d+$/.test(to)) return `${shortName(current).replace(/:\d+$/, "")}:${to}`;
  if (/^arn:aws[a-z-]*:ecs:/.test(to) || /^[\w-]+:\d+$/.test(to)) return to;
  throw new InputError(`--to ${to} is not a revision (7, family:7 or a task definition ARN)`);
}

/** The newest known-good revision older than the current one: never one that failed, never merely "the previous". */
async function lastGoodBefore(ctx: Context, current: string): Promise<TaskDefinition> {
  const good = goodRevisions(ctx.env);
  const at = good.lastIndexOf(current);
  const target = (at >= 0 ? good.slice(0, at) : good).at(-1);
  if (!target) {
    throw new InputError(`no known-good revision before ${shortName(current)}`, "name one with --to <revision>");
  }
  return taskDefinition(ctx, target);
}

async function moveTo(
  ctx: Context,
  c: DeployConfig,
  svc: Service,
  next: TaskDefinition,
  previous: TaskDefinition,
  o: { rollback: boolean },
) {
  const ev = ctx.events.for("deploy");
  const nextArn = next.taskDefinitionArn as string;
  const deploymentId = await updateService(ctx, c, nextArn, "update service");
  ev.updated(
    `service ${c.serviceName} -> ${shortName(nextArn)} (deployment ${deploymentId}, was ${shortName(svc.taskDefinition)})`,
  );
  try {
    await follow(ctx, c, deploymentId, nextArn);
    await probe(ctx, c.probeUrl);
  } catch (err) {
    if (!(err instanceof DeploymentFailed) || !o.rollback) throw err;
    const back = await restore(ctx, c, previous);
    await record(ctx, back, { good: false });
    throw new DeploymentFailed(
      err.message,
      `rolled back: ${c.serviceName} runs ${shortName(back.taskDefinitionArn)} again`,
    );
  }
}

/** Points the service at a revision (never at a desired count: a redeploy keeps what auto scaling chose). */
async function updateService(ctx: Context, c: DeployConfig, arn: string, step: string): Promise<string> {
  const ecs = await ctx.aws.ecs();
  const out = await awsStep(step, c.serviceName, () =>
    ecs.send(new UpdateServiceCommand({ cluster: c.cluster, service: c.serviceName, taskDefinition: arn })),
  );
  return out.service?.deployments?.find((d) => d.status === "PRIMARY")?.id as string;
}

const follow = (ctx: Context, c: DeployConfig, deploymentId: string, taskDefinitionArn: string) =>
  followDeployment({
    ctx,
    ev: ctx.events.for("deploy"),
    cluster: c.cluster,
    serviceName: c.serviceName,
    deploymentId,
    taskDefinitionArn,
  });

/** Puts the service back on the revision it ran, or follows the circuit breaker's own rollback there. */
async function restore(ctx: Context, c: DeployConfig, previous: TaskDefinition): Promise<TaskDefinition> {
  const arn = previous.taskDefinitionArn as string;
  const svc = await liveService(ctx, c, { settled: false });
  const primary = svc.deployments?.find((d) => d.status === "PRIMARY");
  const moved = svc.taskDefinition !== arn;
  const deploymentId = moved ? await updateService(ctx, c, arn, "roll back service") : primary?.id;
  ctx.events.for("deploy").warning(`rolling back ${c.serviceName} to ${shortName(arn)}`);
  if (deploymentId && (moved || primary?.rolloutState !== "COMPLETED")) await follow(ctx, c, deploymentId, arn);
  return previous;
}

async function record(ctx: Context, td: TaskDefinition, o: { good: boolean; imageTag?: string }) {
  const arn = td.taskDefinitionArn as string;
  await ctx.env.record({
    ECS_SERVICE_TASK_DEFINITION_ARN: arn,
    ECS_SERVICE_TASK_DEFINITION_REVISION: String(td.revision ?? ""),
    ...(o.good ? { [GOOD_REVISIONS]: withGoodRevision(goodRevisions(ctx.env), arn) } : {}),
    ...(o.imageTag ? { IMAGE_TAG: o.imageTag } : {}),
  });
}
