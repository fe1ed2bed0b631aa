// `infra sandbox reset` and `infra sandbox serve`: the sandbox account outside any one command. The sandbox code
// is loaded only when one of them runs.
import { lstatSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { Interrupt, InterruptedError } from "../../core/interrupt.js";
import { SANDBOX_ENV_FILE, SANDBOX_KEY, SANDBOX_STATE_FILE, SANDBOX_URL_VARIABLE } from "../../sandbox/files.js";
import type { Commands } from "../registration.js";

export async function reset(commands: Commands, _o: unknown, cmd: Command): Promise<void> {
  const { result, deps } = commands;
  const { io } = deps;
  const { json } = cmd.optsWithGlobals() as { json: boolean };
  const statePath = resolve(SANDBOX_STATE_FILE);
  // Taking the account's lock first: a sandbox in use is not pulled from under its process.
  const { serveAccount } = await import("../../sandbox/account.js");
  const { server } = await serveAccount(statePath);
  await server.close();
  const removed = [statePath];
  rmSync(statePath, { force: true });
  const envPath = resolve(SANDBOX_ENV_FILE);
  // Only a file that says it is the sandbox's: never one the user pointed elsewhere by hand, nor a link.
  if (isPlainFile(envPath) && new RegExp(`^${SANDBOX_KEY}="true"$`, "m").test(readFileSync(envPath, "utf8"))) {
    rmSync(envPath);
    removed.push(envPath);
  }
  if (json) return result({ ok: true, command: "sandbox reset", removed });
  io.stdout(`sandbox reset: removed ${removed.join(", ")}; the next --sandbox command starts a new account\n`);
}

export async function serve(commands: Commands, o: { port?: string }, cmd: Command): Promise<void> {
  const { deps, result } = commands;
  const { io } = deps;
  const { json } = cmd.optsWithGlobals() as { json: boolean };
  // Decimal digits only: Number() would also take 0x10, 1e3 or " 80 ".
  const port = o.port === undefined ? 0 : Number(o.port);
  if (o.port !== undefined && (!/^\d{1,5}$/.test(o.port) || port > 65535))
    throw new InputError(`--port ${o.port} is not a port (a decimal number from 0 to 65535; 0 picks a free one)`);
  const { serveAccount } = await import("../../sandbox/account.js");
  const { SANDBOX_CREDENTIALS, SANDBOX_REGION } = await import("../../sandbox/session.js");
  const statePath = resolve(SANDBOX_STATE_FILE);
  const { server } = await serveAccount(statePath, {
    port,
    ...(json ? {} : { log: (line: string) => io.stderr(`${line}\n`) }),
  });
  const { url } = server;
  if (json) {
    // The document comes when serving ends; whoever waits for the address reads it from stderr now.
    io.stderr(`${JSON.stringify({ kind: "serving", url, state: statePath })}\n`);
    result({ command: "sandbox serve", url, state: statePath });
  } else {
    io.stdout(`${SANDBOX_URL_VARIABLE}=${url}\n`);
    const { accessKeyId, secretAccessKey } = SANDBOX_CREDENTIALS;
    io.stderr(
      [
        `sandbox: serving the account in ${statePath} at ${url} until Ctrl-C`,
        `  infra:   export ${SANDBOX_URL_VARIABLE}=${url}; infra --sandbox status`,
        `  AWS CLI: AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} aws --region ${SANDBOX_REGION} --endpoint-url ${url} elbv2 describe-load-balancers`,
        "",
      ].join("\n"),
    );
  }
  const interrupt = deps.interrupt ?? new Interrupt();
  await interrupt.guard(
    (signal) => new Promise<void>((stop) => signal.addEventListener("abort", () => stop(), { once: true })),
  );
  await server.close();
  throw new InterruptedError("the sandbox stopped serving; its account is saved");
}

const isPlainFile = (path: string) => {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
};
