// `infra sandbox reset` and `infra sandbox serve`: their command lines. What they do is in actions/sandbox.ts, and
// the sandbox's code is loaded only when one of them runs.
import { SANDBOX_ENV_FILE, SANDBOX_STATE_FILE, SANDBOX_URL_VARIABLE } from "../sandbox/files.js";
import type { Commands } from "./registration.js";

export function registerSandbox({ program, lazy }: Commands): void {
  const load = () => import("./actions/sandbox.js");
  const sandbox = program
    .command("sandbox")
    .description("the local AWS that --sandbox runs against: its account lives in the working folder");

  sandbox
    .command("reset")
    .description(`start the sandbox over: remove ${SANDBOX_STATE_FILE} and ${SANDBOX_ENV_FILE}`)
    .action(lazy(load, "reset"));

  sandbox
    .command("serve")
    .description(`keep the sandbox's AWS up for other processes (${SANDBOX_URL_VARIABLE}) and tools, until Ctrl-C`)
    .option("--port <port>", "the loopback port to listen on (default: a free one)")
    .action(lazy(load, "serve"));
}
