// What still carries the stack's tags, from the Resource Groups Tagging API: the last word of `destroy all`. The
// API lists some things that are gone in every sense that matters: an ECS service deleted a moment ago (DRAINING or
// INACTIVE, still described) and deregistered task definition revisions (INACTIVE, kept by ECS, costing nothing).
// Each such hit's state is read before it is called left over.
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import type { Context } from "./context.js";
import { awsStep, isAwsError } from "./errors.js";

export interface Leftovers {
  /** Still there. */
  left: string[];
  /** Listed, but deleted or deregistered. */
  gone: string[];
}

export async function leftovers(ctx: Context, project: string): Promise<Leftovers> {
  const tagging = await ctx.aws.tagging();
  const arns: string[] = [];
  let PaginationToken: string | undefined;
  do {
    const out = await awsStep("scan tags", project, () =>
      tagging.send(
        new GetResourcesCommand({
          TagFilters: [
            { Key: "Project", Values: [project] },
            { Key: "ManagedBy", Values: ["infra"] },
          ],
          PaginationToken,
        }),
      ),
    );
    arns.push(...(out.ResourceTagMappingList ?? []).map((m) => m.ResourceARN as string));
    PaginationToken = out.PaginationToken || undefined; // "" on the last page
  } while (PaginationToken);
  const result: Leftovers = { left: [], gone: [] };
  for (const arn of arns) ((await isGone(ctx, arn)) ? result.gone : result.left).push(arn);
  return result;
}

async function isGone(ctx: Context, arn: string): Promise<boolean> {
  const ecs = arn.includes(":ecs:") ? await ctx.aws.ecs() : undefined;
  if (!ecs) return false;
  return awsStep("read state", arn, async () => {
    if (arn.includes(":service/")) {
      const out = await ecs.send(new DescribeServicesCommand({ cluster: arn.split("/").at(-2), services: [arn] }));
      const status = out.services?.[0]?.status;
      return status === undefined || status === "INACTIVE" || status === "DRAINING";
    }
    if (arn.includes(":task-definition/")) {
      try {
        const status = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition
          ?.status;
        return status !== "ACTIVE";
      } catch (err) {
        if (isAwsError(err, "ClientException")) return true;
        throw err;
      }
    }
    return false;
  });
}
