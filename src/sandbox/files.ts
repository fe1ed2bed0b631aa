// The sandbox's files and the line that marks its env file: a sandbox env file holds the fake account's ids and
// a real one AWS's, and neither may be used for the other. Loaded by every command (so kept free of the sandbox
// itself): before any command runs, its env file is checked against --sandbox (src/commands/program.ts).
import { existsSync, lstatSync } from "node:fs";
import { InputError } from "../core/errors.js";

/** The env file `--sandbox` uses when -f is not given (created on first use). */
export const SANDBOX_ENV_FILE = "./aws-resources.sandbox.env";
/** The sandbox account's state, in the working folder. */
export const SANDBOX_STATE_FILE = "./infra-sandbox.state.json";
/** The line every sandbox env file carries. */
export const SANDBOX_KEY = "INFRA_SANDBOX";
/** Where a sandbox served by `infra sandbox serve` answers; `--sandbox` then uses it instead of its own. */
export const SANDBOX_URL_VARIABLE = "INFRA_SANDBOX_URL";

export function isSandboxEnvFile(env: { get(key: string): string | undefined }): boolean {
  return env.get(SANDBOX_KEY) === "true";
}

/**
 * The sandbox's own env file (made on first use, emptied by reset) is a plain file in the working folder: a symlink
 * there, dangling or not, would have the sandbox write and read wherever it points.
 */
export function refuseLinkedSandboxEnvFile(path: string): void {
  let link = false;
  try {
    link = lstatSync(path).isSymbolicLink();
  } catch {
    return; // none yet: the sandbox makes it
  }
  if (link)
    throw new InputError(
      `${path} is a symbolic link: the sandbox makes and changes its env file in the working folder, not where a link points`,
      `remove the link, or pass -f with an env file of your own`,
    );
}

/** The check below for the env file at `path`, when there is one (a missing one is the command's to report). */
export async function checkEnvFileFor(path: string, sandbox: boolean): Promise<void> {
  if (!existsSync(path)) return;
  // Loaded here, when a command runs: `--help` needs the names above only.
  const { EnvFile } = await import("../core/env-file.js");
  checkSandboxEnvFile(await EnvFile.load(path), sandbox, path);
}

/** A sandbox env file only with --sandbox, and --sandbox only with one. */
export function checkSandboxEnvFile(env: { get(key: string): string | undefined }, sandbox: boolean, path: string) {
  const mark = env.get(SANDBOX_KEY);
  if (mark !== undefined && mark !== "true" && mark !== "false")
    throw new InputError(`env file ${path}: ${SANDBOX_KEY}="${mark}" must be true or false`);
  const marked = isSandboxEnvFile(env);
  if (marked && !sandbox) {
    throw new InputError(
      `env file ${path} is a sandbox env file (${SANDBOX_KEY}="true"): its ids are the sandbox's, not AWS's`,
      "add --sandbox to run against the sandbox, or pass -f with your own env file",
    );
  }
  if (sandbox && !marked) {
    throw new InputError(
      `--sandbox runs on a sandbox env file, and ${path} is not one (no ${SANDBOX_KEY}="true" line)`,
      `leave out -f to use ${SANDBOX_ENV_FILE}, made on first use`,
    );
  }
}
