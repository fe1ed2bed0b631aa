// The sandbox's public internet, over the same loopback server as its AWS: the NS lookup of a domain (what the
// delegation check asks) and an HTTP GET of the service's URL (the deploy's probe), answered from the fake's
// Route 53 zones and load balancers (../aws/internet.ts), never from the network. The server side answers
// /_sandbox/ns and /_sandbox/get; the client side is what an `infra --sandbox` process uses instead of
// node:dns and fetch.
import type { DnsResolver, HttpProbe } from "../../core/context.js";
import type { Fake } from "../aws/aws-fake.js";
import { FakeInternet } from "../aws/internet.js";
import type { Reply } from "./services.js";

export const INTERNET_PATH = "/_sandbox/";

const json = (status: number, value: unknown): Reply => ({
  status,
  headers: { "content-type": "application/json" },
  body: Buffer.from(JSON.stringify(value)),
});

/** Answers /_sandbox/ns?domain=... and /_sandbox/get?url=... */
export async function internetReply(fake: Fake, internet: FakeInternet, url: URL): Promise<Reply> {
  const what = url.pathname.slice(INTERNET_PATH.length);
  if (what === "ns") {
    try {
      return json(200, { nameServers: await fake.dns.resolveNs(url.searchParams.get("domain") ?? "") });
    } catch (err) {
      const e = err as Error & { code?: string };
      return json(200, { error: { code: e.code ?? "ESERVFAIL", message: e.message } });
    }
  }
  if (what === "get") {
    try {
      return json(200, await internet.get(url.searchParams.get("url") ?? ""));
    } catch (err) {
      const e = err as Error & { code?: string };
      return json(200, { error: { code: e.code ?? "EFAULT", message: e.message } });
    }
  }
  return json(404, { error: { code: "NotFound", message: `no sandbox endpoint ${url.pathname}` } });
}

export function newInternet(fake: Fake): FakeInternet {
  return new FakeInternet(fake);
}

async function ask(base: string, path: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const res = await fetch(new URL(`${INTERNET_PATH}${path}`, base), { signal: AbortSignal.timeout(timeoutMs) });
  return (await res.json()) as Record<string, unknown>;
}

/** DNS and HTTP for a process that runs against the sandbox at `base`. */
export function sandboxInternet(base: string): { dns: DnsResolver; http: HttpProbe } {
  return {
    dns: {
      knowsEndpointZones: true,
      resolveNs: async (domain) => {
        const answer = await ask(base, `ns?domain=${encodeURIComponent(domain)}`);
        // The sandbox's resolver fails as node:dns does (ENOTFOUND, ENODATA): pass its code on.
        const error = answer.error as { code: string; message: string } | undefined;
        if (error) throw Object.assign(new Error(error.message), { code: error.code });
        return answer.nameServers as string[];
      },
    },
    http: {
      get: async (url, timeoutMs) => {
        const answer = await ask(base, `get?url=${encodeURIComponent(url)}`, timeoutMs);
        const error = answer.error as { code: string; message: string } | undefined;
        if (error) throw Object.assign(new Error(error.message), { code: error.code });
        return { status: answer.status as number };
      },
    },
  };
}
