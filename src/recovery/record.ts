// The record of the drills, and how it reads against the targets. This module owns the drill's keys: every drill,
// failed ones too, is recorded in DR_LAST_DRILL (what failed, where), and one that met its targets in
// DR_LAST_SUCCESSFUL_DRILL as well, so `status` shows the last attempt and the last success and `verify` fails when
// the last success is older than DR_MAX_AGE.
//
// They are kept in the env file rather than in AWS: the drill must not touch the production database, so a tag on
// it is out, and the env file is already the stack's record that `status` and `runbook` read without an AWS call
// (and that CI may commit, so the history of drills is the file's history). One line each, `key=value` words after
// the time, so a person can read it and a script can grep it.
import { type EnvReader, readInputs } from "../core/inputs.js";
import { defaultOf } from "../core/keys.js";
import { type EnvWriter, type KeyOwner, recordOwned } from "../core/owners.js";
import { parseTarget } from "./config.js";

export const LAST_DRILL_KEY = "DR_LAST_DRILL";
export const LAST_SUCCESSFUL_DRILL_KEY = "DR_LAST_SUCCESSFUL_DRILL";

/** Where a drill stopped: before restoring, restoring, waiting for available, checking, rehearsing, interrupted. */
export type FailedAt = "prepare" | "restore" | "available" | "check" | "cutover" | "interrupted";

/** The keys `dr-drill` records, and only it: a new drill key is added here, and written with `recordDrill`. */
export const drillRecords = {
  name: "dr-drill",
  records: [LAST_DRILL_KEY, LAST_SUCCESSFUL_DRILL_KEY],
} as const satisfies KeyOwner;

export type DrillKey = (typeof drillRecords.records)[number];

/** The one way the drill's keys reach the env file. */
export const recordDrill = (env: EnvWriter, values: Partial<Record<DrillKey, string>>) =>
  recordOwned(env, drillRecords, values as Record<string, string>);

export interface DrillRecord {
  /** When the drill started (ISO). */
  at: string;
  /** snapshot:<id> or point-in-time:<ISO time>. */
  from?: string;
  instanceClass?: string;
  multiAZ?: boolean;
  storageGb?: number;
  /** From the restore call to `available`. */
  availableMs?: number;
  /** From the restore call to usable: available, checked, and (rehearsed) cut over. */
  rtoMs?: number;
  /** Data lost at most: measured from the newest row when a freshness query found one, else the restore point. */
  rpoMs?: number;
  /** The newest row the freshness query found in the copy (ISO). */
  newest?: string;
  check: "passed" | "failed" | "unverified" | "not-run";
  databases?: number;
  tables?: number;
  rows?: number;
  cutoverMs?: number;
  /**
   * The instance time RDS bills for the drill instance: from available until RDS accepted deleting it, per second,
   * at least 10 minutes. A kept instance: until the drill ended (it is billed on until deleted). 0 when none.
   */
  billedMs: number;
  failed?: FailedAt;
  /**
   * What failed there: AWS's error code, or a word (exit-1, timeout, interrupted; for infra's own findings input,
   * impossible, refused or bug).
   */
  error?: string;
}

export type Verdict = "met" | "missed" | "failed";

export function verdict(r: DrillRecord, targets: { rtoMs: number; rpoMs: number }): Verdict {
  if (r.failed || r.check !== "passed" || r.rtoMs === undefined || r.rpoMs === undefined) return "failed";
  return r.rtoMs <= targets.rtoMs && r.rpoMs <= targets.rpoMs ? "met" : "missed";
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export function formatRecord(r: DrillRecord, v: Verdict): string {
  const words: [string, string | undefined][] = [
    ["from", r.from],
    ["class", r.instanceClass],
    ["multi-az", r.multiAZ === undefined ? undefined : r.multiAZ ? "yes" : "no"],
    ["storage", r.storageGb === undefined ? undefined : `${r.storageGb}GB`],
    ["restore", r.availableMs === undefined ? undefined : seconds(r.availableMs)],
    ["rto", r.rtoMs === undefined ? undefined : seconds(r.rtoMs)],
    ["rpo", r.rpoMs === undefined ? undefined : seconds(r.rpoMs)],
    ["newest", r.newest],
    ["check", r.check],
    ["databases", r.databases?.toString()],
    ["tables", r.tables?.toString()],
    ["rows", r.rows?.toString()],
    ["cutover", r.cutoverMs === undefined ? undefined : seconds(r.cutoverMs)],
    ["billed", seconds(r.billedMs)],
    ["failed", r.failed],
    ["error", r.error?.replace(/\s+/g, "-")],
    ["result", v],
  ];
  return [r.at, ...words.filter(([, value]) => value !== undefined).map(([k, value]) => `${k}=${value}`)].join(" ");
}

export function parseRecord(text: string | undefined): DrillRecord | undefined {
  if (!text) return undefined;
  const [at, ...words] = text.trim().split(/\s+/);
  if (!at || Number.isNaN(Date.parse(at))) return undefined;
  const field = new Map(words.map((w) => [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]));
  const ms = (key: string) => {
    const m = /^(\d+)s$/.exec(field.get(key) ?? "");
    return m ? Number(m[1]) * 1000 : undefined;
  };
  const int = (key: string) => (/^\d+$/.test(field.get(key) ?? "") ? Number(field.get(key)) : undefined);
  // A record written before checks were judged says check=exit-<n>: exit 0 was taken as a pass.
  const check = field.get("check") ?? "not-run";
  const checkWord = /^exit-0$/.test(check)
    ? "passed"
    : /^exit-\d+$|^no-exit$/.test(check)
      ? "failed"
      : (["passed", "failed", "unverified"].find((c) => c === check) as DrillRecord["check"] | undefined);
  const failed = field.get("failed") as FailedAt | undefined;
  const storage = /^(\d+)GB$/.exec(field.get("storage") ?? "")?.[1];
  const record: DrillRecord = {
    at,
    check: checkWord ?? "not-run",
    billedMs: ms("billed") ?? 0,
  };
  const set = <K extends keyof DrillRecord>(k: K, v: DrillRecord[K] | undefined) => {
    if (v !== undefined) record[k] = v;
  };
  set("from", field.get("from"));
  set("instanceClass", field.get("class"));
  set("multiAZ", field.has("multi-az") ? field.get("multi-az") === "yes" : undefined);
  set("storageGb", storage === undefined ? undefined : Number(storage));
  set("availableMs", ms("restore"));
  set("rtoMs", ms("rto"));
  set("rpoMs", ms("rpo"));
  set("newest", field.get("newest"));
  set("databases", int("databases"));
  set("tables", int("tables"));
  set("rows", int("rows"));
  set("cutoverMs", ms("cutover"));
  set("failed", failed);
  set("error", field.get("error"));
  return record;
}

/** The keys a drill writes: always the last attempt; the last success only when it met its targets. */
export function drillKeys(r: DrillRecord, v: Verdict): Partial<Record<DrillKey, string>> {
  const line = formatRecord(r, v);
  return { [LAST_DRILL_KEY]: line, ...(v === "met" ? { [LAST_SUCCESSFUL_DRILL_KEY]: line } : {}) };
}

export const newestOf = (ms: number | undefined) => (ms === undefined ? undefined : iso(ms));

/** The targets and DR_MAX_AGE as the env file sets them; defaults when unset or unreadable (status must not fail). */
export function targetsOf(env: EnvReader): {
  rtoMs: number;
  rpoMs: number;
  rto: string;
  rpo: string;
  maxAgeMs: number;
  maxAge: string;
} {
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
  const age = read("DR_MAX_AGE");
  return { rtoMs: rto.ms, rpoMs: rpo.ms, rto: rto.text, rpo: rpo.text, maxAgeMs: age.ms, maxAge: age.text };
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

const utc = (at: string) => `${at.slice(0, 16).replace("T", " ")} UTC`;

/** One drill, in a sentence. */
export function describeDrill(r: DrillRecord, t: { rto: string; rpo: string; rtoMs: number; rpoMs: number }): string {
  const v = verdict(r, t);
  if (r.failed)
    return `${utc(r.at)}${r.from ? ` from ${r.from}` : ""}: failed at ${r.failed}${r.error ? ` (${r.error})` : ""}`;
  const check = r.check === "passed" ? "check passed" : `check ${r.check}`;
  return `${utc(r.at)} from ${r.from ?? "?"}: RTO ${r.rtoMs === undefined ? "?" : duration(r.rtoMs)} (target ${t.rto}), RPO ${r.rpoMs === undefined ? "?" : duration(r.rpoMs)} (target ${t.rpo}), ${check}: targets ${v === "failed" ? "not assessed" : v}`;
}

/**
 * How the last successful drill stands against DR_MAX_AGE: current, overdue (too old), never (drills ran, none met
 * its targets), or none (no drill is recorded: a stack whose database was never drilled).
 */
export function drillAge(
  env: EnvReader,
  now: number,
): { state: "current" | "overdue" | "never" | "none"; line: string } {
  const t = targetsOf(env);
  const last = parseRecord(env.get(LAST_SUCCESSFUL_DRILL_KEY));
  if (!last)
    return env.get(LAST_DRILL_KEY)
      ? { state: "never", line: `no DR drill has met its targets yet (DR_MAX_AGE ${t.maxAge})` }
      : { state: "none", line: "no DR drill is recorded" };
  const age = now - Date.parse(last.at);
  return age <= t.maxAgeMs
    ? { state: "current", line: `last successful DR drill ${duration(age)} ago (DR_MAX_AGE ${t.maxAge})` }
    : { state: "overdue", line: `last successful DR drill ${duration(age)} ago, older than DR_MAX_AGE (${t.maxAge})` };
}

/**
 * verify's line: a drill met its targets within DR_MAX_AGE (OK), or not (FAIL); SKIP while none is recorded at all.
 * A malformed DR_MAX_AGE is exit 2.
 */
export function drillCheck(env: EnvReader, now: number) {
  const input = readInputs(env, "verify");
  input.need("DR_MAX_AGE");
  input.done();
  const age = drillAge(env, now);
  const status = age.state === "current" ? "OK" : age.state === "none" ? "SKIP" : "FAIL";
  return {
    resource: "dr-drill",
    status: status as "OK" | "FAIL" | "SKIP",
    name: "a DR drill met its targets within DR_MAX_AGE",
    detail: status === "OK" ? age.line : `${age.line}: run \`infra dr-drill\``,
  };
}

/** What `status` shows of the drills: lines, and the same as data for --json. */
export function drillStatus(env: EnvReader, now: number) {
  if (!env.get("RDS_INSTANCE_ID") && !env.get(LAST_DRILL_KEY)) return { data: undefined, lines: "" };
  const t = targetsOf(env);
  const last = parseRecord(env.get(LAST_DRILL_KEY));
  const good = parseRecord(env.get(LAST_SUCCESSFUL_DRILL_KEY));
  const age = drillAge(env, now);
  const lines = [
    last
      ? `Last DR drill: ${describeDrill(last, t)}`
      : `Last DR drill: ${env.get(LAST_DRILL_KEY) ? `${LAST_DRILL_KEY} is unreadable` : "none recorded"} - run \`infra dr-drill\``,
    ...(good && good.at !== last?.at ? [`Last successful DR drill: ${describeDrill(good, t)}`] : []),
    ...(age.state === "none"
      ? []
      : [age.state === "current" ? age.line : `DR drill overdue: ${age.line} - run \`infra dr-drill\``]),
  ];
  const withVerdict = (r: DrillRecord | undefined) => (r ? { ...r, result: verdict(r, t) } : null);
  return {
    data: {
      lastDrill: withVerdict(last),
      lastSuccessfulDrill: withVerdict(good),
      drillCurrent: age.state === "current",
    },
    lines: `${lines.join("\n")}\n`,
  };
}
