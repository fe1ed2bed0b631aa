// The health probe after a deploy says why a request failed, not only that it did: fetch's own message is
// "fetch failed", and the reason (a refused connection, a name that does not resolve) is its cause.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import type { Context } from "../src/core/context.js";
import { Events } from "../src/core/events.js";
import { probe } from "../src/deploy/probe.js";

/** A loopback port nothing listens on: bound, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("the deploy's health probe", () => {
  it("names the cause of a failed request (ECONNREFUSED), as the real fetch reports it", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/health`;
    const ctx = {
      events: new Events(),
      clock: { now: () => Date.now(), sleep: async () => {} },
      http: {
        get: async (u: string, timeoutMs: number) => ({
          status: (await fetch(u, { signal: AbortSignal.timeout(timeoutMs) })).status,
        }),
      },
    } as unknown as Context;

    await expect(probe(ctx, url)).rejects.toThrow(/health probe GET .* failed: fetch failed \(.*ECONNREFUSED.*\)/);
  });
});
