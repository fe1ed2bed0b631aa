// The global options every command takes, parsed and checked once.
import type { Command } from "commander";
import { parseDuration } from "../core/duration.js";
import { InputError } from "../core/errors.js";
import { REGION_NAME } from "../core/validators.js";

export { parseDuration };

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
  /** Where the stack's record and claim are kept (s3://bucket/key), instead of the env file's INFRA_STATE. */
  state?: string;
  /** How long to wait for another run's claim on the stack ("0": refuse at once). */
  waitForClaim?: string;
}

export const DEFAULT_TIMEOUT = "45m";
export const DEFAULT_ENV_FILE = "./aws-resources.env";

/** Whether --timeout was given: some commands size their default from the stack (deploy) or its targets (dr-drill). */
export const timeoutGiven = (cmd: Command) => cmd.getOptionValueSourceWithGlobals("timeout") !== "default";

/** Where the stack lives: the flag, else the env file (it records where the stack was made), else AWS_REGION. */
export function resolveRegion(flag: string | undefined, fromFile: string | undefined, fromEnv: string | undefined) {
  const region = flag ?? fromFile ?? fromEnv;
  if (!region) throw new InputError("no AWS region", "pass --region, or set AWS_REGION in the env file");
  if (!REGION_NAME.test(region)) throw new InputError(`region ${region} is not an AWS region name (like us-east-1)`);
  return region;
}

/** --wait-for-claim: 0 (refuse at once, the default) or a duration. */
export function parseClaimWait(text: string | undefined): number {
  if (text === undefined || /^0+(\.0+)?(ms|s|m|h)?$/.test(text.trim())) return 0;
  return parseDuration(text, "--wait-for-claim");
}

export function checkEndpoint(url: string | undefined): string | undefined {
  if (url === undefined || url === "") return undefined;
  try {
    const u = new URL(url);
    if (u.protocol === "http:" || u.protocol === "https:") return url;
  } catch {}
  throw new InputError(`endpoint ${url} is not an http(s) URL`);
}
