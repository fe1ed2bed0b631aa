// How a load test's result reads: the plan, the requests and their errors, latency percentiles and a histogram
// for the terminal, what the stack did, and the expectations; or the same as one JSON document.

import type { Aborted } from "./abort-watch.js";
import { type ConnectionUse, describeConnections } from "./connections.js";
import type { Percentiles } from "./latencies.js";
import type { Summary } from "./measure.js";
import type { LoadPlan } from "./plan.js";
import type { RampOutcome } from "./ramp-judge.js";
import { rampJson, rampLines } from "./report-ramp.js";
import { stackLines } from "./report-stack.js";
import type { Sampling } from "./sampler.js";
import type { Verdict } from "./thresholds.js";

export interface LoadResult {
  plan: LoadPlan;
  interrupted: boolean;
  summary: Summary;
  connections: ConnectionUse;
  ramp?: RampOutcome;
  aborted: Aborted | null;
  sampling?: Sampling;
  verdicts: Verdict[];
}

const BAR_WIDTH = 40;
const WIDTH = 80;
const LABEL = 12;

export const passed = (r: LoadResult) => !r.interrupted && !r.aborted && r.verdicts.every((v) => v.ok);

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

const list = (entries: [string, number][]) =>
  entries
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}: ${n}`)
    .join(", ");

/** What a plan will do, in words: shown before asking, and at the head of the report. */
export function describePlan(plan: LoadPlan): string[] {
  const paths = plan.paths.map((p) => (plan.paths.length > 1 ? `${p.path} (weight ${p.weight})` : p.path));
  return [
    `GET ${plan.origin}${plan.paths.length === 1 ? paths[0] : ""}${plan.outsideStack ? "  (outside this stack)" : ""}`,
    ...(plan.paths.length > 1 ? [`  paths: ${paths.join(", ")}`] : []),
    `  ${rates(plan)} (${plan.total} requests), at most ${plan.connections} connections, ${seconds(plan.requestTimeoutMs)} per request`,
    ...(plan.observeMs > 0
      ? [
          `  then watches the stack for ${seconds(plan.observeMs)} before saying what auto scaling did (--observe 0 skips)`,
        ]
      : []),
  ];
}

function rates(plan: LoadPlan): string {
  const [first, second] = plan.steps;
  if (!first) return "";
  if (!second) return `${first.rate} req/s for ${seconds(first.durationMs)}`;
  const evenly = plan.steps.every(
    (s, i) => i === 0 || s.rate - (plan.steps[i - 1]?.rate ?? 0) === second.rate - first.rate,
  );
  const list = evenly ? `${first.rate} to ${plan.rate} req/s` : `${plan.steps.map((s) => s.rate).join(", ")} req/s`;
  return `${list} in ${plan.steps.length} steps of ${seconds(first.durationMs)}`;
}

export function renderText(r: LoadResult): string {
  const s = r.summary;
  const out = [`Load test of ${describePlan(r.plan).join("\n")}`];
  if (r.interrupted) out.push(`  interrupted after ${seconds(s.elapsedMs)}: what was measured until then`);
  if (r.aborted) out.push("", ...labelled("Aborted", aborted(r.aborted)));
  out.push(
    "",
    ...labelled("Requests", requestsLine(s)),
    `Throughput  ${s.throughput.answeredPerSecond} answered/s, ${bytes(s.throughput.bytesReceived)} received`,
    `Status      ${list(Object.entries(s.status)) || "none"}`,
    `Errors      ${s.errors.total} (${s.errors.percent} %)${s.errors.total ? `: ${list([...Object.entries(s.errors.byStatus), ...Object.entries(s.errors.byKind)])}` : ""}`,
    ...(s.redirects.total > 0 ? labelled("Redirects", redirects(s, r.plan.allowRedirects)) : []),
  );
  out.push(...latency(s), ...labelled("Connections", describeConnections(r.connections, s, r.plan.rate)));
  if (r.ramp) out.push("", ...rampLines(r.ramp).flatMap((line) => (line.length > WIDTH ? rewrap(line) : [line])));
  if (s.histogram.length) out.push("", ...histogram(s));
  if (r.sampling) out.push("", ...stackLines(r.sampling));
  if (r.verdicts.length) {
    out.push("", "Expectations");
    // A latency the generator's connections set is not the service's: the verdict says so.
    const whose = (v: Verdict) =>
      r.connections.setTheLatency && / m?s$/.test(v.actual) ? ", set by the generator's connections" : "";
    for (const v of r.verdicts) out.push(`  [${v.ok ? "OK  " : "FAIL"}] ${v.expectation} (${v.actual}${whose(v)})`);
  }
  const last = allRedirected(r) ?? allFailed(r);
  if (last) out.push("", last);
  return `${out.join("\n")}\n`;
}

function aborted(a: Aborted): string {
  const held = a.on.map((v) => `${v.expectation} (${v.actual})`).join(", ");
  return `${held} held for the requests of the last ${seconds(a.windowMs)}: stopped sending after ${seconds(a.afterMs)}`;
}

function redirects(s: Summary, allowed: boolean): string {
  const where = s.redirects.location ? ` to ${s.redirects.location}` : "";
  const counted = allowed ? "answers (--allow-redirects)" : "errors (--allow-redirects counts them as answers)";
  return `${s.redirects.total} (${list(Object.entries(s.redirects.byStatus))})${where}, counted as ${counted}`;
}

/** The last line of a run whose every answer was a redirect: the target is not the service, whatever --expect said. */
function allRedirected(r: LoadResult): string | undefined {
  const s = r.summary;
  if (s.requests.answered === 0 || s.redirects.total < s.requests.answered) return undefined;
  const location = s.redirects.location;
  const statuses = Object.keys(s.redirects.byStatus).join(", ");
  let origin: string | undefined;
  try {
    origin = location ? new URL(location, r.plan.origin).origin : undefined;
  } catch {}
  return (
    `Every answer was a redirect (${statuses}${location ? ` to ${location}` : ""}): this target redirects everything, ` +
    `so no request reached the service${origin && origin !== r.plan.origin ? `; aim at where it points: --target ${origin}` : ""}`
  );
}

/**
 * The plain last line of a run in which every finished request failed or was an error: the exit code says nothing
 * of it without --expect (a load test measures; only --expect judges), so the report must.
 */
function allFailed(r: LoadResult): string | undefined {
  const s = r.summary;
  const finished = s.requests.answered + s.requests.failed;
  if (finished === 0 || s.errors.total < finished) return undefined;
  const why = list([...Object.entries(s.errors.byStatus), ...Object.entries(s.errors.byKind)]);
  const what =
    s.requests.answered === 0
      ? `All ${finished} requests failed: none was answered (${why})`
      : `All ${finished} requests were errors (${why})`;
  return r.verdicts.length ? `${what}.` : `${what}; without --expect (errors<1%, say) the exit code is 0 all the same.`;
}

/** A line of the form "<label> <text>" wrapped like labelled(). */
const rewrap = (line: string) => labelled(line.slice(0, LABEL - 1).trim(), line.slice(LABEL).trim());

/** A label, then text wrapped to the terminal's 80 columns under the text's first column. */
function labelled(label: string, text: string): string[] {
  const lines: string[] = [];
  let line = label.padEnd(LABEL - 1);
  for (const word of text.split(" ")) {
    if (line.length + 1 + word.length > WIDTH && line.trim() !== label) {
      lines.push(line);
      line = " ".repeat(LABEL - 1);
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

function requestsLine(s: Summary): string {
  const r = s.requests;
  const notSent = r.notSent ? ` (${r.notSent} never sent)` : "";
  return `${r.sent} sent, ${r.answered} answered, ${r.failed} failed${notSent}, ${r.cancelled} cancelled, in ${seconds(s.elapsedMs)}`;
}

const ms = (n: number) => (n >= 1000 ? `${Math.round(n / 10) / 100} s` : `${n} ms`);
const COLUMNS = ["p50", "p90", "p95", "p99", "p99.9", "max", "mean"];
const row = (head: string, cells: string[]) => head.padEnd(LABEL) + cells.map((c) => c.padStart(9)).join("");

/** Latency, the service's latency and the wait for a connection, one row each, in 80 columns. */
function latency(s: Summary): string[] {
  if (!s.latencyMs) return ["Latency     no request answered"];
  const of = (label: string, p?: Percentiles) =>
    p ? [row(`  ${label}`, [p.p50, p.p90, p.p95, p.p99, p.p99_9, p.max, p.mean].map(ms))] : [];
  return [
    row("Latency", COLUMNS),
    ...of("total", s.latencyMs),
    ...of("service", s.serviceLatencyMs),
    ...of("waiting", s.connectionWaitMs),
    ...labelled(
      "",
      `total: from each request's scheduled start to its answer; service: from the request written to its socket; waiting: from when the generator started it (at most ${s.generatorLagMs} ms late) until a connection took it`,
    ),
  ];
}

function histogram(s: Summary): string[] {
  const most = Math.max(...s.histogram.map((h) => h.count));
  const label = (ms: number | null) => (ms === null ? "" : ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);
  const rows = s.histogram.map((h) => ({
    range: h.toMs === null ? `>= ${label(h.fromMs)}` : `${label(h.fromMs)} - ${label(h.toMs)}`.replace(/^0 ms/, "0"),
    bar: "#".repeat(Math.round((h.count / most) * BAR_WIDTH)),
    count: h.count,
  }));
  const width = Math.max(...rows.map((r) => r.range.length));
  return [
    "Latency histogram",
    ...rows.map((r) => `  ${r.range.padStart(width)} | ${r.bar.padEnd(BAR_WIDTH)} ${r.count}`),
  ];
}

export function jsonDocument(r: LoadResult) {
  const { plan, summary, connections, ramp, aborted, sampling, verdicts } = r;
  return {
    ok: passed(r),
    command: "load-test",
    target: { origin: plan.origin, paths: plan.paths, outsideStack: plan.outsideStack },
    plan: {
      rate: plan.rate,
      durationMs: plan.durationMs,
      connections: plan.connections,
      requestTimeoutMs: plan.requestTimeoutMs,
      requests: plan.total,
      steps: plan.steps,
    },
    interrupted: r.interrupted,
    aborted,
    ...summary,
    connections,
    ...(ramp ? { ramp: rampJson(ramp) } : {}),
    ...(sampling ? { sampling } : {}),
    expectations: verdicts,
  };
}
