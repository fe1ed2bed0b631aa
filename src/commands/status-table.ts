// `status` as a table of one line per resource. On a terminal it fits the width by rule: the recorded id shortened
// in the middle (the full value is in --json and the env file), the problems listed under the table when they do
// not fit beside it, then the id dropped; the resource's name shortened last.
import { paint, wrap } from "../core/text.js";
import type { Io } from "./render.js";
import { type Column, fitTable, stdoutLayout } from "./tables.js";

export interface StatusRow {
  resource: string;
  exists: string;
  changes: number;
  healthy: boolean;
  recordedId: string;
  problems: string[];
}

const COLUMNS: Column[] = [
  { header: "RESOURCE", shorten: "middle", min: 12 },
  { header: "EXISTS" },
  { header: "CHANGES" },
  { header: "HEALTHY" },
  { header: "RECORDED ID", shorten: "middle", min: 16, drop: 1 },
];
const PROBLEMS: Column = { header: "PROBLEMS" };

export function printStatus(io: Io, rows: StatusRow[]): void {
  const { width, colour } = stdoutLayout(io);
  const cells = rows.map((r) => [
    r.resource,
    r.exists,
    String(r.changes),
    r.healthy ? "yes" : paint(colour, "red", "no"),
    r.recordedId,
    r.problems.join("; "),
  ]);
  // The problems stand beside the table only when the whole of it fits as it is; else they are listed under it.
  const whole = fitTable([...COLUMNS, PROBLEMS], cells, width);
  const beside = whole.whole;
  const { lines } = beside ? whole : fitTable(COLUMNS, cells, width);
  for (const line of lines) io.stdout(`${line}\n`);
  const problems = rows.flatMap((r) => r.problems.map((p) => `${r.resource}: ${p}`));
  if (beside || problems.length === 0) return;
  io.stdout("Problems:\n");
  for (const p of problems) io.stdout(`${wrap(`  ${p}`, width, 4).join("\n")}\n`);
}
