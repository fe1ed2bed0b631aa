// The revisions that were deployed and verified healthy, oldest first: what `infra rollback` goes back to
// (never merely the previous registered revision, which may be one that failed).
import type { EnvReader } from "../../core/inputs.js";

export const GOOD_REVISIONS = "ECS_SERVICE_GOOD_REVISIONS";

export function goodRevisions(env: EnvReader): string[] {
  return (env.get(GOOD_REVISIONS) ?? "").split(/\s+/).filter(Boolean);
}

/** The list with arn as the newest good revision (moved to the end if it was there), at most 10 kept. */
export function withGoodRevision(list: string[], arn: string): string {
  return [...list.filter((a) => a !== arn), arn].slice(-10).join(" ");
}
