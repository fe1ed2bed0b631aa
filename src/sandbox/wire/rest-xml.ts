// REST-XML (Route 53, S3): the operation is the method and the URI (the schema's http trait, "/2013-04-01/
// hostedzone/{HostedZoneId}/rrset", or S3's "/{Key+}?x-id=PutObject" under the bucket's path-style "/<bucket>");
// the input is spread over URI labels, the query string, headers and a payload (XML, or S3's raw bytes), each member
// bound by its http trait. This reads a request back into the input shape, and writes the output's header-bound
// members as headers and the rest as the payload, as the SDK's HttpBindingProtocol does in the other direction.
import { NormalizedSchema } from "@smithy/core/schema";
import type { Reply, WireOperation, WireService } from "./services.js";
import { readXml, xmlReply } from "./xml.js";

type SchemaRef = Parameters<typeof NormalizedSchema.of>[0];

const segments = (path: string) => path.split("?")[0]?.split("/").filter(Boolean) ?? [];

/** What the URI pattern's query part demands: `?versioning` a parameter, `?x-id=PutObject` a parameter's value. */
const demands = (path: string) =>
  (path.split("?")[1] ?? "")
    .split("&")
    .filter(Boolean)
    .map((p) => p.split("=") as [string, string | undefined]);

/**
 * The operation whose method, URI pattern and query demands match, with its labels' values (a greedy label,
 * `{Key+}`, takes the rest of the path). The operation demanding the most of the query wins: S3's `PUT /?versioning`
 * over `PUT /` (CreateBucket). S3 is addressed path-style: the bucket is the first segment.
 */
export function restRoute(
  service: WireService,
  method: string,
  url: URL,
): { op: WireOperation; labels: Record<string, string> } | undefined {
  const actual = segments(url.pathname).map(decodeURIComponent);
  const candidates = [...service.operations.values()]
    .filter((op) => op.http?.method === method)
    .sort((a, b) => demands(b.http?.path ?? "").length - demands(a.http?.path ?? "").length);
  for (const op of candidates) {
    const path = op.http?.path ?? "";
    if (!demands(path).every(([k, v]) => url.searchParams.has(k) && (v === undefined || url.searchParams.get(k) === v)))
      continue;
    const pattern = [...(service.pathStyleBucket ? ["{Bucket}"] : []), ...segments(path)];
    const labels: Record<string, string> = {};
    let i = 0;
    const matches = pattern.every((p) => {
      const label = /^\{(\w+)(\+?)\}$/.exec(p);
      if (!label) return p === actual[i++];
      if (i >= actual.length) return false;
      labels[label[1] as string] = label[2] ? actual.slice(i).join("/") : (actual[i] as string);
      i = label[2] ? actual.length : i + 1;
      return true;
    });
    if (matches && i === actual.length) return { op, labels };
  }
  return undefined;
}

export function readRestXml(
  service: WireService,
  op: WireOperation,
  labels: Record<string, string>,
  query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
  raw: Buffer,
): Record<string, unknown> {
  const body = raw.toString("utf8");
  const input = NormalizedSchema.of(op.schema.input as SchemaRef);
  const out: Record<string, unknown> = {};
  let bodyBound = false;
  for (const [name, member] of input.structIterator()) {
    const t = member.getMergedTraits();
    if (t.httpLabel) out[name] = labels[name];
    else if (typeof t.httpQuery === "string") {
      const values = query.getAll(t.httpQuery);
      if (values.length) out[name] = member.isListSchema() ? values : fromString(member, values[0] as string);
    } else if (typeof t.httpHeader === "string") {
      const value = headers[t.httpHeader.toLowerCase()];
      if (typeof value === "string") out[name] = fromString(member, value);
    } else if (typeof t.httpPrefixHeaders === "string") {
      // S3's user metadata, x-amz-meta-*: each header under the prefix, by the rest of its name.
      const prefix = t.httpPrefixHeaders.toLowerCase();
      const found = Object.entries(headers).filter(([h, v]) => h.startsWith(prefix) && typeof v === "string");
      if (found.length) out[name] = Object.fromEntries(found.map(([h, v]) => [h.slice(prefix.length), v]));
    } else if (t.httpPayload) {
      // S3's object bytes and its policy document travel as they are; a structure as XML.
      if (member.isBlobSchema()) out[name] = raw;
      else if (member.isStringSchema()) out[name] = body;
      else if (body.length) out[name] = readXml(service, member, body);
    } else bodyBound = true;
  }
  if (bodyBound && body.length) Object.assign(out, readXml(service, input, body));
  return out;
}

function fromString(ns: NormalizedSchema, value: string): unknown {
  if (ns.isStringSchema()) return value;
  if (ns.isBooleanSchema()) return value === "true";
  if (ns.isNumericSchema()) return Number(value);
  if (ns.isTimestampSchema()) return new Date(value);
  return value;
}

export function writeRestXml(service: WireService, op: WireOperation, output: unknown): Reply {
  const schema = NormalizedSchema.of(op.schema.output as SchemaRef);
  const value = { ...(output as Record<string, unknown>) };
  const headers: Record<string, string> = {};
  let status = op.http?.status ?? 200;
  let payload: { member: NormalizedSchema; value: unknown } | undefined;
  for (const [name, member] of schema.structIterator()) {
    const t = member.getMergedTraits();
    if (typeof t.httpHeader === "string") {
      const v = value[name];
      // Header dates are HTTP dates (Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT).
      if (v !== undefined) headers[t.httpHeader.toLowerCase()] = v instanceof Date ? v.toUTCString() : String(v);
      delete value[name];
    } else if (t.httpResponseCode) {
      if (typeof value[name] === "number") status = value[name] as number;
      delete value[name];
    } else if (t.httpPayload) {
      payload = { member, value: value[name] };
      delete value[name];
    }
  }
  if (payload) {
    const { member, value: v } = payload;
    if (member.isBlobSchema() || member.isStringSchema()) {
      const body = v === undefined ? Buffer.alloc(0) : Buffer.from(v as Uint8Array | string);
      return { status, headers: { "content-type": "application/octet-stream", ...headers }, body };
    }
    const reply = xmlReply(service, status, member, v ?? {});
    return { ...reply, headers: { ...reply.headers, ...headers } };
  }
  // An operation with no output (S3's PutBucketVersioning) answers with its status alone.
  if (schema.isUnitSchema()) return { status, headers, body: Buffer.alloc(0) };
  const reply = xmlReply(service, status, op.schema.output, value);
  return { ...reply, headers: { ...reply.headers, ...headers } };
}
