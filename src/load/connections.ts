// Whose latency a run measured: the service's, or the generator's own connections'. A service's real users do
// not queue for one of a load generator's connections, so when every connection was busy and requests waited
// longer for one than the service took to answer, the latency the run shows is the generator's, and the service
// never saw the rate asked for. Little's law says how many connections a rate needs: rate x the time each
// request holds one.

import type { Summary } from "./measure.js";
import { CAPS } from "./plan.js";

export interface ConnectionUse {
  limit: number;
  /** The most in use at once. */
  peakInUse: number;
  /** The generator's connections, not the service, set the latency. */
  setTheLatency: boolean;
  /** About how many the rate needs at once, at the service's p95. */
  needed?: number;
  /** What --connections would carry the rate, with room for its slower answers. */
  suggested?: number;
}

export function connectionUse(summary: Summary, rate: number, limit: number, peakInUse: number): ConnectionUse {
  const wait = summary.connectionWaitMs;
  const service = summary.serviceLatencyMs;
  const setTheLatency = Boolean(wait && service && peakInUse >= limit && wait.p95 > service.p95 && wait.p95 >= 1);
  if (!setTheLatency || !service) return { limit, peakInUse, setTheLatency };
  const needed = Math.max(1, Math.ceil((rate * service.p95) / 1000));
  // Twice what the p99 answer needs: a rate's arrivals and a service's answers both come in bursts.
  const suggested = Math.max(limit + 1, Math.ceil((2 * rate * service.p99) / 1000));
  return { limit, peakInUse, setTheLatency, needed, suggested };
}

const duration = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`);

/** The report's words for it. */
export function describeConnections(use: ConnectionUse, summary: Summary, rate: number): string {
  const wait = summary.connectionWaitMs;
  const service = summary.serviceLatencyMs;
  if (!use.setTheLatency || !wait || !service || use.suggested === undefined)
    return `at most ${use.peakInUse} of ${use.limit} in use at once${wait ? `; requests waited p95 ${duration(wait.p95)} for one` : ""}`;
  const fix =
    use.suggested > CAPS.lifted.connections
      ? `more than infra opens (${CAPS.lifted.connections}): lower --rate`
      : `--connections ${use.suggested}${use.suggested > CAPS.normal.connections ? " --lift-caps" : ""} would fix it`;
  return (
    `the generator's ${use.limit} connections, not the service, set the latency: requests waited p95 ` +
    `${duration(wait.p95)} for one while the service answered in p95 ${duration(service.p95)}; ${rate} req/s ` +
    `needs about ${use.needed} at once: ${fix}`
  );
}
