// The shape every resource module has: its name, the steps it comes after, the keys it records, how its inputs are
// read (before any AWS call), the AWS objects it wants (pure, no SDK: `plan` needs no account), and - loaded only
// when needed - how to observe what exists and the handlers that create, update, adopt and delete each kind.
import type { Context } from "../core/context.js";
import type { ResourceEvents } from "../core/events.js";
import type { EnvReader } from "../core/inputs.js";
import type { Change, DesiredObject, FieldChange, Observation, ObservedObject } from "../state/model.js";

export type Action = "create" | "verify" | "destroy" | "plan";

export type CheckStatus = "OK" | "FAIL" | "SKIP";

export interface Check {
  resource: string;
  status: CheckStatus;
  name: string;
  detail?: string;
}

export interface Resource<C = unknown> {
  name: string;
  /** What it is, in a line: for the runbook and the help. */
  summary: string;
  /** Resources whose create must finish before this one's starts (when both are in the same run). */
  after: readonly string[];
  /** Keys this resource records in the env file (and empties on destroy): no other resource records them. */
  records: readonly string[];
  /** Whether `all` includes it (default: always; `waf` only when WAF_ENABLED=true). */
  inAll?: (env: EnvReader) => boolean;
  /** Reads and validates the inputs the action needs; throws InputError naming the key. */
  config(env: EnvReader, action: Action): C;
  /** The AWS objects it wants, in the order they are made. */
  desired(c: C): DesiredObject[];
  load(): Promise<ResourceModel<C>>;
}

/**
 * Thrown by a handler for an object that cannot be made yet for a reason outside this resource (the certificate
 * the HTTPS listener needs is still being validated): create says so and goes on; verify still shows it missing.
 */
export class NotYet extends Error {}

/** What a handler works with while create applies a resource's changes. */
export interface ApplyRun<C> {
  ctx: Context;
  c: C;
  ev: ResourceEvents;
  /** The objects that exist now (found, or made in this run), by key: where handlers take sibling ids from. */
  objects: Map<string, ObservedObject>;
  /** Records an object as made before the handler waits on it, so an interrupted wait loses nothing. */
  made(object: ObservedObject): Promise<void>;
}

/** How one kind of object is made, changed, taken over and removed. `desired` comes with its references resolved. */
export interface KindHandlers<C> {
  create(run: ApplyRun<C>, desired: DesiredObject): Promise<ObservedObject>;
  /** Changes fields in place; without it, the kind's every owned field is fixed (replaceOn). */
  update?(run: ApplyRun<C>, desired: DesiredObject, observed: ObservedObject, fields: FieldChange[]): Promise<void>;
  /** Makes an object found under our name ours: the stack's tags (or whatever marks ownership for that kind). */
  adopt(run: ApplyRun<C>, desired: DesiredObject, observed: ObservedObject): Promise<void>;
  delete(run: ApplyRun<C>, observed: ObservedObject): Promise<void>;
  /** Why destroy leaves this object in place this time (destroy --keep-logs), if it does. */
  keep?(run: ApplyRun<C>, observed: ObservedObject): string | undefined;
}

export interface ResourceModel<C> {
  /** What exists: found by recorded id, then by name; nothing found is an absent key, not an error. */
  observe(ctx: Context, c: C): Promise<Observation>;
  handlers: Readonly<Record<string, KindHandlers<C>>>;
  /**
   * The config completed from what exists, for values create sets once and then leaves to their owner: the image
   * a service runs belongs to `deploy`, its desired count to auto scaling. Pure; without it the config is used as is.
   */
  settle?(c: C, observation: Observation): C;
  /** The env file keys it records, from the objects that exist once create has run. */
  recorded(objects: Observation, c: C): Record<string, string>;
  /**
   * The keys destroy leaves recorded, from the objects it left in place (the user's hosted zone keeps its id);
   * without it, destroy empties every key in `records`.
   */
  recordedAfterDestroy?(left: Observation, c: C): Record<string, string>;
  /** Health and posture, which are not state: targets healthy, a certificate not expiring, ECS Exec on. */
  checks?(ctx: Context, c: C, objects: Observation): Promise<Check[]>;
  /**
   * Why create cannot make these changes, when AWS would refuse them whatever the wait (replacing a target group a
   * listener still forwards to): checked before any change, exit 2.
   */
  refuse?(changes: readonly Change[], c: C): string | undefined;
  /**
   * Refuses changes only AWS can tell are wrong, before any change (exit 2): public subnets in one Availability
   * Zone, a secret that does not exist. Asked only when there are changes, so a finished stack costs no call.
   */
  beforeCreate?(ctx: Context, c: C, changes: readonly Change[]): Promise<void>;
  /** Refuses a destroy that would break something still using the resource (exit 2). */
  beforeDestroy?(ctx: Context, c: C, objects: Observation): Promise<void>;
}

/** The OK / FAIL / SKIP lines of health and posture checks, and the two ways to add one. */
export function checklist(resource: string) {
  const checks: Check[] = [];
  return {
    checks,
    check: (name: string, ok: boolean, detail?: string) =>
      checks.push({ resource, status: ok ? "OK" : "FAIL", name, ...(detail ? { detail } : {}) }),
    skip: (name: string, detail: string) => checks.push({ resource, status: "SKIP", name, detail }),
  };
}
