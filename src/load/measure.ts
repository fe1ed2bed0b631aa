// What a load test measures, for a whole run or one step of a ramp. Each request has three durations: its
// latency, from its scheduled start to the last byte of its answer (so a service that falls behind shows as
// latency rather than as fewer requests: no coordinated omission); the wait for a connection, from when the
// generator started it (late, if the generator itself lagged) until it was written to a socket; and the service's
// latency, from then to the last byte. A request that
// timed out counts at its timeout: it took at least that long. Answers are counted by status code, failures by
// kind, and "sent" counts only what was written to a socket. A redirect (3xx) is counted apart: it says the
// request did not reach what was meant (the load balancer's HTTP listener answers 301 to HTTPS before any target
// sees it), so it is an error unless the run allows redirects.
import { type HistogramRow, HistogramRows } from "./histogram-rows.js";
import { Latencies, type Percentiles, round } from "./latencies.js";

/** queued: timed out waiting for a free connection, so never sent. */
export type FailureKind = "timeout" | "queued" | "reset" | "tls" | "refused" | "dns" | "other";
export const FAILURE_KINDS: FailureKind[] = ["timeout", "queued", "reset", "tls", "refused", "dns", "other"];

export interface Summary {
  requests: { planned: number; sent: number; answered: number; failed: number; notSent: number; cancelled: number };
  elapsedMs: number;
  throughput: { sentPerSecond: number; answeredPerSecond: number; bytesReceived: number };
  /** Answers by HTTP status code. */
  status: Record<string, number>;
  /** Answers with a 3xx status, and where the first one pointed. */
  redirects: { total: number; byStatus: Record<string, number>; location?: string };
  /** Answers with status 400 or above (and redirects, unless allowed), and requests that got no answer, by kind. */
  errors: { total: number; percent: number; byStatus: Record<string, number>; byKind: Record<FailureKind, number> };
  /** Undefined when no request was answered or timed out. */
  latencyMs?: Percentiles;
  serviceLatencyMs?: Percentiles;
  connectionWaitMs?: Percentiles;
  histogram: HistogramRow[];
  /** The most any request started after its scheduled time: large values mean the generator, not the server, lagged. */
  generatorLagMs: number;
}

/** How a request that got no answer went: its latency (a timeout's), and whether and when it was sent. */
export interface Failed {
  latencyMs?: number;
  /** Undefined when it was never written to a socket. */
  serviceMs?: number;
  /** How long it waited for a connection that it never got. */
  waitedMs?: number;
}

export class Measurements {
  private readonly latency = new Latencies();
  private readonly service = new Latencies();
  private readonly wait = new Latencies();
  private readonly rows = new HistogramRows();
  /** Requests the generator started (each is then sent, cancelled, or fails before it is). */
  begun = 0;
  sent = 0;
  answered = 0;
  failed = 0;
  notSent = 0;
  cancelled = 0;
  /** The most of the run's connections in use at once. */
  peakInUse = 0;
  bytes = 0;
  private lagMs = 0;
  private readonly status = new Map<number, number>();
  private readonly kinds = new Map<FailureKind, number>();
  private location: string | undefined;

  constructor(
    readonly planned: number,
    private readonly allowRedirects = false,
  ) {}

  /** The generator started a request lagMs after its scheduled time. */
  started(lagMs: number): void {
    this.begun++;
    this.lagMs = Math.max(this.lagMs, lagMs);
  }

  /** A request got one of the run's connections, and inUse are in use now. */
  using(inUse: number): void {
    this.peakInUse = Math.max(this.peakInUse, inUse);
  }

  /** A request was written to a socket after waiting waitMs for a connection. */
  written(waitMs: number): void {
    this.sent++;
    this.wait.put(waitMs);
  }

  answer(status: number, latencyMs: number, serviceMs: number, bytes: number, location?: string): void {
    this.answered++;
    this.location ??= location;
    this.bytes += bytes;
    this.status.set(status, (this.status.get(status) ?? 0) + 1);
    this.tally(latencyMs);
    this.service.put(serviceMs);
  }

  failure(kind: FailureKind, how: Failed = {}): void {
    this.failed++;
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    if (how.latencyMs !== undefined) this.tally(how.latencyMs);
    if (how.serviceMs !== undefined) this.service.put(how.serviceMs);
    else this.notSent++;
    if (how.waitedMs !== undefined) this.wait.put(how.waitedMs);
  }

  /** Counts what another set of measurements counted in this one (the seconds of a sliding window). */
  add(other: Measurements): void {
    for (const key of ["begun", "sent", "answered", "failed", "notSent", "cancelled", "bytes"] as const)
      this[key] += other[key];
    this.peakInUse = Math.max(this.peakInUse, other.peakInUse);
    this.lagMs = Math.max(this.lagMs, other.lagMs);
    for (const [status, n] of other.status) this.status.set(status, (this.status.get(status) ?? 0) + n);
    for (const [kind, n] of other.kinds) this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + n);
    this.location ??= other.location;
    this.latency.add(other.latency);
    this.service.add(other.service);
    this.wait.add(other.wait);
    this.rows.add(other.rows);
  }

  /** The latency at a percentile (0-100) in ms, or undefined before any latency was recorded. */
  latencyAt(percentile: number): number | undefined {
    return this.latency.at(percentile);
  }

  summary(elapsedMs: number): Summary {
    const seconds = Math.max(elapsedMs, 1) / 1000;
    const statuses = (test: (status: number) => boolean) =>
      Object.fromEntries([...this.status].filter(([s]) => test(s)).sort(([a], [b]) => a - b));
    const redirect = (s: number) => s >= 300 && s < 400;
    const redirects = statuses(redirect);
    const byStatus = statuses((s) => s >= 400 || (redirect(s) && !this.allowRedirects));
    const byKind = Object.fromEntries(
      FAILURE_KINDS.map((k) => [k, this.kinds.get(k) ?? 0]),
    ) as Summary["errors"]["byKind"];
    const total = this.failed + Object.values(byStatus).reduce((a, b) => a + b, 0);
    const finished = this.answered + this.failed;
    const { planned, sent, answered, failed, notSent, cancelled } = this;
    const distribution = (name: string, l: Latencies) => (l.count > 0 ? { [name]: l.percentiles() } : {});
    return {
      requests: { planned, sent, answered, failed, notSent, cancelled },
      elapsedMs: Math.round(elapsedMs),
      throughput: {
        sentPerSecond: round(sent / seconds),
        answeredPerSecond: round(answered / seconds),
        bytesReceived: this.bytes,
      },
      status: statuses(() => true),
      redirects: {
        total: Object.values(redirects).reduce((a, b) => a + b, 0),
        byStatus: redirects,
        ...(this.location ? { location: this.location } : {}),
      },
      errors: { total, percent: finished ? round((100 * total) / finished, 2) : 0, byStatus, byKind },
      ...distribution("latencyMs", this.latency),
      ...distribution("serviceLatencyMs", this.service),
      ...distribution("connectionWaitMs", this.wait),
      histogram: this.rows.rows(),
      generatorLagMs: round(this.lagMs),
    };
  }

  private tally(ms: number): void {
    this.latency.put(ms);
    this.rows.put(ms);
  }
}
