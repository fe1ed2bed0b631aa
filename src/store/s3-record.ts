// The stack's record and claim as one S3 object, every write conditional: If-Match on the ETag read (or written)
// last, so a write made from a stale view fails with 412 PreconditionFailed (404 NoSuchKey once the object is gone,
// 409 ConditionalRequestConflict while another write to it is in flight) instead of replacing what another machine
// wrote. Taking the claim, renewing it and letting it go are such writes, each carrying the record: a run's record
// reaches the store at every renewal and when it ends.
//
// The object holds the keys infra records (the store's values win over the env file's: another machine recorded
// them later) and the inputs that are ids (the env file's win; the store fills what a file leaves empty, as in CI
// where no env file holds them). Written always in one form (sorted keys), its ETag, the MD5 of its bytes as S3
// gives it for SSE-S3 objects, can be computed from the env file: a run on the machine that wrote last takes the claim
// in one call, without reading first (a wrong guess costs a 412 and the usual read).
import { createHash } from "node:crypto";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { AwsClients } from "../core/aws.js";
import type { ClaimOwner } from "../core/claim.js";
import type { RemoteRecord } from "../core/env-file.js";
import { asAwsError, InfraError, InputError, isAwsError } from "../core/errors.js";
import type { EnvReader } from "../core/inputs.js";
import type { StoreLocation } from "./location.js";

export const FORMAT = 1;
const ABOUT =
  "The record of a stack that infra manages: what it recorded, the inputs that are ids, and the claim that keeps two runs apart. Written by infra with conditional writes; edit it with infra, not by hand.";

/** Which stack an object belongs to: a run for another one is refused before it reads or writes anything else. */
export interface StackId {
  project: string;
  region: string;
}

/** The keys the object carries. */
export interface StoreKeys {
  /** Recorded by infra: the store's value wins. */
  recorded: readonly string[];
  /** Inputs that are ids: the env file's value wins; the store's fills an empty one. */
  inputs: readonly string[];
}

interface Content {
  record: Record<string, string>;
  inputs: Record<string, string>;
}

interface StoredObject extends Content {
  about: string;
  format: number;
  stack: StackId;
  claim: ClaimOwner | null;
}

export class S3Record implements RemoteRecord<string> {
  private read_: Content | undefined;
  private local: EnvReader | undefined;

  constructor(
    private readonly aws: AwsClients,
    private readonly at: StoreLocation,
    private readonly stack: StackId,
    private readonly keys: StoreKeys,
  ) {}

  get where(): string {
    return this.at.url;
  }

  /** GetObject: the claim and the record as they are now; the record is what the next write carries until follow(). */
  async read(): Promise<{ owner: ClaimOwner | undefined; version: string }> {
    const s3 = await this.aws.s3();
    let text: string;
    let etag: string;
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: this.at.bucket, Key: this.at.key, ...this.owner() }));
      text = (await out.Body?.transformToString()) ?? "";
      etag = out.ETag ?? "";
    } catch (err) {
      if (isAwsError(err, "NoSuchKey", "NoSuchBucket"))
        throw new InputError(
          `the state store ${this.at.url} holds no record of this stack${isAwsError(err, "NoSuchBucket") ? " (no such bucket)" : ""}`,
          "run `infra state init` from the machine whose env file holds the stack's record",
        );
      throw asAwsError("read the stack's record from", this.at.url, err);
    }
    const stored = this.parse(text);
    this.read_ = { record: stored.record, inputs: stored.inputs };
    this.local = undefined;
    return { owner: stored.claim ?? undefined, version: etag };
  }

  /** PutObject If-Match: the claim (none: let go) with the record; undefined when the object moved since. */
  async swap(version: string, owner: ClaimOwner | undefined): Promise<string | undefined> {
    const s3 = await this.aws.s3();
    try {
      const out = await s3.send(
        new PutObjectCommand({
          Bucket: this.at.bucket,
          Key: this.at.key,
          Body: this.serialize(owner),
          ContentType: "application/json",
          IfMatch: version,
          ...this.owner(),
        }),
      );
      return out.ETag ?? "";
    } catch (err) {
      // 412: another write came first; 404: the object is gone; 409: another write to it is in flight.
      if (isAwsError(err, "PreconditionFailed", "NoSuchKey", "ConditionalRequestConflict")) return undefined;
      throw asAwsError("write the stack's claim and record to", this.at.url, err);
    }
  }

  /** The ETag the object has if it holds exactly what the local file does, with no claim: see the header. */
  guess(): string | undefined {
    if (!this.local || !this.keys.recorded.some((k) => this.local?.get(k))) return undefined;
    return `"${createHash("md5").update(this.serialize(undefined)).digest("hex")}"`;
  }

  updatesFor(local: EnvReader): Record<string, string> {
    const read = this.read_;
    if (!read) return {};
    const updates: Record<string, string> = {};
    for (const key of this.keys.recorded) {
      const value = read.record[key];
      if (value !== undefined && value !== (local.get(key) ?? "")) updates[key] = value;
    }
    for (const key of this.keys.inputs) {
      const value = read.inputs[key];
      if (value && !local.get(key)) updates[key] = value;
    }
    return updates;
  }

  follow(local: EnvReader): void {
    this.local = local;
  }

  /** PutObject If-None-Match: the first record of the stack (`infra state init`); false when one is there already. */
  async create(local: EnvReader): Promise<boolean> {
    this.follow(local);
    const s3 = await this.aws.s3();
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: this.at.bucket,
          Key: this.at.key,
          Body: this.serialize(undefined),
          ContentType: "application/json",
          IfNoneMatch: "*",
          ...this.owner(),
        }),
      );
      return true;
    } catch (err) {
      if (isAwsError(err, "PreconditionFailed", "ConditionalRequestConflict")) return false;
      throw asAwsError("write the stack's record to", this.at.url, err);
    }
  }

  private owner() {
    return this.at.owner ? { ExpectedBucketOwner: this.at.owner } : {};
  }

  private content(): Content {
    const local = this.local;
    if (!local) return this.read_ ?? { record: {}, inputs: {} };
    const pick = (keys: readonly string[], all: boolean) =>
      Object.fromEntries(keys.flatMap((k) => (all || local.get(k) ? [[k, local.get(k) ?? ""]] : [])));
    return { record: pick(this.keys.recorded, true), inputs: pick(this.keys.inputs, false) };
  }

  /** Always the same bytes for the same content: keys sorted, two-space indent, a final newline. */
  private serialize(claim: ClaimOwner | undefined): string {
    const { record, inputs } = this.content();
    const sorted = (o: Record<string, string>) =>
      Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
    const doc: StoredObject = {
      about: ABOUT,
      format: FORMAT,
      stack: { project: this.stack.project, region: this.stack.region },
      claim: claim ?? null,
      record: sorted(record),
      inputs: sorted(inputs),
    };
    return `${JSON.stringify(doc, null, 2)}\n`;
  }

  private parse(text: string): StoredObject {
    let doc: StoredObject;
    try {
      doc = JSON.parse(text) as StoredObject;
    } catch {
      throw new InputError(`${this.at.url} is not a stack record infra wrote (not JSON)`);
    }
    if (typeof doc !== "object" || doc === null || typeof doc.format !== "number" || typeof doc.record !== "object")
      throw new InputError(`${this.at.url} is not a stack record infra wrote`);
    if (doc.format > FORMAT)
      throw new InfraError(
        `${this.at.url} was written by a newer infra (record format ${doc.format})`,
        2,
        "upgrade infra on this machine",
      );
    const { project, region } = doc.stack ?? {};
    if (project !== this.stack.project || region !== this.stack.region)
      throw new InputError(
        `${this.at.url} holds the record of stack ${project} in ${region}, and this env file is stack ${this.stack.project} in ${this.stack.region}`,
        "point INFRA_STATE (or --state) at this stack's own record: one object per stack",
      );
    return { ...doc, inputs: doc.inputs ?? {}, record: doc.record ?? {} };
  }
}
