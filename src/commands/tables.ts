// Results as they fit the terminal stdout writes to, by rule rather than by the terminal's wrapping: a table's
// long ids shortened in the middle and its columns dropped in a set order when narrowing them is not enough, a
// check's line wrapped under itself. Off a terminal the width is unbounded: every value whole, as scripts read it.
import { cut, pad, paint, type Style, widthOf, wrap } from "../core/text.js";
import type { Check } from "../resources/resource.js";
import type { Io } from "./render.js";

export interface Column {
  header: string;
  /** How a value too wide for the column is shortened: in the middle (ids), or at the end. Unset: never. */
  shorten?: "middle" | "end";
  /** The narrowest a shortened column becomes. */
  min?: number;
  /** Columns with a rank are dropped, lowest first, when shortening does not make the table fit. */
  drop?: number;
}

/** How wide output to stdout may be, and whether it is coloured. */
export function stdoutLayout(io: Io): { width: number; colour: boolean } {
  const t = io.stdoutTerminal;
  return { width: t?.columns ?? Number.POSITIVE_INFINITY, colour: t?.colour ?? false };
}

/**
 * The table's lines within the width, and whether it is whole (nothing shortened or dropped). Columns are shortened
 * first (the later ones first); when that is not enough, dropped by rank; when nothing fits, the narrowest table is
 * cut at the width.
 */
export function fitTable(columns: Column[], rows: string[][], width: number): { lines: string[]; whole: boolean } {
  const ranked = columns
    .flatMap((c, i) => (c.drop === undefined ? [] : [{ i, rank: c.drop }]))
    .sort((a, b) => a.rank - b.rank)
    .map((c) => c.i);
  let laid = layout(columns, rows, width, new Set());
  for (let n = 1; laid.excess > 0 && n <= ranked.length; n++)
    laid = layout(columns, rows, width, new Set(ranked.slice(0, n)));
  if (laid.excess > 0) return { lines: laid.lines.map((l) => cut(l, width)), whole: false };
  return { lines: laid.lines, whole: laid.whole };
}

function layout(columns: Column[], rows: string[][], width: number, dropped: Set<number>) {
  const kept = columns.flatMap((_, i) => (dropped.has(i) ? [] : [i]));
  const widthsOf = (i: number) => Math.max(widthOf(columns[i]?.header ?? ""), ...rows.map((r) => widthOf(r[i] ?? "")));
  const widths = kept.map(widthsOf);
  let excess = widths.reduce((a, b) => a + b, 0) + 2 * (kept.length - 1) - width;
  const whole = excess <= 0 && dropped.size === 0;
  for (let k = kept.length - 1; k >= 0 && excess > 0; k--) {
    const c = columns[kept[k] as number] as Column;
    if (!c.shorten) continue;
    const give = Math.min(excess, Math.max(0, (widths[k] ?? 0) - Math.max(c.min ?? 8, widthOf(c.header))));
    widths[k] = (widths[k] ?? 0) - give;
    excess -= give;
  }
  const line = (values: string[]) =>
    kept
      .map((i, k) => {
        const w = widths[k] ?? 0;
        const v = values[i] ?? "";
        return pad(widthOf(v) > w ? cut(v, w, columns[i]?.shorten ?? "end") : v, w);
      })
      .join("  ")
      .trimEnd();
  return { lines: [line(columns.map((c) => c.header)), ...rows.map(line)], excess, whole };
}

const STATUS_SHADE: Partial<Record<Check["status"], Style>> = { OK: "green", FAIL: "red" };

/** verify's lines: `[OK  ] alb: listener HTTP:80 (listener/app/...)`, each wrapped under itself, then the count. */
export function printChecks(io: Io, checks: Check[]): void {
  const { width, colour } = stdoutLayout(io);
  const indent = "[FAIL] ".length;
  for (const c of checks) {
    const status = c.status.padEnd(4);
    const shade = STATUS_SHADE[c.status];
    const line = `[${shade ? paint(colour, shade, status) : status}] ${c.resource}: ${c.name}${c.detail ? ` (${c.detail})` : ""}`;
    if (!Number.isFinite(width)) {
      io.stdout(`${line}\n`);
      continue;
    }
    // An id longer than a line is shortened in the middle; everything else wraps whole, under the check's name.
    const words = line.split(" ").map((w) => (widthOf(w) > width - indent ? cut(w, width - indent, "middle") : w));
    io.stdout(`${wrap(words.join(" "), width, indent).join("\n")}\n`);
  }
  const count = (s: Check["status"]) => checks.filter((c) => c.status === s).length;
  const failed = `${count("FAIL")} FAIL`;
  io.stdout(
    `${checks.length} checks: ${count("OK")} OK, ${count("FAIL") ? paint(colour, "red", failed) : failed}, ${count("SKIP")} SKIP\n`,
  );
}
