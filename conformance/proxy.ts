// A recording proxy on 127.0.0.1 in front of the endpoint under test: `infra` runs unchanged with
// `--endpoint-url <proxy>`, and every call it makes is forwarded as it was sent (method, path, headers, body) and
// noted with the answer: which service and operation (from the SigV4 credential scope and the protocol: the
// X-Amz-Target header, the query protocols' Action, or Route 53's method and URI), the HTTP status and, for an
// error, the code and message the endpoint answered.
import { createServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";
import * as route53 from "@aws-sdk/client-route-53";
import { isMutating } from "../src/sandbox/aws/aws-fake.js";

export interface ProxiedCall {
  service: string;
  op: string;
  mutating: boolean;
  status: number;
  /** The error code and message of an answer that is not a success. */
  error?: { code: string; message: string };
}

export interface RecordingProxy {
  url: string;
  calls: ProxiedCall[];
  close(): Promise<void>;
}

export async function startProxy(endpoint: string): Promise<RecordingProxy> {
  const target = new URL(endpoint);
  const calls: ProxiedCall[] = [];
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    const upstream = request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      async (answer) => {
        const reply = await readAll(answer);
        calls.push(noteCall(req, body, answer.statusCode ?? 0, answer.headers, reply));
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(reply);
      },
    );
    upstream.on("error", (err) => {
      calls.push({ ...operationOf(req, body), status: 502, error: { code: "ProxyError", message: err.message } });
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`the endpoint did not answer: ${err.message}\n`);
    });
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function noteCall(
  req: IncomingMessage,
  body: Buffer,
  status: number,
  headers: IncomingMessage["headers"],
  reply: Buffer,
): ProxiedCall {
  const call = { ...operationOf(req, body), status };
  return status >= 300 ? { ...call, error: errorOf(status, headers, reply.toString("utf8")) } : call;
}

function operationOf(req: IncomingMessage, body: Buffer): Omit<ProxiedCall, "status"> {
  const scope = /Credential=[^/,\s]+\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\//.exec(String(req.headers.authorization));
  const service = scope?.[1] ?? "unknown";
  const target = req.headers["x-amz-target"];
  const form = String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")
    ? new URLSearchParams(body.toString("utf8")).get("Action")
    : null;
  const op =
    (typeof target === "string" ? target.split(".").at(-1) : undefined) ??
    form ??
    restOperation(req.method ?? "GET", new URL(req.url ?? "/", "http://proxy").pathname) ??
    `${req.method} ${req.url}`;
  return { service, op, mutating: isMutating(op) };
}

/** The code and message of an error answer, in whichever protocol it came: JSON, XML, or neither (a plain page). */
function errorOf(status: number, headers: IncomingMessage["headers"], text: string) {
  const header = (name: string) => String(headers[name] ?? "").split(/[;:]/)[0] || undefined;
  let code = header("x-amzn-query-error") ?? header("x-amzn-errortype");
  let message: string | undefined;
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    code ??=
      String(json.__type ?? json.code ?? "")
        .split("#")
        .at(-1) || undefined;
    message = String(json.message ?? json.Message ?? "");
  } catch {
    code ??= /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  }
  const plain = text
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return {
    code: code ?? `HTTP ${status} (${String(headers["content-type"] ?? "no content type").split(";")[0]})`,
    message: message || plain.slice(0, 160),
  };
}

const isLabel = (segment: string) => /^\{\w+\+?\}$/.test(segment);
const labels = (segments: string[]) => segments.filter(isLabel).length;

/** Route 53 speaks REST-XML: its operation is the method and the URI pattern, read from the SDK's own schemas. */
type CommandClass = new (input: object) => { schema?: unknown };
const ROUTES = (Object.values(route53) as unknown[])
  .filter((v): v is CommandClass => typeof v === "function" && /Command$/.test(v.name))
  .map((Command) => new Command({}).schema)
  .filter((schema): schema is [number, string, string, { http?: [string, string] }] => Array.isArray(schema))
  .map(([, , name, traits]) => {
    const [method, path] = traits?.http ?? ["", ""];
    return { name, method, segments: path.split("?")[0]?.split("/").filter(Boolean) ?? [] };
  })
  // A literal segment matches before a label does.
  .sort((a, b) => labels(a.segments) - labels(b.segments));

function restOperation(method: string, pathname: string): string | undefined {
  const actual = pathname.split("/").filter(Boolean);
  return ROUTES.find(
    (r) =>
      r.method === method &&
      r.segments.length === actual.length &&
      r.segments.every((s, i) => isLabel(s) || s === actual[i]),
  )?.name;
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}
