// Where a stack's record is kept: `s3://<bucket>/<key>`, from --state, the env file's INFRA_STATE line, or the
// environment's INFRA_STATE (in that order). `infra state init` proposes infra's own bucket, one per account and
// region, and one key per stack: s3://infra-state-<account>-<region>/stacks/<PROJECT_NAME>.json.
import { InputError } from "../core/errors.js";
import type { EnvReader } from "../core/inputs.js";
import type { KeyOwner } from "../core/owners.js";

export const STORE_KEY = "INFRA_STATE";

/** The one key `infra state init` records: where the stack's record is kept. */
export const storeRecords = { name: "state init", records: [STORE_KEY] } as const satisfies KeyOwner;

export interface StoreLocation {
  url: string;
  bucket: string;
  key: string;
  /**
   * The account the bucket must belong to (sent as ExpectedBucketOwner): known for infra's own bucket names, whose
   * account anyone could guess and make the bucket in first.
   */
  owner?: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const OWN_BUCKET = /^infra-state-(\d{12})-[a-z0-9-]+$/;

/** The store named for this run, if any: the flag, else the env file's line, else the environment's variable. */
export function storeUrlFor(
  flag: string | undefined,
  env: EnvReader,
  environment: Record<string, string | undefined>,
): string | undefined {
  return flag ?? env.get(STORE_KEY) ?? (environment[STORE_KEY] || undefined);
}

/** The URL checked as S3 documents bucket names and keys (exit 2 before any AWS call otherwise). */
export function parseStoreUrl(url: string): StoreLocation {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  const bad = (why: string) =>
    new InputError(
      `the state store ${url} ${why}`,
      "write it as s3://<bucket>/<key>, for example s3://infra-state-123456789012-us-east-1/stacks/app.json",
    );
  if (!m) throw bad("is not an s3://<bucket>/<key> URL");
  const [, bucket = "", key = ""] = m;
  if (!BUCKET.test(bucket) || bucket.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(bucket))
    throw bad(`names a bucket S3 does not allow (3-63 characters: a-z, 0-9, . and -)`);
  if (Buffer.byteLength(key) > 1024 || key.endsWith("/"))
    throw bad("names a key S3 does not allow (up to 1024 bytes, not ending in /)");
  const owner = OWN_BUCKET.exec(bucket)?.[1];
  return { url, bucket, key, ...(owner ? { owner } : {}) };
}

/** infra's own bucket for this account and region, and this stack's key in it. */
export function defaultStoreUrl(account: string, region: string, project: string): string {
  return `s3://infra-state-${account}-${region}/stacks/${project}.json`;
}

/** The account the stack is in, read from the ARNs the env file holds (offline: no call to ask AWS who we are). */
export function accountOf(env: EnvReader): string | undefined {
  for (const key of ["ECS_TASK_EXECUTION_ROLE_ARN", "ECS_TASK_ROLE_ARN", "DB_SECRET_ARN", "ECR_REPOSITORY_URI"]) {
    const account = /(?:^|:)(\d{12})(?::|\.dkr\.)/.exec(env.get(key) ?? "")?.[1];
    if (account) return account;
  }
  return undefined;
}
