// `infra dr-drill`: restore the database the way a recovery would, into a temporary instance, prove the data is
// usable, measure how long it took (RTO) and how old the data is (RPO), and delete the instance whatever happens.
// The production database is only read. Whatever a killed run left (tagged, named <id>-drill-...) goes first.
import type { DBInstance, Tag } from "@aws-sdk/client-rds";
import type { Context } from "../core/context.js";
import { asAwsError, InfraError } from "../core/errors.js";
import type { ResourceEvents } from "../core/events.js";
import { InterruptedError } from "../core/interrupt.js";
import { stackTags } from "../resources/common/tags.js";
import { abortable } from "./abort.js";
import { type CheckResult, registerCheck, removeCheckRevisions, runCheck } from "./check.js";
import { DRILL_TAG, type DrillConfig, drillInstanceId, drillPrefix, KEPT_TAG } from "./config.js";
import {
  deleteDrillInstance,
  describeInstance,
  drillClass,
  drillInstances,
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
  kept: boolean;
  /** What stopped the drill or its cleanup: the command reports what was measured, then ends with it. */
  error?: unknown;
}

const isOurs = (i: DBInstance | undefined, tag: Tag) =>
  (i?.TagList ?? []).some((t) => t.Key === tag.Key && t.Value === tag.Value) &&
  !(i?.TagList ?? []).some((t) => t.Key === KEPT_TAG);

export async function runDrill(ctx: Context, c: DrillConfig, signal: AbortSignal): Promise<DrillOutcome> {
  const ev = ctx.events.for("dr-drill");
  const live = abortable(ctx, signal, "dr-drill stopped; what it made was deleted");
  const tag = { Key: DRILL_TAG, Value: c.instanceId };
  await removeLeftovers(live, ev, c, tag);
  const source = await sourceInstance(live, c.instanceId);
  const point = await restorePoint(live, source, c.pointInTime);
  const instanceClass = await drillClass(live, source, c.instanceClass);
  const startedAt = ctx.clock.now();
  const id = drillInstanceId(c.instanceId, startedAt);
  const tags = [...stackTags(c, id), tag];
  const outcome: DrillOutcome = { source: c.instanceId, instance: id, point, kept: false };
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
  const cleanupAt = ctx.clock.now();
  const leftover = await cleanUp(ctx, ev, c, id, tag, keeping);
  outcome.kept = keeping && !leftover;
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
      billedMs: (outcome.kept ? ctx.clock.now() : cleanupAt) - availableAt,
    };
  outcome.error = finalError(failure, leftover, id, ctx, signal);
  return outcome;
}

function describePoint(p: RestorePoint): string {
  const at = new Date(p.time).toISOString().slice(0, 16).replace("T", " ");
  return p.kind === "snapshot" ? `snapshot ${p.snapshotId} (${at} UTC)` : `the latest restorable time (${at} UTC)`;
}

/** Before starting: deletes what a killed drill of this database left (kept ones stay, with how to delete them). */
async function removeLeftovers(ctx: Context, ev: ResourceEvents, c: DrillConfig, tag: Tag): Promise<void> {
  for (const i of await drillInstances(ctx, drillPrefix(c.instanceId), tag)) {
    const id = i.DBInstanceIdentifier as string;
    if (!isOurs(i, tag)) {
      ev.warning(`${id} was kept by an earlier drill (--keep): ${keptAdvice(ctx, id)}`);
      continue;
    }
    ev.step(`${id} is left from an earlier drill that did not finish: deleting it first`);
    await deleteDrillInstance(ctx, ev, id, true);
  }
  await removeCheckRevisions(ctx, ev, c);
}

/**
 * Deletes the drill instance (only if it carries this drill's tag: a name taken by something else is not ours to
 * delete), or keeps it, and deregisters the check revisions: each tried even when the other fails, the instance
 * first (it is what costs). Returns the first error, if any.
 */
async function cleanUp(
  ctx: Context,
  ev: ResourceEvents,
  c: DrillConfig,
  id: string,
  tag: Tag,
  keeping: boolean,
): Promise<unknown> {
  const errors: unknown[] = [];
  const attempt = (work: () => Promise<void>) => work().catch((err: unknown) => void errors.push(err));
  await attempt(async () => {
    const instance = await describeInstance(ctx, id);
    if (!isOurs(instance, tag)) return;
    if (keeping) await keep(ctx, ev, id);
    else await deleteDrillInstance(ctx, ev, id, ctx.options.wait);
  });
  await attempt(() => removeCheckRevisions(ctx, ev, c));
  return errors[0];
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
