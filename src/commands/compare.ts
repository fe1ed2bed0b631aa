// What `plan` can say about what exists: for each resource, create / update (which checks differ) / nothing,
// from the read-only verify. With no reachable AWS account (no credentials, nothing at the endpoint) it gives up
// within a time budget and says so: the plan itself never needs AWS.
import type { Context } from "../core/context.js";
import type { Resource } from "../resources/resource.js";

export type Verdict = {
  resource: string;
  verdict: "create" | "update" | "nothing to do" | "not compared";
  detail?: string;
};

const BUDGET_MS = 10_000;

export async function compareWithAws(ctx: Context, resources: Resource[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  let unreachable: string | undefined;
  for (const resource of resources) {
    if (unreachable) {
      verdicts.push({ resource: resource.name, verdict: "not compared", detail: unreachable });
      continue;
    }
    try {
      const config = resource.config(ctx.env, "verify");
      const checks = await withBudget((async () => (await resource.load()).verify(ctx, config))());
      const failed = checks.filter((c) => c.status === "FAIL");
      if (checks[0]?.status === "FAIL") verdicts.push({ resource: resource.name, verdict: "create" });
      else if (failed.length > 0)
        verdicts.push({ resource: resource.name, verdict: "update", detail: failed.map((c) => c.name).join("; ") });
      else verdicts.push({ resource: resource.name, verdict: "nothing to do" });
    } catch (err) {
      const reason = (err as Error).message.split("\n")[0] ?? String(err);
      // An input an earlier step records (ALB_ARN, ...) is not there yet: that step, and this one, will create.
      if ((err as { exitCode?: number }).exitCode === 2)
        verdicts.push({ resource: resource.name, verdict: "create", detail: reason });
      else {
        unreachable = `could not compare with what exists: ${reason}`;
        verdicts.push({ resource: resource.name, verdict: "not compared", detail: unreachable });
      }
    }
  }
  return verdicts;
}

function withBudget<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from AWS within ${BUDGET_MS / 1000} s`)), BUDGET_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
