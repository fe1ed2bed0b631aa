// The AWS fake over HTTP on the loopback address, in each service's own wire protocol: the same models the
// in-process adapter uses (test/support/in-process.ts), reached through the SDK's serialisation, endpoint
// handling, signing, error parsing and retries. Requests are routed by what each protocol carries reliably:
// the X-Amz-Target header (JSON), the Version and Action parameters (query), the method and URI (REST-XML).
// Signatures are not checked: the sandbox has one account and fixed dummy credentials.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InputError } from "../../core/errors.js";
import type { Call, Fake } from "../aws/aws-fake.js";
import { describeError } from "./errors.js";
import { INTERNET_PATH, internetReply, newInternet } from "./internet.js";
import { jsonOperation, readJson, writeJson, writeJsonError } from "./json.js";
import { parseForm, readQuery } from "./query.js";
import { readRestXml, restRoute, writeRestXml } from "./rest-xml.js";
import { type Reply, type WireOperation, type WireService, wireServices } from "./services.js";
import { queryReply, s3ErrorReply, xmlErrorReply } from "./xml.js";

export interface WireOptions {
  /** 0 or unset: a free port. */
  port?: number;
  /**
   * Called after a model accepted a call, before its answer is written; the answer waits for the returned
   * promise. A test holds the answer of a mutating call here and kills the client: AWS applied the call, the
   * client never heard.
   */
  onApplied?: (call: Call) => void | Promise<void>;
  /** One line per request (`infra sandbox serve` prints them). */
  log?: (line: string) => void;
}

export interface WireServer {
  url: string;
  close(): Promise<void>;
}

interface Routed {
  service: WireService;
  op: WireOperation;
  input: () => Promise<unknown> | unknown;
  reply: (output: unknown, requestId: string) => Reply;
}

export async function start(fake: Fake, options: WireOptions = {}): Promise<WireServer> {
  const services = wireServices(fake);
  const internet = newInternet(fake);
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      // A defect in the sandbox itself: say so, and keep serving.
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`the sandbox failed: ${(err as Error).stack ?? err}\n`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://sandbox");
    if (url.pathname.startsWith(INTERNET_PATH)) return send(res, await internetReply(fake, internet, url));
    const requestId = randomUUID();
    const found = route(services, req, url, raw);
    if ("unknown" in found) {
      options.log?.(`${req.method} ${url.pathname}: ${found.unknown.message}`);
      return send(res, unknownReply(found.unknown.service, found.unknown.message, requestId));
    }
    const { service, op } = found;
    let reply: Reply;
    try {
      const input = await found.input();
      const index = fake.calls.length; // dispatch records the call before anything else can run
      const output = await fake.dispatch(service.name, op.name, input, op.handler, signedRegion(req));
      const call = fake.calls[index];
      if (call && options.onApplied) await options.onApplied(call);
      reply = found.reply(output, requestId);
    } catch (err) {
      const error = describeError(err, service.protocol);
      if (error.status >= 500) options.log?.(`${service.name} ${op.name}: ${(err as Error).stack ?? err}`);
      reply = service.protocol.startsWith("awsJson")
        ? writeJsonError(service, error)
        : service.pathStyleBucket
          ? s3ErrorReply(service, error, requestId, req.method === "HEAD")
          : xmlErrorReply(service, error, requestId);
    }
    options.log?.(`${service.name} ${op.name} ${reply.status}`);
    send(res, { ...reply, headers: { ...reply.headers, "x-amzn-requestid": requestId } });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE" || err.code === "EACCES"
          ? new InputError(
              `port ${options.port} on 127.0.0.1 is ${err.code === "EADDRINUSE" ? "in use" : "not allowed"}`,
              "pick another with --port, or leave it out for a free one",
            )
          : err,
      ),
    );
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Route = Routed | { unknown: { service?: WireService; message: string } };

function route(services: WireService[], req: IncomingMessage, url: URL, raw: Buffer): Route {
  const body = raw.toString("utf8");
  const target = header(req, "x-amz-target");
  if (target) {
    const service = services.find((s) => s.protocol.startsWith("awsJson") && jsonOperation(s, target));
    const op = service?.operations.get(jsonOperation(service, target) ?? "");
    if (!service || !op) return { unknown: { ...(service ? { service } : {}), message: `${target} is not modeled` } };
    return { service, op, input: () => readJson(op.schema, body), reply: (o) => writeJson(service, op.schema, o) };
  }
  if (header(req, "content-type")?.startsWith("application/x-www-form-urlencoded")) {
    const form = parseForm(body);
    const service = services.find((s) => s.protocol.endsWith("uery") && s.version === form.get("Version"));
    const op = service?.operations.get(form.get("Action") ?? "");
    if (!service || !op) {
      const what = `${form.get("Action")} (version ${form.get("Version")})`;
      return { unknown: { ...(service ? { service } : {}), message: `${what} is not modeled` } };
    }
    const ec2 = service.protocol === "ec2Query";
    return {
      service,
      op,
      input: () => readQuery(op.schema, form, ec2),
      reply: (o, requestId) => queryReply(service, op.schema, o, requestId),
    };
  }
  for (const service of services.filter((s) => s.protocol === "restXml")) {
    const found = restRoute(service, req.method ?? "GET", url);
    if (!found) continue;
    const { op, labels } = found;
    return {
      service,
      op,
      input: () => readRestXml(service, op, labels, url.searchParams, req.headers, raw),
      reply: (o) => writeRestXml(service, op, o),
    };
  }
  return { unknown: { message: `${req.method} ${url.pathname} is no AWS API the sandbox models` } };
}

/** What AWS answers an action it does not know: InvalidAction (query), UnknownOperationException (JSON). */
function unknownReply(service: WireService | undefined, message: string, requestId: string): Reply {
  if (!service) {
    return { status: 404, headers: { "content-type": "text/plain" }, body: Buffer.from(`${message}\n`) };
  }
  const json = service.protocol.startsWith("awsJson");
  const code = json ? "UnknownOperationException" : "InvalidAction";
  const error = { code, queryCode: code, status: 400, type: "Sender" as const, message, members: {} };
  return json ? writeJsonError(service, error) : xmlErrorReply(service, error, requestId);
}

/**
 * The region a request was signed for (SigV4's credential scope: Credential=<key>/<date>/<region>/<service>/...):
 * behind one endpoint, what tells a client of eu-west-1 from one of us-east-1.
 */
function signedRegion(req: IncomingMessage): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(header(req, "authorization") ?? "")?.[1];
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: Reply) {
  res.writeHead(reply.status, { ...reply.headers, "content-length": String(reply.body.length) });
  res.end(reply.body);
}
