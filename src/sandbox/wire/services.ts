// What the wire needs to know about each service the fake models, read from the SDK client itself: the protocol
// its client speaks today, the settings that protocol was built with (namespace, XML namespace, API version, JSON
// target prefix) and, for every operation the model answers, the operation's schema (the shapes the client
// serialises with, shipped in the client package). Nothing here is written by hand per operation.
import { operation } from "@smithy/core/schema";
import type { Fake, Handler, ServiceModel } from "../aws/aws-fake.js";

export type Protocol = "awsJson1_0" | "awsJson1_1" | "awsQuery" | "ec2Query" | "restXml";

/** An operation schema as the SDK's protocols take it (name, namespace, traits, lazy input and output). */
export type OperationSchema = ReturnType<typeof operation>;

export interface WireOperation {
  name: string;
  schema: OperationSchema;
  handler: Handler;
  /** REST bindings (Route 53): method, URI pattern with {labels}, success status. */
  http?: { method: string; path: string; status: number };
}

/** An HTTP answer, before it is written. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface WireService {
  /** The fake's name for the service (the `service` of its calls). */
  name: string;
  protocol: Protocol;
  namespace: string;
  xmlNamespace: string;
  version: string;
  /** JSON protocols: the X-Amz-Target prefix ("AmazonEC2ContainerServiceV20141113"). */
  target: string;
  /** CloudWatch's JSON protocol also carries the query protocol's error codes (x-amzn-query-error). */
  queryCompatible: boolean;
  /** S3: the bucket is the first segment of the path (path-style addressing, as under a custom endpoint). */
  pathStyleBucket: boolean;
  operations: Map<string, WireOperation>;
}

interface ProtocolInstance {
  getShapeId(): string;
  awsQueryCompatible?: boolean;
}

interface ClientWithProtocol {
  config: {
    protocol: ProtocolInstance;
    protocolSettings: { defaultNamespace: string; xmlNamespace?: string; version?: string; serviceTarget?: string };
  };
  destroy(): void;
}

const PROTOCOLS: Record<string, Protocol> = {
  "aws.protocols#awsJson1_0": "awsJson1_0",
  "aws.protocols#awsJson1_1": "awsJson1_1",
  "aws.protocols#awsQuery": "awsQuery",
  "aws.protocols#ec2Query": "ec2Query",
  "aws.protocols#restXml": "restXml",
};

function describe(model: ServiceModel): WireService {
  // A client made only to read its resolved protocol: it never sends anything.
  const client = new model.client({ region: "us-east-1" }) as ClientWithProtocol;
  const { protocol, protocolSettings: s } = client.config;
  client.destroy();
  const kind = PROTOCOLS[protocol.getShapeId()];
  if (!kind) throw new Error(`the sandbox does not speak ${protocol.getShapeId()} (${model.name})`);
  const operations = new Map<string, WireOperation>();
  for (const [Command, handler] of model.handlers) {
    // Every SDK command carries its operation schema: [9, namespace, name, traits, input, output].
    const [, ns, name, traits, input, output] = new Command({}).schema as [
      number,
      string,
      string,
      Record<string, unknown> | number,
      unknown,
      unknown,
    ];
    const http = typeof traits === "object" ? (traits.http as [string, string, number] | undefined) : undefined;
    operations.set(name, {
      name,
      // biome-ignore lint/suspicious/noExplicitAny: the static schema tuple is what operation() takes.
      schema: operation(ns, name, traits as any, input as any, output as any),
      handler,
      ...(http ? { http: { method: http[0], path: http[1], status: http[2] } } : {}),
    });
  }
  return {
    name: model.name,
    protocol: kind,
    namespace: s.defaultNamespace,
    xmlNamespace: s.xmlNamespace ?? "",
    version: s.version ?? "",
    target: s.serviceTarget ?? "",
    queryCompatible: Boolean(protocol.awsQueryCompatible),
    pathStyleBucket: s.defaultNamespace === "com.amazonaws.s3",
    operations,
  };
}

/** The services of a fake as the wire routes them. */
export function wireServices(fake: Fake): WireService[] {
  return fake.models.map(describe);
}
