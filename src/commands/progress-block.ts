// Progress on a terminal: a line per wait in progress in the live block (an ECS deployment as a table under its
// line), each cut to the width, with what is awaited shortened in the middle so its state and time stay in view;
// finished steps above the block, wrapped to the width and coloured by what they did; at the end, the summary.
import type { Clock } from "../core/clock.js";
import type { EventSink, InfraEvent } from "../core/events.js";
import { cut, paint, type Style, widthOf, wrap } from "../core/text.js";
import { deploymentLines } from "./deployment-lines.js";
import type { LiveBlock } from "./live-block.js";
import { MARK } from "./render.js";
import { duration, RunSummary } from "./run-summary.js";

const SHADE: Partial<Record<InfraEvent["kind"], Style>> = {
  created: "green",
  updated: "yellow",
  deleted: "red",
  skipped: "yellow",
  warning: "yellow",
};

export function blockProgress(block: LiveBlock, clock: Clock): EventSink {
  const { terminal } = block;
  // The newest report of each resource's wait in progress, in the order the waits began.
  const waits = new Map<string, InfraEvent>();
  const summary = new RunSummary(clock);
  block.show((columns) => [...waits.values()].flatMap((e) => waitLines(e, columns, terminal.colour)));
  const sink: EventSink = (e) => {
    summary.note(e);
    if (e.kind === "waiting") {
      waits.set(e.resource, e);
      block.redraw();
      return;
    }
    // A resource that reports anything else is done waiting.
    waits.delete(e.resource);
    block.print(finishedLine(e, terminal.columns, terminal.colour));
  };
  sink.end = () => {
    waits.clear();
    const lines = summary.lines(terminal.columns, terminal.colour);
    if (lines.length > 0) block.print(`${lines.join("\n")}\n`);
    else block.redraw();
  };
  return sink;
}

/** "+ alb: listener HTTP:80", wrapped with its later lines indented. */
export function finishedLine(e: InfraEvent, columns: number, colour: boolean): string {
  const shade = SHADE[e.kind];
  const mark = shade ? paint(colour, shade, MARK[e.kind]) : MARK[e.kind];
  return `${wrap(`${mark} ${e.resource}: ${e.message}`, columns, 4).join("\n")}\n`;
}

export function waitLines(e: InfraEvent, columns: number, colour: boolean): string[] {
  const elapsed = ` (${duration(e.elapsedMs ?? 0)})`;
  const head = `${MARK.waiting} ${e.resource}: `;
  // A deployment's state is in its table: its line says what, its phase and how long.
  if (e.deployment) {
    const phase = e.deployment.phase ? [` (${e.deployment.phase}, ${duration(e.elapsedMs ?? 0)})`] : [];
    return [fitted(head, e.message, [...phase, elapsed], columns), ...deploymentLines(e.deployment, columns, colour)];
  }
  return [fitted(head, e.message, [` (${e.state}, ${duration(e.elapsedMs ?? 0)})`, elapsed], columns)];
}

/**
 * head + what + tail in the width: what gives way first, in its middle (a long name keeps both its ends); when too
 * little of it would be left, the next (shorter) tail is tried, the last of which, the time waited, always shows.
 */
function fitted(head: string, what: string, tails: string[], columns: number): string {
  for (const [i, tail] of tails.entries()) {
    const room = columns - widthOf(head) - widthOf(tail);
    if (room >= 12 || (i === tails.length - 1 && room >= 4)) return `${head}${cut(what, room, "middle")}${tail}`;
  }
  return cut(`${head}${what}${tails.at(-1) ?? ""}`, columns);
}
