// How changes read: field by field like `terraform plan` (+ create, ~ update, -/+ replace, = adopt, - delete),
// as verify's OK / FAIL lines, and as data for --json. One rendering per view, all from the same changes.
import type { Check } from "../resources/resource.js";
import { resolveFields, unreportedFields } from "./diff.js";
import {
  type Change,
  type DesiredObject,
  isRef,
  isUnreported,
  type Observation,
  pendingStep,
  type Value,
  waitsFor,
} from "./model.js";

/** Long ARNs say little more than their last part: "targetgroup/startupwebapp-tg/1a2b3c". */
const short = (s: string) => (s.startsWith("arn:") ? s.split(":").slice(5).join(":") || s : s);

export function formatValue(v: Value, desired: readonly DesiredObject[] = []): string {
  if (v === undefined) return "(none)";
  if (isUnreported(v)) return "(not reported)";
  const step = pendingStep(v);
  if (step) return `(known after ${step})`;
  if (isRef(v)) {
    const d = desired.find((x) => x.key === v.ref);
    return `(known after ${d ? `${d.kind} ${d.name}` : v.ref})`;
  }
  if (Array.isArray(v))
    return `[${v.map((x) => (typeof x === "object" ? formatValue(x, desired) : short(String(x)))).join(", ")}]`;
  return short(String(v));
}

const label = (c: Change) => {
  const o = "desired" in c ? c.desired : c.observed;
  return `${o.kind} ${o.name}`;
};

const MARK: Record<Change["action"], string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  adopt: "=",
  use: " ",
  delete: "-",
  keep: " ",
};

/** The plan of one resource, as lines: changed objects with their fields, unchanged ones folded to one line. */
export function planLines(changes: readonly Change[], desired: readonly DesiredObject[]): string[] {
  const lines: string[] = [];
  const fmt = (v: Value) => formatValue(v, desired);
  for (const c of changes) {
    if (c.action === "keep" || c.action === "use") continue;
    const head = `${MARK[c.action]} ${label(c)}`;
    if (c.action === "create") {
      lines.push(head);
      for (const [field, v] of Object.entries(c.desired.fields))
        if (v !== undefined) lines.push(`    ${field}: ${fmt(v)}`);
    } else if (c.action === "delete") {
      lines.push(`${head} (${short(c.observed.id)})`);
    } else {
      const note =
        c.action === "replace"
          ? ` (replaced: ${c.reason})`
          : c.action === "adopt"
            ? " (adopted: made outside infra, from now on managed by it)"
            : "";
      lines.push(`${head}${note}`);
      for (const f of c.fields) lines.push(`    ${f.field}: ${fmt(f.from)} -> ${fmt(f.to)}`);
    }
  }
  const unchanged = changes.filter((c) => c.action === "keep" || c.action === "use");
  if (unchanged.length) lines.push(`  ${unchanged.length} unchanged: ${unchanged.map(label).join(", ")}`);
  return lines;
}

/** Verify's lines for the state: OK per object as desired, FAIL per difference, saying what create would do. */
export function stateChecks(resource: string, changes: readonly Change[], desired: readonly DesiredObject[]): Check[] {
  const fmt = (v: Value) => formatValue(v, desired);
  const ok = (name: string, detail?: string): Check => ({
    resource,
    status: "OK",
    name,
    ...(detail ? { detail } : {}),
  });
  const fail = (name: string, detail: string): Check => ({ resource, status: "FAIL", name, detail });
  return changes.flatMap((c): Check[] => {
    const name = label(c);
    const fields =
      "fields" in c ? c.fields.map((f) => fail(`${name}: ${f.field}`, `${fmt(f.from)}, want ${fmt(f.to)}`)) : [];
    switch (c.action) {
      case "keep":
        return [ok(name, short(c.observed.id))];
      case "use":
        return [ok(name, `${short(c.observed.id)}, not managed by infra`)];
      case "create": {
        const after = waitsFor(c.desired);
        return [
          fail(name, after.length ? `missing: made once ${after.join(", ")} has run` : "missing: create makes it"),
        ];
      }
      case "delete":
        return [fail(name, "no longer wanted: create deletes it")];
      case "adopt":
        return [fail(name, "made outside infra: create adopts it"), ...fields];
      case "replace":
        return [fail(name, `create replaces it: ${c.reason}`), ...fields];
      default:
        return fields; // update: one FAIL per field
    }
  });
}

/**
 * Verify's lines for the fields the endpoint did not report (AWS always does): a FAIL each, saying so, since
 * neither verify nor create can tell whether they are set.
 */
export function unreportedChecks(
  resource: string,
  desired: readonly DesiredObject[],
  observation: Observation,
): Check[] {
  return desired.flatMap((d) => {
    const o = observation.get(d.key);
    if (!o) return [];
    return unreportedFields(resolveFields(d.fields, observation), o.fields).map(
      (f): Check => ({
        resource,
        status: "FAIL",
        name: `${d.kind} ${d.name}: ${f.field}`,
        detail: `not reported by this endpoint, want ${formatValue(f.to, desired)}; AWS always reports it`,
      }),
    );
  });
}

export interface ChangeData {
  action: Change["action"];
  kind: string;
  name: string;
  id?: string;
  fields?: { field: string; from: string; to: string }[];
  reason?: string;
}

export function changeData(changes: readonly Change[], desired: readonly DesiredObject[]): ChangeData[] {
  const fmt = (v: Value) => formatValue(v, desired);
  return changes.map((c) => {
    const o = "desired" in c ? c.desired : c.observed;
    return {
      action: c.action,
      kind: o.kind,
      name: o.name,
      ...("observed" in c ? { id: c.observed.id } : {}),
      ...(c.action === "create"
        ? {
            fields: Object.entries(c.desired.fields)
              .filter(([, v]) => v !== undefined)
              .map(([field, v]) => ({ field, from: "(none)", to: fmt(v) })),
          }
        : "fields" in c
          ? { fields: c.fields.map((f) => ({ field: f.field, from: fmt(f.from), to: fmt(f.to) })) }
          : {}),
      ...(c.action === "replace" ? { reason: c.reason } : {}),
    };
  });
}
