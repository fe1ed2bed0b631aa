// create, verify and destroy: the resources' assessments (observe, then diff), applied as a step graph, shown as
// checks, or removed. create asks before it changes what exists; destroy asks before it deletes.
import type { Command } from "commander";
import type { Context } from "../../core/context.js";
import { BugError, CheckFailedError, ExitCode, InfraError, InputError } from "../../core/errors.js";
import { withSharedReads } from "../../core/shared-reads.js";
import { drillCheck } from "../../recovery/record.js";
import type { Check, Resource } from "../../resources/resource.js";
import {
  type Assessment,
  assess,
  createResource,
  destroyResource,
  observeForDestroy,
  refine,
  refusal,
  verifyResource,
} from "../../state/lifecycle.js";
import { altersExisting, type Observation } from "../../state/model.js";
import { planLines } from "../../state/render.js";
import type { GlobalOptions } from "../options.js";
import type { Commands } from "../registration.js";
import { type Deps, prepare, readAsStep, type Selected } from "../setup.js";
import { leftForLater, runSteps, type StepOutcome, summarize, WaitedStepFailed } from "../steps.js";

export async function create(commands: Commands, names: string[], _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;
  const o = opts(cmd);
  const { ctx, selected } = await prepare(names, o, "create", deps);
  const assessed = await assessAll(ctx, selected);
  // What AWS would refuse whatever the wait, or infra will not do, stops the run before any change.
  const refused = [...assessed.values()].flatMap((a) => refusal(a) ?? []);
  if (refused.length) throw new InputError(refused.join("; "), "nothing was changed");
  await Promise.all(
    [...assessed.values()].map((a) =>
      a.changes.length ? a.model.beforeCreate?.(ctx, a.config, a.changes) : undefined,
    ),
  );
  await confirmChanges(deps, o, assessed);
  const outcomes = await runSteps(
    selected.map((s) => s.resource),
    "create",
    async (r, steps) => {
      const stepCtx = { ...ctx, steps };
      // Inputs are read again when the step's turn comes: the steps before it have recorded theirs. What was
      // observed up front still holds unless they changed (no other resource changes this one's objects).
      const config = r.config(ctx.env, "create");
      const before = assessed.get(r.name);
      const a = before && same(before.read, config) ? before : await assess(stepCtx, r, config);
      return createResource(stepCtx, a);
    },
  );
  finish(o, ctx, outcomes, `create ${names.join(" ")}`, result);
}

export async function verify(commands: Commands, names: string[], _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;
  const { io } = deps;
  const o = opts(cmd);
  const prepared = await prepare(names, o, "verify", deps);
  const { selected } = prepared;
  // verify changes nothing: each object is read once, whichever resources read it.
  const ctx = withSharedReads(prepared.ctx);
  const checks: Check[] = [];
  // A resource AWS refuses to show (AccessDenied on one service, say) is a FAIL line, not the end of the run:
  // the other resources' checks are still worth seeing. The exit code then says AWS failed (3), not a check.
  const unread: InfraError[] = [];
  for (const { resource, config } of selected) {
    try {
      checks.push(...(await verifyResource(ctx, await assess(ctx, resource, config))));
    } catch (err) {
      if (!(err instanceof InfraError) || err instanceof InputError || err instanceof BugError) throw err;
      unread.push(err);
      checks.push({ resource: resource.name, status: "FAIL", name: "read from AWS", detail: err.message });
    }
  }
  // The stack's database is recoverable only as far as a drill proved it lately (DR_MAX_AGE).
  if (names.includes("all") && ctx.env.get("RDS_INSTANCE_ID")) checks.push(drillCheck(ctx.env, ctx.clock.now()));
  const failed = checks.filter((c) => c.status === "FAIL");
  if (o.json) result({ ok: failed.length === 0, command: "verify", checks });
  else (await import("../tables.js")).printChecks(io, checks);
  if (unread[0])
    throw new InfraError(`verify: ${unread.length} resource(s) could not be read: ${unread[0].message}`, ExitCode.aws);
  if (failed.length > 0) throw new CheckFailedError(`${failed.length} check(s) failed`);
}

export async function destroy(commands: Commands, names: string[], _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;

  const o = opts(cmd);
  const { ctx, selected } = await prepare(names, o, "destroy", deps);
  // Off a terminal without --yes the answer is known before asking AWS anything.
  if (!o.yes && !deps.io.stdinIsTTY)
    throw new InputError(
      "destroy asks for confirmation, and stdin is not a terminal",
      "pass --yes to destroy without asking",
    );
  // Every resource is observed, and may refuse (a certificate still in use), before anything is deleted.
  const inRun = new Set(selected.map((s) => s.resource.name));
  const checkCtx = {
    ...withSharedReads(ctx),
    steps: { has: (n: string) => inRun.has(n), finished: async () => {} },
  };
  const found = new Map<string, Observation>();
  for (const { resource, config } of selected)
    found.set(resource.name, await observeForDestroy(checkCtx, resource as Resource<unknown>, config));
  await confirmDestroy(deps, o, selected, ctx, found);
  const outcomes = await runSteps(
    selected.map((s) => s.resource),
    "destroy",
    async (r, steps) => {
      await destroyResource({ ...ctx, steps }, r, r.config(ctx.env, "destroy"), found.get(r.name));
      return { changed: true };
    },
  );
  if (names.includes("all") && outcomes.every((x) => x.status === "done"))
    await reportLeftovers(ctx, ctx.env.get("PROJECT_NAME") ?? "");
  finish(o, ctx, outcomes, `destroy ${names.join(" ")} --yes`, result);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every selected resource observed and compared, read-only, before anything changes: each object read once. */
async function assessAll(ctx: Context, selected: Selected[]): Promise<Map<string, Assessment>> {
  const looking = withSharedReads(ctx);
  const observed = await Promise.all(selected.map(({ resource, config }) => assess(looking, resource, config)));
  const run = selected.map((s) => s.resource);
  const all = refine(observed, (r, env) => readAsStep(r, env, run, "create"), ctx.env);
  return new Map(all.map((a) => [a.resource.name, a]));
}

/**
 * Making what is missing needs no question; changing, taking over or deleting what exists does, as with
 * `terraform apply`: on a terminal it asks, without one it needs --yes.
 */
async function confirmChanges(deps: Deps, o: GlobalOptions, assessed: Map<string, Assessment>) {
  const altering = [...assessed.values()].filter((a) => a.changes.some(altersExisting));
  if (altering.length === 0 || o.yes) return;
  const text = altering
    .map(
      (a) =>
        `${a.resource.name}\n${planLines(a.changes.filter(altersExisting), a.desired)
          .map((l) => `  ${l}`)
          .join("\n")}`,
    )
    .join("\n");
  if (!deps.io.stdinIsTTY) {
    throw new InputError(
      `create would change what exists: ${altering.map((a) => a.resource.name).join(", ")} (see \`infra plan\`)`,
      "pass --yes to make those changes without asking",
    );
  }
  deps.io.stderr(`These changes touch what already exists:\n${text}\n`);
  if ((await deps.io.ask("Make them? Type yes to go on: ")).trim() !== "yes")
    throw new InputError("create cancelled: nothing was changed");
}

/** After the steps: the JSON document, or the summary; the first failure that is a cause sets the exit code. */
function finish(o: GlobalOptions, ctx: Context, outcomes: StepOutcome[], command: string, result: Commands["result"]) {
  const failures = outcomes.flatMap((x) => (x.status === "failed" ? [x.error] : []));
  // --no-wait promises to start what takes long and return: what had to wait is left, not failed.
  const later = o.wait ? undefined : leftForLater(outcomes, command);
  const summary = later ? undefined : summarize(outcomes, command);
  if (o.json) {
    const steps = outcomes.map(({ name, status }) => ({ name, status }));
    result({ ok: failures.length === 0, command: command.split(" ")[0], steps, events: ctx.events.log });
  }
  if (later) ctx.events.for("all").skipped(later);
  else if (summary) ctx.events.for("all").warning(summary);
  ctx.events.end();
  if (later) return;
  const cause = failures.find((f) => !(f instanceof WaitedStepFailed)) ?? failures[0];
  if (cause) throw cause;
  // Nothing failed, but what an incomplete step holds back did not run: the job is not done.
  const waiting = outcomes.filter((o) => o.status === "not started");
  if (waiting.length)
    throw new InfraError(
      `not done: ${waiting.map((o) => o.name).join(", ")} did not start (see above why)`,
      ExitCode.aws,
      `run \`infra ${command}\` again once what is missing is there`,
    );
}

/** Destroy lists what it will delete, object by object, and asks on a terminal; never silently. */
async function confirmDestroy(
  deps: Deps,
  o: GlobalOptions,
  selected: Selected[],
  ctx: Context,
  found: Map<string, Observation>,
) {
  if (o.yes) return;
  const lines: string[] = [];
  for (const { resource } of [...selected].reverse()) {
    const objects = [...(found.get(resource.name)?.values() ?? [])].reverse();
    lines.push(resource.name);
    if (objects.length === 0) lines.push("  (nothing found)");
    for (const x of objects)
      lines.push(
        x.managed && !x.leave
          ? `  - ${x.kind} ${x.name}`
          : `    ${x.kind} ${x.name}: left in place, ${x.leave ?? "not made by infra"}`,
      );
  }
  deps.io.stderr(`This deletes, in ${ctx.aws.settings.region}:\n${lines.join("\n")}\n`);
  const question = `Destroy ${selected.map((s) => s.resource.name).join(", ")} recorded in ${o.envFile}? Type yes to go on: `;
  if ((await deps.io.ask(question)).trim() !== "yes") throw new InputError("destroy cancelled: nothing was changed");
}

/** `destroy all` ends by asking AWS what still carries this stack's tags. */
async function reportLeftovers(ctx: Context, project: string) {
  const { leftovers } = await import("../../core/leftovers.js");
  const { left, gone } = await leftovers(ctx, project);
  const ev = ctx.events.for("all");
  const deregistered = gone.length
    ? ` (${gone.length} deleted or deregistered ECS item(s) still listed by the tagging API: ECS keeps them INACTIVE, at no cost)`
    : "";
  if (left.length === 0)
    ev.deleted(
      `nothing tagged Project=${project}, ManagedBy=infra is left in ${ctx.aws.settings.region}${deregistered}`,
    );
  else ev.warning(`still tagged Project=${project}, ManagedBy=infra: ${left.join(", ")}`);
}
