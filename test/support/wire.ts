// The wire adapter for tests: the fake behind an HTTP server on the loopback address, and the CLI's own AWS
// clients pointed at it with dummy credentials, so every call goes through the SDK's serialisation, signing,
// error parsing and retries.
import { afterEach, beforeEach } from "vitest";
import { AwsClients } from "../../src/core/aws.js";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { start, type WireOptions, type WireServer } from "../../src/sandbox/wire/server.js";

export const DUMMY_CREDENTIALS = { accessKeyId: "AKIDSANDBOX", secretAccessKey: "sandbox" };

export interface Wire {
  fake: AwsFake;
  server: WireServer;
  aws: AwsClients;
}

export async function openWire(fake = new AwsFake(), options: WireOptions = {}): Promise<Wire> {
  const server = await start(fake, options);
  const aws = new AwsClients({ region: "us-east-1", endpoint: server.url, credentials: DUMMY_CREDENTIALS });
  return { fake, server, aws };
}

/** A fresh fake behind a fresh server for each test, closed afterwards. */
export function useWire(options: WireOptions = {}): { current: Wire } {
  const holder = {} as { current: Wire };
  beforeEach(async () => {
    holder.current = await openWire(new AwsFake(), options);
  });
  afterEach(() => holder.current.server.close());
  return holder;
}
