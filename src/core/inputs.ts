// Reading a resource's inputs from the env file: every missing key named at once, every malformed value
// rejected with the key and what was expected (each key's rule is in keys.ts), all before any AWS call.
import { InputError } from "./errors.js";
import { validatorOf } from "./keys.js";
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
export function withPendingRecords(env: EnvReader, earlier: { name: string; records: readonly string[] }[]): EnvReader {
  return {
    get(key) {
      const value = env.get(key);
      if (value !== undefined) return value;
      const maker = earlier.findLast((r) => r.records.includes(key));
      return maker ? pendingValue(key, maker.name) : undefined;
    },
  };
}

export function readInputs(env: EnvReader, resource: string) {
  const missing: string[] = [];
  const check = (key: string, value: string, validate?: Validator) => {
    const rule = validatorOf(key);
    if (!isPending(value)) {
      rule(key, value);
      validate?.(key, value);
    }
    return value;
  };
  return {
    /** A key that must be set. */
    need(key: string, validate?: Validator): string {
      const value = env.get(key);
      if (value === undefined) {
        validatorOf(key);
        missing.push(key);
        return "";
      }
      return check(key, value, validate);
    },
    /** A key with a default. */
    orDefault(key: string, fallback: string, validate?: Validator): string {
      return check(key, env.get(key) ?? fallback, validate);
    },
    /** A key that may be unset. */
    maybe(key: string, validate?: Validator): string | undefined {
      const value = env.get(key);
      return value === undefined ? undefined : check(key, value, validate);
    },
    /** Throws when any needed key was missing. */
    done(): void {
      if (missing.length === 0) return;
      const list = missing.join(", ");
      throw new InputError(
        `${resource} needs ${list}, which ${missing.length > 1 ? "are" : "is"} not set in the env file`,
        `set ${missing.length > 1 ? "them" : "it"} in the env file (see aws-resources.env.example)`,
      );
    },
  };
}
