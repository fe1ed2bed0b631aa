// What still carries the stack's tags, from the Resource Groups Tagging API: the last word of `destroy all`.
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import type { Context } from "./context.js";
import { awsStep } from "./errors.js";

export async function leftovers(ctx: Context, project: string): Promise<string[]> {
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
  return arns;
}
