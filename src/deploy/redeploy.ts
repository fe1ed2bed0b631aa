// `deploy` of the image the service's revision already names. The task definition stays, but the image behind a
// tag may not have: ECS runs the digest a tag named when the deployment started (docs/aws-behaviours.md, "ECS"),
// so when the tag names another digest now, a new deployment of the same revision (forceNewDeployment) runs it.
// When the digests cannot be compared, nothing starts unless --force-new-deployment asks for it. A service whose
// deployment FAILED runs nothing: a new deployment starts whatever the digests say.
import type { Service } from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { InputError } from "../core/errors.js";
import type { Revision } from "../resources/common/ecs.js";
import { failedDeployment } from "../resources/common/failed-deployment.js";
import { DeploymentFailed } from "../resources/ecs-service/deployment.js";
import { deploying, liveService, requireTaskSecrets } from "./checks.js";
import type { DeployConfig } from "./config.js";
import type { DeployOptions } from "./deploy.js";
import { type Comparison, compareDigests, shortDigest } from "./digests.js";
import { runMigration } from "./migrate.js";
import { probe } from "./probe.js";
import { mainContainer, registerWithImage, shortName } from "./revision.js";
import { follow, leftRunning, passed, record, settle, updateService } from "./rollout.js";

export async function redeployIfMoved(
  ctx: Context,
  c: DeployConfig,
  svc: Service,
  current: Revision,
  o: DeployOptions,
): Promise<void> {
  const ev = ctx.events.for("deploy");
  const again = `deploy --image ${o.image.uri}`;
  // A deployment is going: an earlier run started it (and may have lost the answer), so finish its work.
  if (deploying(svc)) return settle(ctx, c, svc, current, again);
  const compared = await compareDigests(ctx, c, o.image, mainContainer(current)?.name);
  const failed = failedDeployment(svc);
  // ECS starts nothing more for a FAILED deployment: only a new one runs the image (pushed since, perhaps).
  const reason = failed ? `deployment ${failed.id} FAILED (${failed.rolloutStateReason})` : reasonFor(compared, o);
  if (!reason) {
    if (compared.verdict === "unknown")
      ev.warning(
        `could not compare the image the tasks run with ${o.image.uri} (${compared.why}): no new deployment; --force-new-deployment starts one`,
      );
    return settle(ctx, c, svc, current, again);
  }
  const ecr = compared.ecr;
  if (ecr?.kind === "missing") throw new InputError(ecr.why, "push it first");
  if (ecr?.kind === "no-repository") throw new InputError(ecr.why);
  await requireTaskSecrets(ctx, current);
  if (o.migrate) await runMigration(ctx, c, o.image.uri);
  const arn = current.taskDefinitionArn as string;
  const deploymentId = await updateService(ctx, c, arn, "start a new deployment", true);
  ev.updated(`service ${c.serviceName}: new deployment ${deploymentId} of ${shortName(arn)}: ${reason}`);
  if (!ctx.options.wait) return leftRunning(ctx, c, deploymentId, current, again);
  try {
    await follow(ctx, c, deploymentId, arn);
    await probe(ctx, c.probeUrl);
  } catch (err) {
    if (!(err instanceof DeploymentFailed) || !o.rollback) throw err;
    throw new DeploymentFailed(err.message, await goBack(ctx, c, current, deploymentId, compared, o, err));
  }
  await passed(ctx, current);
}

/** Why a new deployment starts, or undefined when none does. */
function reasonFor(compared: Comparison, o: DeployOptions): string | undefined {
  const running = compared.running.map(shortDigest).join(", ") || "no digest";
  if (compared.verdict === "moved")
    return `${o.image.uri} now names ${shortDigest(compared.named)}, the tasks run ${running}`;
  if (!o.forceNewDeployment) return undefined;
  if (compared.verdict === "same") return `--force-new-deployment (the tasks run ${running} already)`;
  return `--force-new-deployment (could not compare: ${compared.why})`;
}

/**
 * Back to the image the tasks ran. The circuit breaker's rollback returns to the last completed deployment with
 * the digests it ran; otherwise that digest, pinned in a new revision, is deployed (the tag names the new one now).
 * Returns what the failure says after the error.
 */
async function goBack(
  ctx: Context,
  c: DeployConfig,
  current: Revision,
  deploymentId: string,
  compared: Comparison,
  o: DeployOptions,
  err: DeploymentFailed,
): Promise<string> {
  const ev = ctx.events.for("deploy");
  const arn = current.taskDefinitionArn as string;
  const svc = await liveService(ctx, c);
  const primary = svc.deployments?.find((d) => d.status === "PRIMARY");
  if (primary?.id && primary.id !== deploymentId && svc.taskDefinition === arn) {
    ev.warning(`rolling back ${c.serviceName}: the circuit breaker's deployment ${primary.id} returns to its image`);
    if (primary.rolloutState !== "COMPLETED") await follow(ctx, c, primary.id, arn);
    await record(ctx, current);
    return `rolled back: ${c.serviceName} runs ${shortName(arn)} with the image it ran before again`;
  }
  const ran = compared.running.length === 1 ? compared.running[0] : undefined;
  if (!ran)
    throw new DeploymentFailed(
      err.message,
      "not rolled back: which image the tasks ran before is not known; deploy one by digest (--image <repository>@sha256:...)",
    );
  const image = `${o.image.repository}@${ran}`;
  const pinned = await registerWithImage(ctx, current, image);
  const pinnedArn = pinned.taskDefinitionArn as string;
  ev.created(`task definition ${shortName(pinnedArn)} (${image}: the image the tasks ran before)`);
  ev.warning(`rolling back ${c.serviceName} to ${shortName(pinnedArn)}`);
  const back = await updateService(ctx, c, pinnedArn, "roll back service");
  await follow(ctx, c, back, pinnedArn);
  await record(ctx, pinned);
  return `rolled back: ${c.serviceName} runs the image ${o.image.uri} named before again (${shortDigest(ran)}, pinned in ${shortName(pinnedArn)})`;
}
