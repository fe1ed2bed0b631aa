// The fake's state as JSON, and back: how the sandbox's account outlives a process. One generic mechanism
// instead of a save/load per model: the models keep plain data (Maps, Sets, arrays, plain objects, dates) in
// their fields, and every timer is a timestamp read against the clock, so the data is the whole state.
//
// The walk starts at each model. A class instance (a model's helper: the ECS scheduler, the task definitions,
// the SNS subscriptions) or an object holding functions is a *holder*: its fields are saved and later restored
// in place, so what the models' constructors wired together (a scheduler sharing the ECS model's task list) stays
// wired. Everything else is data, saved as a graph with shared references kept (a task points at its service).
// Functions, getters, the fake itself and other models are not state. A model with derived parts that are not
// data (the ECS services' `status` getter) puts them back in `restored()`.
import type { Fake, ServiceModel } from "./aws-fake.js";

/** Raised whenever a model keeps its state in another shape: a state saved in the old one is refused, not misread. */
export const SNAPSHOT_FORMAT = 3;

type Encoded = null | boolean | number | string | { [tag: string]: unknown };

export interface Snapshot {
  format: number;
  /** Each model's fields, by model name. */
  models: Record<string, Record<string, unknown>>;
  delegations: Encoded;
  /** The data objects, referenced as {"r": index}. */
  nodes: Encoded[];
}

const isPlain = (v: object) => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};
const isContainer = (v: unknown): v is object =>
  Array.isArray(v) || v instanceof Map || v instanceof Set || v instanceof Date || v instanceof Uint8Array;

/** A holder's own data fields: no getters, no functions. */
function fields(holder: object): [string, unknown][] {
  return Object.keys(holder)
    .filter((k) => !Object.getOwnPropertyDescriptor(holder, k)?.get)
    .map((k) => [k, (holder as Record<string, unknown>)[k]] as [string, unknown])
    .filter(([, v]) => typeof v !== "function");
}

/** Arrays of functions and classes (a model's handlers) are code, not state. */
const isCode = (v: unknown): boolean => Array.isArray(v) && v.some((x) => typeof x === "function" || isCode(x));

function isHolder(v: unknown): v is object {
  if (typeof v !== "object" || v === null || isContainer(v)) return false;
  return !isPlain(v) || Object.values(v).some((x) => typeof x === "function");
}

export function snapshot(fake: Fake): Snapshot {
  const nodes: Encoded[] = [];
  const ids = new Map<object, number>();
  const skip = new Set<object>([fake, ...fake.models]);

  const encode = (v: unknown): Encoded => {
    if (v === undefined) return { u: 1 };
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : { n: String(v) };
    if (typeof v === "bigint") return { b: String(v) };
    if (typeof v !== "object") throw new Error(`cannot save a ${typeof v} in the sandbox's state`);
    const known = ids.get(v);
    if (known !== undefined) return { r: known };
    const id = nodes.length;
    ids.set(v, id);
    nodes.push(null);
    nodes[id] = node(v);
    return { r: id };
  };

  const node = (v: object): Encoded => {
    if (Array.isArray(v)) return { a: v.map(encode) };
    if (v instanceof Map) return { m: [...v].map(([k, x]) => [encode(k), encode(x)]) };
    if (v instanceof Set) return { s: [...v].map(encode) };
    if (v instanceof Date) return { d: v.getTime() };
    if (v instanceof Uint8Array) return { y: Buffer.from(v).toString("base64") };
    if (!isPlain(v)) throw new Error(`cannot save a ${v.constructor.name} in the sandbox's state`);
    return { o: Object.fromEntries(fields(v).map(([k, x]) => [k, encode(x)])) };
  };

  const holder = (h: object): Record<string, unknown> => {
    skip.add(h);
    const out: Record<string, unknown> = {};
    for (const [k, v] of fields(h)) {
      if (typeof v === "object" && v !== null && skip.has(v)) continue;
      if (isCode(v)) continue;
      out[k] = isHolder(v) ? { h: holder(v) } : encode(v);
    }
    return out;
  };

  const models = Object.fromEntries(fake.models.map((m) => [m.name, holder(m)]));
  return { format: SNAPSHOT_FORMAT, models, delegations: encode(fake.delegations), nodes };
}

export function restore(fake: Fake, snap: Snapshot): void {
  if (snap.format !== SNAPSHOT_FORMAT)
    throw new Error(`sandbox state format ${snap.format}, expected ${SNAPSHOT_FORMAT}`);
  const objects: unknown[] = new Array(snap.nodes.length);
  const skip = new Set<object>([fake, ...fake.models]);
  const ref = (e: unknown) => (e && typeof e === "object" && "r" in e ? (e as { r: number }).r : undefined);

  // First the containers the live holders already have: they are refilled, not replaced.
  const adopt = (h: object, saved: Record<string, unknown>) => {
    skip.add(h);
    for (const [k, e] of Object.entries(saved)) {
      const live = (h as Record<string, unknown>)[k];
      if (e && typeof e === "object" && "h" in e) {
        if (isHolder(live) && !skip.has(live)) adopt(live, (e as { h: Record<string, unknown> }).h);
        continue;
      }
      const id = ref(e);
      if (id === undefined || objects[id] !== undefined || typeof live !== "object" || live === null) continue;
      const kind = Object.keys(snap.nodes[id] as object)[0];
      const fits =
        (kind === "a" && Array.isArray(live)) ||
        (kind === "m" && live instanceof Map) ||
        (kind === "s" && live instanceof Set) ||
        (kind === "o" && !isContainer(live) && !isHolder(live));
      if (fits) objects[id] = live;
    }
  };
  for (const model of fake.models) adopt(model, snap.models[model.name] ?? {});
  const delegations = ref(snap.delegations);
  if (delegations !== undefined) objects[delegations] = fake.delegations;

  // Then every other object, empty; then everything is filled, so shared references and cycles resolve.
  snap.nodes.forEach((n, i) => {
    if (objects[i] !== undefined) return;
    const [kind, value] = Object.entries(n as object)[0] as [string, unknown];
    objects[i] =
      kind === "a"
        ? []
        : kind === "m"
          ? new Map()
          : kind === "s"
            ? new Set()
            : kind === "o"
              ? {}
              : kind === "d"
                ? new Date(value as number)
                : new Uint8Array(Buffer.from(value as string, "base64"));
  });
  const decode = (e: unknown): unknown => {
    if (e === null || typeof e !== "object") return e;
    const [kind, value] = Object.entries(e)[0] as [string, unknown];
    if (kind === "u") return undefined;
    if (kind === "n") return Number(value);
    if (kind === "b") return BigInt(value as string);
    return objects[value as number];
  };
  snap.nodes.forEach((n, i) => {
    const [kind, value] = Object.entries(n as object)[0] as [string, unknown];
    const target = objects[i];
    if (kind === "a") (target as unknown[]).splice(0, Infinity, ...(value as unknown[]).map(decode));
    else if (kind === "m") {
      const map = target as Map<unknown, unknown>;
      map.clear();
      for (const [k, x] of value as [unknown, unknown][]) map.set(decode(k), decode(x));
    } else if (kind === "s") {
      const set = target as Set<unknown>;
      set.clear();
      for (const x of value as unknown[]) set.add(decode(x));
    } else if (kind === "o") {
      const obj = target as Record<string, unknown>;
      for (const k of Object.keys(obj)) delete obj[k];
      for (const [k, x] of Object.entries(value as object)) obj[k] = decode(x);
    }
  });

  // Last, each holder's fields point at their objects (a no-op for the adopted containers).
  const assign = (h: object, saved: Record<string, unknown>) => {
    for (const [k, e] of Object.entries(saved)) {
      const live = (h as Record<string, unknown>)[k];
      if (e && typeof e === "object" && "h" in e) {
        if (isHolder(live)) assign(live, (e as { h: Record<string, unknown> }).h);
      } else (h as Record<string, unknown>)[k] = decode(e);
    }
  };
  for (const model of fake.models) assign(model, snap.models[model.name] ?? {});
  for (const model of fake.models) (model as ServiceModel).restored?.();
}
