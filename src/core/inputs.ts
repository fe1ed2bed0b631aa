// Reading a resource's inputs from the env file: every missing key named at once, every malformed value
// rejected with the key and what was expected (each key's rule is in keys.ts), all before any AWS call.
import { MissingInputsError } from "./errors.js";
import { defaultOf, specOf } from "./keys.js";
import type { Validator } from "./validators.js";

export interface EnvReader {
  get(key: string): string | undefined;
}

export type { Validator };

/**
 * Stands for a key an earlier step of the same run will record (`create all` checks the ECS service's inputs
 * before the ALB has made its target group): shown as is by `plan`, and read again for real before the step runs.
 */
export const pendingValue = (key: string, resource: string) => `<${key} from ${resource}>`;
const isPending = (value: string) => /^<[A-Z0-9_]+ from [a-z0-9-]+>$/.test(value);

/** The env file as a step will see it, once the steps before it have recorded what they make. */
export function withPendingRecords(env: EnvReader, others: { name: string; records: readonly string[] }[]): EnvReader {
  return {
    get(key) {
      const value = env.get(key);
      if (value !== undefined) return value;
      const maker = others.find((r) => r.records.includes(key));
      return maker ? pendingValue(key, maker.name) : undefined;
    },
  };
}

export function readInputs(env: EnvReader, resource: string) {
  const missing: string[] = [];
  const check = (key: string, value: string, validate?: Validator) => {
    const { rule } = specOf(key);
    if (!isPending(value)) {
      rule(key, value);
      validate?.(key, value);
    }
    return value;
  };
  return {
    /** A key that must have a value: from the env file, else its default (src/core/keys.ts), else it is missing. */
    need(key: string, validate?: Validator): string {
      const value = env.get(key) ?? defaultOf(key, (k) => env.get(k));
      if (value === undefined) {
        missing.push(key);
        return "";
      }
      return check(key, value, validate);
    },
    /** A key that may be unset (defaults do not apply: unset means "none"). */
    maybe(key: string, validate?: Validator): string | undefined {
      const value = env.get(key);
      return value === undefined ? undefined : check(key, value, validate);
    },
    /** Throws when any needed key was missing. */
    done(): void {
      if (missing.length === 0) return;
      const list = missing.join(", ");
      throw new MissingInputsError(
        `${resource} needs ${list}, which ${missing.length > 1 ? "are" : "is"} not set in the env file`,
        `set ${missing.length > 1 ? "them" : "it"} in the env file (see aws-resources.env.example)`,
      );
    },
  };
}

/** A true/false key, read where it decides what runs (is the WAF part of `all`?): exactly "true" or "false", else exit 2. */
export function flag(env: EnvReader, key: string): boolean {
  return readInputs(env, key).need(key) === "true";
}
