// The record of the last drill, and how it reads against the targets.
//
// It is kept in the env file (DR_LAST_DRILL) rather than in AWS: the drill must not touch the production database,
// so a tag on it is out, and the env file is already the stack's record that `status` and `runbook` read without
// an AWS call (and that CI may commit, so the history of drills is the file's history). One line, `key=value`
// words after the time, so a person can read it and a script can grep it.
import type { EnvReader } from "../core/inputs.js";
import { defaultOf } from "../core/keys.js";
import { type EnvWriter, type KeyOwner, recordOwned } from "../core/owners.js";
import { parseTarget } from "./config.js";

export const LAST_DRILL_KEY = "DR_LAST_DRILL";

/** The keys `dr-drill` records, and only it: a new drill key is added here, and written with `recordDrill`. */
export const drillRecords = { name: "dr-drill", records: [LAST_DRILL_KEY] } as const satisfies KeyOwner;

export type DrillKey = (typeof drillRecords.records)[number];

/** The one way the drill's keys reach the env file. */
export const recordDrill = (env: EnvWriter, values: Partial<Record<DrillKey, string>>) =>
  recordOwned(env, drillRecords, values as Record<string, string>);

export interface DrillRecord {
  /** When the drill started (ISO). */
  at: string;
  /** snapshot:<id> or point-in-time:<ISO time>. */
  from: string;
  instanceClass: string;
  storageGb: number;
  rtoMs: number;
  rpoMs: number;
  /** The check's exit code; undefined when it did not run to an exit. */
  checkExit: number | undefined;
  /**
   * The instance time RDS bills for the drill instance: from available until RDS accepted deleting it (`creating`
   * and `deleting` are not billed), per second, at least 10 minutes. A kept instance: until the drill ended (it is
   * billed on until deleted). 0 in an old record without it.
   */
  billedMs: number;
}

export type Verdict = "met" | "missed" | "failed";

export function verdict(r: DrillRecord, targets: { rtoMs: number; rpoMs: number }): Verdict {
  if (r.checkExit !== 0) return "failed";
  return r.rtoMs <= targets.rtoMs && r.rpoMs <= targets.rpoMs ? "met" : "missed";
}

export function formatRecord(r: DrillRecord, v: Verdict): string {
  const s = (ms: number) => `${Math.round(ms / 1000)}s`;
  return [
    r.at,
    `from=${r.from}`,
    `class=${r.instanceClass}`,
    `storage=${r.storageGb}GB`,
    `rto=${s(r.rtoMs)}`,
    `rpo=${s(r.rpoMs)}`,
    `check=${r.checkExit === undefined ? "no-exit" : `exit-${r.checkExit}`}`,
    `billed=${s(r.billedMs)}`,
    `result=${v}`,
  ].join(" ");
}

export function parseRecord(text: string | undefined): DrillRecord | undefined {
  if (!text) return undefined;
  const [at, ...words] = text.trim().split(/\s+/);
  const field = new Map(words.map((w) => [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]));
  const seconds = (key: string) => {
    const m = /^(\d+)s$/.exec(field.get(key) ?? "");
    return m ? Number(m[1]) * 1000 : undefined;
  };
  const rtoMs = seconds("rto");
  const rpoMs = seconds("rpo");
  const check = /^exit-(\d+)$/.exec(field.get("check") ?? "");
  if (!at || Number.isNaN(Date.parse(at)) || rtoMs === undefined || rpoMs === undefined) return undefined;
  return {
    at,
    from: field.get("from") ?? "?",
    instanceClass: field.get("class") ?? "?",
    storageGb: Number(/^(\d+)GB$/.exec(field.get("storage") ?? "")?.[1] ?? 0),
    rtoMs,
    rpoMs,
    checkExit: check ? Number(check[1]) : undefined,
    billedMs: seconds("billed") ?? 0,
  };
}

/** The targets as the env file sets them; defaults when unset or unreadable (status must not fail on them). */
export function targetsOf(env: EnvReader): { rtoMs: number; rpoMs: number; rto: string; rpo: string } {
  const read = (key: string) => {
    const fallback = defaultOf(key, (k) => env.get(k)) as string;
    const text = env.get(key) ?? fallback;
    try {
      return { text, ms: parseTarget(key, text) };
    } catch {
      return { text: fallback, ms: parseTarget(key, fallback) };
    }
  };
  const rto = read("DR_RTO_TARGET");
  const rpo = read("DR_RPO_TARGET");
  return { rtoMs: rto.ms, rpoMs: rpo.ms, rto: rto.text, rpo: rpo.text };
}

/** 11 min 10 s, 3 h 5 min, 26 h, 2 d 4 h. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  if (s < 172_800)
    return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ""}`;
  return `${Math.floor(s / 86_400)} d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)} h` : ""}`;
}

/** What `status` shows of the last drill: one line, and the same as data for --json. */
export function drillStatus(env: EnvReader): { lastDrill: (DrillRecord & { result: Verdict }) | null; line: string } {
  if (!env.get("RDS_INSTANCE_ID") && !env.get(LAST_DRILL_KEY)) return { lastDrill: null, line: "" };
  const record = parseRecord(env.get(LAST_DRILL_KEY));
  if (!record) {
    const why = env.get(LAST_DRILL_KEY) ? `${LAST_DRILL_KEY} is unreadable` : "none recorded";
    return { lastDrill: null, line: `Last DR drill: ${why} - run \`infra dr-drill\`\n` };
  }
  const t = targetsOf(env);
  const result = verdict(record, t);
  const check =
    record.checkExit === 0
      ? "check passed"
      : `check ${record.checkExit === undefined ? "did not finish" : `exited ${record.checkExit}`}`;
  const line = `Last DR drill: ${record.at.slice(0, 16).replace("T", " ")} UTC from ${record.from}: RTO ${duration(record.rtoMs)} (target ${t.rto}), RPO ${duration(record.rpoMs)} (target ${t.rpo}), ${check}: targets ${result === "failed" ? "not assessed" : result}\n`;
  return { lastDrill: { ...record, result }, line };
}

/** For `status --json`: { lastDrill } when the stack has a database to drill. */
export function lastDrill(env: EnvReader): { lastDrill?: (DrillRecord & { result: Verdict }) | null } {
  const { lastDrill, line } = drillStatus(env);
  return line ? { lastDrill } : {};
}
