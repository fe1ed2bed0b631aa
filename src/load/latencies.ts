// One distribution of durations in an HDR histogram (3 significant digits, from 1 µs to an hour). A percentile is
// read from its bucket's upper edge, which lies up to 0.1 % above the values in it: it is capped at the largest
// value recorded, so no percentile is ever above max.
import { build, type Histogram } from "hdr-histogram-js";

export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p99_9: number;
  max: number;
  mean: number;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export class Latencies {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  private maxUs = 0;

  get count(): number {
    return this.histogram.totalCount;
  }

  put(ms: number): void {
    const us = Math.max(1, Math.round(ms * 1000));
    this.histogram.recordValue(us);
    this.maxUs = Math.max(this.maxUs, us);
  }

  /** Counts another distribution's durations in this one. */
  add(other: Latencies): void {
    this.histogram.add(other.histogram);
    this.maxUs = Math.max(this.maxUs, other.maxUs);
  }

  /** The duration at a percentile (0-100) in ms, at most the largest recorded; undefined before any. */
  at(percentile: number): number | undefined {
    if (this.count === 0) return undefined;
    return round(Math.min(this.histogram.getValueAtPercentile(percentile), this.maxUs) / 1000);
  }

  /** Undefined when nothing was recorded. */
  percentiles(): Percentiles | undefined {
    if (this.count === 0) return undefined;
    const at = (p: number) => this.at(p) as number;
    return {
      p50: at(50),
      p90: at(90),
      p95: at(95),
      p99: at(99),
      p99_9: at(99.9),
      max: round(this.maxUs / 1000),
      mean: round(Math.min(this.histogram.mean, this.maxUs) / 1000),
    };
  }
}
