// --abort-on: the brake for a run that is hurting production. Every second it judges the requests that finished
// in the last ABORT_WINDOW_MS (since the start, in a run's first seconds), once there are MIN_FINISHED of them,
// against conditions written like --expect's ("errors>20%", "p99>5s"); the first that holds stops the run.
import { Measurements } from "./measure.js";
import { type Expectation, evaluate, type Verdict } from "./thresholds.js";

export const ABORT_WINDOW_MS = 10_000;
const SECOND_MS = 1000;
const MIN_FINISHED = 10;

export interface Aborted {
  on: Verdict[];
  /** How long the judged window was. */
  windowMs: number;
  /** When, counted from the start of the run. */
  afterMs: number;
}

export class AbortWatch {
  private seconds: Measurements[];
  private readonly started = performance.now();
  aborted: Aborted | undefined;

  constructor(
    private readonly conditions: Expectation[],
    private readonly allowRedirects: boolean,
  ) {
    this.seconds = [new Measurements(0, allowRedirects)];
  }

  /** Where what happens in this second is counted. */
  now(): Measurements {
    return this.seconds.at(-1) as Measurements;
  }

  /** Judges the window, then starts the next second. */
  tick(): void {
    if (this.aborted || this.conditions.length === 0) return;
    const window = new Measurements(0, this.allowRedirects);
    for (const second of this.seconds) window.add(second);
    const windowMs = Math.min(this.seconds.length * SECOND_MS, performance.now() - this.started);
    if (window.answered + window.failed >= MIN_FINISHED) {
      const held = evaluate(this.conditions, window.summary(windowMs), (p) => window.latencyAt(p)).filter((v) => v.ok);
      if (held.length > 0) this.aborted = { on: held, windowMs, afterMs: performance.now() - this.started };
    }
    this.seconds = [...this.seconds.slice(1 - ABORT_WINDOW_MS / SECOND_MS), new Measurements(0, this.allowRedirects)];
  }

  /** Why the run stops, once a condition held. */
  stop(): string | undefined {
    return this.aborted && `--abort-on ${this.aborted.on.map((v) => `${v.expectation} (${v.actual})`).join(", ")}`;
  }
}
