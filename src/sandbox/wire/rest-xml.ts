// REST-XML (Route 53): the operation is the method and the URI (the schema's http trait, "/2013-04-01/
// hostedzone/{HostedZoneId}/rrset"); the input is spread over URI labels, the query string, headers and an XML
// body, each member bound by its http trait. This reads a request back into the input shape, and writes the
// output's header-bound members as headers and the rest as the XML body, as the SDK's HttpBindingProtocol does in
// the other direction.
import { NormalizedSchema } from "@smithy/core/schema";
import type { Reply, WireOperation, WireService } from "./services.js";
import { readXml, xmlReply } from "./xml.js";

type SchemaRef = Parameters<typeof NormalizedSchema.of>[0];

const segments = (path: string) => path.split("?")[0]?.split("/").filter(Boolean) ?? [];

/** The operation whose method and URI pattern match, with its labels' values. */
export function restRoute(
  service: WireService,
  method: string,
  pathname: string,
): { op: WireOperation; labels: Record<string, string> } | undefined {
  const actual = segments(pathname);
  for (const op of service.operations.values()) {
    if (!op.http || op.http.method !== method) continue;
    const pattern = segments(op.http.path);
    if (pattern.length !== actual.length) continue;
    const labels: Record<string, string> = {};
    const matches = pattern.every((p, i) => {
      const label = /^\{(\w+)\+?\}$/.exec(p);
      if (label) labels[label[1] as string] = decodeURIComponent(actual[i] as string);
      return label !== null || p === actual[i];
    });
    if (matches) return { op, labels };
  }
  return undefined;
}

export function readRestXml(
  service: WireService,
  op: WireOperation,
  labels: Record<string, string>,
  query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): Record<string, unknown> {
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
    } else if (t.httpPayload) {
      if (body.length) out[name] = readXml(service, member, body);
    } else bodyBound = true;
  }
  if (bodyBound && body.length) Object.assign(out, readXml(service, input, body));
  return out;
}

function fromString(ns: NormalizedSchema, value: string): unknown {
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
  for (const [name, member] of schema.structIterator()) {
    const t = member.getMergedTraits();
    if (typeof t.httpHeader === "string") {
      if (value[name] !== undefined) headers[t.httpHeader.toLowerCase()] = String(value[name]);
      delete value[name];
    } else if (t.httpResponseCode) {
      if (typeof value[name] === "number") status = value[name] as number;
      delete value[name];
    }
  }
  const reply = xmlReply(service, status, op.schema.output, value);
  return { ...reply, headers: { ...reply.headers, ...headers } };
}
