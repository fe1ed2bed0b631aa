// How a load test's result reads: the plan, the requests and their errors, latency percentiles and a histogram
// for the terminal, what the stack did, and the expectations; or the same as one JSON document.
import type { Summary } from "./measure.js";
import type { LoadPlan } from "./plan.js";
import type { Sample, Sampling } from "./sampler.js";
import type { Verdict } from "./thresholds.js";

export interface LoadResult {
  plan: LoadPlan;
  interrupted: boolean;
  summary: Summary;
  sampling?: Sampling;
  verdicts: Verdict[];
}

const BAR_WIDTH = 40;

export const passed = (r: LoadResult) => !r.interrupted && r.verdicts.every((v) => v.ok);

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
    `  ${plan.rate} req/s for ${seconds(plan.durationMs)} (${plan.total} requests), at most ${plan.connections} connections, ${seconds(plan.requestTimeoutMs)} per request`,
  ];
}

export function renderText(r: LoadResult): string {
  const s = r.summary;
  const out = [`Load test of ${describePlan(r.plan).join("\n")}`];
  if (r.interrupted) out.push(`  interrupted after ${seconds(s.elapsedMs)}: what was measured until then`);
  out.push(
    "",
    `Requests    ${s.requests.sent} sent, ${s.requests.answered} answered, ${s.requests.failed} failed, ${s.requests.cancelled} cancelled, in ${seconds(s.elapsedMs)}`,
    `Throughput  ${s.throughput.answeredPerSecond} answered/s, ${bytes(s.throughput.bytesReceived)} received`,
    `Status      ${list(Object.entries(s.status)) || "none"}`,
    `Errors      ${s.errors.total} (${s.errors.percent} %)${s.errors.total ? `: ${list([...Object.entries(s.errors.byStatus), ...Object.entries(s.errors.byKind)])}` : ""}`,
  );
  const l = s.latencyMs;
  out.push(
    l
      ? `Latency     p50 ${l.p50} ms, p90 ${l.p90} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, p99.9 ${l.p99_9} ms, max ${l.max} ms, mean ${l.mean} ms`
      : "Latency     no request answered",
    `            from each request's scheduled start; the generator started requests at most ${s.generatorLagMs} ms late`,
  );
  if (s.histogram.length) out.push("", ...histogram(s));
  if (r.sampling) out.push("", ...stack(r.sampling));
  if (r.verdicts.length) {
    out.push("", "Expectations");
    for (const v of r.verdicts) out.push(`  [${v.ok ? "OK  " : "FAIL"}] ${v.expectation} (${v.actual})`);
  }
  const failedAll = allFailed(r);
  if (failedAll) out.push("", failedAll);
  return `${out.join("\n")}\n`;
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

function stack(sampling: Sampling): string[] {
  const out = ["The stack during the load"];
  for (const sample of sampling.samples) out.push(`  at ${sample.at} s: ${describeSample(sample)}`);
  const scaling = sampling.autoScaling;
  if (scaling)
    out.push(
      scaling.acted
        ? `  auto scaling acted: ${scaling.activities.map((a) => `${a.at.slice(11, 19)} ${a.description} (${a.cause}; ${a.status})`).join("; ")}`
        : "  auto scaling did not act",
    );
  const fired = sampling.alarmsFired;
  if (fired)
    out.push(
      fired.length
        ? `  alarms that fired: ${fired.map((f) => `${f.name} at ${f.at.slice(11, 19)}`).join(", ")}`
        : "  no alarm fired",
    );
  for (const note of sampling.notes) out.push(`  note: ${note}`);
  return out;
}

export function jsonDocument(r: LoadResult) {
  const { plan, summary, sampling, verdicts } = r;
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
    },
    interrupted: r.interrupted,
    ...summary,
    ...(sampling ? { sampling } : {}),
    expectations: verdicts,
  };
}

export function describeSample(s: Sample): string {
  const parts = [];
  if (s.service) parts.push(`${s.service.running}/${s.service.desired} tasks running`);
  if (s.alb) {
    const { targetResponseMs: avg, target5xx, elb5xx, minute } = s.alb;
    parts.push(
      minute === undefined
        ? "ALB: no data in the last 5 minutes"
        : `ALB at ${minute.slice(11, 16)}: target ${avg ?? "-"} ms avg, ${(target5xx ?? 0) + (elb5xx ?? 0)} 5xx`,
    );
  }
  if (s.alarms) parts.push(s.alarms.inAlarm.length ? `in ALARM: ${s.alarms.inAlarm.join(", ")}` : "no alarm in ALARM");
  return parts.join("; ") || "nothing to sample";
}
