// `infra dr-drill`: restore the database the way a recovery would, into a temporary instance, prove the data is
// usable, measure how long it took (RTO) and how old the data is (RPO), and delete the instance whatever happens.
// The production database is only read. Whatever a killed run left (tagged, named <id>-drill-...) goes first; an
// instance kept with --keep (tagged kept) stays, and a drill the same day takes the next free name.
import type { DBInstance, Tag } from "@aws-sdk/client-rds";
import type { Context } from "../core/context.js";
import { AwsError, asAwsError, InfraError, isAwsError } from "../core/errors.js";
import type { ResourceEvents } from "../core/events.js";
import { InterruptedError } from "../core/interrupt.js";
import { stackTags } from "../resources/common/tags.js";
import { abortable } from "./abort.js";
import { type CheckResult, registerCheck, removeCheckRevisions, runCheck } from "./check.js";
import { DRILL_TAG, type DrillConfig, freeDrillInstanceId, isDrillInstanceName, KEPT_TAG } from "./config.js";
import {
  allInstances,
  deleteDrillInstance,
  describeInstance,
  drillClass,
  keep,
  keptAdvice,
  type RestorePoint,
  restore,
  restorePoint,
  sourceInstance,
  waitAvailable,
} from "./rds.js";
import { type DrillRecord, duration } from "./record.js";

export interface DrillOutcome {
  source: string;
  instance: string;
  point: RestorePoint;
  record?: DrillRecord;
  check?: CheckResult;
  /** What became of the drill instance: what the report says of it. */
  fate: InstanceFate;
  kept: boolean;
  /** What stopped the drill or its cleanup: the command reports what was measured, then ends with it. */
  error?: unknown;
}

/**
 * deleted: gone; deleting: RDS accepted deleting it (--no-wait); kept: --keep; not-created: the restore did not make
 * it; taken: the name was another instance's, left alone; left: it may still exist (its cleanup failed).
 */
export type InstanceFate = "deleted" | "deleting" | "kept" | "not-created" | "taken" | "left";

const hasTag = (i: DBInstance | undefined, tag: Tag) =>
  (i?.TagList ?? []).some((t) => t.Key === tag.Key && t.Value === tag.Value);
/** A drill instance of this database that no one chose to keep: a killed run's, or this run's. */
const isOurs = (i: DBInstance | undefined, tag: Tag) =>
  hasTag(i, tag) && !(i?.TagList ?? []).some((t) => t.Key === KEPT_TAG);
/** RDS refused the restore because the name is taken: the instance of that name is not this drill's. */
const nameTaken = (err: unknown) =>
  isAwsError(err instanceof AwsError ? err.cause : err, "DBInstanceAlreadyExists", "DBInstanceAlreadyExistsFault");
/** RDS bills an instance per second from available until deleted, at least 10 minutes. */
const MINIMUM_BILLED_MS = 10 * 60_000;

export async function runDrill(ctx: Context, c: DrillConfig, signal: AbortSignal): Promise<DrillOutcome> {
  const ev = ctx.events.for("dr-drill");
  const live = abortable(ctx, signal, "dr-drill stopped; what it made was deleted");
  const tag = { Key: DRILL_TAG, Value: c.instanceId };
  const taken = await removeLeftovers(live, ev, c, tag);
  const source = await sourceInstance(live, c.instanceId);
  const point = await restorePoint(live, source, c.pointInTime);
  const instanceClass = await drillClass(live, source, c.instanceClass);
  const startedAt = ctx.clock.now();
  const id = freeDrillInstanceId(c.instanceId, startedAt, taken);
  const tags = [...stackTags(c, id), tag];
  const outcome: DrillOutcome = { source: c.instanceId, instance: id, point, fate: "not-created", kept: false };
  let availableAt: number | undefined;
  let failure: unknown;
  try {
    ev.step(`restoring ${describePoint(point)} into ${id} (${instanceClass}, single-AZ, not public)`);
    await restore(live, { source, point, targetId: id, instanceClass, tags });
    const restored = await waitAvailable(live, ev, id);
    availableAt = ctx.clock.now();
    ev.created(`${id} available after ${duration(availableAt - startedAt)}`);
    const endpoint = { host: restored.Endpoint?.Address as string, port: restored.Endpoint?.Port ?? 5432 };
    const td = await registerCheck(live, ev, c, endpoint, tags);
    outcome.check = await runCheck(live, c, td);
    const exit = outcome.check.exitCode;
    ev[exit === 0 ? "exists" : "warning"](`check ${c.checkCommand.join(" ")} exited ${exit ?? "without an exit code"}`);
  } catch (err) {
    failure = err;
  }
  const keeping = c.keep && !signal.aborted && availableAt !== undefined;
  const cleanup = await cleanUp(ctx, ev, c, id, tag, keeping, nameTaken(failure));
  const leftover = cleanup.error;
  outcome.fate = cleanup.fate;
  outcome.kept = cleanup.fate === "kept";
  if (availableAt !== undefined && outcome.check)
    outcome.record = {
      at: new Date(startedAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
      from:
        point.kind === "snapshot"
          ? `snapshot:${point.snapshotId}`
          : `point-in-time:${new Date(point.time).toISOString()}`,
      instanceClass,
      storageGb: source.AllocatedStorage ?? 0,
      rtoMs: availableAt - startedAt,
      rpoMs: startedAt - point.time,
      checkExit: outcome.check.exitCode,
      billedMs: billed(availableAt, cleanup.deleteAcceptedAt ?? ctx.clock.now()),
    };
  outcome.error = finalError(failure, leftover, id, ctx, signal);
  return outcome;
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
 * Before starting: deletes what a killed drill of this database left (kept ones stay, with how to delete them).
 * A drill instance is one named as drills name them and tagged as a drill of this database. Returns the names
 * instances still hold, for the drill to pick a free one.
 */
async function removeLeftovers(ctx: Context, ev: ResourceEvents, c: DrillConfig, tag: Tag): Promise<Set<string>> {
  const taken = new Set<string>();
  for (const i of await allInstances(ctx)) {
    const id = i.DBInstanceIdentifier as string;
    taken.add(id);
    if (!isDrillInstanceName(c.instanceId, id) || !hasTag(i, tag)) continue;
    if (!isOurs(i, tag)) {
      ev.warning(`${id} was kept by an earlier drill (--keep): ${keptAdvice(ctx, id)}`);
      continue;
    }
    ev.step(`${id} is left from an earlier drill that did not finish: deleting it first`);
    await deleteDrillInstance(ctx, ev, id, true);
    taken.delete(id);
  }
  await removeCheckRevisions(ctx, ev, c);
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
 * Deletes the drill instance (only if it carries this drill's tag and the restore did not fail for its name: an
 * instance of that name is then another's, not ours to delete), or keeps it, and deregisters the check revisions:
 * each tried even when the other fails, the instance first (it is what costs).
 */
async function cleanUp(
  ctx: Context,
  ev: ResourceEvents,
  c: DrillConfig,
  id: string,
  tag: Tag,
  keeping: boolean,
  taken: boolean,
): Promise<Cleanup> {
  const errors: unknown[] = [];
  const attempt = (work: () => Promise<void>) => work().catch((err: unknown) => void errors.push(err));
  const result: Cleanup = { fate: taken ? "taken" : "left" };
  if (!taken)
    await attempt(async () => {
      const instance = await describeInstance(ctx, id);
      if (!isOurs(instance, tag)) {
        result.fate = instance ? "taken" : "not-created";
        return;
      }
      if (keeping) {
        await keep(ctx, ev, id);
        result.fate = "kept";
        return;
      }
      result.deleteAcceptedAt = await deleteDrillInstance(ctx, ev, id, ctx.options.wait);
      result.fate = ctx.options.wait || result.deleteAcceptedAt === undefined ? "deleted" : "deleting";
    });
  await attempt(() => removeCheckRevisions(ctx, ev, c));
  return { ...result, ...(errors.length ? { error: errors[0] } : {}) };
}

/** The error to end with: the first failure (or Ctrl-C), saying what may be left and how to remove it. */
function finalError(failure: unknown, leftover: unknown, id: string, ctx: Context, signal: AbortSignal): unknown {
  const advice = leftover
    ? `the drill instance ${id} or the check task definitions may be left: run infra dr-drill again (it first removes what an earlier drill left), or ${keptAdvice(ctx, id)}`
    : undefined;
  if (signal.aborted) return new InterruptedError(`dr-drill stopped; ${advice ?? "what it made was deleted"}`);
  const err = failure ?? leftover;
  if (!err || !advice) return err;
  const infra = err instanceof InfraError ? err : asAwsError("dr-drill", id, err);
  const suggestion = infra.suggestion ? `${infra.suggestion}; ${advice}` : advice;
  return new InfraError(infra.message, infra.exitCode, suggestion, { cause: err });
}
