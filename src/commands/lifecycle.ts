// create, verify and destroy: the resources as a step graph, their checks, and the confirmation destroy needs.
import type { Command } from "commander";
import type { Context } from "../core/context.js";
import { CheckFailedError, InputError } from "../core/errors.js";
import type { Check, Resource } from "../resources/resource.js";
import type { GlobalOptions } from "./options.js";
import type { Commands } from "./program.js";
import { type Io, printChecks, printJson } from "./render.js";
import { type Deps, prepare } from "./setup.js";
import { runSteps, type StepOutcome, summarize } from "./steps.js";

export function registerLifecycle({ program, deps, opts, resourceHelp }: Commands): void {
  const { io } = deps;
  program
    .command("create")
    .description("make what is missing, leave what is right alone")
    .argument("<resource...>", resourceHelp)
    .action(async (names: string[], _o, cmd: Command) => {
      const o = opts(cmd);
      const { ctx, selected } = await prepare(names, o, "create", deps);
      // Each step reads its inputs again when its turn comes: the steps before it have recorded theirs.
      const outcomes = await runSteps(
        selected.map((s) => s.resource),
        "create",
        async (r) => (await r.load()).create(ctx, r.config(ctx.env, "create")),
      );
      finish(io, o, ctx, outcomes, `create ${names.join(" ")}`);
    });

  program
    .command("verify")
    .description("check, read-only, that each piece exists and is configured as specified")
    .argument("<resource...>", resourceHelp)
    .action(async (names: string[], _o, cmd: Command) => {
      const o = opts(cmd);
      const { ctx, selected } = await prepare(names, o, "verify", deps);
      const checks: Check[] = [];
      for (const { resource, config } of selected) checks.push(...(await (await resource.load()).verify(ctx, config)));
      if (o.json) printJson(io, { ok: checks.every((c) => c.status !== "FAIL"), command: "verify", checks });
      else printChecks(io, checks);
      const failed = checks.filter((c) => c.status === "FAIL");
      if (failed.length > 0) throw new CheckFailedError(`${failed.length} check(s) failed`);
    });

  program
    .command("destroy")
    .description("remove what this tool made, in reverse order")
    .argument("<resource...>", resourceHelp)
    .option("--keep-logs", "leave the service's log group (and the logs in it) in place")
    .action(async (names: string[], _o, cmd: Command) => {
      const o = opts(cmd);
      const { ctx, selected } = await prepare(names, o, "destroy", deps);
      await confirmDestroy(
        deps,
        o,
        selected.map((s) => s.resource),
        ctx,
      );
      const outcomes = await runSteps(
        selected.map((s) => s.resource),
        "destroy",
        async (r) => (await r.load()).destroy(ctx, r.config(ctx.env, "destroy")),
      );
      if (names.includes("all") && outcomes.every((x) => x.status === "done"))
        await reportLeftovers(ctx, env(ctx, "PROJECT_NAME"));
      finish(io, o, ctx, outcomes, `destroy ${names.join(" ")} --yes`);
    });
}

/** After the steps: the JSON document, or the summary and the first failure (which sets the exit code). */
function finish(io: Io, o: GlobalOptions, ctx: Context, outcomes: StepOutcome[], command: string) {
  const failures = outcomes.flatMap((x) => (x.status === "failed" ? [x.error] : []));
  const summary = summarize(outcomes, command);
  if (o.json) {
    const steps = outcomes.map(({ name, status }) => ({ name, status }));
    printJson(io, { ok: failures.length === 0, command: command.split(" ")[0], steps, events: ctx.events.log });
  }
  if (summary) io.stderr(`${summary}\n`);
  if (failures.length > 0) throw failures[0];
}

const env = (ctx: Context, key: string) => ctx.env.get(key) ?? "";

/** Destroy lists what it will delete (what the env file recorded) and asks on a terminal; never silently. */
async function confirmDestroy(deps: Deps, o: GlobalOptions, resources: Resource[], ctx: Context) {
  if (o.yes) return;
  if (!deps.io.stdinIsTTY) {
    throw new InputError(
      "destroy asks for confirmation, and stdin is not a terminal",
      "pass --yes to destroy without asking",
    );
  }
  const lines = resources.map((r) => {
    const recorded = r.records.map((k) => ctx.env.get(k)).filter(Boolean);
    return `  ${r.name}: ${recorded.length ? recorded.join(", ") : "(nothing recorded; looked up by name and tag)"}`;
  });
  deps.io.stderr(`This deletes, in ${ctx.aws.settings.region}:\n${lines.join("\n")}\n`);
  const question = `Destroy ${resources.map((r) => r.name).join(", ")} recorded in ${o.envFile}? Type yes to go on: `;
  if ((await deps.io.ask(question)).trim() !== "yes") throw new InputError("destroy cancelled: nothing was changed");
}

/** `destroy all` ends by asking AWS what still carries this stack's tags. */
async function reportLeftovers(ctx: Context, project: string) {
  const { leftovers } = await import("../core/leftovers.js");
  const left = await leftovers(ctx, project);
  const ev = ctx.events.for("all");
  if (left.length === 0)
    ev.deleted(`nothing tagged Project=${project}, ManagedBy=infra is left in ${ctx.aws.settings.region}`);
  else ev.warning(`still tagged Project=${project}, ManagedBy=infra: ${left.join(", ")}`);
}
