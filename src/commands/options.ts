// The global options every command takes, parsed and checked once.
import { InputError } from "../core/errors.js";

export interface GlobalOptions {
  envFile: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  json: boolean;
  yes: boolean;
  wait: boolean;
  timeout: string;
  verbose: boolean;
  /** Against the local sandbox AWS instead of an account. */
  sandbox?: boolean;
  /** destroy only */
  keepLogs?: boolean;
}

export const DEFAULT_TIMEOUT = "45m";
export const DEFAULT_ENV_FILE = "./aws-resources.env";

/** "90s", "15m", "1h", "500ms" or a number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new InputError(`--timeout ${text} is not a duration`, "write it like 90s, 15m or 1h");
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  const ms = Number(m[1]) * unit;
  if (ms <= 0) throw new InputError(`--timeout ${text} must be more than zero`);
  return ms;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Where the stack lives: the flag, else the env file (it records where the stack was made), else AWS_REGION. */
export function resolveRegion(flag: string | undefined, fromFile: string | undefined, fromEnv: string | undefined) {
  const region = flag ?? fromFile ?? fromEnv;
  if (!region) throw new InputError("no AWS region", "pass --region, or set AWS_REGION in the env file");
  if (!REGION.test(region)) throw new InputError(`region ${region} is not an AWS region name (like us-east-1)`);
  return region;
}

export function checkEndpoint(url: string | undefined): string | undefined {
  if (url === undefined || url === "") return undefined;
  try {
    const u = new URL(url);
    if (u.protocol === "http:" || u.protocol === "https:") return url;
  } catch {}
  throw new InputError(`endpoint ${url} is not an http(s) URL`);
}
