// What the stack does under the load and after it, sampled every 30 s (tests pass less) while the load runs, then
// every 30 s of the observation window after it (--observe): the ECS service's desired and running counts, the
// ALB's newest minute of metrics and the state of the stack's alarms. At the end of the window: whether auto
// scaling acted and which alarms went to ALARM since the start, and whether the load and the window were long
// enough for "it did not" to mean anything (observation.ts). A part whose env keys are missing is said once and
// left out; a failing read is reported once and never stops the load test. Times are AWS's (the context's clock).
import type { Context } from "../core/context.js";
import { asAwsError } from "../core/errors.js";
import {
  type AlarmEvaluation,
  alarmsVerdict,
  type ObservationWindow,
  observationWindow,
  SAMPLE_EVERY_MS,
  scalingVerdict,
} from "./observation.js";
import { describeSample } from "./report-stack.js";
import type { StackKeys } from "./stack-keys.js";
import {
  type AlbSample,
  alarmStates,
  alarmsFired,
  albMetrics,
  scalingActivities,
  serviceCounts,
} from "./stack-reads.js";

export { SAMPLE_EVERY_MS };

const CALL_LIMIT_MS = 10_000;

export interface Sample {
  /** Seconds since the load started. */
  at: number;
  afterTheLoad?: true;
  service?: { desired: number; running: number; pending: number };
  /** The newest minute CloudWatch has for the ALB (its metrics lag a minute or two behind the traffic). */
  alb?: AlbSample;
  alarms?: { inAlarm: string[]; ok: number; insufficientData: number };
}

export interface Sampling {
  notes: string[];
  samples: Sample[];
  /** How long the load and the watch after it lasted, against what the alarms need. */
  window?: ObservationWindow;
  /** known: it acted, or the load and the window were long enough to say it did not. */
  autoScaling?: { acted: boolean; known: boolean; activities: Awaited<ReturnType<typeof scalingActivities>> };
  alarmsFired?: Awaited<ReturnType<typeof alarmsFired>>;
  alarmsKnown?: boolean;
}

export class StackSampler {
  readonly samples: Sample[] = [];
  private readonly stopped = new AbortController();
  private readonly failed = new Set<string>();
  private awsStart = 0;
  private running: Promise<void> = Promise.resolve();
  /** The stack's alarms' periods and datapoints, from the last DescribeAlarms. */
  private evaluations: AlarmEvaluation[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly keys: StackKeys,
    readonly notes: string[],
    private readonly everyMs: number,
    private readonly maxSamples: number,
  ) {}

  private get events() {
    return this.ctx.events.for("load-test");
  }

  /** Takes a first sample now (the stack before the load), then one every interval. */
  start(): void {
    // AWS's timestamps are compared with the context's clock (the fake's, in tests).
    this.awsStart = this.ctx.clock.now();
    for (const note of this.notes) this.events.warning(`sampling: ${note}`);
    this.running = this.loop();
  }

  /**
   * Stops sampling with the load, watches the stack for observeMs after it (unless Ctrl-C), then asks what auto
   * scaling did and which alarms fired since the start.
   */
  async finish(observeMs: number, signal: AbortSignal): Promise<Sampling> {
    this.stopped.abort();
    await this.running;
    const loadEnd = this.ctx.clock.now();
    await this.observe(loadEnd, observeMs, signal);
    const end = this.ctx.clock.now();
    const window = observationWindow(loadEnd - this.awsStart, end - loadEnd, this.evaluations);
    const { service, alarmPrefixes } = this.keys;
    const result: Sampling = { notes: this.notes, samples: this.samples, window };
    if (service) {
      const activities = await this.read("auto scaling activities", (s) =>
        scalingActivities(this.ctx, service, new Date(this.awsStart), s),
      );
      const acted = Boolean(activities?.length);
      if (activities) result.autoScaling = { acted, known: acted || scalingVerdict(window).known, activities };
    }
    if (alarmPrefixes.length > 0) {
      const fired = await this.read("alarm history", (s) =>
        alarmsFired(this.ctx, alarmPrefixes, new Date(this.awsStart), new Date(end), s),
      );
      if (fired) {
        result.alarmsFired = fired;
        result.alarmsKnown = fired.length > 0 || alarmsVerdict(window).known;
      }
    }
    return result;
  }

  /** A sample every SAMPLE_EVERY_MS of AWS's time until observeMs after the load, or Ctrl-C. */
  private async observe(loadEnd: number, observeMs: number, signal: AbortSignal): Promise<void> {
    const aborted = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    for (;;) {
      const watched = this.ctx.clock.now() - loadEnd;
      if (signal.aborted || watched >= observeMs) return;
      const state = `${Math.round(watched / 1000)} s of ${Math.round(observeMs / 1000)} s; --observe 0 skips this`;
      this.events.waiting("the stack after the load", state, watched);
      await Promise.race([this.ctx.clock.sleep(Math.min(SAMPLE_EVERY_MS, observeMs - watched)), aborted]);
      if (!signal.aborted) await this.sample(true);
    }
  }

  private async loop(): Promise<void> {
    for (let n = 0; n < this.maxSamples && !this.stopped.signal.aborted; n++) {
      await this.sample();
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, this.everyMs);
        this.stopped.signal.addEventListener("abort", done, { once: true });
      });
    }
  }

  private async sample(afterTheLoad = false): Promise<void> {
    const { service, alb, alarmPrefixes } = this.keys;
    const at = Math.round((this.ctx.clock.now() - this.awsStart) / 1000);
    const sample: Sample = { at, ...(afterTheLoad ? { afterTheLoad } : {}) };
    const [counts, metrics, alarms] = await Promise.all([
      service ? this.read("ECS service", (s) => serviceCounts(this.ctx, service, s)) : undefined,
      alb ? this.read("ALB metrics", (s) => albMetrics(this.ctx, alb, s)) : undefined,
      alarmPrefixes.length ? this.read("alarms", (s) => alarmStates(this.ctx, alarmPrefixes, s)) : undefined,
    ]);
    if (counts) sample.service = counts;
    if (metrics) sample.alb = metrics;
    if (alarms) {
      sample.alarms = alarms.states;
      this.evaluations = alarms.evaluations;
    }
    this.samples.push(sample);
    this.events.step(`sample at ${at} s${afterTheLoad ? " (after the load)" : ""}: ${describeSample(sample)}`);
  }

  /** One bounded read; the first failure of each part is reported, and the part is left out of that sample. */
  private async read<T>(what: string, read: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    try {
      return await read(AbortSignal.timeout(CALL_LIMIT_MS));
    } catch (err) {
      if (!this.failed.has(what)) {
        this.failed.add(what);
        const note = `${what} not sampled: ${asAwsError("sample", what, err).message}`;
        this.notes.push(note);
        this.events.warning(`sampling: ${note}`);
      }
      return undefined;
    }
  }
}
