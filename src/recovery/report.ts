// What a drill found, as the command prints it (a short table, or one JSON document) and records it.
import type { DrillConfig } from "./config.js";
import type { DrillOutcome } from "./drill.js";
import { duration, formatRecord, type Verdict, verdict } from "./record.js";

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;

export interface DrillSummary {
  text: string;
  json: Record<string, unknown>;
  verdict: Verdict | undefined;
  /** The DR_LAST_DRILL value, when the drill got as far as the check. */
  record: string | undefined;
}

export function summarise(o: DrillOutcome, c: DrillConfig, region: string): DrillSummary {
  const r = o.record;
  const v = r ? verdict(r, c.targets) : undefined;
  const from =
    o.point.kind === "snapshot"
      ? `snapshot ${o.point.snapshotId}, taken ${utc(o.point.time)}`
      : `the latest restorable time, ${utc(o.point.time)}`;
  const deleteIt = `aws rds delete-db-instance --db-instance-identifier ${o.instance} --skip-final-snapshot --region ${region}`;
  const fate = {
    deleted: "deleted",
    deleting: "RDS is deleting it",
    kept: `kept: delete it with ${deleteIt}`,
    "not-created": "not created",
    taken: "not created: another instance has that name, left alone",
    left: `may be left: check, then delete it with ${deleteIt}`,
  }[o.fate];
  const mark = (ms: number, target: number) => (ms <= target ? "met" : "MISSED");
  const rows: [string, string][] = [
    ["restored from", from],
    ["into", `${o.instance}${r ? ` (${r.instanceClass}, single-AZ, not public)` : ""}, ${fate}`],
  ];
  if (r) {
    rows.push(
      [
        "RTO",
        `${duration(r.rtoMs)} to available (target ${duration(c.targets.rtoMs)}): ${mark(r.rtoMs, c.targets.rtoMs)}`,
      ],
      [
        "RPO",
        `${duration(r.rpoMs)} of data lost at most (target ${duration(c.targets.rpoMs)}): ${mark(r.rpoMs, c.targets.rpoMs)}`,
      ],
    );
  }
  if (o.check) {
    const exit = o.check.exitCode;
    rows.push([
      "check",
      `${o.check.command.join(" ")}: ${exit === undefined ? "no exit code" : `exit ${exit}`}${o.check.why && exit !== 0 ? ` (${o.check.why})` : ""}`,
    ]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    `DR drill of ${o.source}${r ? `, ${utc(Date.parse(r.at))}` : ""}`,
    ...rows.map(([k, value]) => `  ${k.padEnd(width)}  ${value}`),
  ];
  if (v === "met") lines.push("Targets met; recorded in DR_LAST_DRILL.");
  if (v === "missed") lines.push("Targets MISSED; recorded in DR_LAST_DRILL.");
  if (v === "failed") lines.push("The restored data failed its check; recorded in DR_LAST_DRILL.");
  return {
    text: `${lines.join("\n")}\n`,
    verdict: v,
    record: r && v ? formatRecord(r, v) : undefined,
    json: {
      source: o.source,
      instance: o.instance,
      kept: o.kept,
      instanceFate: o.fate,
      restorePoint: { ...o.point, time: new Date(o.point.time).toISOString() },
      ...(r
        ? {
            startedAt: r.at,
            instanceClass: r.instanceClass,
            rtoSeconds: Math.round(r.rtoMs / 1000),
            rpoSeconds: Math.round(r.rpoMs / 1000),
            targets: { rtoSeconds: c.targets.rtoMs / 1000, rpoSeconds: c.targets.rpoMs / 1000 },
          }
        : {}),
      ...(o.check
        ? { check: { command: o.check.command, exitCode: o.check.exitCode ?? null, task: o.check.taskArn } }
        : {}),
      result: v ?? "not finished",
    },
  };
}
