// The S3 fake behaves as AWS documents it (docs/aws-behaviours.md, "S3"): checked with real SDK clients (over HTTP
// too: test/sandbox/s3-wire.test.ts).
import { createHash } from "node:crypto";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const s3 = (region = "us-east-1") => new S3Client({ region, forcePathStyle: true });
const BUCKET = "infra-state-123456789012-us-east-1";
const put = (Key: string, Body: string, conditions: { IfMatch?: string; IfNoneMatch?: string } = {}) =>
  s3().send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ...conditions }));
const read = async (Key: string) => {
  const out = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key }));
  return { body: await out.Body?.transformToString(), etag: out.ETag, versionId: out.VersionId };
};
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "no error",
    (err: { name: string; $metadata?: { httpStatusCode?: number } }) => `${err.name} ${err.$metadata?.httpStatusCode}`,
  );

describe("the S3 fake", () => {
  it("writes under If-None-Match: * only where no object is, and answers the second writer 412 PreconditionFailed", async () => {
    await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));

    await put("stacks/a.json", "first", { IfNoneMatch: "*" });
    const second = await codeOf(put("stacks/a.json", "second", { IfNoneMatch: "*" }));

    expect(second).toBe("PreconditionFailed 412");
    expect((await read("stacks/a.json")).body).toBe("first");
  });

  it("replaces an object under If-Match only while its ETag is the one given, and the ETag is the quoted MD5 of the bytes", async () => {
    await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
    const first = await put("k", "one", { IfNoneMatch: "*" });
    expect(first.ETag).toBe(`"${createHash("md5").update("one").digest("hex")}"`);

    const second = await put("k", "two", { IfMatch: first.ETag as string });
    const stale = await codeOf(put("k", "three", { IfMatch: first.ETag as string }));

    expect(second.ETag).not.toBe(first.ETag);
    expect(stale).toBe("PreconditionFailed 412");
    expect(await read("k")).toMatchObject({ body: "two", etag: second.ETag });
  });

  it("answers If-Match on a key with no current object, never written or deleted, with 404 NoSuchKey", async () => {
    await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
    const never = await codeOf(put("never", "x", { IfMatch: '"d41d8cd98f00b204e9800998ecf8427e"' }));
    const written = await put("gone", "x");
    await s3().send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "gone" }));

    const deleted = await codeOf(put("gone", "y", { IfMatch: written.ETag as string }));

    expect([never, deleted]).toEqual(["NoSuchKey 404", "NoSuchKey 404"]);
  });

  it("keeps every write of a versioned bucket as a version, the last one current; a delete adds a marker", async () => {
    await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3().send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } }));

    const one = await put("k", "one");
    const two = await put("k", "two");
    await s3().send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "k" }));

    expect(one.VersionId).not.toBe(two.VersionId);
    const versions = fake.current.s3.buckets.get(BUCKET)?.objects.get("k") ?? [];
    expect(versions.map((v) => (v.deleteMarker ? "marker" : Buffer.from(v.body).toString()))).toEqual([
      "one",
      "two",
      "marker",
    ]);
    expect(await codeOf(read("k"))).toBe("NoSuchKey 404");
    const old = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: "k", VersionId: one.VersionId }));
    expect(await old.Body?.transformToString()).toBe("one");
  });

  it("makes a bucket once: 200 again in us-east-1, BucketAlreadyOwnedByYou elsewhere, BucketAlreadyExists for another account's", async () => {
    await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
    const west = "infra-state-123456789012-eu-west-1";
    const inWest = { Bucket: west, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" as const } };
    await s3("eu-west-1").send(new CreateBucketCommand(inWest));
    fake.current.s3.addForeignBucket("taken-by-someone-else");

    expect(await codeOf(s3().send(new CreateBucketCommand({ Bucket: BUCKET })))).toBe("no error");
    expect(await codeOf(s3("eu-west-1").send(new CreateBucketCommand(inWest)))).toBe("BucketAlreadyOwnedByYou 409");
    expect(await codeOf(s3().send(new CreateBucketCommand({ Bucket: "taken-by-someone-else" })))).toBe(
      "BucketAlreadyExists 409",
    );
    // Another region's endpoint takes its own location constraint only.
    const elsewhere = { Bucket: "elsewhere", CreateBucketConfiguration: { LocationConstraint: "us-west-2" as const } };
    expect(await codeOf(s3("eu-west-1").send(new CreateBucketCommand(elsewhere)))).toBe(
      "IllegalLocationConstraintException 400",
    );
    expect(await codeOf(s3().send(new CreateBucketCommand({ Bucket: "Not_A_Bucket" })))).toBe("InvalidBucketName 400");
  });

  it("blocks public access and encrypts with SSE-S3 in a new bucket; versioning and a policy are what was put", async () => {
    await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [] });

    const before = await s3().send(new GetBucketVersioningCommand({ Bucket: BUCKET }));
    await s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy }));
    const blocked = await s3().send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }));
    const encryption = await s3().send(new GetBucketEncryptionCommand({ Bucket: BUCKET }));

    expect(before.Status).toBeUndefined();
    expect(blocked.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    ).toBe("AES256");
    expect((await s3().send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy).toBe(policy);
    expect(await codeOf(s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: "not json" })))).toBe(
      "MalformedPolicy 400",
    );
  });

  it("refuses a call naming another ExpectedBucketOwner with 403 AccessDenied; HeadBucket is 404 for none, 403 for another's", async () => {
    await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
    fake.current.s3.addForeignBucket("squatted");

    const wrongOwner = s3().send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "k", ExpectedBucketOwner: "210987654321" }),
    );
    const own = await s3().send(new HeadBucketCommand({ Bucket: BUCKET, ExpectedBucketOwner: "123456789012" }));

    expect(await codeOf(wrongOwner)).toBe("AccessDenied 403");
    expect(own.BucketRegion).toBe("us-east-1");
    expect(await codeOf(s3().send(new HeadBucketCommand({ Bucket: "nobody-has-this" })))).toBe("NotFound 404");
    expect(await codeOf(s3().send(new HeadBucketCommand({ Bucket: "squatted" })))).toMatch(/ 403$/);
    expect(await codeOf(read("k"))).toBe("NoSuchKey 404");
  });
});
