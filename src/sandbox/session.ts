// `--sandbox` for one command: the sandbox's AWS on a free loopback port in this process (its account loaded from
// the working folder and saved after every call AWS applied, so an interrupted command loses nothing AWS did),
// or the one `infra sandbox serve` keeps up when INFRA_SANDBOX_URL names it. Either way the command runs through
// the real SDK clients with fixed dummy credentials, and its DNS lookups and HTTPS probe are answered by the
// sandbox: nothing leaves 127.0.0.1.
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { DnsResolver, HttpProbe } from "../core/context.js";
import { InputError } from "../core/errors.js";
import { SANDBOX_STATE_FILE, SANDBOX_URL_VARIABLE } from "./files.js";
import { sandboxInternet } from "./wire/internet.js";

export const SANDBOX_REGION = "us-east-1";
/** A stack claim's lease in the sandbox: seconds, so a killed run's claim lapses while one watches. */
export const SANDBOX_CLAIM_LEASE_MS = 6_000;
export const SANDBOX_CREDENTIALS = { accessKeyId: "AKIDSANDBOX", secretAccessKey: "sandbox-not-a-secret" };

export interface SandboxRequest {
  /** The process environment (INFRA_SANDBOX_URL). */
  env: Record<string, string | undefined>;
  /** The env file the command will use, and whether it is the default one (made here when missing). */
  envFile: string;
  defaultEnvFile: boolean;
  /** Options that make no sense against the sandbox. */
  endpointUrl?: string;
  profile?: string;
  region?: string;
  /** Where the account's state lives (default: the working folder). */
  folder?: string;
}

export interface SandboxSession {
  url: string;
  /** Where the sandbox's account state is, when this process holds it. */
  statePath?: string;
  deps: { credentials: typeof SANDBOX_CREDENTIALS; dns: DnsResolver; http: HttpProbe; claimLeaseMs: number };
  close(): Promise<void>;
}

export async function openSandbox(r: SandboxRequest): Promise<SandboxSession> {
  if (r.endpointUrl)
    throw new InputError("--sandbox and --endpoint-url do not go together: the sandbox is the endpoint");
  if (r.profile) throw new InputError("--sandbox and --profile do not go together: the sandbox takes no credentials");
  if (r.region && r.region !== SANDBOX_REGION)
    throw new InputError(`the sandbox is in ${SANDBOX_REGION}, not ${r.region}`);
  // The fake (all its SDK clients) loads only where it runs: not in a process that uses a served sandbox.
  // "wx": made only where nothing is, not even a link (checked before, and never followed here).
  if (r.defaultEnvFile && !existsSync(r.envFile))
    writeFileSync(r.envFile, (await import("./account.js")).sandboxEnvText(), { flag: "wx" });
  const served = r.env[SANDBOX_URL_VARIABLE];
  if (served) return { url: await reachable(served), deps: deps(served), close: async () => {} };
  const statePath = resolve(r.folder ?? ".", SANDBOX_STATE_FILE);
  const { server } = await (await import("./account.js")).serveAccount(statePath);
  return { url: server.url, statePath, deps: deps(server.url), close: () => server.close() };
}

const deps = (url: string) => ({
  credentials: SANDBOX_CREDENTIALS,
  claimLeaseMs: SANDBOX_CLAIM_LEASE_MS,
  ...sandboxInternet(url),
});

/** A sandbox served elsewhere: on the loopback address, and answering. */
async function reachable(url: string): Promise<string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(`${SANDBOX_URL_VARIABLE}=${url} is not a URL`);
  }
  if (u.protocol !== "http:" || !["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) {
    throw new InputError(`${SANDBOX_URL_VARIABLE}=${url} is not on the loopback address: the sandbox is local`);
  }
  try {
    await fetch(new URL("/_sandbox/ns?domain=", u), { signal: AbortSignal.timeout(3_000) });
  } catch {
    throw new InputError(
      `no sandbox answers at ${SANDBOX_URL_VARIABLE}=${url}`,
      "start one with `infra sandbox serve`, or unset the variable to run a sandbox in this process",
    );
  }
  return url.replace(/\/$/, "");
}
