// `infra load-test`: bounded load on the stack's own endpoint, safe to point at production. Everything is
// checked before the first request (exit 2), it asks before starting (--yes in scripts), it runs under the
// Ctrl-C guard so an interrupted run still reports what it measured (exit 130), and --expect makes it a CI gate
// (exit 1 when a threshold is missed).
import type { Command } from "commander";
import { systemClock } from "../core/clock.js";
import { EnvFile } from "../core/env-file.js";
import { CheckFailedError, InputError } from "../core/errors.js";
import { Events } from "../core/events.js";
import { Interrupt, InterruptedError } from "../core/interrupt.js";
import { defaultOf } from "../core/keys.js";
import { DEFAULT_OBSERVE_MS, SCALE_OUT_DATAPOINTS } from "../load/observation.js";
import { CAPS, DEFAULTS, type LoadOptions, type LoadPlan, planLoad, wafWarning } from "../load/plan.js";
import { DEFAULT_STEPS, DEFAULT_STOP_WHEN } from "../load/ramp.js";
import { describePlan, jsonDocument, type LoadResult, passed, renderText } from "../load/report.js";
import { stackKeys } from "../load/stack-keys.js";
import { evaluate, parseExpect } from "../load/thresholds.js";
import { checkEndpoint, type GlobalOptions, parseDuration } from "./options.js";
import type { Commands } from "./program.js";
import { progressRenderer } from "./render.js";
import { type Deps, makeContext } from "./setup.js";

interface Options extends LoadOptions {
  expect?: string;
  sample: boolean;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
/** A list option given more than once: every list applies, as one (a later one must not silently drop the earlier). */
const joined = (value: string, previous: string | undefined) =>
  previous === undefined ? value : `${previous},${value}`;

export function registerLoadTest({ program, deps, opts, result: setResult }: Commands): void {
  const { normal } = CAPS;
  program
    .command("load-test")
    .description("bounded load on the stack's own endpoint: latency, errors, what auto scaling did")
    .option(
      "--rate <req/s>",
      `requests started per second, on schedule (default: ${DEFAULTS.rate}, at most ${normal.rate})`,
    )
    .option(
      "--duration <duration>",
      `how long to send (default: ${DEFAULTS.duration}, at most ${normal.durationMs / 60_000}m)`,
    )
    .option(
      "--ramp <from>-<to>/<duration>",
      "raise the rate step by step (or name the steps: 10,20,40/2m) until a step breaks --stop-when, and report the highest rate that held",
    )
    .option("--steps <n>", `how many steps a <from>-<to> ramp takes (default: ${DEFAULT_STEPS})`)
    .option(
      "--stop-when <list>",
      `when a ramp's step breaks (default: ${DEFAULT_STOP_WHEN}; repeatable: any breaks it)`,
      joined,
    )
    .option("--connections <n>", `connections to open at most (at most ${normal.connections})`, DEFAULTS.connections)
    .option(
      "--path <path>",
      `a path to request, repeatable (default: HEALTH_CHECK_PATH, else ${defaultOf("HEALTH_CHECK_PATH", () => undefined)})`,
      collect,
    )
    .option("--paths-file <file>", "weighted paths, one per line: <weight> <path>")
    .option(
      "--request-timeout <duration>",
      "how long a request may take from its scheduled start",
      DEFAULTS.requestTimeout,
    )
    .option("--target <url>", "another origin than https://<API_DOMAIN_NAME>, such as the ALB's DNS name")
    .option("--outside-stack", "allow a --target that is not this stack's endpoint")
    .option("--lift-caps", "allow up to 2000 req/s, 1h and 1000 connections")
    .option(
      "--expect <list>",
      "thresholds such as p99<500ms,errors<1%: exit 1 when one is missed (repeatable: all apply)",
      joined,
    )
    .option(
      "--abort-on <list>",
      "stop sending when the last seconds' requests show this, such as errors>20%: exit 1 (repeatable: any stops)",
      joined,
    )
    .option("--allow-redirects", "count 3xx answers as answers, not errors (they are counted apart either way)")
    .option(
      "--observe <duration>",
      `how long to keep sampling the stack after the load before saying whether auto scaling acted (default: ${DEFAULT_OBSERVE_MS / 1000}s: target tracking's scale-out alarm needs ${SCALE_OUT_DATAPOINTS} datapoints of 60 s, plus one sample; 0 skips)`,
    )
    .option("--no-sample", "do not read the ECS service, ALB metrics and alarms during the run (nor after it)")
    .action(async (_o, cmd: Command) => {
      const g = opts(cmd);
      const o = cmd.opts<Options>();
      // Every input is checked before anything is sent or asked.
      const expectations = parseExpect(o.expect);
      const env = await EnvFile.load(g.envFile);
      const plan = await planLoad(o, env);
      const ctx = o.sample
        ? makeContext(env, g, deps, parseDuration(g.timeout), checkEndpoint(g.endpointUrl))
        : undefined;
      const events = ctx?.events ?? eventsFor(g, deps);
      const notes: string[] = [];
      const keys = ctx ? stackKeys(env, notes) : undefined;
      await confirm(deps, g, plan, events, wafWarning(plan, env));
      const interrupt = deps.interrupt ?? new Interrupt();
      const stack = ctx && keys ? { ctx, keys, notes } : undefined;
      const { runLoad } = await import("../load/run.js");
      const measured = await interrupt.guard((signal) => runLoad(plan, signal, events, stack, deps.sampleEveryMs));
      const verdicts = evaluate(expectations, measured.summary, measured.latencyAt);
      const result: LoadResult = { plan, ...measured, verdicts };
      if (g.json) setResult(jsonDocument(result));
      else deps.io.stdout(renderText(result));
      if (result.interrupted)
        throw new InterruptedError("load test: the report shows what was measured until then", true);
      if (result.aborted) throw new CheckFailedError("load test stopped by --abort-on");
      if (!passed(result)) {
        const missed = verdicts.filter((v) => !v.ok).length;
        throw new CheckFailedError(`${missed} expectation(s) missed`);
      }
    });
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
