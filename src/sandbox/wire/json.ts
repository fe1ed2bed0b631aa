// AWS JSON 1.0 and 1.1 (ECS, ACM, Logs, ECR, Secrets Manager, Application Auto Scaling, WAFv2, Tagging,
// CloudWatch): POST / with X-Amz-Target "<target>.<Operation>" and a JSON body. The SDK's own JSON codec reads the
// request (epoch-second timestamps to Dates, base64 blobs) and writes the response, as the client does in reverse.
// Errors: the code in `__type` and the message in `message`; a query-compatible service (CloudWatch) also sends
// its query code in x-amzn-query-error, which the SDK maps back through the awsQueryError trait.
import { JsonCodec2 } from "@smithy/core/protocols";
import type { WireError } from "./errors.js";
import type { OperationSchema, Reply, WireService } from "./services.js";

// The settings AwsJsonRpcProtocol builds its codec with.
const codec = new JsonCodec2({ timestampFormat: { useTrait: true, default: 7 }, jsonName: false });

export const jsonContentType = (service: WireService) =>
  `application/x-amz-json-${service.protocol === "awsJson1_0" ? "1.0" : "1.1"}`;

/** The operation an X-Amz-Target header names, when it is this service's. */
export function jsonOperation(service: WireService, target: string | undefined): string | undefined {
  if (!target?.startsWith(`${service.target}.`)) return undefined;
  return target.slice(service.target.length + 1);
}

export async function readJson(schema: OperationSchema, body: string): Promise<unknown> {
  return codec.createDeserializer().read(schema.input as never, body.length ? body : "{}");
}

export function writeJson(service: WireService, schema: OperationSchema, output: unknown): Reply {
  const serializer = codec.createSerializer();
  serializer.write(schema.output as never, output ?? {});
  // The codec's buffer is a Uint8Array with string methods: wrap its bytes, do not let Buffer call them.
  const bytes = serializer.flush();
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { status: 200, headers: { "content-type": jsonContentType(service) }, body };
}

export function writeJsonError(service: WireService, error: WireError): Reply {
  const headers: Record<string, string> = {
    "content-type": jsonContentType(service),
    "x-amzn-errortype": error.code,
  };
  if (service.queryCompatible) headers["x-amzn-query-error"] = `${error.queryCode};${error.type}`;
  const body = JSON.stringify({
    __type: `${service.namespace}#${error.code}`,
    ...error.members,
    message: error.message,
  });
  return { status: error.status, headers, body: Buffer.from(body) };
}
