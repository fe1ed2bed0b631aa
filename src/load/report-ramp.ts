// How a ramp reads: one row per step (its rate, what it sent and got back, its latency curve and verdict) in 80
// columns, then the limit in one line; or the same in the JSON document.
import type { RampOutcome, StepOutcome } from "./ramp-judge.js";
import type { Verdict } from "./thresholds.js";

const ms = (n: number | undefined) => (n === undefined ? "-" : n >= 1000 ? `${Math.round(n / 10) / 100} s` : `${n} ms`);
const cells = (values: string[], widths: number[]) => values.map((v, i) => v.padStart(widths[i] as number)).join("");
const WIDTHS = [9, 8, 11, 9, 10, 10, 10];
const broken = (on: Verdict[]) => on.map((v) => `${v.expectation} (${v.actual})`).join(", ");

/** A step the ramp stopped before it sent anything: no row of zeros, one line naming the rates. */
const notRun = (s: StepOutcome) => s.verdict === "not judged" && s.summary.requests.sent === 0;

export function rampLines(ramp: RampOutcome): string[] {
  const marked = ramp.steps.some((s) => s.connections.setTheLatency);
  const row = (s: StepOutcome) => {
    const l = s.summary.latencyMs;
    const verdict = `${s.verdict === "not judged" ? "partial" : s.verdict}${s.connections.setTheLatency ? "*" : ""}`;
    const { requests, throughput, errors } = s.summary;
    const values = [s.rate, requests.sent, throughput.answeredPerSecond, `${errors.percent} %`];
    return `${cells([...values.map(String), ms(l?.p50), ms(l?.p95), ms(l?.p99)], WIDTHS)}  ${verdict}`;
  };
  return [
    `Ramp        a step breaks when ${ramp.stopWhen.join(" or ")}`,
    cells(["req/s", "sent", "answered/s", "errors", "p50", "p95", "p99"], WIDTHS),
    ...ramp.steps.filter((s) => !notRun(s)).map(row),
    ...(ramp.steps.some(notRun)
      ? [
          `  not run: ${ramp.steps
            .filter(notRun)
            .map((s) => s.rate)
            .join(", ")} req/s`,
        ]
      : []),
    ...(marked ? ["  * the generator's connections, not the service, set this step's latency"] : []),
    `Limit       ${limit(ramp)}`,
  ];
}

function limit(ramp: RampOutcome): string {
  const { held, broke } = ramp;
  const first = ramp.steps[0]?.rate;
  const top = ramp.steps.at(-1)?.rate;
  const suggested = ramp.steps.find((s) => s.rate === broke?.rate)?.connections.suggested;
  const generators = ramp.brokenByConnections
    ? `; but the generator's connections, not the service, set that step's latency, so the limit found is the generator's: run again with --connections ${suggested}`
    : "";
  if (broke && held !== null)
    return `${held} req/s held; the step at ${broke.rate} req/s broke ${broken(broke.on)}${generators}`;
  if (broke) return `below ${first} req/s: the first step broke ${broken(broke.on)}${generators}`;
  if (held === top) return `above ${top} req/s: every step held (raise the ramp's top to find it)`;
  return held === null
    ? "unknown: the ramp stopped before any step was judged"
    : `at least ${held} req/s: the ramp stopped before a step broke`;
}

export function rampJson(ramp: RampOutcome) {
  return {
    stopWhen: ramp.stopWhen,
    held: ramp.held,
    broke: ramp.broke,
    brokenByConnections: ramp.brokenByConnections,
    steps: ramp.steps.map((s) => ({
      rate: s.rate,
      durationMs: s.durationMs,
      verdict: s.verdict,
      brokeOn: s.brokeOn,
      requests: s.summary.requests,
      answeredPerSecond: s.summary.throughput.answeredPerSecond,
      errors: { total: s.summary.errors.total, percent: s.summary.errors.percent },
      redirects: s.summary.redirects.total,
      latencyMs: s.summary.latencyMs ?? null,
      serviceLatencyMs: s.summary.serviceLatencyMs ?? null,
      connectionWaitMs: s.summary.connectionWaitMs ?? null,
      connections: s.connections,
    })),
  };
}
