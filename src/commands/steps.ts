// Running several resources as a small dependency graph: a step starts once the steps it needs have
// finished, so the ALB provisions while the certificate validates and the task definition registers. A failed
// step stops the steps that need it; the others run to the end. Destroy walks the arrows backwards.
import type { Resource } from "../resources/resource.js";

export type StepOutcome =
  | { name: string; status: "done" }
  | { name: string; status: "failed"; error: unknown }
  | { name: string; status: "not started"; waitingFor: string };

export async function runSteps(
  // biome-ignore lint/suspicious/noExplicitAny: each resource has its own config type.
  selected: Resource<any>[],
  direction: "create" | "destroy",
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  run: (resource: Resource<any>) => Promise<void>,
): Promise<StepOutcome[]> {
  const names = new Set(selected.map((r) => r.name));
  const needs = new Map<string, string[]>(selected.map((r) => [r.name, []]));
  for (const r of selected) {
    for (const d of r.after.filter((x) => names.has(x))) {
      if (direction === "create") needs.get(r.name)?.push(d);
      else needs.get(d)?.push(r.name);
    }
  }
  const started = new Map<string, Promise<StepOutcome>>();
  const start = (name: string): Promise<StepOutcome> => {
    let outcome = started.get(name);
    if (!outcome) {
      outcome = (async (): Promise<StepOutcome> => {
        const before = await Promise.all((needs.get(name) ?? []).map(start));
        const blocked = before.find((o) => o.status !== "done");
        if (blocked) return { name, status: "not started", waitingFor: blocked.name };
        try {
          await run(selected.find((r) => r.name === name) as Resource);
          return { name, status: "done" };
        } catch (error) {
          return { name, status: "failed", error };
        }
      })();
      started.set(name, outcome);
    }
    return outcome;
  };
  const outcomes = await Promise.all(selected.map((r) => start(r.name)));
  return direction === "create" ? outcomes : outcomes.reverse();
}

/** One line for the end of a run that did not fully succeed: what was done, what failed, what did not start. */
export function summarize(outcomes: StepOutcome[], command: string): string | undefined {
  const failed = outcomes.filter((o) => o.status === "failed");
  if (failed.length === 0) return undefined;
  const list = (status: StepOutcome["status"]) => outcomes.filter((o) => o.status === status).map((o) => o.name);
  const parts = [
    list("done").length ? `done: ${list("done").join(", ")}` : "",
    `failed: ${failed.map((o) => o.name).join(", ")}`,
    list("not started").length ? `not started: ${list("not started").join(", ")}` : "",
  ].filter(Boolean);
  return `${parts.join("; ")}. Fix the cause, then run \`infra ${command}\` again: it resumes where this run stopped.`;
}
