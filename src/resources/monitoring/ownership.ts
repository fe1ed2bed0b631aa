// Whose the topic and the alarms are, from their tags: read for all of them in one GetResources call (the Resource
// Groups Tagging API takes up to 100 ARNs a call) rather than one ListTagsForResource each. That API is eventually
// consistent (docs/aws-behaviours.md): an object tagged a moment ago may not show yet, and one deleted a moment ago
// may still show with the tags it had, as may another made since under its name. So it only vouches for an object
// the run keeps: the object's own service is asked about one it does not show as ours, about one the run may
// delete, and about every one when the endpoint lacks the API or the credentials may not call it.
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import type { Context } from "../../core/context.js";
import { awsStep } from "../../core/errors.js";
import { isManaged, type Tag } from "../common/tags.js";

export interface Owned {
  arn: string;
  name: string;
  /** The run may delete it (destroy, or create removing what is no longer wanted): its own service decides. */
  deletable: boolean;
  /** Its tags as its own service tells them. */
  tags: () => Promise<Tag[]>;
}

/** The ARNs of those that carry ManagedBy=infra. */
export async function ownedByInfra(ctx: Context, objects: Owned[]): Promise<Set<string>> {
  const vouchable = objects.filter((o) => !o.deletable).map((o) => o.arn);
  // One object costs one call either way: its own service's answer is the better one.
  const listed = vouchable.length > 1 ? await listedTags(ctx, vouchable) : new Map<string, Tag[]>();
  const managed = await Promise.all(
    objects.map(
      async (o) =>
        (!o.deletable && isManaged(listed.get(o.arn))) || isManaged(await awsStep("read tags", o.name, () => o.tags())),
    ),
  );
  return new Set(objects.filter((_, i) => managed[i]).map((o) => o.arn));
}

/** The tags GetResources lists for these ARNs: those it does not list are left out, as is everything if it fails. */
async function listedTags(ctx: Context, arns: string[]): Promise<Map<string, Tag[]>> {
  const tags = new Map<string, Tag[]>();
  try {
    const tagging = await ctx.aws.tagging();
    for (let i = 0; i < arns.length; i += 100) {
      const out = await tagging.send(new GetResourcesCommand({ ResourceARNList: arns.slice(i, i + 100) }));
      for (const m of out.ResourceTagMappingList ?? []) tags.set(m.ResourceARN ?? "", (m.Tags ?? []) as Tag[]);
    }
  } catch (err) {
    // An answer from the endpoint (UnknownOperation, AccessDenied...): each object's own service answers instead.
    if (typeof err !== "object" || err === null || !("$metadata" in err)) throw err;
  }
  return tags;
}
