// The bucket the stacks' records live in, made once per account and region by `infra state init`: versioned (every
// write of a record is kept, so any earlier one can be restored), encrypted at rest (SSE-S3), closed to the public
// (Block Public Access), reachable over TLS only (a policy denying aws:SecureTransport=false), and tagged. Each
// setting is read first and written only when it differs: a second init changes nothing.
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type PublicAccessBlockConfiguration,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
  type ServerSideEncryptionConfiguration,
  type Tag,
} from "@aws-sdk/client-s3";
import type { AwsClients } from "../core/aws.js";
import { asAwsError, ExitCode, InfraError, isAwsError } from "../core/errors.js";
import type { ResourceEvents } from "../core/events.js";
import type { StoreLocation } from "./location.js";

const TLS_ONLY_SID = "InfraDenyInsecureTransport";
const BLOCK_ALL: PublicAccessBlockConfiguration = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export async function ensureBucket(
  aws: AwsClients,
  at: StoreLocation,
  region: string,
  events: ResourceEvents,
): Promise<void> {
  // AWS is reached over HTTPS; an emulator may be reached over plain HTTP, and then a TLS-only policy would refuse
  // infra's own requests (moto evaluates it: 403 on the next PutObject).
  const endpoint = aws.settings.endpoint;
  const plainHttp = endpoint?.startsWith("http:") ? endpoint : undefined;
  const s3 = await aws.s3();
  const owner = at.owner ? { ExpectedBucketOwner: at.owner } : {};
  const Bucket = at.bucket;
  const step = <T>(what: string, call: () => Promise<T>) =>
    call().catch((err) => {
      throw asAwsError(what, `bucket ${Bucket}`, err);
    });

  if (await exists(s3, Bucket, owner)) events.exists(`bucket ${Bucket}`);
  else {
    await step("create", () =>
      s3.send(
        new CreateBucketCommand({
          Bucket,
          ...(region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      ),
    ).catch((err) => {
      if (isAwsError(err.cause, "BucketAlreadyExists"))
        throw new InfraError(
          `bucket ${Bucket} belongs to another AWS account`,
          ExitCode.input,
          "pass --state s3://<a bucket of yours>/<key>",
        );
      throw err;
    });
    events.created(`bucket ${Bucket} in ${region}`);
  }

  const versioning = await step("read the versioning of", () =>
    s3.send(new GetBucketVersioningCommand({ Bucket, ...owner })),
  );
  if (versioning.Status !== "Enabled") {
    await step("turn on versioning of", () =>
      s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" }, ...owner })),
    );
    events.updated(`bucket ${Bucket}: versioning on (every write of a record kept)`);
  }

  // Buckets made before 2023 (and some emulators) may have no default encryption at all: an error, not an empty one.
  const encryption = await s3
    .send(new GetBucketEncryptionCommand({ Bucket, ...owner }))
    .then((o) => o.ServerSideEncryptionConfiguration)
    .catch((err) => {
      if (isAwsError(err, "ServerSideEncryptionConfigurationNotFoundError")) return undefined;
      throw asAwsError("read the encryption of", `bucket ${Bucket}`, err);
    });
  if (!encrypted(encryption)) {
    await step("encrypt", () =>
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
          },
          ...owner,
        }),
      ),
    );
    events.updated(`bucket ${Bucket}: encrypted at rest (SSE-S3)`);
  }

  const blocked = await s3
    .send(new GetPublicAccessBlockCommand({ Bucket, ...owner }))
    .then((o) => o.PublicAccessBlockConfiguration)
    .catch((err) => {
      if (isAwsError(err, "NoSuchPublicAccessBlockConfiguration")) return undefined;
      throw asAwsError("read the public access block of", `bucket ${Bucket}`, err);
    });
  if (!Object.entries(BLOCK_ALL).every(([k, v]) => blocked?.[k as keyof PublicAccessBlockConfiguration] === v)) {
    await step("block public access to", () =>
      s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: BLOCK_ALL, ...owner })),
    );
    events.updated(`bucket ${Bucket}: public access blocked`);
  }

  const policy = await s3
    .send(new GetBucketPolicyCommand({ Bucket, ...owner }))
    .then((o) => o.Policy)
    .catch((err) => {
      if (isAwsError(err, "NoSuchBucketPolicy")) return undefined;
      throw asAwsError("read the policy of", `bucket ${Bucket}`, err);
    });
  const withTls = tlsOnly(policy, Bucket, region);
  if (withTls && plainHttp)
    events.warning(
      `bucket ${Bucket}: no TLS-only policy, since ${plainHttp} is plain HTTP and the policy would refuse these very requests`,
    );
  else if (withTls) {
    await step("set the policy of", () => s3.send(new PutBucketPolicyCommand({ Bucket, Policy: withTls, ...owner })));
    events.updated(`bucket ${Bucket}: reachable over TLS only (policy statement ${TLS_ONLY_SID})`);
  }

  const tags = await s3
    .send(new GetBucketTaggingCommand({ Bucket, ...owner }))
    .then((o) => o.TagSet ?? [])
    .catch((err) => {
      if (isAwsError(err, "NoSuchTagSet")) return [] as Tag[];
      throw asAwsError("read the tags of", `bucket ${Bucket}`, err);
    });
  const wanted: Tag[] = [
    { Key: "Name", Value: Bucket },
    { Key: "ManagedBy", Value: "infra" },
    { Key: "Purpose", Value: "infra stack records and claims" },
  ];
  const missing = wanted.filter((w) => !tags.some((t) => t.Key === w.Key && t.Value === w.Value));
  if (missing.length) {
    const TagSet = [...tags.filter((t) => !missing.some((m) => m.Key === t.Key)), ...missing];
    await step("tag", () => s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet }, ...owner })));
    events.updated(`bucket ${Bucket}: tagged ${missing.map((t) => `${t.Key}=${t.Value}`).join(", ")}`);
  }
}

/** HeadBucket: 200 ours, 404 none; 403 someone else's (or one these credentials may not see). */
async function exists(s3: S3Client, Bucket: string, owner: object): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket, ...owner }));
    return true;
  } catch (err) {
    if (isAwsError(err, "NotFound", "NoSuchBucket")) return false;
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403)
      throw new InfraError(
        `bucket ${Bucket} exists and is not this account's, or these credentials may not read it (403 on HeadBucket)`,
        ExitCode.aws,
        "pass --state s3://<a bucket of yours>/<key>, or grant s3:ListBucket on it",
      );
    throw asAwsError("look for", `bucket ${Bucket}`, err);
  }
}

const encrypted = (c: ServerSideEncryptionConfiguration | undefined) =>
  Boolean(c?.Rules?.some((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm));

/** The bucket's policy with infra's TLS-only statement added (others' statements kept), or undefined when it has it. */
function tlsOnly(policy: string | undefined, bucket: string, region: string): string | undefined {
  const doc = policy ? (JSON.parse(policy) as { Version?: string; Statement: { Sid?: string }[] }) : undefined;
  if (doc?.Statement.some((s) => s.Sid === TLS_ONLY_SID)) return undefined;
  const partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  const statement = {
    Sid: TLS_ONLY_SID,
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
  return JSON.stringify({ Version: doc?.Version ?? "2012-10-17", Statement: [...(doc?.Statement ?? []), statement] });
}
