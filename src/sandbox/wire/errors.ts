// What goes on the wire when a model refuses a call: the error code, HTTP status and fault AWS would send, read
// from the SDK's error schemas, so the SDK parses the answer back into the same exception class.
// - Modeled errors are the SDK's own exception instances: their class carries the shape id; the schema gives the
//   HTTP status (httpError) and, for the query protocols, the wire code (awsQueryError: LoadBalancerNotFound for
//   LoadBalancerNotFoundException).
// - Unmodeled errors (every EC2 error, ELBv2's ValidationError) carry their wire code as `Code`.
// - The fake's throttling is protocol-neutral; each protocol gets the code its service really sends
//   (docs/aws-behaviours.md, "The wire").
import { NormalizedSchema, TypeRegistry } from "@smithy/core/schema";
import type { Protocol } from "./services.js";

export interface WireError {
  code: string;
  /** The code query-compatible JSON services also send (x-amzn-query-error); the query protocols' code. */
  queryCode: string;
  status: number;
  type: "Sender" | "Receiver";
  message: string;
  /** The error's other modeled members, by member name (JSON protocols send them). */
  members: Record<string, unknown>;
}

const THROTTLING: Record<Protocol, { code: string; status: number }> = {
  awsJson1_0: { code: "ThrottlingException", status: 400 },
  awsJson1_1: { code: "ThrottlingException", status: 400 },
  awsQuery: { code: "Throttling", status: 400 },
  ec2Query: { code: "RequestLimitExceeded", status: 400 },
  restXml: { code: "Throttling", status: 400 },
};

type SchemaRef = Parameters<typeof NormalizedSchema.of>[0];

function errorSchema(err: Error): NormalizedSchema | undefined {
  const shapeId = (err.constructor as { shapeId?: unknown }).shapeId;
  if (typeof shapeId !== "string" || !Object.hasOwn(err.constructor, "shapeId")) return undefined;
  try {
    return NormalizedSchema.of(TypeRegistry.for(shapeId.split("#")[0] as string).getSchema(shapeId) as SchemaRef);
  } catch {
    return undefined;
  }
}

export function describeError(err: unknown, protocol: Protocol): WireError {
  if (!(err instanceof Error)) return internal(String(err));
  const e = err as Error & {
    Code?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  if (e.$retryable?.throttling) {
    const { code, status } = THROTTLING[protocol];
    return { code, queryCode: code, status, type: "Sender", message: e.message, members: {} };
  }
  const schema = errorSchema(e);
  if (schema) {
    const traits = schema.getMergedTraits();
    const query = traits.awsQueryError as [string, number] | undefined;
    const fault = traits.error === "server" ? "Receiver" : "Sender";
    const status = query?.[1] ?? (traits.httpError as number | undefined) ?? (fault === "Receiver" ? 500 : 400);
    const name = schema.getName() as string;
    const members: Record<string, unknown> = {};
    for (const [member] of schema.structIterator()) {
      const value = (e as unknown as Record<string, unknown>)[member];
      if (value !== undefined && value !== null && member.toLowerCase() !== "message") members[member] = value;
    }
    return { code: name, queryCode: query?.[0] ?? name, status, type: fault, message: e.message, members };
  }
  if (typeof e.Code === "string" || e.$metadata || e.$fault) {
    const code = e.Code ?? e.name;
    const status = e.$metadata?.httpStatusCode ?? (e.$fault === "server" ? 500 : 400);
    return {
      code,
      queryCode: code,
      status,
      type: status >= 500 ? "Receiver" : "Sender",
      message: e.message,
      members: {},
    };
  }
  // The fault injection's own error, or a defect of the fake: a client error with the error's name, so the
  // caller sees it as the in-process adapter shows it (and the SDK does not retry it).
  if (e.name && e.name !== "Error" && !(e instanceof TypeError) && !(e instanceof RangeError)) {
    return { code: e.name, queryCode: e.name, status: 400, type: "Sender", message: e.message, members: {} };
  }
  return internal(e.message);
}

function internal(message: string): WireError {
  const code = "InternalFailure";
  return {
    code,
    queryCode: code,
    status: 500,
    type: "Receiver",
    message: `the sandbox failed: ${message}`,
    members: {},
  };
}
