// How results and progress look: progress and diagnostics on stderr (a live line on a terminal, plain lines
// in CI), results on stdout, and with --json one JSON document on stdout.
import type { EventSink, InfraEvent } from "../core/events.js";
import type { Check } from "../resources/resource.js";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: progress may redraw one line. */
  stderrIsTTY: boolean;
  /** stdin is a terminal: we may ask. */
  stdinIsTTY: boolean;
  ask(question: string): Promise<string>;
}

const MARK: Record<InfraEvent["kind"], string> = {
  step: "·",
  created: "+",
  updated: "~",
  deleted: "-",
  exists: "=",
  skipped: "!",
  waiting: "…",
  warning: "!",
};

const seconds = (ms = 0) => `${Math.round(ms / 1000)} s`;

/** Plain lines (CI, pipes) carry the time of day, so a log shows how long each wait took. */
const stamp = (io: Io) => (io.stderrIsTTY ? "" : `[${new Date().toISOString().slice(11, 19)}] `);

export function progressRenderer(io: Io): EventSink {
  // On a terminal: one line, redrawn, with every wait in progress (steps of `create all` wait side by side).
  const waits = new Map<string, string>();
  let plain = { what: "", state: "", at: Number.NEGATIVE_INFINITY };
  const redraw = () => {
    const line = [...waits].map(([resource, text]) => `${resource}: ${text}`).join(" | ");
    io.stderr(`\r\x1b[2K${line ? `${MARK.waiting} ${line}` : ""}`);
  };
  return (e) => {
    if (e.kind === "waiting") {
      const text = `${e.message} (${e.state}, ${seconds(e.elapsedMs)})`;
      if (io.stderrIsTTY) {
        waits.set(e.resource, text);
        redraw();
        return;
      }
      // In CI print a line when the state changes, and otherwise every 30 s.
      const elapsed = e.elapsedMs ?? 0;
      if (plain.what === e.message && plain.state === e.state && elapsed - plain.at < 30_000) return;
      plain = { what: e.message, state: e.state ?? "", at: elapsed };
      io.stderr(`${stamp(io)}${MARK.waiting} ${e.resource}: waiting for ${text}\n`);
      return;
    }
    if (io.stderrIsTTY) io.stderr("\r\x1b[2K");
    waits.delete(e.resource);
    io.stderr(`${stamp(io)}${MARK[e.kind]} ${e.resource}: ${e.message}\n`);
    if (io.stderrIsTTY && waits.size > 0) redraw();
  };
}

export function printChecks(io: Io, checks: Check[]): void {
  for (const c of checks)
    io.stdout(`[${c.status.padEnd(4)}] ${c.resource}: ${c.name}${c.detail ? ` (${c.detail})` : ""}\n`);
  const count = (s: Check["status"]) => checks.filter((c) => c.status === s).length;
  io.stdout(`${checks.length} checks: ${count("OK")} OK, ${count("FAIL")} FAIL, ${count("SKIP")} SKIP\n`);
}

export function printTable(io: Io, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd()}\n`;
  io.stdout(line(header));
  for (const r of rows) io.stdout(line(r));
}

export function printJson(io: Io, document: unknown): void {
  io.stdout(`${JSON.stringify(document, null, 2)}\n`);
}
