// Which revisions are known good: those whose deployment completed with every target healthy, and passed the probe
// when a deploy or a rollback made it (the service's own first deployment has no probe to pass). Each carries a
// tag on its ARN in AWS (TagResource), so `rollback` works from any machine and a deploy in CI need not write the
// env file anywhere. Rollback goes to the newest known-good revision older than the current one: never one that
// failed, never merely "the previous". Nothing here deregisters a revision: the service may return to any of them.
import { TagResourceCommand } from "@aws-sdk/client-ecs";
import type { Context } from "../../core/context.js";
import { awsStep, InputError } from "../../core/errors.js";
import { activeRevisions, describeRevision, type Revision, revisionOf, shortName } from "./ecs.js";

/** The tag: its value is when the revision passed its probe. */
export const KNOWN_GOOD = "KnownGood";

export const isKnownGood = (td: { tags?: { key?: string }[] }) => (td.tags ?? []).some((t) => t.key === KNOWN_GOOD);

/** A revision's tags without the mark: a new revision copies the others, and earns the mark by its own probe. */
export const withoutKnownGood = <T extends { key?: string }>(tags: readonly T[] | undefined): T[] =>
  (tags ?? []).filter((t) => t.key !== KNOWN_GOOD);

/** Tags the revision known good, unless it already is. */
export async function markKnownGood(ctx: Context, td: Revision): Promise<void> {
  if (isKnownGood(td)) return;
  const ecs = await ctx.aws.ecs();
  const arn = td.taskDefinitionArn as string;
  const value = new Date(ctx.clock.now()).toISOString();
  await awsStep("tag task definition known good", shortName(arn), () =>
    ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: KNOWN_GOOD, value }] })),
  );
}

/** The family's known-good revisions among its newest `window` ACTIVE ones, oldest first (for the runbook). */
export async function knownGoodRevisions(ctx: Context, family: string, window = 20): Promise<Revision[]> {
  const ecs = await ctx.aws.ecs();
  const found: Revision[] = [];
  for (const arn of await activeRevisions(ecs, family, window)) {
    const td = await describeRevision(ecs, arn);
    if (td?.status === "ACTIVE" && isKnownGood(td)) found.unshift(td);
  }
  return found;
}

/** The newest ACTIVE known-good revision of the family older than `current` (newest first, so usually one read). */
export async function lastKnownGoodBefore(ctx: Context, current: Revision): Promise<Revision> {
  const ecs = await ctx.aws.ecs();
  const family = current.family as string;
  const before = current.revision ?? 0;
  const arns = await awsStep("list task definitions", family, () => activeRevisions(ecs, family));
  for (const arn of arns.filter((a) => revisionOf(a) < before)) {
    const td = await awsStep("read task definition", shortName(arn), () => describeRevision(ecs, arn));
    if (td?.status === "ACTIVE" && isKnownGood(td)) return td;
  }
  throw new InputError(
    `no known-good revision of ${family} before ${shortName(current.taskDefinitionArn)}`,
    "a revision is known good once a deploy or rollback to it passed its probe; name one with --to <revision>",
  );
}
