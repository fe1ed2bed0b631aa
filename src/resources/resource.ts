// The shape every resource module has: what it is, what it reads and records, how its inputs are checked
// (before any AWS call), what create would do, and - loaded only when needed - create, verify and destroy.
import type { Context } from "../core/context.js";
import type { EnvReader } from "../core/inputs.js";

export type Action = "create" | "verify" | "destroy" | "plan";

export type CheckStatus = "OK" | "FAIL" | "SKIP";

export interface Check {
  resource: string;
  status: CheckStatus;
  name: string;
  detail?: string;
}

export interface ResourceActions<C> {
  create(ctx: Context, config: C): Promise<void>;
  verify(ctx: Context, config: C): Promise<Check[]>;
  destroy(ctx: Context, config: C): Promise<void>;
}

export interface Resource<C = unknown> {
  name: string;
  summary: string;
  /** Inputs that must be set for create. */
  reads: readonly string[];
  /** Inputs with a default, or that change what is made when set. */
  optional: readonly string[];
  /** Keys this resource records in the env file (and empties on destroy). */
  records: readonly string[];
  /** Resources whose create must finish before this one's starts (when both are in the same run). */
  after: readonly string[];
  /** Whether `all` includes it (default: always; `waf` only when WAF_ENABLED=true). */
  inAll?: (env: EnvReader) => boolean;
  /** Reads and validates the inputs the action needs; throws InputError naming the key. */
  config(env: EnvReader, action: Action): C;
  /** What create would do, step by step, without calling AWS. */
  plan(config: C): string[];
  load(): Promise<ResourceActions<C>>;
}

/** The OK / FAIL / SKIP lines a verify returns, and the two ways to add one. */
export function checklist(resource: string) {
  const checks: Check[] = [];
  return {
    checks,
    check: (name: string, ok: boolean, detail?: string) =>
      checks.push({ resource, status: ok ? "OK" : "FAIL", name, ...(detail ? { detail } : {}) }),
    skip: (name: string, detail: string) => checks.push({ resource, status: "SKIP", name, detail }),
  };
}
