// The commander layer: the global options, the commands (their command lines in lifecycle.ts, release.ts, inspect.ts
// and the rest; what each does in actions/, loaded when it runs), and the one place that turns any error into its
// message and exit code.
import { Command, CommanderError } from "commander";
import { CheckFailedError, describeError, ExitCode, InputError, printable, unloadable } from "../core/errors.js";
import { releaseClaims } from "../core/held-claims.js";
import { InterruptedError } from "../core/interrupt.js";
import { carryInvocation, type Invocation } from "../core/invocation.js";
import { RESOURCE_NAMES } from "../resources/names.js";
import {
  checkEnvFileFor,
  refuseLinkedSandboxEnvFile,
  SANDBOX_ENV_FILE,
  SANDBOX_URL_VARIABLE,
} from "../sandbox/files.js";
import type { SandboxSession } from "../sandbox/session.js";
import { registerIamPolicy } from "./iam.js";
import { registerInspection } from "./inspect.js";
import { registerLifecycle } from "./lifecycle.js";
import { registerLoadTest } from "./load-test.js";
import { DEFAULT_ENV_FILE, DEFAULT_TIMEOUT, type GlobalOptions } from "./options.js";
import { registerRecovery } from "./recovery.js";
import type { Commands } from "./registration.js";
import { registerRelease } from "./release.js";
import { printJson } from "./render.js";
import { registerSandbox } from "./sandbox.js";
import type { Deps } from "./setup.js";
import { registerState } from "./state.js";

export const VERSION = "0.1.0";

/** Commands that answer at once, from the env file: nothing in progress to show. */
const INSTANT = new Set(["plan", "cost", "iam-policy", "runbook"]);

export async function main(argv: string[], deps: Deps): Promise<number> {
  const { io } = deps;
  // --json promises one JSON document on stdout whatever happens, so it is looked for before commander parses
  // anything: `--version --json` prints the version before commander reaches --json.
  const jsonAsked = (argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv).includes("--json");
  // Node itself reads --env-file from anywhere on its command line (a NODE_OPTIONS line in that file runs code
  // before infra starts), so infra's option has another name; say so rather than "unknown option".
  const nodeOption = argv.find((a) => a === "--env-file" || a.startsWith("--env-file="));
  if (nodeOption) {
    const message =
      "--env-file is Node's own option, not infra's: Node reads it from any command line and applies the file's NODE_OPTIONS - use -f, --file <path> (or INFRA_ENV_FILE)";
    if (!jsonAsked) io.stderr(`error: ${message}\n`);
    else {
      io.stderr(`${JSON.stringify({ kind: "error", message, exitCode: ExitCode.input })}\n`);
      printJson(io, { ok: false, error: message, exitCode: ExitCode.input });
    }
    return ExitCode.input;
  }
  // With --json a command hands its one document here, printed once whatever happens next.
  let document: Record<string, unknown> | undefined;
  // What commander itself writes to stdout (help, the version) is held back under --json: the document carries it.
  let written = "";
  const run: RunState = {};
  const program = buildProgram(
    jsonAsked
      ? {
          ...deps,
          io: {
            ...io,
            stdout: (text) => {
              written += text;
            },
          },
        }
      : deps,
    (doc) => {
      document = doc;
    },
    run,
  );
  const json = () => program.opts<{ json: boolean }>().json || jsonAsked;
  let code: number;
  try {
    await program.parseAsync(argv, { from: "user" });
    io.screen?.clear();
    const asJson = program.opts<{ json: boolean }>().json;
    code = await letGo(io, asJson);
    if (asJson) printJson(io, code ? { ...document, ok: false, exitCode: code } : (document ?? { ok: true }));
    else io.stdout(written); // "--json" was the value of another option (-f --json): the command printed text
  } catch (err) {
    code = await failed(err);
  } finally {
    await run.session?.close().catch((err) => io.stderr(`warning: the sandbox did not stop cleanly: ${err}\n`));
  }
  return code;

  async function failed(err: unknown): Promise<number> {
    await letGo(io, json());
    if (err instanceof CommanderError) {
      // Commander has printed its message; help and version are successes, anything else is usage.
      // (`infra` alone shows the help too, as a usage error; `infra help [command]` asked for it: exit 0.)
      const asked =
        ["commander.helpDisplayed", "commander.version"].includes(err.code) ||
        (err.code === "commander.help" && err.exitCode === 0);
      if (json()) {
        const shown = err.code === "commander.version" ? { version: VERSION } : written ? { help: written } : {};
        printJson(
          io,
          asked
            ? { ok: true, ...shown }
            : {
                ok: false,
                // `infra` with no command: commander's message is "(outputHelp)", which says nothing.
                error:
                  err.code === "commander.help"
                    ? "no command given (infra --help lists them)"
                    : printable(err.message.replace(/^error: /, "")),
                exitCode: ExitCode.input,
              },
        );
      }
      return asked ? ExitCode.ok : ExitCode.input;
    }
    io.screen?.clear();
    const described = describeError(err, program.opts<{ verbose: boolean }>().verbose);
    const { exitCode } = described;
    const lines = described.lines.map((l) => carryInvocation(l, run.invocation));
    // A failed check, or an interrupted run that printed its partial result, has said all there is.
    const said = err instanceof CheckFailedError || (err instanceof InterruptedError && err.reported);
    if (json()) {
      // The message alone, as commander's are: "error: " is how a terminal line starts, not part of it.
      const message = lines[0]?.replace(/^error: /, "");
      if (!said) io.stderr(`${JSON.stringify({ kind: "error", message, exitCode })}\n`);
      printJson(io, { ...document, ok: false, ...(said ? {} : { error: message }), exitCode });
    } else if (!said) io.stderr(io.screen ? io.screen.fit(lines) : `${lines.join("\n")}\n`);
    return exitCode;
  }
}

/**
 * Lets go of the stack's claims at the end of a command (with a store, writing what the run recorded back to it):
 * 3 when that could not be done (another run took the claim over meanwhile, or AWS refused the write), else 0.
 */
async function letGo(io: Deps["io"], json: boolean): Promise<number> {
  let problems: string[];
  try {
    problems = await releaseClaims();
  } catch (err) {
    problems = [describeError(err, false).lines[0]?.replace(/^error: /, "") ?? String(err)];
  }
  for (const p of problems)
    io.stderr(json ? `${JSON.stringify({ kind: "error", message: p, exitCode: ExitCode.aws })}\n` : `error: ${p}\n`);
  return problems.length ? ExitCode.aws : ExitCode.ok;
}

/** What one run holds beside its options: the sandbox it opened, and where it runs (for the commands it prints). */
export interface RunState {
  session?: SandboxSession;
  invocation?: Invocation;
}

export function buildProgram(deps: Deps, result: Commands["result"] = () => {}, run: RunState = {}): Command {
  const { io } = deps;
  // What the commands run with: the caller's, or the sandbox's clients and internet under --sandbox.
  const commandDeps: Deps = { ...deps };
  const program: Command = new Command("infra")
    .description("Take a containerised web service to production on AWS, and keep it there.")
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      // Under --json stderr carries NDJSON only: the help commander shows when no command is given is one event.
      writeErr: (text) =>
        io.stderr(program.opts().json && !text.startsWith("{") ? `${JSON.stringify({ kind: "help", text })}\n` : text),
      // With --json, even commander's own complaints are NDJSON on stderr. They may quote an argument: escaped.
      outputError: (text, write) =>
        write(
          program.opts().json
            ? `${JSON.stringify({ kind: "error", message: printable(text.trim()) })}\n`
            : text.split("\n").map(printable).join("\n"),
        ),
    })
    .showSuggestionAfterError()
    // A command's help lists the options every command takes (-f, --json, --yes...) too.
    .configureHelp({ showGlobalOptions: true })
    .option(
      "-f, --file <path>",
      `the env file to read inputs from and record resources in (default: INFRA_ENV_FILE, then ${DEFAULT_ENV_FILE})`,
    )
    .option("--region <region>", "AWS region (default: AWS_REGION in the env file, then in the environment)")
    .option("--profile <name>", "AWS profile to take credentials from")
    .option("--endpoint-url <url>", "AWS-compatible endpoint: LocalStack, moto (default: AWS_ENDPOINT_URL)")
    .option("--json", "print one JSON document on stdout", false)
    .option("--yes", "do not ask for confirmation", false)
    .option(
      "--no-wait",
      "start what takes long, record it and return (exit 0) without waiting; run the same command without it to finish",
    )
    .option(
      "--timeout <duration>",
      "limit for each wait, and for each AWS call with its retries (90s, 15m, 1h); deploy and rollback size theirs from the stack's settings, dr-drill's is DR_RTO_TARGET (see their --help)",
      DEFAULT_TIMEOUT,
    )
    .option(
      "--wait-for-claim <duration>",
      "when another run holds the stack, wait up to this long for it (default 0: refuse at once, naming it)",
    )
    .option(
      "--state <url>",
      "keep the stack's record and claim in s3://<bucket>/<key> (default: INFRA_STATE in the env file, then in the environment)",
    )
    .option("--verbose", "show stack traces of errors", false)
    .option("--sandbox", "run against a local AWS on 127.0.0.1 that needs no account (see infra sandbox --help)", false)
    .addHelpText(
      "after",
      [
        "",
        "Exit codes:",
        "  0    success",
        "  1    a verify check failed, plan --exit-code found changes, a deploy was rolled back, a drill or load test missed its targets",
        "  2    usage or input error: nothing was changed",
        "  3    AWS refused or failed (the message names the step, the resource and AWS's error code)",
        "  70   a bug in infra itself (--verbose shows the stack trace for a report)",
        "  130  interrupted (Ctrl-C or SIGTERM)",
      ].join("\n"),
    );

  // Before any command: its env file is the sandbox's exactly when --sandbox is given. Then, with --sandbox, the
  // sandbox starts, its code loaded only then (start-up stays cheap without it).
  program.hook("preAction", async (_root, action) => {
    const o = action.optsWithGlobals() as GlobalOptions & { file?: string };
    if (deps.interrupt) deps.interrupt.json = Boolean(o.json);
    if (action.parent?.name() === "sandbox") return;
    // On a terminal, what draws progress there is loaded for the commands that show progress.
    if (!o.json && !INSTANT.has(action.name())) await io.openScreen?.();
    const sandboxed = Boolean(o.sandbox);
    if (sandboxed && o.file === undefined) refuseLinkedSandboxEnvFile(SANDBOX_ENV_FILE);
    // What the commands this run prints carry: the options it was given (and the environment's equivalents), so that
    // pasted elsewhere they act on the same stack.
    const file = o.file ?? (sandboxed ? undefined : deps.env.INFRA_ENV_FILE);
    const profile = o.profile ?? deps.env.AWS_PROFILE;
    const endpointUrl = sandboxed ? undefined : opts(action).endpointUrl;
    run.invocation = {
      ...(sandboxed ? { sandbox: { urlVariable: SANDBOX_URL_VARIABLE } } : {}),
      ...(file ? { file } : {}),
      ...(o.region ? { region: o.region } : {}),
      ...(profile && !sandboxed ? { profile } : {}),
      ...(endpointUrl ? { endpointUrl } : {}),
    };
    commandDeps.invocation = run.invocation;
    await checkEnvFileFor(sandboxed ? (o.file ?? SANDBOX_ENV_FILE) : opts(action).envFile, sandboxed);
    if (!sandboxed) return;
    if (action.name() === "load-test") {
      throw new InputError("load-test sends real requests to the stack's endpoint, and the sandbox's stack has none");
    }
    const { openSandbox } = await import("../sandbox/session.js");
    run.session = await openSandbox({
      env: deps.env,
      envFile: o.file ?? SANDBOX_ENV_FILE,
      defaultEnvFile: o.file === undefined,
      ...(o.endpointUrl ? { endpointUrl: o.endpointUrl } : {}),
      ...(o.profile ? { profile: o.profile } : {}),
      ...(o.region ? { region: o.region } : {}),
    });
    Object.assign(commandDeps, run.session.deps);
    if (!o.json && run.session.statePath)
      io.stderr(`sandbox: a local AWS at ${run.session.url}, its account in ${run.session.statePath}\n`);
  });

  const opts = (cmd: Command) => {
    const o = cmd.optsWithGlobals() as GlobalOptions & { file?: string };
    if (run.session) return { ...o, envFile: o.file ?? SANDBOX_ENV_FILE, endpointUrl: run.session.url };
    // Environment variables are read from deps.env, not by commander: tests pass their own environment.
    return {
      ...o,
      envFile: o.file ?? deps.env.INFRA_ENV_FILE ?? DEFAULT_ENV_FILE,
      endpointUrl: o.endpointUrl ?? deps.env.AWS_ENDPOINT_URL,
    };
  };
  const resourceHelp = `resources: all, ${RESOURCE_NAMES.join(", ")}`;
  const commands: Commands = {
    program,
    deps: commandDeps,
    opts,
    resourceHelp,
    result,
    // What `--help` and the start of every command load is the commands' definitions: an action's module (most of
    // infra) is loaded only when that command runs.
    lazy:
      (load, name) =>
      async (...args) =>
        (await loadActions(load, name))[name](commands, ...(args as never[])),
  };
  registerLifecycle(commands);
  registerRelease(commands);
  registerInspection(commands);
  registerRecovery(commands);
  registerLoadTest(commands);
  registerIamPolicy(commands);
  registerSandbox(commands);
  registerState(commands);
  return program;
}

/**
 * An action's module. One that does not load is infra's own file missing or broken (an install cut short, or
 * replaced under a running command): neither AWS's failure nor the input's, and said so.
 */
async function loadActions<M>(load: () => Promise<M>, name: string): Promise<M> {
  try {
    return await load();
  } catch (err) {
    throw unloadable(err, name);
  }
}
