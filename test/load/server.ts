// A web service for load tests to hit: on the loopback address only, started and stopped by each test, counting
// what it is sent. Its paths answer as the service under test might: quickly, slowly, a known mix of the two (known
// delays, for the percentiles), after /delay/<ms>, with a 500 or a redirect, by resetting the connection, or
// never; or it redirects everything.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface TestServer {
  origin: string;
  port: number;
  /** Requests received, by path. */
  count(path?: string): number;
  /** Called with each request's number (1-based) as it arrives: tests press Ctrl-C or change AWS here. */
  onRequest?: (n: number) => void;
  close(): Promise<void>;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** redirectAll: every request is answered 301 to the same path over https, as a load balancer's HTTP listener does. */
export async function startServer(options: { redirectAll?: boolean } = {}): Promise<TestServer> {
  let mixed = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "/";
    if (options.redirectAll || path === "/redirect") {
      res.writeHead(301, { location: `https://${req.headers.host}${path}` });
      res.end();
      return;
    }
    if (path === "/reset") {
      req.socket.destroy();
      return;
    }
    if (path === "/fail") {
      res.statusCode = 500;
      res.end("failed");
      return;
    }
    if (path === "/hang") return; // answered by close() only
    const delay = /^\/delay\/(\d+)$/.exec(path)?.[1];
    // /mixed: three requests in four after 50 ms, the fourth after 250 ms, whatever the concurrency.
    const ms = delay ? Number(delay) : path === "/mixed" ? (mixed++ % 4 === 3 ? 250 : 50) : path === "/slow" ? 100 : 0;
    if (ms) await wait(ms);
    res.end("ok");
  };
  return startWith(handle);
}

/** A server on the loopback address whose requests `handle` answers, counting them and calling onRequest. */
async function startWith(handle: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<TestServer> {
  const seen: string[] = [];
  const open = new Set<ServerResponse>();
  const http: Server = createServer((req, res) => {
    seen.push(req.url ?? "/");
    server.onRequest?.(seen.length);
    open.add(res);
    res.on("close", () => open.delete(res));
    void handle(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  const server: TestServer = {
    origin: `http://127.0.0.1:${port}`,
    port,
    count: (path) => seen.filter((p) => path === undefined || p === path).length,
    close: async () => {
      for (const res of open) res.destroy();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return server;
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  await new Promise<void>((resolve) => http.close(() => resolve()));
  return port;
}

/**
 * A service of known capacity: one worker answering `perSecond` requests a second at most, first come first
 * served, each answered when its turn's time is up (so it keeps its rate whatever the timers' jitter); up to
 * `queue` requests wait their turn, and one that finds the queue full is refused at once with a 503, as a busy
 * load balancer or server does.
 */
export async function startCapacityServer(perSecond: number, queue: number): Promise<TestServer> {
  const interval = 1000 / perSecond;
  let lastTurn = 0;
  let waiting = 0;
  return startWith((_req, res) => {
    if (waiting >= queue) {
      res.statusCode = 503;
      res.end("busy");
      return;
    }
    const now = performance.now();
    lastTurn = Math.max(now, lastTurn) + interval;
    waiting++;
    setTimeout(() => {
      waiting--;
      res.end("ok");
    }, lastTurn - now);
  });
}
