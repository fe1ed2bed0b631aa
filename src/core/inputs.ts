// Reading a resource's inputs from the env file: every missing key named at once, every malformed value
// rejected with the key and what was expected, all before any AWS call.
import { InputError } from "./errors.js";

export interface EnvReader {
  get(key: string): string | undefined;
}

export type Validator = (key: string, value: string) => void;

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
    if (!isPending(value)) validate?.(key, value);
    return value;
  };
  return {
    /** A key that must be set. */
    need(key: string, validate?: Validator): string {
      const value = env.get(key);
      if (value === undefined) {
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

const pattern =
  (re: RegExp, what: string): Validator =>
  (key, value) => {
    if (!re.test(value)) throw new InputError(`${key}="${value}" is not ${what}`);
  };

export const awsId = (prefix: string) => pattern(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `a ${prefix}-... id`);

export const arn = (service: string) =>
  pattern(new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:\\S+$`), `an ${service} ARN`);

export const port: Validator = (key, value) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InputError(`${key}="${value}" is not a port (1-65535)`);
};

export const urlPath = pattern(/^\/[\x21-\x7e]*$/, "a URL path starting with /");

/** Project names become parts of AWS names: keep them to what every service accepts. */
export const projectName = pattern(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "a project name (lower-case letters, digits, -)");

export const tagValue = pattern(/^[\w .:/=+\-@]{1,256}$/, "a valid tag value");

/** ELBv2 names: at most 32 of [A-Za-z0-9-], no hyphen at either end (aws-behaviours.md). */
export const elbName: Validator = (key, value) => {
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(value)) {
    throw new InputError(`${key}="${value}" is not a valid load balancer or target group name (1-32 of A-Z a-z 0-9 -)`);
  }
  if (value.startsWith("internal-")) throw new InputError(`${key}="${value}" must not start with "internal-"`);
};

export const positiveInt: Validator = (key, value) => {
  if (!/^[1-9]\d*$/.test(value)) throw new InputError(`${key}="${value}" is not a whole number above 0`);
};

export const roleArn = pattern(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "an IAM role ARN");

/** An image repository without a tag or digest: registry/name, as ECR_REPOSITORY_URI is recorded. */
export const imageRepository = pattern(
  /^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
  "an image repository URI (like 123456789012.dkr.ecr.us-east-1.amazonaws.com/app, without a tag)",
);

export const imageTag = pattern(/^[\w][\w.-]{0,127}$/, "an image tag (letters, digits, _ . -, at most 128)");
