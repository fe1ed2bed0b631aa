// `infra load-test`: bounded load on the stack's own endpoint, safe to point at production. Everything is
// checked before the first request (exit 2), it asks before starting (--yes in scripts), it runs under the
// Ctrl-C guard so an interrupted run still reports what it measured (exit 130), and --expect makes it a CI gate
// (exit 1 when a threshold is missed).
import type { Command } from "commander";
import { systemClock } from "../../core/clock.js";
import { EnvFile } from "../../core/env-file.js";
import { CheckFailedError, InputError } from "../../core/errors.js";
import { Events } from "../../core/events.js";
import { Interrupt, InterruptedError } from "../../core/interrupt.js";
import { type LoadOptions, type LoadPlan, planLoad, wafWarning } from "../../load/plan.js";
import { describePlan, jsonDocument, type LoadResult, passed, renderText } from "../../load/report.js";
import { stackKeys } from "../../load/stack-keys.js";
import { evaluate, parseExpect } from "../../load/thresholds.js";
import { checkEndpoint, type GlobalOptions, parseDuration } from "../options.js";
import type { Commands } from "../registration.js";
import { progressRenderer } from "../render.js";
import { type Deps, makeContext } from "../setup.js";

interface Options extends LoadOptions {
  expect?: string;
  sample: boolean;
}

export async function loadTest(commands: Commands, _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result: setResult } = commands;
  const g = opts(cmd);
  const o = cmd.opts<Options>();
  // Every input is checked before anything is sent or asked.
  const expectations = parseExpect(o.expect);
  const env = await EnvFile.load(g.envFile);
  const plan = await planLoad(o, env);
  const ctx = o.sample ? makeContext(env, g, deps, parseDuration(g.timeout), checkEndpoint(g.endpointUrl)) : undefined;
  const events = ctx?.events ?? eventsFor(g, deps);
  const notes: string[] = [];
  const keys = ctx ? stackKeys(env, notes) : undefined;
  await confirm(deps, g, plan, events, wafWarning(plan, env));
  const interrupt = deps.interrupt ?? new Interrupt();
  const stack = ctx && keys ? { ctx, keys, notes } : undefined;
  const { runLoad } = await import("../../load/run.js");
  const measured = await interrupt.guard((signal) => runLoad(plan, signal, events, stack, deps.sampleEveryMs));
  const verdicts = evaluate(expectations, measured.summary, measured.latencyAt);
  const result: LoadResult = { plan, ...measured, verdicts };
  if (g.json) setResult(jsonDocument(result));
  else deps.io.stdout(renderText(result));
  if (result.interrupted) throw new InterruptedError("load test: the report shows what was measured until then", true);
  if (result.aborted) throw new CheckFailedError("load test stopped by --abort-on");
  if (!passed(result)) {
    const missed = verdicts.filter((v) => !v.ok).length;
    throw new CheckFailedError(`${missed} expectation(s) missed`);
  }
}

/** Without sampling there is no AWS context, but progress is shown the same way. */
function eventsFor(g: GlobalOptions, deps: Deps): Events {
  return new Events(
    g.json ? (e) => deps.io.stderr(`${JSON.stringify(e)}\n`) : progressRenderer(deps.io, deps.clock ?? systemClock),
  );
}

/** Says what will be sent, and asks on a terminal; without one it needs --yes. */
async function confirm(deps: Deps, g: GlobalOptions, plan: LoadPlan, events: Events, waf?: string): Promise<void> {
  const ev = events.for("load-test");
  for (const line of describePlan(plan)) ev.step(line.trim());
  if (!plan.outsideStack)
    ev.step("this is real traffic through the load balancer: it is billed in LCUs and shows in the service's logs");
  if (waf) ev.warning(waf);
  if (g.yes) return;
  if (!deps.io.stdinIsTTY)
    throw new InputError(
      "load-test asks before sending load, and stdin is not a terminal",
      "pass --yes to start without asking",
    );
  const answer = await deps.io.ask(`Send ${plan.total} requests to ${plan.origin}? Type yes to start: `);
  if (answer.trim() !== "yes") throw new InputError("load test cancelled: nothing was sent");
}
