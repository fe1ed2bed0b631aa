// What the stack does under the load, sampled while it runs (every 30 s unless told otherwise): the ECS
// service's desired and running counts, the ALB's newest minute of metrics and the state of the stack's alarms;
// afterwards, whether auto scaling acted and which alarms went to ALARM since the start. A part whose env keys
// are missing is said once and left out; a failing read is reported once and never stops the load test.
import type { Context } from "../core/context.js";
import { asAwsError } from "../core/errors.js";
import { describeSample } from "./report.js";
import type { StackKeys } from "./stack-keys.js";
import {
  type AlbSample,
  alarmStates,
  alarmsFired,
  albMetrics,
  scalingActivities,
  serviceCounts,
} from "./stack-reads.js";

export const SAMPLE_EVERY_MS = 30_000;
const CALL_LIMIT_MS = 10_000;

export interface Sample {
  /** Seconds since the load started. */
  at: number;
  service?: { desired: number; running: number; pending: number };
  /** The newest minute CloudWatch has for the ALB (its metrics lag a minute or two behind the traffic). */
  alb?: AlbSample;
  alarms?: { inAlarm: string[]; ok: number; insufficientData: number };
}

export interface Sampling {
  notes: string[];
  samples: Sample[];
  autoScaling?: { acted: boolean; activities: Awaited<ReturnType<typeof scalingActivities>> };
  alarmsFired?: Awaited<ReturnType<typeof alarmsFired>>;
}

export class StackSampler {
  readonly samples: Sample[] = [];
  private readonly stopped = new AbortController();
  private readonly failed = new Set<string>();
  private startedAt = 0;
  private awsStart = new Date(0);
  private running: Promise<void> = Promise.resolve();

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
    this.startedAt = performance.now();
    // AWS's timestamps are compared with the context's clock (the fake's, in tests).
    this.awsStart = new Date(this.ctx.clock.now());
    for (const note of this.notes) this.events.warning(`sampling: ${note}`);
    this.running = this.loop();
  }

  /** Stops sampling, then asks what auto scaling did and which alarms fired since the start. */
  async finish(): Promise<Sampling> {
    this.stopped.abort();
    await this.running;
    const { service, alarmPrefixes } = this.keys;
    const result: Sampling = { notes: this.notes, samples: this.samples };
    const now = new Date(this.ctx.clock.now());
    if (service) {
      const activities = await this.read("auto scaling activities", (s) =>
        scalingActivities(this.ctx, service, this.awsStart, s),
      );
      if (activities) result.autoScaling = { acted: activities.length > 0, activities };
    }
    if (alarmPrefixes.length > 0) {
      const fired = await this.read("alarm history", (s) =>
        alarmsFired(this.ctx, alarmPrefixes, this.awsStart, now, s),
      );
      if (fired) result.alarmsFired = fired;
    }
    return result;
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

  private async sample(): Promise<void> {
    const { service, alb, alarmPrefixes } = this.keys;
    const sample: Sample = { at: Math.round((performance.now() - this.startedAt) / 1000) };
    const [counts, metrics, alarms] = await Promise.all([
      service ? this.read("ECS service", (s) => serviceCounts(this.ctx, service, s)) : undefined,
      alb ? this.read("ALB metrics", (s) => albMetrics(this.ctx, alb, s)) : undefined,
      alarmPrefixes.length ? this.read("alarms", (s) => alarmStates(this.ctx, alarmPrefixes, s)) : undefined,
    ]);
    if (counts) sample.service = counts;
    if (metrics) sample.alb = metrics;
    if (alarms) sample.alarms = alarms;
    this.samples.push(sample);
    this.events.step(`sample at ${sample.at} s: ${describeSample(sample)}`);
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
