// The store of one stack's record and claim, opened for a command (loaded only when INFRA_STATE or --state names
// one), and `infra state init`: the bucket once per account and region, then the stack's object from its env file.
import type { AwsClients } from "../core/aws.js";
import type { EnvFile } from "../core/env-file.js";
import type { ResourceEvents } from "../core/events.js";
import { readInputs } from "../core/inputs.js";
import { recordOwned } from "../core/owners.js";
import { ensureBucket } from "./bucket.js";
import { parseStoreUrl, STORE_KEY, storeRecords } from "./location.js";
import { S3Record } from "./s3-record.js";

/**
 * The inputs that are ids, carried by the store as well: CI keeps no env file that holds them, and reads them
 * from the stack's record. A machine whose env file sets one uses its own.
 */
export const ID_INPUTS = [
  "VPC_ID",
  "PUBLIC_SUBNET_1_ID",
  "PUBLIC_SUBNET_2_ID",
  "PRIVATE_SUBNET_1_ID",
  "PRIVATE_SUBNET_2_ID",
  "BACKEND_SECURITY_GROUP_ID",
  "ECS_TASK_EXECUTION_ROLE_ARN",
  "ECS_TASK_ROLE_ARN",
  "DB_SECRET_ARN",
  "ECR_REPOSITORY_URI",
  "RDS_INSTANCE_ID",
] as const;

export interface StoreRequest {
  url: string;
  env: EnvFile;
  aws: AwsClients;
  region: string;
  /** Every key infra records (the resources' and the last drill's). */
  recorded: readonly string[];
}

/** The stack's object in S3, checked offline first: its URL, and the env file naming the stack (PROJECT_NAME). */
export function openStore(r: StoreRequest): S3Record {
  const at = parseStoreUrl(r.url);
  const input = readInputs(r.env, `the state store ${r.url}`);
  const project = input.need("PROJECT_NAME");
  input.done();
  return new S3Record(r.aws, at, { project, region: r.region }, { recorded: r.recorded, inputs: ID_INPUTS });
}

/**
 * `infra state init`: the bucket (made, or checked and completed), then the stack's record from this env file,
 * unless the store holds one already (another machine made it): then that one is taken into this file. The env
 * file gets the INFRA_STATE line that turns the store on.
 */
export async function initStore(r: StoreRequest, events: ResourceEvents): Promise<{ created: boolean }> {
  const record = openStore(r);
  await r.env.checkWritable();
  await ensureBucket(r.aws, parseStoreUrl(r.url), r.region, events);
  const created = await record.create(r.env);
  r.env.useRemote(record);
  if (created) events.created(`the stack's record in ${r.url}, from ${r.env.path}`);
  else {
    await r.env.pull();
    events.exists(`the stack's record in ${r.url}: made earlier, and now in ${r.env.path}`);
  }
  if (r.env.get(STORE_KEY) !== r.url) await recordOwned(r.env, storeRecords, { [STORE_KEY]: r.url });
  return { created };
}
