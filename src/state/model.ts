// The desired-state model every resource speaks: what it wants (pure, from its config), what exists (observed),
// and the changes between them. `plan`, `verify`, `status`, `create` and the destroy prompt all derive from these,
// so what `plan` shows is what `create` changes and what `verify` fails on.

/** A value from another step that has not run yet in this run: shown as "(known after <step>)". */
export interface Pending {
  pending: string;
}

/** The id of another object of the same resource, known once it exists. */
export interface Ref {
  ref: string;
}

/**
 * A part of an input only AWS knows until the call is made, which the handler reads from the object `of` names just
 * before it sends the input: the DNS name and zone of the load balancer an alias points at, the CNAME ACM answers
 * for a certificate. Inputs only: a field shows `of`, the object it comes from.
 */
export interface Answer {
  answer: string;
  /** The object the answer comes from: its ARN, a sibling not made yet (Ref), or another step's (Pending). */
  of: string | Ref | Pending;
}

/**
 * An observed field the endpoint did not report although AWS always does (an emulator that does not model it):
 * unknown rather than different, so create has nothing it could change (it sent the value already) and verify
 * says the endpoint did not report it.
 */
export interface Unreported {
  unreported: true;
}

export type Scalar = string | number | boolean;
export type Value = Scalar | readonly (Scalar | Ref)[] | Pending | Ref | Unreported | undefined;
export type Fields = Readonly<Record<string, Value>>;

export const pending = (step: string): Pending => ({ pending: step });
export const answer = (what: string, of: string | Ref | Pending): Answer => ({ answer: what, of });
export const isAnswer = (v: unknown): v is Answer => typeof v === "object" && v !== null && "answer" in v;
export const UNREPORTED: Unreported = { unreported: true };
export const isUnreported = (v: Value): v is Unreported => typeof v === "object" && v !== null && "unreported" in v;
export const ref = (key: string): Ref => ({ ref: key });
export const isRef = (v: Value): v is Ref => typeof v === "object" && v !== null && "ref" in v;
/** Whether a value still refers to a sibling not made yet (itself, or in its list). */
export const hasRef = (v: Value): boolean => isRef(v) || (Array.isArray(v) && v.some((x) => typeof x === "object"));

/** An input another step of the run will record reads `<KEY from step>` (src/core/inputs.ts pendingValue). */
const PLACEHOLDER = /^<[A-Z0-9_]+ from ([a-z0-9-]+)>$/;

/** The step a value waits for, if it is not known yet: a Pending, or an input placeholder (alone or in a list). */
export function pendingStep(v: Value): string | undefined {
  if (typeof v === "object" && v !== null && "pending" in v) return v.pending;
  const values = Array.isArray(v) ? v : [v];
  for (const x of values) {
    const m = typeof x === "string" ? PLACEHOLDER.exec(x) : null;
    if (m) return m[1];
  }
  return undefined;
}

export const isPending = (v: Value): boolean => pendingStep(v) !== undefined;

/** The steps whose outputs an object waits for. */
export const waitsFor = (d: DesiredObject): string[] => [
  ...new Set(Object.values(d.fields).flatMap((v) => pendingStep(v) ?? [])),
];

/** One AWS object a resource wants, with the fields it owns (fields left out are not ours to judge). */
export interface DesiredObject {
  /** Unique within the resource and stable across runs: "target-group", "alarm:startupwebapp-cpu-high". */
  key: string;
  /** What it is, for people: "target group". */
  kind: string;
  /** Its name in AWS (or what names it best): "startupwebapp-tg". */
  name: string;
  fields: Fields;
  /**
   * What AWS is sent for it: the SDK's own parameters (less which object it is, its tags and idempotency tokens),
   * references to siblings resolved before a handler sees it. `fields` are projected from it by the same function
   * that projects what AWS describes, and handlers send it and nothing else.
   */
  input?: object;
  /** The key of the object it lives in (a listener in its load balancer): made again when that one is replaced. */
  within?: string;
  /**
   * Steps whose end it needs when they are part of the same run, whatever the env file holds already: the HTTPS
   * listener needs the certificate issued, not only its ARN recorded.
   */
  after?: readonly string[];
  /** Every change makes a new version of it with a new id (a task definition's revisions). */
  versioned?: boolean;
  /**
   * Fields AWS moves on its own (a load balancer's state, a certificate's status): a difference there is something
   * create waits for, not a change it makes, so it needs no confirmation.
   */
  awaited?: readonly string[];
  /**
   * Fields AWS takes at creation only and never changes (a security group's description), with why: shown for an
   * object to be made, not compared with one that exists, which keeps its own.
   */
  setOnce?: Readonly<Record<string, string>>;
  /** Fields AWS cannot change in place, with why: a difference there replaces the object. */
  replaceOn?: Readonly<Record<string, string>>;
  /**
   * Whether an object found under this name that infra did not make becomes ours (tagged, recorded, and destroyed
   * with the stack). False for what the user keeps whatever happens, such as their hosted zone.
   */
  adopt?: boolean;
}

/** One AWS object as it is. */
export interface ObservedObject {
  key: string;
  kind: string;
  name: string;
  /** Its id or ARN. */
  id: string;
  fields: Fields;
  /** Made (or adopted) by infra: carries the stack's ManagedBy tag, or is held by something that does. */
  managed: boolean;
  /**
   * Why destroy leaves this object in place although infra made it: a hosted zone that holds records of others, a
   * validation CNAME another certificate validates through.
   */
  leave?: string;
  /** Another infra stack's (its Project tag), found under a name both stacks use: never changed by this one. */
  stack?: string;
  /** What the handlers need beyond the fields (the SDK's own object). */
  raw?: unknown;
}

/** What observe found, by key. Owned objects no longer desired (an alarm for a removed database) are found too. */
export type Observation = ReadonlyMap<string, ObservedObject>;

export interface FieldChange {
  field: string;
  from: Value;
  to: Value;
}

export type Change =
  | { action: "create"; desired: DesiredObject }
  | { action: "update"; desired: DesiredObject; observed: ObservedObject; fields: FieldChange[] }
  | {
      action: "replace";
      desired: DesiredObject;
      observed: ObservedObject;
      fields: FieldChange[];
      reason: string;
    }
  | { action: "adopt"; desired: DesiredObject; observed: ObservedObject; fields: FieldChange[] }
  | { action: "use"; desired: DesiredObject; observed: ObservedObject }
  | { action: "delete"; observed: ObservedObject }
  | { action: "keep"; desired: DesiredObject; observed: ObservedObject };

/** Changes that alter something that already exists: `create` shows them and asks before making them. */
export const altersExisting = (c: Change) =>
  c.action === "replace" ||
  c.action === "adopt" ||
  c.action === "delete" ||
  (c.action === "update" && c.fields.some((f) => !c.desired.awaited?.includes(f.field)));

export const isChange = (c: Change) => c.action !== "keep" && c.action !== "use";
