// XML as the query protocols (ELBv2, SNS, RDS, EC2) and REST-XML (Route 53) answer: written with the SDK's own XML
// shape serializer from the operation's output schema, inside the envelope each protocol's deserializer reads.
// The envelopes are schemas too (struct and list shapes in the SDK's static schema form), so one serializer
// writes everything and escapes every text.
import { XmlShapeDeserializer, XmlShapeSerializer } from "@aws-sdk/core/protocols";
import { deref, NormalizedSchema } from "@smithy/core/schema";
import type { WireError } from "./errors.js";
import type { OperationSchema, Reply, WireService } from "./services.js";

type SchemaRef = Parameters<typeof NormalizedSchema.of>[0];
type Settings = ConstructorParameters<typeof XmlShapeSerializer>[0];

// The settings AwsQueryProtocol and AwsRestXmlProtocol build their XML serde with (date-time timestamps).
const settings = (service: WireService): Settings => ({
  timestampFormat: { useTrait: true, default: 5 },
  httpBindings: service.protocol === "restXml",
  xmlNamespace: service.xmlNamespace,
  serviceNamespace: service.namespace,
});

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function xmlReply(service: WireService, status: number, schema: unknown, value: unknown): Reply {
  const serializer = new XmlShapeSerializer(settings(service));
  serializer.write(schema as never, value);
  return {
    status,
    headers: { "content-type": "text/xml" },
    body: Buffer.from(XML_DECLARATION + String(serializer.flush())),
  };
}

export function readXml(service: WireService, schema: unknown, body: string): unknown {
  return new XmlShapeDeserializer(settings(service)).read(schema as never, body);
}

const isUnit = (schema: unknown) => NormalizedSchema.of(schema as SchemaRef).isUnitSchema();

/**
 * awsQuery: <OpResponse><OpResult>...output...</OpResult><ResponseMetadata>...; ec2Query: the output's members
 * directly under <OpResponse>, with a requestId.
 */
export function queryReply(service: WireService, op: OperationSchema, output: unknown, requestId: string): Reply {
  const ns = service.namespace;
  if (service.protocol === "ec2Query") {
    const raw = deref(op.output) as unknown[];
    const [names, members] = isUnit(op.output) ? [[], []] : [raw[4] as string[], raw[5] as unknown[]];
    const envelope = [3, ns, `${op.name}Response`, 0, [...names, "requestId"], [...members, 0]];
    return xmlReply(service, 200, envelope, { ...(output as object), requestId });
  }
  const metadata = [3, ns, "ResponseMetadata", 0, ["RequestId"], [0]];
  const result = `${op.name}Result`;
  const envelope = isUnit(op.output)
    ? [3, ns, `${op.name}Response`, 0, ["ResponseMetadata"], [metadata]]
    : [3, ns, `${op.name}Response`, 0, [result, "ResponseMetadata"], [op.output, metadata]];
  return xmlReply(service, 200, envelope, { [result]: output, ResponseMetadata: { RequestId: requestId } });
}

/** ec2Query: <Response><Errors><Error>; awsQuery and restXml: <ErrorResponse><Error>. */
export function xmlErrorReply(service: WireService, error: WireError, requestId: string): Reply {
  const ns = service.namespace;
  if (service.protocol === "ec2Query") {
    const item = [3, ns, "Error", 0, ["Code", "Message"], [0, 0]];
    const envelope = [
      3,
      ns,
      "Response",
      0,
      ["Errors", "RequestID"],
      [[1, ns, "Errors", 0, [item, { xmlName: "Error" }]], 0],
    ];
    return xmlReply(service, error.status, envelope, {
      Errors: [{ Code: error.queryCode, Message: error.message }],
      RequestID: requestId,
    });
  }
  const item = [3, ns, "Error", 0, ["Type", "Code", "Message"], [0, 0, 0]];
  const envelope = [3, ns, "ErrorResponse", 0, ["Error", "RequestId"], [item, 0]];
  return xmlReply(service, error.status, envelope, {
    Error: { Type: error.type, Code: error.queryCode, Message: error.message },
    RequestId: requestId,
  });
}

/** S3: the error is the root element, <Error><Code>...; an answer to HEAD has no body, only its status. */
export function s3ErrorReply(service: WireService, error: WireError, requestId: string, head: boolean): Reply {
  if (head) return { status: error.status, headers: { "x-amz-request-id": requestId }, body: Buffer.alloc(0) };
  const envelope = [3, service.namespace, "Error", 0, ["Code", "Message", "RequestId"], [0, 0, 0]];
  const reply = xmlReply(service, error.status, envelope, {
    Code: error.code,
    Message: error.message,
    RequestId: requestId,
  });
  return { ...reply, headers: { ...reply.headers, "x-amz-request-id": requestId } };
}
