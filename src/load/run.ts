// A load test from start to end: the schedule's requests counted in the run's measurements (and, in a ramp, in
// their step's, which the judge reads), the stack sampled meanwhile, progress every second, and what it all
// measured. The HTTP client, the histogram and the SDK's commands are loaded here, by the command that needs them.
import type { Context } from "../core/context.js";
import type { Events } from "../core/events.js";
import { type Aborted, AbortWatch } from "./abort-watch.js";
import { type ConnectionUse, connectionUse } from "./connections.js";
import { Measurements, type Summary } from "./measure.js";
import type { LoadPlan } from "./plan.js";
import type { RampOutcome } from "./ramp-judge.js";
import type { Sampling } from "./sampler.js";
import type { StackKeys } from "./stack-keys.js";

export interface Measured {
  interrupted: boolean;
  summary: Summary;
  connections: ConnectionUse;
  ramp?: RampOutcome;
  /** --abort-on stopped the run. */
  aborted: Aborted | null;
  sampling: Sampling;
  latencyAt(percentile: number): number | undefined;
}

export interface Stack {
  ctx: Context;
  keys: StackKeys;
  notes: string[];
}

export async function runLoad(
  plan: LoadPlan,
  signal: AbortSignal,
  events: Events,
  stack: Stack | undefined,
  sampleEveryMs: number | undefined,
): Promise<Measured> {
  const [{ runSchedule }, { SAMPLE_EVERY_MS, StackSampler }, { RampJudge }] = await Promise.all([
    import("./schedule.js"),
    import("./sampler.js"),
    import("./ramp-judge.js"),
  ]);
  const m = new Measurements(plan.total, plan.allowRedirects);
  const judge = plan.ramp ? new RampJudge({ ...plan, ramp: plan.ramp }) : undefined;
  const watch = plan.abortOn.length > 0 ? new AbortWatch(plan.abortOn, plan.allowRedirects) : undefined;
  const everyMs = sampleEveryMs ?? SAMPLE_EVERY_MS;
  const sampler = stack
    ? new StackSampler(stack.ctx, stack.keys, stack.notes, everyMs, Math.ceil(plan.durationMs / everyMs) + 1)
    : undefined;
  const ev = events.for("load-test");
  const started = performance.now();
  // A changing state only every tenth of the run, so plain logs get a line then (and every 30 s), not each second.
  const ticker = setInterval(() => {
    watch?.tick();
    const tenths = Math.floor((10 * m.begun) / plan.total) * 10;
    ev.waiting(`load on ${plan.origin}`, `${stepNow(plan, m.begun)}${tenths} % started`, performance.now() - started);
  }, 1000);
  ticker.unref();
  sampler?.start();
  let schedule: Awaited<ReturnType<typeof runSchedule>>;
  try {
    schedule = await runSchedule(
      plan,
      {
        countIn: (step) => [m, ...(judge ? [judge.steps[step] as Measurements] : []), ...(watch ? [watch.now()] : [])],
        settled: (step) => judge?.settled(step),
        stop: () => judge?.stop() ?? watch?.stop(),
      },
      signal,
    );
  } finally {
    clearInterval(ticker);
  }
  if (schedule.stoppedBy) ev.step(`stopped sending: ${schedule.stoppedBy}`);
  ev.step(`${signal.aborted ? "stopped" : "done"}: ${m.sent} sent, ${m.answered} answered, ${m.failed} failed`);
  const sampling: Sampling = sampler
    ? await sampler.finish(plan.observeMs, signal)
    : { notes: ["not sampled (--no-sample)"], samples: [] };
  const summary = m.summary(schedule.elapsedMs);
  return {
    interrupted: signal.aborted,
    summary,
    connections: connectionUse(summary, plan.rate, plan.connections, m.peakInUse),
    ...(judge ? { ramp: judge.outcome() } : {}),
    aborted: watch?.aborted ?? null,
    sampling,
    latencyAt: (p: number) => m.latencyAt(p),
  };
}

/** In a ramp, the step whose requests are starting: "step 3 of 10 (30 req/s), ". */
function stepNow(plan: LoadPlan, begun: number): string {
  if (plan.steps.length < 2) return "";
  let before = 0;
  for (const [i, step] of plan.steps.entries()) {
    before += Math.ceil((step.rate * step.durationMs) / 1000);
    if (begun < before || i === plan.steps.length - 1)
      return `step ${i + 1} of ${plan.steps.length} (${step.rate} req/s), `;
  }
  return "";
}
