// Running several resources as a small dependency graph: a step starts once the steps it comes after have
// finished, so the ALB provisions while the certificate validates and the task definition registers. A failed
// step stops the steps that need it; the others run to the end. Destroy walks the arrows backwards. A step that
// needs what another records part-way (the HTTPS listener needs the certificate) waits for it through `finished`.
import type { StepRun } from "../core/context.js";
import { ExitCode, InfraError } from "../core/errors.js";
import type { Resource } from "../resources/resource.js";

export type StepOutcome =
  | { name: string; status: "done"; changed: boolean; incomplete?: boolean }
  | { name: string; status: "failed"; error: unknown }
  | { name: string; status: "not started"; waitingFor: string };

/** A step that could not finish because another step it waited for did not: that one's failure is the cause. */
export class WaitedStepFailed extends InfraError {
  constructor(step: string) {
    super(`${step} did not finish`, ExitCode.aws);
  }
}

export async function runSteps(
  // biome-ignore lint/suspicious/noExplicitAny: each resource has its own config type.
  selected: Resource<any>[],
  direction: "create" | "destroy",
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  run: (resource: Resource<any>, steps: StepRun) => Promise<{ changed: boolean; incomplete?: boolean } | undefined>,
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
  const steps: StepRun = {
    has: (name) => names.has(name),
    async finished(name) {
      if (!names.has(name)) return;
      const outcome = await start(name);
      if (outcome.status !== "done") throw new WaitedStepFailed(name);
      // An incomplete step finished what it could: what waits on part of it learns so when it looks.
    },
  };
  const start = (name: string): Promise<StepOutcome> => {
    let outcome = started.get(name);
    if (!outcome) {
      outcome = (async (): Promise<StepOutcome> => {
        const before = await Promise.all((needs.get(name) ?? []).map(start));
        // A step that could not make everything (its certificate still validating) holds back what comes after it.
        const blocked = before.find((o) => o.status !== "done" || o.incomplete);
        if (blocked) return { name, status: "not started", waitingFor: blocked.name };
        try {
          const result = await run(selected.find((r) => r.name === name) as Resource, steps);
          return { name, status: "done", changed: result?.changed ?? true, incomplete: result?.incomplete ?? false };
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

/** The graph's own mistakes, found before anything runs: a step after an unknown one, or a cycle. */
export function checkGraph(resources: readonly Pick<Resource, "name" | "after">[]): void {
  const byName = new Map(resources.map((r) => [r.name, r]));
  for (const r of resources) {
    const unknown = r.after.find((a) => !byName.has(a));
    if (unknown) throw new Error(`${r.name} comes after ${unknown}, which is not a resource`);
  }
  const visiting = new Set<string>();
  const visited = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (visited.has(name)) return;
    if (visiting.has(name)) throw new Error(`the resources' order has a cycle: ${[...path, name].join(" -> ")}`);
    visiting.add(name);
    for (const a of byName.get(name)?.after ?? []) visit(a, [...path, name]);
    visiting.delete(name);
    visited.add(name);
  };
  for (const r of resources) visit(r.name, []);
}

/** One line for the end of a run that did not fully succeed: what was done, what failed, what did not start. */
export function summarize(outcomes: StepOutcome[], command: string): string | undefined {
  const failed = outcomes.filter((o) => o.status === "failed");
  const notStarted = outcomes.filter((o) => o.status === "not started");
  if (failed.length === 0 && notStarted.length === 0) return undefined;
  const done = outcomes.filter((o) => o.status === "done");
  const parts = [
    done.length ? `done: ${done.map((o) => `${o.name}${o.incomplete ? " (in part)" : ""}`).join(", ")}` : "",
    failed.length ? `failed: ${failed.map((o) => o.name).join(", ")}` : "",
    notStarted.length ? `not started: ${notStarted.map((o) => o.name).join(", ")}` : "",
  ].filter(Boolean);
  return `${parts.join("; ")}. Fix the cause, then run \`infra ${command}\` again: it resumes where this run stopped.`;
}

/**
 * Under --no-wait, a run in which nothing failed: the steps that finished in part, and those that did not start
 * because they need what is still in progress (a certificate being validated), are left for a run that waits.
 */
export function leftForLater(outcomes: StepOutcome[], command: string): string | undefined {
  if (outcomes.some((o) => o.status === "failed")) return undefined;
  const partly = outcomes.filter((o) => o.status === "done" && o.incomplete).map((o) => o.name);
  const notStarted = outcomes.filter((o) => o.status === "not started").map((o) => o.name);
  if (partly.length === 0 && notStarted.length === 0) return undefined;
  const left = [
    partly.length ? `${partly.join(", ")} in part` : "",
    notStarted.length ? `${notStarted.join(", ")} not started` : "",
  ].filter(Boolean);
  return `not finished because of --no-wait: ${left.join("; ")}, as what they need is still in progress (see above); run \`infra ${command}\` again without --no-wait to finish`;
}
