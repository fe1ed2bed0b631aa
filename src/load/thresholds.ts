// --expect: what a load test must show to pass, for a CI gate. "p99<500ms,errors<1%,rps>=9": latency
// percentiles (pNN), max and mean with a unit; errors as a share of finished requests (%) or a count; rps, the
// answered requests per second. --stop-when and --abort-on are written the same way, and say when to stop. A
// malformed list is a usage error, found before anything is sent.
import { InputError } from "../core/errors.js";
import type { Summary } from "./measure.js";

type Op = "<" | "<=" | ">" | ">=";

export interface Expectation {
  text: string;
  metric: string;
  op: Op;
  /** In ms for latency, percent or a count for errors, req/s for rps. */
  limit: number;
  percent?: boolean;
}

export interface Verdict {
  expectation: string;
  actual: string;
  ok: boolean;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
const KNOWN = "p<N> (p50, p99, p99.9...), max, mean, errors, rps";
const LATENCY = /^(p(\d{1,2}(\.\d+)?|100)|max|mean)$/;

export function parseExpect(text: string | undefined, option = "--expect"): Expectation[] {
  if (text === undefined) return [];
  const parts = text.split(",").map((p) => p.trim());
  if (parts.some((p) => p === "")) throw new InputError(`${option} ${text}: an empty condition`);
  return parts.map((part) => parseOne(part, option));
}

function parseOne(text: string, option: string): Expectation {
  const m = /^([a-z][a-z0-9.]*)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*([a-z%]*)$/.exec(text);
  const like = option === "--expect" ? "p99<500ms or errors<1%" : "p95>500ms or errors>1%";
  if (!m) throw new InputError(`${option} ${text} is not <metric><op><value> (like ${like})`);
  const [, metric, op, value, unit] = m as unknown as [string, string, Op, string, string];
  const n = Number(value);
  if (LATENCY.test(metric)) {
    const scale = UNIT_MS[unit];
    if (scale === undefined) throw new InputError(`${option} ${text}: a latency needs a unit: us, ms or s`);
    return { text, metric, op, limit: n * scale };
  }
  if (metric === "errors") {
    if (unit !== "" && unit !== "%") throw new InputError(`${option} ${text}: errors are a count or a percentage`);
    if (unit === "%" && n > 100) throw new InputError(`${option} ${text}: a percentage is at most 100`);
    return { text, metric, op, limit: n, percent: unit === "%" };
  }
  if (metric === "rps") {
    if (unit !== "") throw new InputError(`${option} ${text}: rps is a plain number of requests per second`);
    return { text, metric, op, limit: n };
  }
  throw new InputError(`${option} ${text}: unknown metric "${metric}" (known: ${KNOWN})`);
}

const holds = (actual: number, op: Op, limit: number) =>
  op === "<" ? actual < limit : op === "<=" ? actual <= limit : op === ">" ? actual > limit : actual >= limit;

/** Each expectation against what was measured; latency with no answered request cannot pass. */
export function evaluate(
  expectations: Expectation[],
  summary: Summary,
  latencyAt: (percentile: number) => number | undefined,
): Verdict[] {
  return expectations.map((e) => {
    let actual: number | undefined;
    let shown: string;
    if (e.metric === "errors") {
      const finished = summary.requests.answered + summary.requests.failed;
      actual = !e.percent ? summary.errors.total : finished > 0 ? summary.errors.percent : undefined;
      shown = actual === undefined ? "no finished request" : e.percent ? `${actual} %` : String(actual);
    } else if (e.metric === "rps") {
      actual = summary.throughput.answeredPerSecond;
      shown = `${actual} req/s`;
    } else {
      actual =
        e.metric === "max"
          ? summary.latencyMs?.max
          : e.metric === "mean"
            ? summary.latencyMs?.mean
            : latencyAt(Number(e.metric.slice(1)));
      shown = actual === undefined ? "no answered request" : `${actual} ms`;
    }
    return { expectation: e.text, actual: shown, ok: actual !== undefined && holds(actual, e.op, e.limit) };
  });
}
