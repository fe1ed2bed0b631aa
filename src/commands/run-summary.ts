// A run summed up at its end, on a terminal: how long it took and what changed, step by step, and the waits that
// set the total. Built from the events alone, timed on the run's clock: a step lasts from its first event to its
// last, a wait from when it began (its first report less what it had waited) to its resource's next event.
import type { Clock } from "../core/clock.js";
import type { InfraEvent } from "../core/events.js";
import { pad, paint, wrap } from "../core/text.js";
import { type Column, fitTable } from "./tables.js";

/** "45 s", "3 m 05 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, "0")} s`;
}

const STEP_COLUMNS: Column[] = [{ header: "", shorten: "middle", min: 8 }, { header: "" }, { header: "" }];

/** Events that speak for the whole run (its outcome, the env file), not for a step of it. */
const RUN_LEVEL = new Set(["all", "env file"]);

interface Step {
  first: number;
  last: number;
  created: number;
  updated: number;
  deleted: number;
}

interface Wait {
  resource: string;
  what: string;
  from: number;
  to: number;
  open: boolean;
}

export class RunSummary {
  private readonly started: number;
  private readonly steps = new Map<string, Step>();
  private readonly waits = new Map<string, Wait>();

  constructor(private readonly clock: Clock) {
    this.started = clock.now();
  }

  note(e: InfraEvent): void {
    const now = this.clock.now();
    // A wait lasts until its resource says something else.
    for (const w of this.waits.values())
      if (w.open && w.resource === e.resource && !(e.kind === "waiting" && e.message === w.what)) {
        w.to = now;
        w.open = false;
      }
    if (e.kind === "waiting") {
      const key = `${e.resource}\n${e.message}`;
      const w = this.waits.get(key) ?? {
        resource: e.resource,
        what: e.message,
        from: now - (e.elapsedMs ?? 0),
        to: now,
        open: true,
      };
      Object.assign(w, { to: now, open: true });
      this.waits.set(key, w);
    }
    if (RUN_LEVEL.has(e.resource)) return;
    const step = this.steps.get(e.resource) ?? { first: now, last: now, created: 0, updated: 0, deleted: 0 };
    step.last = now;
    if (e.kind === "created" || e.kind === "updated" || e.kind === "deleted") step[e.kind]++;
    this.steps.set(e.resource, step);
  }

  /** The summary's lines for a width; none when nothing happened. */
  lines(columns: number, colour: boolean): string[] {
    if (this.steps.size === 0) return [];
    const end = this.clock.now();
    for (const w of this.waits.values()) if (w.open) w.to = end;
    const total = end - this.started;
    const sum = { created: 0, updated: 0, deleted: 0 };
    for (const step of this.steps.values()) for (const k of KINDS) sum[k] += step[k];
    const changed = changes(sum, colour);
    const lines = [`Took ${duration(total)}: ${changed || "nothing changed"}.`];
    // A row per step, as a table without its header: a name too long gives way in its middle.
    const rows = [...this.steps].map(([name, s]) => [
      name,
      pad(duration(s.last - s.first), 8, "right"),
      changes(s, colour, "marks"),
    ]);
    const table = fitTable(STEP_COLUMNS, rows, columns - 2).lines.slice(1);
    lines.push(...table.map((row) => `  ${row}`));
    const chain = this.criticalWaits(total);
    if (chain.length > 0) {
      // "3 m 05 s" stays on one line: its spaces do not break.
      const time = (w: Wait) => duration(w.to - w.from).replaceAll(" ", "\u00a0");
      const said = chain.map((w) => `${w.resource}: ${w.what} (${time(w)})`).join(", then ");
      lines.push(
        ...wrap(
          `${chain.length > 1 ? "The waits that set the total" : "The wait that set the total"}: ${said}.`,
          columns,
          4,
        ),
      );
    }
    return lines;
  }

  /**
   * The waits one after another that the run's end waited on: the wait that ended last, the wait that ended last
   * before that one began, and so on back; of those, the ones that took a tenth of the run or more (or the longest).
   */
  private criticalWaits(total: number): Wait[] {
    const chain: Wait[] = [];
    let before = Number.POSITIVE_INFINITY;
    for (;;) {
      const previous = [...this.waits.values()]
        .filter((w) => w.to <= before && !chain.includes(w))
        .sort((a, b) => b.to - a.to)[0];
      if (!previous) break;
      chain.unshift(previous);
      before = previous.from;
    }
    const long = chain.filter((w) => w.to - w.from >= total / 10);
    const longest = [...chain].sort((a, b) => b.to - b.from - (a.to - a.from))[0];
    return long.length > 0 ? long : longest && longest.to > longest.from ? [longest] : [];
  }
}

const KINDS = ["created", "updated", "deleted"] as const;

/** "2 created, 1 updated"; as marks, as the step's lines show them: "+2 ~1". */
function changes(s: Pick<Step, (typeof KINDS)[number]>, colour: boolean, as: "words" | "marks" = "words"): string {
  const said = (n: number, style: "green" | "yellow" | "red", mark: string, word: string) =>
    n ? paint(colour, style, as === "marks" ? `${mark}${n}` : `${n} ${word}`) : "";
  return [
    said(s.created, "green", "+", "created"),
    said(s.updated, "yellow", "~", "updated"),
    said(s.deleted, "red", "-", "deleted"),
  ]
    .filter(Boolean)
    .join(as === "marks" ? " " : ", ");
}
