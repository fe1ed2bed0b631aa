// A bucket's settings in the S3 fake (s3.ts): versioning, default encryption, Block Public Access, a policy and
// tags, each read and written as AWS does (docs/aws-behaviours.md, "S3"): a setting never put answers 404 with its own
// code, except encryption, which every bucket has had by default since 2023.
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type ServerSideEncryptionConfiguration,
  type Tag,
} from "@aws-sdk/client-s3";
import type { ServiceModel } from "./aws-fake.js";
import { unmodeled } from "./errors.js";

export interface BucketSettings {
  versioning?: "Enabled" | "Suspended";
  encryption: ServerSideEncryptionConfiguration;
  publicAccessBlock?: PublicAccessBlockConfiguration;
  policy?: string;
  tags?: Tag[];
}

export const s3Error = (code: string, message: string, status: number) => unmodeled(code, message, status);

/** Since April 2023 a new bucket blocks public access and encrypts with SSE-S3 by default. */
export const NEW_BUCKET_SETTINGS = (): BucketSettings => ({
  encryption: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false }] },
  publicAccessBlock: {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  },
});

type Named = { Bucket: string; ExpectedBucketOwner?: string };

/** The handlers of the settings' calls, on the bucket `bucket` finds (or refuses: NoSuchBucket, AccessDenied). */
export function bucketSettings(bucket: (i: Named) => BucketSettings): ServiceModel["handlers"] {
  return [
    [PutBucketVersioningCommand, (i) => putVersioning(bucket(i), i.VersioningConfiguration?.Status)],
    [GetBucketVersioningCommand, (i) => ({ ...(bucket(i).versioning ? { Status: bucket(i).versioning } : {}) })],
    [
      PutBucketEncryptionCommand,
      (i) => void Object.assign(bucket(i), { encryption: i.ServerSideEncryptionConfiguration }),
    ],
    [GetBucketEncryptionCommand, (i) => ({ ServerSideEncryptionConfiguration: bucket(i).encryption })],
    [
      PutPublicAccessBlockCommand,
      (i) => void Object.assign(bucket(i), { publicAccessBlock: i.PublicAccessBlockConfiguration }),
    ],
    [GetPublicAccessBlockCommand, (i) => getPublicAccessBlock(bucket(i))],
    [PutBucketPolicyCommand, (i) => putPolicy(bucket(i), i.Policy)],
    [GetBucketPolicyCommand, (i) => getPolicy(bucket(i))],
    [PutBucketTaggingCommand, (i) => putTagging(bucket(i), i.Tagging?.TagSet ?? [])],
    [GetBucketTaggingCommand, (i) => getTagging(bucket(i))],
  ];
}

function putVersioning(b: BucketSettings, status: string | undefined) {
  if (status !== "Enabled" && status !== "Suspended")
    throw s3Error(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
      400,
    );
  b.versioning = status;
}

function getPublicAccessBlock(b: BucketSettings) {
  if (!b.publicAccessBlock)
    throw s3Error("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", 404);
  return { PublicAccessBlockConfiguration: b.publicAccessBlock };
}

function putPolicy(b: BucketSettings, policy: string | undefined) {
  try {
    const doc = JSON.parse(policy ?? "");
    if (!Array.isArray(doc.Statement)) throw new Error("no Statement");
  } catch {
    throw s3Error("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'", 400);
  }
  b.policy = policy;
}

function getPolicy(b: BucketSettings) {
  if (!b.policy) throw s3Error("NoSuchBucketPolicy", "The bucket policy does not exist", 404);
  return { Policy: b.policy };
}

function putTagging(b: BucketSettings, tags: Tag[]) {
  if (new Set(tags.map((t) => t.Key)).size !== tags.length)
    throw s3Error("InvalidTag", "Cannot provide multiple Tags with the same key", 400);
  b.tags = tags;
}

function getTagging(b: BucketSettings) {
  if (!b.tags?.length) throw s3Error("NoSuchTagSet", "The TagSet does not exist", 404);
  return { TagSet: b.tags };
}
