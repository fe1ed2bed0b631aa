// S3, as infra keeps a stack's record and claim in it: buckets (their settings: s3-settings.ts) and objects written
// with conditional writes. Each behaviour is AWS's (docs/aws-behaviours.md, "S3"): a conditional write that loses is
// 412 PreconditionFailed, If-Match on a key with no current object is 404 NoSuchKey, an ETag is the quoted MD5 of
// the bytes (SSE-S3), a versioned bucket keeps every write, and a call naming another owner in ExpectedBucketOwner
// is 403 AccessDenied.
import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { CallContext, Fake, ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { type BucketSettings, bucketSettings, NEW_BUCKET_SETTINGS, s3Error } from "./s3-settings.js";

export interface S3Version {
  versionId: string;
  body: Uint8Array;
  etag: string;
  lastModified: number;
  contentType?: string;
  deleteMarker?: boolean;
}

export interface S3Bucket extends BucketSettings {
  name: string;
  region: string;
  owner: string;
  /** key -> its versions, oldest first; the last is the current one. */
  objects: Map<string, S3Version[]>;
}

/** General purpose bucket names: 3-63 of a-z 0-9 . -, a letter or digit at each end, no "..", not an IP address. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const RESERVED = /^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/;

export class S3Model {
  readonly name = "S3";
  readonly client = S3Client;
  readonly buckets = new Map<string, S3Bucket>();
  private versions = 0;

  readonly handlers: ServiceModel["handlers"] = [
    [CreateBucketCommand, (i, call) => this.createBucket(i, call)],
    [HeadBucketCommand, (i) => this.headBucket(i)],
    ...bucketSettings((i) => this.bucket(i)),
    [PutObjectCommand, (i) => this.putObject(i)],
    [GetObjectCommand, (i) => this.getObject(i)],
    [DeleteObjectCommand, (i) => this.deleteObject(i)],
  ];

  constructor(private readonly fake?: Fake) {}

  /** A bucket another account made (a name taken before infra asked for it). */
  addForeignBucket(name: string, owner = "210987654321", region = "us-east-1"): void {
    this.buckets.set(name, newBucket(name, region, owner));
  }

  /** The current version of an object, for tests (undefined when absent or deleted). */
  current(bucket: string, key: string): S3Version | undefined {
    const v = this.buckets.get(bucket)?.objects.get(key)?.at(-1);
    return v?.deleteMarker ? undefined : v;
  }

  private now = () => this.fake?.clock.now() ?? Date.now();

  private createBucket(
    i: { Bucket: string; CreateBucketConfiguration?: { LocationConstraint?: string } },
    call?: CallContext,
  ) {
    const region = call?.region ?? "us-east-1";
    if (
      !BUCKET_NAME.test(i.Bucket) ||
      i.Bucket.includes("..") ||
      /^\d+\.\d+\.\d+\.\d+$/.test(i.Bucket) ||
      RESERVED.test(i.Bucket)
    )
      throw s3Error("InvalidBucketName", "The specified bucket is not valid.", 400);
    // us-east-1 takes no location constraint; every other region's endpoint needs its own.
    const constraint = i.CreateBucketConfiguration?.LocationConstraint;
    if (region === "us-east-1" && constraint)
      throw s3Error("InvalidLocationConstraint", "The specified location-constraint is not valid", 400);
    if (region !== "us-east-1" && constraint !== region)
      throw s3Error(
        "IllegalLocationConstraintException",
        `The ${constraint ?? "unspecified"} location constraint is incompatible for the region specific endpoint this request was sent to.`,
        400,
      );
    const existing = this.buckets.get(i.Bucket);
    if (existing && existing.owner !== ACCOUNT)
      throw s3Error(
        "BucketAlreadyExists",
        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
        409,
      );
    // Re-creating one's own bucket: 200 OK in us-east-1 (legacy), BucketAlreadyOwnedByYou elsewhere.
    if (existing && region !== "us-east-1")
      throw s3Error(
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
        409,
      );
    if (!existing) this.buckets.set(i.Bucket, newBucket(i.Bucket, region, ACCOUNT));
    return { Location: `/${i.Bucket}` };
  }

  private headBucket(i: { Bucket: string; ExpectedBucketOwner?: string }) {
    const b = this.buckets.get(i.Bucket);
    // HEAD answers carry no body: the SDK names the error after the status.
    if (!b) throw s3Error("NotFound", "Not Found", 404);
    if (b.owner !== ACCOUNT || (i.ExpectedBucketOwner && i.ExpectedBucketOwner !== b.owner))
      throw s3Error("Forbidden", "Forbidden", 403);
    return { BucketRegion: b.region };
  }

  /** The bucket a call names: NoSuchBucket, or AccessDenied for another account's or another expected owner. */
  private bucket(i: { Bucket: string; ExpectedBucketOwner?: string }): S3Bucket {
    const b = this.buckets.get(i.Bucket);
    if (!b) throw s3Error("NoSuchBucket", "The specified bucket does not exist", 404);
    if (b.owner !== ACCOUNT || (i.ExpectedBucketOwner && i.ExpectedBucketOwner !== b.owner))
      throw s3Error("AccessDenied", "Access Denied", 403);
    return b;
  }

  private putObject(i: {
    Bucket: string;
    Key: string;
    Body?: Uint8Array | string;
    ContentType?: string;
    IfMatch?: string;
    IfNoneMatch?: string;
    ChecksumCRC32?: string;
    ExpectedBucketOwner?: string;
  }) {
    const b = this.bucket(i);
    const body = typeof i.Body === "string" ? new TextEncoder().encode(i.Body) : new Uint8Array(i.Body ?? []);
    if (i.ChecksumCRC32 && i.ChecksumCRC32 !== crc32Of(body))
      throw s3Error("BadDigest", "The CRC32 you specified did not match the calculated checksum.", 400);
    const current = this.current(i.Bucket, i.Key);
    if (i.IfNoneMatch !== undefined) {
      if (i.IfNoneMatch !== "*") throw s3Error("NotImplemented", "If-None-Match takes only *", 501);
      if (current)
        throw s3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412);
    }
    if (i.IfMatch !== undefined) {
      if (!current) throw s3Error("NoSuchKey", "The specified key does not exist.", 404);
      if (i.IfMatch !== current.etag)
        throw s3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412);
    }
    const version = this.write(b, i.Key, {
      body,
      etag: `"${createHash("md5").update(body).digest("hex")}"`,
      ...(i.ContentType ? { contentType: i.ContentType } : {}),
    });
    return {
      ETag: version.etag,
      ServerSideEncryption: "AES256",
      ...(b.versioning === "Enabled" ? { VersionId: version.versionId } : {}),
    };
  }

  private getObject(i: { Bucket: string; Key: string; VersionId?: string; ExpectedBucketOwner?: string }) {
    const b = this.bucket(i);
    const versions = b.objects.get(i.Key) ?? [];
    const v = i.VersionId ? versions.find((x) => x.versionId === i.VersionId) : versions.at(-1);
    if (!v || v.deleteMarker) throw s3Error("NoSuchKey", "The specified key does not exist.", 404);
    return {
      Body: v.body,
      ETag: v.etag,
      LastModified: new Date(v.lastModified),
      ContentLength: v.body.length,
      ContentType: v.contentType ?? "application/octet-stream",
      ServerSideEncryption: "AES256",
      ...(b.versioning ? { VersionId: v.versionId } : {}),
    };
  }

  /** A delete in a versioned bucket adds a delete marker; elsewhere it removes the object. Absent: success. */
  private deleteObject(i: { Bucket: string; Key: string; ExpectedBucketOwner?: string }) {
    const b = this.bucket(i);
    if (b.versioning) {
      const marker = this.write(b, i.Key, { body: new Uint8Array(), etag: "", deleteMarker: true });
      return { DeleteMarker: true, VersionId: marker.versionId };
    }
    b.objects.delete(i.Key);
    return {};
  }

  /** Versioned: a new version; unversioned or suspended: replaces the "null" version. */
  private write(b: S3Bucket, key: string, v: Omit<S3Version, "versionId" | "lastModified">): S3Version {
    const versioned = b.versioning === "Enabled";
    const version: S3Version = {
      ...v,
      versionId: versioned ? `${randomBytes(12).toString("base64url")}${++this.versions}` : "null",
      lastModified: this.now(),
    };
    const all = (b.objects.get(key) ?? []).filter((x) => versioned || x.versionId !== "null");
    b.objects.set(key, [...all, version]);
    return version;
  }
}

function newBucket(name: string, region: string, owner: string): S3Bucket {
  return { name, region, owner, ...NEW_BUCKET_SETTINGS(), objects: new Map() };
}

/** The CRC32 checksum as S3 carries it: the big-endian 4 bytes in base64. */
function crc32Of(body: Uint8Array): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(body));
  return b.toString("base64");
}
