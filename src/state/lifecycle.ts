// The generic life of one resource: assess (observe, then diff against what it wants), create (apply exactly the
// diff), verify (the diff as FAIL lines, plus the checks that are not state) and destroy. Every command goes
// through these, so they agree by construction.
import type { Context } from "../core/context.js";
import { awsStep, InputError } from "../core/errors.js";
import { type EnvReader, pendingValue } from "../core/inputs.js";
import { recordOwned } from "../core/owners.js";
import { type ApplyRun, type Check, NotYet, type Resource, type ResourceModel } from "../resources/resource.js";
import { diff, resolveFields, resolveInput } from "./diff.js";
import { type Change, type DesiredObject, isChange, type Observation, type ObservedObject, waitsFor } from "./model.js";
import { formatValue, stateChecks, unreportedChecks } from "./render.js";

export interface Assessment<C = unknown> {
  resource: Resource<C>;
  /** The config as read from the env file, before settle: what a later read is compared with. */
  read: C;
  /** The config the desired state was made from (settled from what exists). */
  config: C;
  desired: DesiredObject[];
  observation: Observation;
  changes: Change[];
  model: ResourceModel<C>;
}

export async function assess<C>(ctx: Context, resource: Resource<C>, config: C): Promise<Assessment<C>> {
  const model = await resource.load();
  const observation = await model.observe(ctx, config);
  // Values that belong to another owner once the object exists (the image a service runs) come from what exists.
  const settled = model.settle ? model.settle(config, observation) : config;
  const desired = resource.desired(settled);
  return { resource, read: config, config: settled, desired, observation, changes: diff(desired, observation), model };
}

/** An id no object has yet: what a step will make in this run. */
const TO_BE_MADE = "<to be made>";

/**
 * The recorded keys a step will change when it applies its changes: those of objects it makes, replaces, or makes
 * a new version of (a task definition's new revision), compared with what the env file holds now.
 */
export function changingKeys(a: Assessment, env: EnvReader): string[] {
  const after = new Map(a.observation);
  for (const c of a.changes) {
    const renewed = c.action === "create" || c.action === "replace" || (c.action === "update" && c.desired.versioned);
    if (renewed) {
      const was = a.observation.get(c.desired.key);
      after.set(c.desired.key, { ...(was ?? { ...c.desired, managed: true }), id: TO_BE_MADE });
    }
    if (c.action === "delete") after.delete(c.observed.key);
  }
  const then = a.model.recorded(after, a.config);
  return Object.keys(then).filter((k) => (then[k] ?? "") !== (env.get(k) ?? "") || then[k]?.includes(TO_BE_MADE));
}

/**
 * What another step of the same run will change (a new task definition revision) is not known until it has run:
 * the assessments that read it are made again, from what was observed (no AWS call), with it "known after" that
 * step, so plan and create's question show every change create makes: the service's move to the new revision too.
 */
export function refine(
  assessments: Assessment[],
  read: (resource: Resource, env: EnvReader) => unknown,
  env: EnvReader,
) {
  let current = assessments;
  const inputs = new Map(current.map((a) => [a.resource.name, JSON.stringify(a.read)]));
  for (let round = 0; round < assessments.length; round++) {
    const changing = new Map<string, string>();
    for (const a of current) for (const k of changingKeys(a, env)) changing.set(k, a.resource.name);
    let again = false;
    current = current.map((a) => {
      const view: EnvReader = {
        get: (k) => {
          const by = changing.get(k);
          return by && by !== a.resource.name ? pendingValue(k, by) : env.get(k);
        },
      };
      const config = read(a.resource, view);
      if (JSON.stringify(config) === inputs.get(a.resource.name)) return a;
      inputs.set(a.resource.name, JSON.stringify(config));
      again = true;
      const settled = a.model.settle ? a.model.settle(config, a.observation) : config;
      const desired = a.resource.desired(settled);
      return { ...a, config: settled, desired, changes: diff(desired, a.observation) };
    });
    if (!again) break;
  }
  return current;
}

export async function verifyResource<C>(ctx: Context, a: Assessment<C>): Promise<Check[]> {
  const state = stateChecks(a.resource.name, a.changes, a.desired);
  const unreported = unreportedChecks(a.resource.name, a.desired, a.observation);
  return [...state, ...unreported, ...((await a.model.checks?.(ctx, a.config, a.observation)) ?? [])];
}

/** Applies the diff, in the order the objects are wanted; objects that wait for another step's output come last. */
/**
 * Why create cannot apply an assessment, checked before any change: it would replace (delete, then make again)
 * something infra did not make, or the resource's model knows AWS would refuse a change whatever the wait.
 */
export function refusal(a: Assessment): string | undefined {
  const theirs = a.changes.find((c) => isChange(c) && "observed" in c && c.observed.stack);
  if (theirs && "observed" in theirs)
    return `${theirs.observed.kind} ${theirs.observed.name} belongs to infra stack ${theirs.observed.stack} (its Project tag), and this stack changes nothing of another's: give this stack's ${theirs.observed.kind} a name of its own in the env file`;
  const stranger = a.changes.find((c) => c.action === "replace" && !c.observed.managed);
  if (stranger && stranger.action === "replace")
    return `${stranger.desired.kind} ${stranger.desired.name} was made outside infra and would have to be replaced (${stranger.reason}): infra does not delete what it did not make; delete or rename it yourself, or keep its ${stranger.fields.map((f) => f.field).join(", ")}`;
  return a.model.refuse?.(a.changes, a.config);
}

/** What a step did: whether it changed anything, and whether something it wants could not be made yet. */
export interface Applied {
  changed: boolean;
  incomplete: boolean;
}

export async function createResource<C>(ctx: Context, a: Assessment<C>): Promise<Applied> {
  const { resource, model } = a;
  const refused = refusal(a as Assessment);
  if (refused) throw new InputError(`${resource.name}: ${refused}`);
  const ev = ctx.events.for(resource.name);
  const objects = new Map(a.observation);
  const record = () => recordOwned(ctx.env, resource, model.recorded(objects, run.c));
  const run: ApplyRun<C> = {
    ctx,
    c: a.config,
    ev,
    objects,
    made: async (o) => {
      objects.set(o.key, o);
      await record();
    },
  };
  const stepsOf = (d: DesiredObject) => [...new Set([...waitsFor(d), ...(d.after ?? []).filter(ctx.steps.has)])];
  const waiting = new Set(a.desired.filter((d) => stepsOf(d).length > 0).map((d) => d.key));
  const skipped = { count: 0 };
  let changed = false;
  for (const planned of a.changes) {
    if ("desired" in planned && waiting.has(planned.desired.key)) continue;
    // What lived in an object replaced earlier in this run went with it (a load balancer's listeners): made again.
    const went = "observed" in planned && "desired" in planned && !objects.has(planned.desired.key);
    const change: Change = went ? { action: "create", desired: planned.desired } : planned;
    if (change.action === "replace")
      for (const d of a.desired) if (d.within === change.desired.key) objects.delete(d.key);
    changed = (await applyOrSkip(run, model, change, skipped)) || changed;
    await record();
  }
  if (waiting.size === 0) return { changed, incomplete: skipped.count > 0 };

  // What another step of this run makes (the certificate the HTTPS listener serves): wait for that step, then
  // read the inputs again and apply what can be applied now.
  const steps = [...new Set(a.desired.filter((d) => waiting.has(d.key)).flatMap(stepsOf))];
  for (const step of steps) await ctx.steps.finished(step);
  const fresh = resource.config(ctx.env, "create");
  run.c = model.settle ? model.settle(fresh, run.objects) : fresh;
  const later = resource.desired(run.c).filter((d) => waiting.has(d.key));
  for (const change of diff(later, run.objects).filter((c) => c.action !== "delete")) {
    if ("desired" in change && waitsFor(change.desired).length > 0) {
      ev.skipped(`${change.desired.kind} ${change.desired.name}: waits for ${waitsFor(change.desired).join(", ")}`);
      skipped.count++;
      continue;
    }
    changed = (await applyOrSkip(run, model, change, skipped)) || changed;
    await record();
  }
  return { changed, incomplete: skipped.count > 0 };
}

async function applyOrSkip<C>(
  run: ApplyRun<C>,
  model: ResourceModel<C>,
  change: Change,
  skipped: { count: number },
): Promise<boolean> {
  try {
    return await applyChange(run, model, change);
  } catch (err) {
    if (!(err instanceof NotYet)) throw err;
    run.ev.skipped(err.message);
    skipped.count++;
    return false;
  }
}

async function applyChange<C>(run: ApplyRun<C>, model: ResourceModel<C>, change: Change): Promise<boolean> {
  const { ev } = run;
  const handlersOf = (kind: string) => {
    const h = model.handlers[kind];
    if (!h) throw new Error(`no handlers for ${kind}`);
    return h;
  };
  const resolved = (d: DesiredObject): DesiredObject => ({
    ...d,
    fields: resolveFields(d.fields, run.objects),
    ...(d.input ? { input: resolveInput(d.input, run.objects) } : {}),
  });
  const label = (o: { kind: string; name: string }) => `${o.kind} ${o.name}`;
  const fieldList = (c: Extract<Change, { fields: unknown }>) =>
    c.fields.map((f) => `${f.field} ${formatValue(f.from)} -> ${formatValue(f.to)}`).join(", ");
  const made = async (d: DesiredObject) => {
    const o: ObservedObject = await handlersOf(d.kind).create(run, resolved(d));
    run.objects.set(d.key, o);
    ev.created(label(d));
  };
  switch (change.action) {
    case "keep":
    case "use":
      ev.exists(label(change.desired));
      return false;
    case "create":
      await made(change.desired);
      return true;
    case "update": {
      const h = handlersOf(change.desired.kind);
      if (!h.update) throw new Error(`${change.desired.kind} cannot be updated in place`);
      await h.update(run, resolved(change.desired), change.observed, change.fields);
      ev.updated(`${label(change.desired)}: ${fieldList(change)}`);
      return true;
    }
    case "adopt": {
      const h = handlersOf(change.desired.kind);
      await h.adopt(run, resolved(change.desired), change.observed);
      run.objects.set(change.desired.key, { ...change.observed, managed: true });
      ev.updated(`${label(change.desired)}: adopted`);
      if (change.fields.length > 0) {
        if (!h.update) throw new Error(`${change.desired.kind} cannot be updated in place`);
        await h.update(run, resolved(change.desired), change.observed, change.fields);
        ev.updated(`${label(change.desired)}: ${fieldList(change)}`);
      }
      return true;
    }
    case "replace":
      await handlersOf(change.observed.kind).delete(run, change.observed);
      run.objects.delete(change.observed.key);
      ev.deleted(`${label(change.observed)} (${change.reason})`);
      await made(change.desired);
      return true;
    case "delete":
      await handlersOf(change.observed.kind).delete(run, change.observed);
      run.objects.delete(change.observed.key);
      ev.deleted(label(change.observed));
      return true;
  }
}

/** What destroy will find, and whether it may go on: observed and checked for every resource before any deletes. */
export async function observeForDestroy<C>(ctx: Context, resource: Resource<C>, config: C): Promise<Observation> {
  const model = await resource.load();
  const observation = await model.observe(ctx, config);
  await model.beforeDestroy?.(ctx, config, observation);
  return observation;
}

/** Deletes what infra owns, in the reverse of the order it is made; what it does not own is named and left. */
export async function destroyResource<C>(
  ctx: Context,
  resource: Resource<C>,
  config: C,
  observed?: Observation,
): Promise<void> {
  const model = await resource.load();
  const ev = ctx.events.for(resource.name);
  const observation = observed ?? (await observeForDestroy(ctx, resource, config));
  const run: ApplyRun<C> = { ctx, c: config, ev, objects: new Map(observation), made: async () => {} };
  for (const o of [...observation.values()].reverse()) {
    if (!o.managed || o.leave) {
      ev.skipped(`${o.kind} ${o.name}: left in place, ${o.leave ?? "not made by infra"}`);
      continue;
    }
    const h = model.handlers[o.kind];
    if (!h) throw new Error(`no handlers for ${o.kind}`);
    const kept = h.keep?.(run, o);
    if (kept) {
      ev.skipped(`${o.kind} ${o.name}: ${kept}`);
      continue;
    }
    await awsStep("delete", `${o.kind} ${o.name}`, () => h.delete(run, o));
    run.objects.delete(o.key);
    ev.deleted(`${o.kind} ${o.name}`);
  }
  const emptied = Object.fromEntries(resource.records.map((k) => [k, ""]));
  await recordOwned(ctx.env, resource, { ...emptied, ...model.recordedAfterDestroy?.(run.objects, config) });
}
