// How `deploy` and `rollback` move the service: the service is this resource's object, so the call that points it
// at a revision is made here. Never a desired count: a redeploy keeps what auto scaling chose.
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { Context } from "../../core/context.js";
import { awsStep } from "../../core/errors.js";

/**
 * Points the service at a revision, and returns the id of the deployment that started. `force` starts one even
 * when the revision is the one it runs (forceNewDeployment): ECS resolves its image tags to digests again.
 */
export async function pointService(
  ctx: Context,
  service: { cluster: string; serviceName: string },
  taskDefinition: string,
  step: string,
  force = false,
): Promise<string> {
  const ecs = await ctx.aws.ecs();
  const out = await awsStep(step, service.serviceName, () =>
    ecs.send(
      new UpdateServiceCommand({
        cluster: service.cluster,
        service: service.serviceName,
        taskDefinition,
        ...(force ? { forceNewDeployment: true } : {}),
      }),
    ),
  );
  return out.service?.deployments?.find((d) => d.status === "PRIMARY")?.id as string;
}
