// The conformance table: one row per step (exit code against the expected one, calls, time), then what the endpoint
// did not support (the operation, what it answered, and in which steps), then what went otherwise than expected.

import type { StepResult } from "./lifecycle.js";
import type { ProxiedCall } from "./proxy.js";

/**
 * An answer that says "this endpoint does not do that", rather than refusing the input: AWS's own answers to an
 * unknown operation (UnknownOperationException in the JSON protocols, InvalidAction in the query ones), an
 * emulator's NotImplemented or 501, and an error that carries no AWS error at all (a plain 500 page).
 */
export function unsupported(call: ProxiedCall): boolean {
  const code = call.error?.code ?? "";
  return (
    /^(UnknownOperation(Exception)?|InvalidAction|NotImplemented(Exception)?|UnsupportedOperation(Exception)?)$/.test(
      code,
    ) ||
    call.status === 501 ||
    code.startsWith("HTTP ")
  );
}

/** Whether a step went as it does on AWS: its exit code, and no change made by a step that must change nothing. */
export function conforms(r: StepResult): boolean {
  return r.exitCode === r.step.expected && !(r.step.readOnly && r.calls.some((c) => c.mutating));
}

export function renderReport(endpoint: string, results: readonly StepResult[], leftovers: readonly string[]): string {
  const rows = results.map((r) => {
    const mutating = r.calls.filter((c) => c.mutating).length;
    return [
      r.step.name,
      `${r.exitCode ?? "killed"}${r.exitCode === r.step.expected ? "" : ` (expected ${r.step.expected})`}`,
      `${mutating} / ${r.calls.length}`,
      `${(r.ms / 1000).toFixed(1)} s`,
      conforms(r) ? "ok" : "DIFFERS",
    ];
  });
  const out = [
    `conformance of infra against ${endpoint}`,
    "",
    table(["step", "exit", "calls (mutating / all)", "time", ""], rows),
    "",
  ];
  const lacking = lacks(results);
  out.push(
    lacking.length === 0
      ? "not supported by the endpoint: nothing"
      : table(["not supported by the endpoint", "what it answered", "steps"], lacking),
    "",
    leftovers.length === 0
      ? "left on the endpoint after the last destroy: nothing"
      : `left on the endpoint after the last destroy:\n${leftovers.map((l) => `  ${l}`).join("\n")}`,
  );
  for (const r of results.filter((x) => !conforms(x))) out.push("", `${r.step.name}: ${why(r)}`, ...said(r));
  const warnings = [...new Set(results.flatMap((r) => warningsOf(r.stderr)))];
  if (warnings.length) out.push("", "infra's warnings:", ...warnings.map((w) => `  ${w}`));
  return `${out.join("\n")}\n`;
}

function lacks(results: readonly StepResult[]): string[][] {
  const found = new Map<string, { answer: string; steps: Set<string> }>();
  const note = (op: string, answer: string, step: string) => {
    const entry = found.get(op) ?? { answer: answer.slice(0, 90), steps: new Set() };
    entry.steps.add(step);
    found.set(op, entry);
  };
  for (const r of results) {
    for (const c of r.calls.filter(unsupported))
      note(`${c.service} ${c.op}`, `${c.error?.code}: ${c.error?.message}`, r.step.name);
    // What infra itself took as unsupported (a ResourceNotFound for a dashboard it had just read).
    for (const w of warningsOf(r.stderr)) {
      const m = /this endpoint does not support (.+?) \(it answered (.+?)\): /.exec(w);
      if (m) note(`${m[1]}`, `${m[2]}`, r.step.name);
    }
  }
  return [...found].map(([op, { answer, steps }]) => [op, answer, [...steps].join(", ")]);
}

function why(r: StepResult): string {
  const mutating = r.calls.filter((c) => c.mutating);
  if (r.exitCode === r.step.expected)
    return `${mutating.length} mutating calls (${[...new Set(mutating.map((c) => c.op))].join(", ")}) where none was expected`;
  return `exit ${r.exitCode}, expected ${r.step.expected}`;
}

/** What the step said about why: its FAIL checks and its error (the --json document and events). */
function said(r: StepResult): string[] {
  const fails: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o.status === "FAIL" && typeof o.name === "string")
        fails.push(`[FAIL] ${o.resource}: ${o.name}${o.detail ? ` (${o.detail})` : ""}`);
      else Object.values(o).forEach(walk);
    }
  };
  walk(parse(r.stdout));
  const errors = events(r.stderr)
    .filter((e) => e.kind === "error")
    .map((e) => `error: ${e.message}`);
  return [...fails, ...errors].slice(0, 12).map((l) => `  ${l}`);
}

function warningsOf(stderr: string): string[] {
  return events(stderr)
    .filter((e) => e.kind === "warning")
    .map((e) => `${e.resource}: ${e.message}`);
}

function events(stderr: string): { kind?: string; resource?: string; message?: string }[] {
  return stderr
    .split("\n")
    .map(parse)
    .filter((e): e is Record<string, string> => Boolean(e) && typeof e === "object");
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(" | ")
      .trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line)].join("\n");
}
