// The one comparison: desired objects against what observe found, field by field. Pure, so plan, verify, status
// and create cannot disagree about it.
import {
  type Change,
  type DesiredObject,
  type FieldChange,
  type Fields,
  hasRef,
  isPending,
  isRef,
  isUnreported,
  type Observation,
  type Ref,
  type Scalar,
  type Value,
} from "./model.js";

/** A desired value with its references to sibling objects replaced by their ids, where those exist. */
export function resolve(value: Value, observation: Observation): Value {
  const one = (v: Scalar | Ref) => (typeof v === "object" ? (observation.get(v.ref)?.id ?? v) : v);
  if (isRef(value)) return one(value);
  if (Array.isArray(value)) return value.map(one);
  return value;
}

export function resolveFields(fields: Fields, observation: Observation): Fields {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, resolve(v, observation)]));
}

/** An SDK input with its references to sibling objects replaced by their ids, where those exist, at any depth. */
export function resolveInput<T>(input: T, observation: Observation): T {
  if (Array.isArray(input)) return input.map((x) => resolveInput(x, observation)) as T;
  if (typeof input !== "object" || input === null) return input;
  if (isRef(input as Value)) return (observation.get((input as unknown as Ref).ref)?.id ?? input) as T;
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, resolveInput(v, observation)])) as T;
}

const same = (a: Value, b: Value) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The owned fields that differ. A value not known yet (another step's, or a sibling's to be made) differs; one the
 * endpoint did not report does not (unreportedFields).
 */
export function fieldChanges(want: Fields, has: Fields): FieldChange[] {
  return Object.entries(want)
    .filter(([field, to]) => to !== undefined && !isUnreported(has[field]))
    .filter(([field, to]) => isPending(to) || hasRef(to) || !same(to, has[field]))
    .map(([field, to]) => ({ field, from: has[field], to }));
}

/** The owned fields the endpoint did not report, with the value wanted: what verify cannot check. */
export function unreportedFields(want: Fields, has: Fields): FieldChange[] {
  return Object.entries(want)
    .filter(([field, to]) => to !== undefined && isUnreported(has[field]))
    .map(([field, to]) => ({ field, from: has[field], to }));
}

export function diff(desired: readonly DesiredObject[], observation: Observation): Change[] {
  const changes: Change[] = desired.map((d): Change => {
    const observed = observation.get(d.key);
    if (!observed) return { action: "create", desired: d };
    const compared = Object.fromEntries(Object.entries(d.fields).filter(([f]) => !d.setOnce?.[f]));
    const fields = fieldChanges(resolveFields(compared, observation), observed.fields);
    const blocking = fields.find((f) => d.replaceOn?.[f.field] && !isPending(f.to) && !hasRef(f.to));
    if (blocking) {
      return { action: "replace", desired: d, observed, fields, reason: d.replaceOn?.[blocking.field] ?? "" };
    }
    if (!observed.managed) {
      if (d.adopt === false) return { action: "use", desired: d, observed };
      return { action: "adopt", desired: d, observed, fields };
    }
    return fields.length
      ? { action: "update", desired: d, observed, fields }
      : { action: "keep", desired: d, observed };
  });
  const wanted = new Set(desired.map((d) => d.key));
  for (const observed of observation.values()) {
    if (!wanted.has(observed.key) && observed.managed) changes.push({ action: "delete", observed });
  }
  return changes;
}
