// An ECS deployment in the live block, as Copilot shows one: a row per revision (the new one first) with its
// rollout state and running / desired, pending and failed counts; the targets by health; and why the newest of the
// new revision's tasks stopped, from the moment one does (a crash loop shows in seconds, not when the circuit
// breaker trips).
import type { DeploymentView } from "../core/events.js";
import { cut, pad, paint, widthOf } from "../core/text.js";

/** Below this width the table is set tighter: a smaller indent, "rev" for "revision". */
const NARROW = 60;

/** The order target states read in: where things stand, then what is on its way in or out. */
const TARGET_STATES = ["healthy", "initial", "unhealthy", "draining", "unused", "unavailable"];

export function deploymentLines(view: DeploymentView, columns: number, colour: boolean): string[] {
  const indent = columns < NARROW ? "  " : "    ";
  return [
    ...revisionRows(view, indent, columns < NARROW ? "rev" : "revision", colour),
    ...targetsRow(view, indent, colour),
    ...stoppedRow(view, indent, columns, colour),
  ];
}

function revisionRows(view: DeploymentView, indent: string, revision: string, colour: boolean): string[] {
  const cells = view.deployments.map((d) => [
    d.followed ? "new" : "old",
    `${revision} ${d.revision.split(":").at(-1)}`,
    d.rolloutState ?? "",
    `${d.running}/${d.desired} running`,
    [d.pending ? `${d.pending} pending` : "", d.failed ? `${d.failed} failed` : ""].filter(Boolean).join(", "),
  ]);
  // Aligned across the rows, as a table: each column as wide as its widest cell.
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((row) => widthOf(row[i] ?? ""))));
  return cells.map((row) => {
    const [role = "", revision = "", state = "", running = "", more = ""] = row;
    const shade = state === "FAILED" ? "red" : state === "COMPLETED" ? "green" : "yellow";
    const line = [
      pad(role, widths[0] ?? 0),
      pad(revision, widths[1] ?? 0),
      paint(colour, shade, pad(state, widths[2] ?? 0)),
      pad(running, widths[3] ?? 0),
      more.includes("failed") ? paint(colour, "red", more) : more,
    ];
    return `${indent}${line.join("  ")}`.trimEnd();
  });
}

function targetsRow(view: DeploymentView, indent: string, colour: boolean): string[] {
  const targets = view.targets;
  if (!targets) return [];
  const states = [
    ...TARGET_STATES.filter((s) => targets[s]),
    ...Object.keys(targets).filter((s) => !TARGET_STATES.includes(s)),
  ];
  const counts = states.map((s) => {
    const text = `${targets[s]} ${s}`;
    return s === "unhealthy" ? paint(colour, "red", text) : text;
  });
  return [`${indent}targets: ${counts.join(", ") || "none registered yet"}`];
}

function stoppedRow(view: DeploymentView, indent: string, columns: number, colour: boolean): string[] {
  const stopped = view.lastStopped;
  if (!stopped) return [];
  // The reason is what matters: the task's id gives way to it, kept to its first characters.
  const head = `${indent}last stopped: task ${cut(stopped.task, 8 + 1)}: `;
  return [`${head}${paint(colour, "red", cut(stopped.reason, Math.max(columns - widthOf(head), 8)))}`];
}
