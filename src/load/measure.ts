// What a load test measures: every request's latency in an HDR histogram (3 significant digits, from 1 µs to an
// hour), answers by status code, failures by kind, and how late the generator itself started requests. Latency
// is counted from each request's scheduled start, so a server that falls behind shows as latency rather than
// as fewer requests (coordinated omission). A request that timed out counts at its timeout: it took at least
// that long.
import { Latencies, type Percentiles, round } from "./latencies.js";

export type FailureKind = "timeout" | "reset" | "tls" | "refused" | "dns" | "other";
export const FAILURE_KINDS: FailureKind[] = ["timeout", "reset", "tls", "refused", "dns", "other"];

/** The bounds of the terminal histogram's rows, in ms: a 1-2-5 series, so a tail ten times the median shows. */
export const BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 60_000];

export interface Summary {
  requests: { planned: number; sent: number; answered: number; failed: number; cancelled: number };
  elapsedMs: number;
  throughput: { sentPerSecond: number; answeredPerSecond: number; bytesReceived: number };
  /** Answers by HTTP status code. */
  status: Record<string, number>;
  /** Answers with status 400 or above, and requests that got no answer, by kind. */
  errors: { total: number; percent: number; byStatus: Record<string, number>; byKind: Record<FailureKind, number> };
  /** Undefined when no request was answered or timed out. */
  latencyMs?: Percentiles;
  histogram: { fromMs: number; toMs: number | null; count: number }[];
  /** The most any request started after its scheduled time: large values mean the generator, not the server, lagged. */
  generatorLagMs: number;
}

export class Measurements {
  private readonly latencies = new Latencies();
  private readonly buckets = new Array<number>(BUCKETS_MS.length + 1).fill(0);
  sent = 0;
  answered = 0;
  failed = 0;
  cancelled = 0;
  private bytes = 0;
  private lagMs = 0;
  private readonly status = new Map<number, number>();
  private readonly kinds = new Map<FailureKind, number>();

  constructor(readonly planned: number) {}

  started(lagMs: number): void {
    this.sent++;
    this.lagMs = Math.max(this.lagMs, lagMs);
  }

  answer(status: number, latencyMs: number, bytes: number): void {
    this.answered++;
    this.bytes += bytes;
    this.status.set(status, (this.status.get(status) ?? 0) + 1);
    this.latency(latencyMs);
  }

  failure(kind: FailureKind, latencyMs?: number): void {
    this.failed++;
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    if (latencyMs !== undefined) this.latency(latencyMs);
  }

  /** The latency at a percentile (0-100) in ms, or undefined before any latency was recorded. */
  latencyAt(percentile: number): number | undefined {
    return this.latencies.at(percentile);
  }

  summary(elapsedMs: number): Summary {
    const seconds = Math.max(elapsedMs, 1) / 1000;
    const byStatus = Object.fromEntries([...this.status].filter(([s]) => s >= 400).sort(([a], [b]) => a - b));
    const byKind = Object.fromEntries(
      FAILURE_KINDS.map((k) => [k, this.kinds.get(k) ?? 0]),
    ) as Summary["errors"]["byKind"];
    const total = this.failed + Object.values(byStatus).reduce((a, b) => a + b, 0);
    const finished = this.answered + this.failed;
    return {
      requests: {
        planned: this.planned,
        sent: this.sent,
        answered: this.answered,
        failed: this.failed,
        cancelled: this.cancelled,
      },
      elapsedMs: Math.round(elapsedMs),
      throughput: {
        sentPerSecond: round(this.sent / seconds),
        answeredPerSecond: round(this.answered / seconds),
        bytesReceived: this.bytes,
      },
      status: Object.fromEntries([...this.status].sort(([a], [b]) => a - b)),
      errors: { total, percent: finished ? round((100 * total) / finished, 2) : 0, byStatus, byKind },
      ...(this.latencies.count > 0 ? { latencyMs: this.latencies.percentiles() } : {}),
      histogram: this.rows(),
      generatorLagMs: round(this.lagMs),
    };
  }

  private latency(ms: number): void {
    this.latencies.record(ms);
    const i = BUCKETS_MS.findIndex((upper) => ms < upper);
    const row = i === -1 ? BUCKETS_MS.length : i;
    this.buckets[row] = (this.buckets[row] as number) + 1;
  }

  /** The rows from the first to the last that hold a request. */
  private rows(): Summary["histogram"] {
    const rows = this.buckets.map((count, i) => ({
      fromMs: i === 0 ? 0 : (BUCKETS_MS[i - 1] as number),
      toMs: BUCKETS_MS[i] ?? null,
      count,
    }));
    const first = rows.findIndex((r) => r.count > 0);
    if (first === -1) return [];
    const last = rows.findLastIndex((r) => r.count > 0);
    return rows.slice(first, last + 1);
  }
}
