// The S3 fake over HTTP: infra's own S3 client (path-style under a custom endpoint) sends the object's bytes and the
// conditional headers, and reads back ETags, dates and S3's own error documents (<Error> at the root; a HEAD answer
// has only its status).
import { createHash } from "node:crypto";
import { CreateBucketCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { useWire } from "../support/wire.js";

const wire = useWire();
const BUCKET = "infra-state-123456789012-us-east-1";
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "no error",
    (err: { name: string; $metadata?: { httpStatusCode?: number } }) => `${err.name} ${err.$metadata?.httpStatusCode}`,
  );

describe("the S3 fake over HTTP", () => {
  it("is reached path-style under the endpoint, with the bytes, conditional headers, ETags and S3's own error documents", async () => {
    const client = await wire.current.aws.s3();
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const body = JSON.stringify({ record: { ALB_ARN: "arn:aws:elasticloadbalancing:x" } });

    const created = await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "stacks/app.json", Body: body, IfNoneMatch: "*" }),
    );
    const again = await codeOf(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "stacks/app.json", Body: body, IfNoneMatch: "*" })),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "stacks/app.json" }));

    expect(created.ETag).toBe(`"${createHash("md5").update(body).digest("hex")}"`);
    expect(again).toBe("PreconditionFailed 412");
    expect(await got.Body?.transformToString()).toBe(body);
    expect(got.ETag).toBe(created.ETag);
    expect(got.LastModified).toBeInstanceOf(Date);
    expect(await codeOf(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "missing" })))).toBe("NoSuchKey 404");
    expect(await codeOf(client.send(new HeadBucketCommand({ Bucket: "nobody-has-this" })))).toBe("NotFound 404");
    expect(wire.current.fake.calls.map((c) => c.op)).toEqual([
      "CreateBucket",
      "PutObject",
      "PutObject",
      "GetObject",
      "GetObject",
      "HeadBucket",
    ]);
  });
});
