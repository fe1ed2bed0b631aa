// What a drill found, as the command prints it (a short table, or one JSON document) and records it.
import type { DrillConfig } from "./config.js";
import type { DrillOutcome } from "./drill.js";
import { drillKeys, duration, LAST_SUCCESSFUL_DRILL_KEY, type Verdict, verdict } from "./record.js";

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;

export interface DrillSummary {
  text: string;
  json: Record<string, unknown>;
  verdict: Verdict;
  /** The keys to record: every drill is recorded. */
  keys: Record<string, string>;
}

/** `deleteIt`: the AWS CLI line that deletes the instance, as it runs where the drill ran. */
export function summarise(o: DrillOutcome, c: DrillConfig, extra: { deleteIt: string; cost?: string }): DrillSummary {
  const r = o.record;
  const v = verdict(r, c.targets);
  const rows: [string, string][] = [];
  if (o.point)
    rows.push([
      "restored from",
      o.point.kind === "snapshot"
        ? `snapshot ${o.point.snapshotId}, taken ${utc(o.point.time)}`
        : `the latest restorable time, ${utc(o.point.time)}`,
    ]);
  if (o.instance) {
    const fate = {
      deleted: "deleted",
      deleting: "RDS is deleting it",
      kept: `kept: delete it with ${extra.deleteIt}`,
      "not-created": "not created",
      taken: "not created: another instance has that name, left alone",
      left: `may be left: check, then delete it with ${extra.deleteIt}`,
    }[o.fate];
    const shape = o.shape
      ? ` (${o.shape.instanceClass}, ${o.shape.multiAZ ? "Multi-AZ" : "single-AZ"}${sameAsProduction(o) ? " as production" : ""}, not public)`
      : "";
    rows.push(["into", `${o.instance}${shape}, ${fate}`]);
  }
  if (o.check) {
    rows.push(["check", `${o.check.status}: ${o.check.why}`]);
    const f = o.check.findings;
    for (const db of f.databases) {
      const tables = f.tables.filter((t) => t.database === db);
      rows.push(["", `${db}: ${tables.length} table(s), ${tables.reduce((n, t) => n + t.rows, 0)} row(s)`]);
    }
    for (const db of f.unreadable) rows.push(["", `${db}: not readable by the app's login`]);
  }
  if (o.cutover) rows.push(["cutover", `${o.cutover.status} in ${duration(o.cutover.ms)}: ${o.cutover.why}`]);
  const mark = (ms: number, target: number) => (ms <= target ? "met" : "MISSED");
  if (r.rtoMs !== undefined) {
    const parts = [
      r.availableMs !== undefined ? `available after ${duration(r.availableMs)}` : "",
      "checked",
      r.cutoverMs !== undefined ? `cut over in ${duration(r.cutoverMs)}` : "",
    ].filter(Boolean);
    rows.push([
      "RTO",
      `${duration(r.rtoMs)} to usable: ${parts.join(", ")} (target ${duration(c.targets.rtoMs)}): ${mark(r.rtoMs, c.targets.rtoMs)}`,
    ]);
  } else if (r.availableMs !== undefined)
    rows.push(["RTO", `not usable: ${duration(r.availableMs)} to available, but the data was not proven usable`]);
  if (r.rpoMs !== undefined) {
    const basis = r.newest
      ? `measured from the newest row (${utc(Date.parse(r.newest))})${o.point ? `; the restore point is ${duration(Date.parse(r.at) - o.point.time)} old` : ""}`
      : "from the restore point";
    rows.push([
      "RPO",
      `${duration(r.rpoMs)} of data lost at most, ${basis} (target ${duration(c.targets.rpoMs)}): ${mark(r.rpoMs, c.targets.rpoMs)}`,
    ]);
  }
  if (extra.cost) rows.push(["cost", extra.cost]);
  const width = Math.max(...rows.map(([k]) => k.length), 1);
  const recorded = `recorded in DR_LAST_DRILL${v === "met" ? ` and ${LAST_SUCCESSFUL_DRILL_KEY}` : ""}`;
  const closing = r.failed
    ? `The drill failed at ${r.failed}${r.error ? ` (${r.error})` : ""}; ${recorded}.`
    : v === "met"
      ? `Targets met; ${recorded}.`
      : v === "missed"
        ? `Targets MISSED; ${recorded}.`
        : `The restored data was not proven usable (check ${r.check}); ${recorded}.`;
  const lines = [
    `DR drill of ${o.source}, ${utc(Date.parse(r.at))}`,
    ...rows.map(([k, value]) => `  ${k.padEnd(width)}  ${value}`),
    closing,
  ];
  return {
    text: `${lines.join("\n")}\n`,
    verdict: v,
    keys: drillKeys(r, v),
    json: {
      source: o.source,
      instance: o.instance ?? null,
      kept: o.kept,
      instanceFate: o.fate,
      ...(o.point ? { restorePoint: { ...o.point, time: new Date(o.point.time).toISOString() } } : {}),
      ...(o.shape ? { shape: o.shape } : {}),
      record: r,
      startedAt: r.at,
      ...(r.rtoMs !== undefined ? { rtoSeconds: Math.round(r.rtoMs / 1000) } : {}),
      ...(r.rpoMs !== undefined ? { rpoSeconds: Math.round(r.rpoMs / 1000) } : {}),
      targets: { rtoSeconds: c.targets.rtoMs / 1000, rpoSeconds: c.targets.rpoMs / 1000 },
      ...(o.check
        ? {
            check: {
              command: o.check.command,
              status: o.check.status,
              why: o.check.why,
              exitCode: o.check.exitCode ?? null,
              task: o.check.taskArn,
              findings: o.check.findings,
            },
          }
        : {}),
      ...(o.cutover ? { cutover: o.cutover } : {}),
      ...(extra.cost ? { cost: extra.cost } : {}),
      ...(o.fate === "kept" || o.fate === "left" ? { deleteCommand: extra.deleteIt } : {}),
      result: v,
    },
  };
}

const sameAsProduction = (o: DrillOutcome) =>
  o.shape?.instanceClass === o.shape?.production.instanceClass && o.shape?.multiAZ === o.shape?.production.multiAZ;
