// ELBv2 helpers shared by the load balancer, target group and listener steps.
import { AddTagsCommand, DescribeTagsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsStep, InfraError } from "../../core/errors.js";
import { isManaged, missingTags, type Tag } from "../tags.js";
import type { AlbRun } from "./run.js";

export async function tagsOf(run: AlbRun, arn: string): Promise<Tag[]> {
  const out = await run.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
  return (out.TagDescriptions?.[0]?.Tags ?? []) as Tag[];
}

/** Adds the stack's tags to something found by name (made by an older run or by the user's bash scripts). */
export async function tagIfMissing(run: AlbRun, arn: string, label: string, want: Tag[]): Promise<void> {
  const missing = missingTags(want, await awsStep("read tags", label, () => tagsOf(run, arn)));
  if (missing.length === 0) return;
  await awsStep("tag", label, () => run.elbv2.send(new AddTagsCommand({ ResourceArns: [arn], Tags: missing })));
  run.ev.updated(`tags ${missing.map((t) => t.Key).join(", ")} on ${label}`);
}

/**
 * Destroy removes what the env file recorded or what carries ManagedBy=infra, never a same-named stranger.
 * Returns false (and says so) for a stranger.
 */
export async function ownedForDestroy(run: AlbRun, arn: string, recorded: string | undefined, label: string) {
  if (recorded === arn) return true;
  if (isManaged(await awsStep("read tags", label, () => tagsOf(run, arn)))) return true;
  run.ev.skipped(`${label}: left in place, not made by infra (not recorded in the env file, no ManagedBy=infra tag)`);
  return false;
}

/** Something exists under our name with settings that cannot be changed in place. */
export function driftError(label: string, what: string, suggestion: string): InfraError {
  return new InfraError(`${label} exists with ${what}`, 3, suggestion);
}
