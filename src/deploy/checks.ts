// Checks before a deploy changes anything: the service is there and settled, the image exists, the secrets the
// task definition references exist. A failed check is an input error (exit 2): nothing was changed.
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import type { Service, TaskDefinition } from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { awsErrorCode, awsStep, InputError, isAwsError } from "../core/errors.js";
import { describeRevision, describeService, type Revision } from "../resources/common/ecs.js";
import { failedDeployment } from "../resources/common/failed-deployment.js";
import { requireSecrets } from "../resources/common/secrets.js";
import type { DeployConfig } from "./config.js";
import type { ImageRef } from "./image.js";

export async function liveService(ctx: Context, c: DeployConfig): Promise<Service> {
  const ecs = await ctx.aws.ecs();
  const svc = await awsStep("read service", c.serviceName, () => describeService(ecs, c.cluster, c.serviceName));
  if (svc?.status !== "ACTIVE") {
    throw new InputError(
      `service ${c.serviceName} is ${svc?.status ?? "missing"} in ${c.cluster}`,
      "run `infra create ecs-service` first",
    );
  }
  return svc;
}

/**
 * A deployment is in progress: one rolling out, or more than one (an old one still draining). A FAILED one that
 * left the service running nothing is not: ECS does nothing more for it.
 */
export const deploying = (svc: Service): boolean =>
  (svc.deployments?.some((d) => d.rolloutState === "IN_PROGRESS") ?? false) ||
  ((svc.deployments?.length ?? 0) > 1 && !failedDeployment(svc));

/** A new deployment waits for the one in progress: two at once would leave neither followed to its end. */
export function requireSettled(svc: Service, c: DeployConfig): void {
  const busy = svc.deployments?.filter((d) => d.rolloutState === "IN_PROGRESS") ?? [];
  if (deploying(svc)) {
    throw new InputError(
      `service ${c.serviceName} has a deployment in progress (${busy.map((d) => d.id).join(", ") || "more than one deployment"})`,
      "wait for it to finish (infra verify ecs-service), then deploy",
    );
  }
}

/** A revision with its tags; one that does not exist is an input error (it was named by the user or the env file). */
export async function taskDefinition(ctx: Context, ref: string): Promise<Revision> {
  const ecs = await ctx.aws.ecs();
  const td = await awsStep("read task definition", ref, () => describeRevision(ecs, ref));
  if (!td) throw new InputError(`task definition ${ref} does not exist`);
  return td;
}

/**
 * The image exists in ECR. The repository is looked up in the registry and region the URI names, which need not be
 * the stack's. Another account's repository answers only if its policy lets these credentials describe it; AWS
 * answers AccessDenied otherwise (and for a repository that does not exist), which says nothing about the image: ECS
 * pulls it with the task execution role, so the deploy goes on and the deployment shows whether it can be pulled.
 */
export async function requireImage(ctx: Context, image: ImageRef): Promise<void> {
  const ev = ctx.events.for("deploy");
  const found = await imageInEcr(ctx, image);
  if (found.kind === "outside") ev.skipped(`image ${image.uri} is not in ECR: not checked before deploying`);
  if (found.kind === "missing") throw new InputError(found.why, "push it first");
  if (found.kind === "no-repository") throw new InputError(found.why);
  if (found.kind === "denied")
    ev.warning(`could not check image ${image.uri} in ECR (${found.why}: ${found.detail}): deploying it unchecked`);
}

export type EcrAnswer =
  | { kind: "found"; digest: string | undefined }
  | { kind: "outside" | "missing" | "no-repository"; why: string }
  | { kind: "denied"; why: string; detail: string };

/** What ECR says of the image: the digest its tag names now (DescribeImages' imageDigest), or why it cannot say. */
export async function imageInEcr(ctx: Context, image: ImageRef): Promise<EcrAnswer> {
  if (!image.ecr) return { kind: "outside", why: "not in ECR" };
  const { registryId, region, repositoryName } = image.ecr;
  const ecr = await ctx.aws.inRegion("ecr", region);
  return awsStep("find image", image.uri, async (): Promise<EcrAnswer> => {
    try {
      const imageIds = [
        { ...(image.tag ? { imageTag: image.tag } : {}), ...(image.digest ? { imageDigest: image.digest } : {}) },
      ];
      const out = await ecr.send(new DescribeImagesCommand({ registryId, repositoryName, imageIds }));
      return { kind: "found", digest: out.imageDetails?.[0]?.imageDigest };
    } catch (err) {
      if (isAwsError(err, "ImageNotFoundException"))
        return { kind: "missing", why: `image ${image.uri} is not in ECR` };
      if (isAwsError(err, "RepositoryNotFoundException")) {
        const why = `ECR repository ${repositoryName} does not exist in registry ${registryId} (${region})`;
        return { kind: "no-repository", why };
      }
      if (isAwsError(err, "AccessDeniedException"))
        return { kind: "denied", why: awsErrorCode(err) ?? "AccessDeniedException", detail: (err as Error).message };
      throw err;
    }
  });
}

/** Tasks that cannot read their secrets never start: check every referenced secret exists. */
export function requireTaskSecrets(ctx: Context, td: TaskDefinition): Promise<void> {
  const valueFroms = (td.containerDefinitions ?? []).flatMap((c) => c.secrets ?? []).map((s) => s.valueFrom ?? "");
  return requireSecrets(ctx, valueFroms, `${td.family}:${td.revision}`);
}
