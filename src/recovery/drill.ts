// `infra dr-drill`: restore the database the way a recovery would, into a temporary instance of production's shape,
// prove the restored data is there and readable (the check reads the restored instance itself), optionally rehearse
// the cutover, measure how long until it was usable (RTO) and how old its data is (RPO), and delete what it made
// whatever happens: on success, failure, Ctrl-C, SIGTERM or a timeout, running tasks are stopped first. The
// production database is only read. Whatever a killed run left (tagged, named <id>-drill-...) goes first; an
// instance kept with --keep (tagged kept) stays, and a drill the same day takes the next free name. Every drill is
// recorded, failed ones too (record.ts).
import { randomUUID } from "node:crypto";
import type { DBInstance } from "@aws-sdk/client-rds";
import type { Context } from "../core/context.js";
import {
  AwsError,
  asAwsError,
  awsErrorCode,
  BugError,
  InfraError,
  InputError,
  isAwsError,
  WaitTimeoutError,
} from "../core/errors.js";
import type { ResourceEvents } from "../core/events.js";
import { InterruptedError } from "../core/interrupt.js";
import { infraLine } from "../core/invocation.js";
import { stackTags, type Tag } from "../resources/common/tags.js";
import { abortable } from "./abort.js";
import { type CheckResult, registerCheck, removeRevisions, runCheck, stopTask } from "./check.js";
import { DRILL_TAG, type DrillConfig, freeDrillInstanceId, isDrillInstanceName, KEPT_TAG } from "./config.js";
import { type CutoverResult, rehearseCutover, removeCutoverLeftovers } from "./cutover.js";
import {
  allInstances,
  type DrillShape,
  deleteDrillInstance,
  describeInstance,
  drillShape,
  keep,
  keptAdvice,
  RecoveryImpossible,
  type RestorePoint,
  restore,
  restorePoint,
  sourceInstance,
  waitAvailable,
} from "./rds.js";
import { type DrillRecord, type FailedAt, newestOf } from "./record.js";

/** Set on every instance one run restores: tells its own instance (a restore whose answer was lost) from another's. */
export const RUN_TAG = "infra:dr-drill-run";

export interface DrillOutcome {
  source: string;
  /** The drill instance's name, once chosen. */
  instance: string | undefined;
  point?: RestorePoint;
  shape?: DrillShape;
  check?: CheckResult;
  cutover?: CutoverResult;
  /** What the drill measured and where it stopped: recorded whatever happened. */
  record: DrillRecord;
  /** What became of the drill instance: what the report says of it. */
  fate: InstanceFate;
  kept: boolean;
  /** What stopped the drill or its cleanup: the command reports what was measured, then ends with it. */
  error?: unknown;
}

/**
 * deleted: gone; deleting: RDS accepted deleting it (--no-wait, or stopped by a signal); kept: --keep; not-created:
 * the restore did not make it; taken: the name was another instance's, left alone; left: it may still exist.
 */
export type InstanceFate = "deleted" | "deleting" | "kept" | "not-created" | "taken" | "left";

const hasTag = (i: DBInstance | undefined, tag: Tag) =>
  (i?.TagList ?? []).some((t) => t.Key === tag.Key && t.Value === tag.Value);
const isKept = (i: DBInstance | undefined) => (i?.TagList ?? []).some((t) => t.Key === KEPT_TAG);
/** RDS refused the restore because the name is taken. */
const nameTaken = (err: unknown) =>
  isAwsError(err instanceof AwsError ? err.cause : err, "DBInstanceAlreadyExists", "DBInstanceAlreadyExistsFault");
/** RDS bills an instance per second from available until deleted, at least 10 minutes. */
const MINIMUM_BILLED_MS = 10 * 60_000;

export async function runDrill(ctx: Context, c: DrillConfig, signal: AbortSignal): Promise<DrillOutcome> {
  const ev = ctx.events.for("dr-drill");
  const live = abortable(ctx, signal, "dr-drill stopped; what it made was deleted");
  const drillTag = { Key: DRILL_TAG, Value: c.instanceId };
  const runTag = { Key: RUN_TAG, Value: randomUUID() };
  const startedAt = ctx.clock.now();
  const outcome: DrillOutcome = {
    source: c.instanceId,
    instance: undefined,
    fate: "not-created",
    kept: false,
    record: { at: new Date(startedAt).toISOString().replace(/\.\d{3}Z$/, "Z"), check: "not-run", billedMs: 0 },
  };
  /** One-off tasks running now: stopped first if the drill ends early. */
  const running = new Set<string>();
  const times: { restore?: number; available?: number; usable?: number } = {};
  let stage: FailedAt = "prepare";
  let failure: unknown;
  let tags: Tag[] = [];
  try {
    const taken = await removeLeftovers(live, ev, c, drillTag);
    const source = await sourceInstance(live, c.instanceId);
    outcome.point = await restorePoint(live, source, c.pointInTime);
    outcome.shape = await drillShape(live, source, c.instanceClass);
    const id = freeDrillInstanceId(c.instanceId, startedAt, taken);
    outcome.instance = id;
    tags = [...stackTags(c, id), drillTag, runTag];
    stage = "restore";
    const { instanceClass, multiAZ } = outcome.shape;
    ev.step(
      `restoring ${describePoint(outcome.point)} into ${id} (${instanceClass}, ${multiAZ ? "Multi-AZ" : "single-AZ"}, not public)`,
    );
    times.restore = ctx.clock.now();
    await restoreOwn(live, { source, point: outcome.point, targetId: id, instanceClass, multiAZ, tags }, runTag);
    stage = "available";
    const restored = await waitAvailable(live, ev, id);
    times.available = ctx.clock.now();
    ev.created(`${id} available after ${seconds(times.available - times.restore)}`);
    stage = "check";
    const endpoint = { host: restored.Endpoint?.Address as string, port: restored.Endpoint?.Port ?? 5432 };
    const td = await registerCheck(live, ev, c, endpoint, tags);
    outcome.check = await runCheck(live, c, td, endpoint, (arn) => running.add(arn));
    running.delete(outcome.check.taskArn);
    const { status, why } = outcome.check;
    ev[status === "passed" ? "exists" : "warning"](`check ${status}: ${why}`);
    if (status === "passed" && c.cutover) {
      stage = "cutover";
      outcome.cutover = await rehearseCutover(live, ev, c, { endpoint, tags, running });
    }
    if (status === "passed" && (outcome.cutover?.status ?? "passed") === "passed") times.usable = ctx.clock.now();
  } catch (err) {
    failure = err;
  }
  const keeping = c.keep && !signal.aborted && times.available !== undefined;
  const cleanup = await cleanUp(ctx, ev, c, outcome.instance, runTag, running, {
    keeping,
    // Stopped by a signal, or out of time: ask RDS to delete and go (deleting is not billed); else wait for it.
    wait: ctx.options.wait && !signal.aborted && !(failure instanceof WaitTimeoutError),
    taken: nameTaken(failure),
  });
  outcome.fate = cleanup.fate;
  outcome.kept = cleanup.fate === "kept";
  outcome.record = recordOf(outcome, times, {
    billedMs: times.available === undefined ? 0 : billed(times.available, cleanup.deleteAcceptedAt ?? ctx.clock.now()),
    ...(failure || (outcome.check && outcome.check.status === "failed") || outcome.cutover?.status === "failed"
      ? {
          failed: signal.aborted
            ? "interrupted"
            : failure
              ? stage
              : outcome.cutover?.status === "failed"
                ? "cutover"
                : "check",
        }
      : {}),
    error: failure
      ? errorWord(failure)
      : outcome.cutover?.status === "failed"
        ? outcome.cutover.error
        : outcome.check?.status === "failed"
          ? checkWord(outcome.check)
          : undefined,
  });
  outcome.error = finalError(failure, cleanup.error, outcome.instance, ctx, signal);
  return outcome;
}

function recordOf(
  o: DrillOutcome,
  times: { restore?: number; available?: number; usable?: number },
  extra: Pick<DrillRecord, "billedMs" | "failed" | "error">,
): DrillRecord {
  const startedAt = Date.parse(o.record.at);
  const f = o.check?.findings;
  // The data's own age when the freshness query found a row; else the restore point's.
  const newest = f?.newest ?? undefined;
  const rpoMs = newest !== undefined ? startedAt - newest : o.point ? startedAt - o.point.time : undefined;
  const r: DrillRecord = { at: o.record.at, check: o.check?.status ?? "not-run", billedMs: extra.billedMs };
  const set = <K extends keyof DrillRecord>(k: K, v: DrillRecord[K] | undefined) => {
    if (v !== undefined) r[k] = v;
  };
  set(
    "from",
    o.point &&
      (o.point.kind === "snapshot"
        ? `snapshot:${o.point.snapshotId}`
        : `point-in-time:${new Date(o.point.time).toISOString().replace(/\.\d{3}Z$/, "Z")}`),
  );
  set("instanceClass", o.shape?.instanceClass);
  set("multiAZ", o.shape?.multiAZ);
  set("storageGb", o.shape?.storageGb);
  set(
    "availableMs",
    times.available !== undefined && times.restore !== undefined ? times.available - times.restore : undefined,
  );
  set("rtoMs", times.usable !== undefined && times.restore !== undefined ? times.usable - times.restore : undefined);
  set("rpoMs", rpoMs);
  set("newest", newestOf(newest));
  if (f && o.check?.status === "passed" && o.check.command[0]?.startsWith("psql")) {
    set("databases", f.databases.length);
    set("tables", f.tables.length);
    set(
      "rows",
      f.tables.reduce((n, t) => n + t.rows, 0),
    );
  }
  set("cutoverMs", o.cutover?.ms);
  set("failed", extra.failed);
  set("error", extra.error);
  return r;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** A word for the record: AWS's code, timeout, or what the check said. */
function errorWord(err: unknown): string {
  if (err instanceof WaitTimeoutError) return "timeout";
  if (err instanceof InterruptedError) return "interrupted";
  if (!(err instanceof InfraError)) return awsErrorCode(err) ?? "error"; // AWS's, as the SDK threw it
  if (err instanceof BugError) return "bug";
  const aws = err.cause === undefined ? undefined : awsErrorCode(err.cause); // AWS's, as infra said it
  if (aws) return aws;
  // infra's own findings, by what they are: the message printed says which
  if (err instanceof RecoveryImpossible) return "impossible";
  if (err instanceof InputError) return "input";
  return "refused";
}

function checkWord(check: CheckResult): string {
  if (check.exitCode === undefined) return "never-ran";
  if (check.exitCode !== 0) return `exit-${check.exitCode}`;
  return check.why.startsWith("it read ") ? "read-another-host" : "incomplete";
}

/**
 * The restore. The SDK retries a call whose answer was lost, and the retry finds the instance the first attempt
 * made: DBInstanceAlreadyExists. An instance of that name carrying this run's tag is this run's own.
 */
async function restoreOwn(ctx: Context, r: Parameters<typeof restore>[1], runTag: Tag): Promise<void> {
  try {
    await restore(ctx, r);
  } catch (err) {
    if (!nameTaken(err)) throw err;
    const found = await describeInstance(ctx, r.targetId);
    if (!hasTag(found, runTag)) throw err;
    ctx.events.for("dr-drill").step(`${r.targetId} is this drill's own restore (RDS's first answer was lost)`);
  }
}

/** What RDS bills for an instance available from `from` until its deletion was accepted at `to` (or still up). */
function billed(from: number, to: number): number {
  return Math.max(MINIMUM_BILLED_MS, Math.ceil((to - from) / 1000) * 1000);
}

function describePoint(p: RestorePoint): string {
  const at = new Date(p.time).toISOString().slice(0, 16).replace("T", " ");
  return p.kind === "snapshot" ? `snapshot ${p.snapshotId} (${at} UTC)` : `the latest restorable time (${at} UTC)`;
}

/**
 * Before starting: deletes what a killed drill of this database left (kept instances stay, with how to delete
 * them): instances named as drills name them and tagged as a drill of this database, check and cutover revisions,
 * and a rehearsal's copy of the secret. Returns the names instances still hold, for the drill to pick a free one.
 */
async function removeLeftovers(ctx: Context, ev: ResourceEvents, c: DrillConfig, tag: Tag): Promise<Set<string>> {
  const taken = new Set<string>();
  for (const i of await allInstances(ctx)) {
    const id = i.DBInstanceIdentifier as string;
    taken.add(id);
    if (!isDrillInstanceName(c.instanceId, id) || !hasTag(i, tag)) continue;
    if (isKept(i)) {
      ev.warning(`${id} was kept by an earlier drill (--keep): ${keptAdvice(ctx, id)}`);
      continue;
    }
    ev.step(`${id} is left from an earlier drill that did not finish: deleting it first`);
    await deleteDrillInstance(ctx, ev, id, true);
    taken.delete(id);
  }
  await removeRevisions(ctx, ev, c.checkFamily);
  await removeCutoverLeftovers(ctx, ev, c);
  return taken;
}

interface Cleanup {
  fate: InstanceFate;
  /** When RDS accepted deleting the instance: its billing ended then. */
  deleteAcceptedAt?: number;
  /** The first error, if any. */
  error?: unknown;
}

/**
 * Stops the tasks still running, then deletes the drill instance (only one carrying this run's tag: an instance of
 * that name without it is another's, not ours to delete) or keeps it, deregisters the drill's revisions and deletes
 * the secret's copy: each tried even when another fails, the tasks and the instance first (they are what costs).
 */
async function cleanUp(
  ctx: Context,
  ev: ResourceEvents,
  c: DrillConfig,
  id: string | undefined,
  runTag: Tag,
  running: Set<string>,
  how: { keeping: boolean; wait: boolean; taken: boolean },
): Promise<Cleanup> {
  const errors: unknown[] = [];
  const attempt = (work: () => Promise<void>) => work().catch((err: unknown) => void errors.push(err));
  for (const task of running) await attempt(() => stopTask(ctx, ev, c.cluster, task));
  const result: Cleanup = { fate: "not-created" };
  if (id)
    await attempt(async () => {
      result.fate = "left";
      const instance = await describeInstance(ctx, id);
      if (!instance || !hasTag(instance, runTag)) {
        result.fate = instance ? "taken" : "not-created";
        return;
      }
      if (how.keeping) {
        await keep(ctx, ev, id);
        result.fate = "kept";
        return;
      }
      result.deleteAcceptedAt = await deleteDrillInstance(ctx, ev, id, how.wait);
      result.fate = how.wait || result.deleteAcceptedAt === undefined ? "deleted" : "deleting";
    });
  if (how.taken && result.fate === "left") result.fate = "taken";
  await attempt(() => removeRevisions(ctx, ev, c.checkFamily));
  await attempt(() => removeCutoverLeftovers(ctx, ev, c));
  return { ...result, ...(errors.length ? { error: errors[0] } : {}) };
}

/** The error to end with: the first failure (or the signal), saying what may be left and how to remove it. */
function finalError(
  failure: unknown,
  leftover: unknown,
  id: string | undefined,
  ctx: Context,
  signal: AbortSignal,
): unknown {
  const again = ctx.invocation ? infraLine(ctx.invocation, "dr-drill") : "infra dr-drill";
  const advice = leftover
    ? `what the drill made may be left${id ? ` (instance ${id})` : ""}: run \`${again}\` again (it first removes what an earlier drill left)${id ? `, or ${keptAdvice(ctx, id)}` : ""}`
    : undefined;
  if (signal.aborted) return new InterruptedError(`dr-drill stopped; ${advice ?? "what it made was deleted"}`);
  const err = failure ?? leftover;
  if (!err || !advice) return err;
  const infra = err instanceof InfraError ? err : asAwsError("dr-drill", id ?? "dr-drill", err);
  const suggestion = infra.suggestion ? `${infra.suggestion}; ${advice}` : advice;
  return new InfraError(infra.message, infra.exitCode, suggestion, { cause: err });
}
