#!/bin/sh
//bin/sh -c :; exec node -- "$0" "$@"
// The `infra` executable: real stdio, the process environment, and exit codes.
//
// The two lines above start it through Node's `--`: Node reads its own env-file flag from anywhere on its command
// line, ours included, and would apply a NODE_OPTIONS line of that file (running code) before infra could refuse the
// flag; after `--` it reads nothing. For sh the second line runs /bin/sh -c : and then Node on this file (npm links
// it into node_modules/.bin as a symlink: Node follows it); for JavaScript it is a comment.
import { main } from "./commands/program.js";
import { type Terminal, terminalIo } from "./commands/render.js";
import { ExitCode } from "./core/errors.js";
import { releaseClaims, releaseClaimsNow } from "./core/held-claims.js";
import { Interrupt } from "./core/interrupt.js";

// The SDK's notice that its releases after January 2027 need Node 22 is not the user's concern on each run:
// the dependencies here are pinned (see README, "Requirements").
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// `infra create all | head` closes the pipe early: that is the reader's choice, not a reason to stop half-way
// through a change. Once a stream's reader is gone, what would go to it is dropped and the command runs to its end.
const gone = { stdout: false, stderr: false };
for (const name of ["stdout", "stderr"] as const) {
  process[name].on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE" && err.code !== "EIO") throw err; // EIO: the terminal it wrote to is gone
    gone[name] = true;
  });
}
const write = (name: "stdout" | "stderr", text: string) => {
  if (!gone[name]) process[name].write(text);
};

// However the process ends (Ctrl-C exits at once), the stack claim it holds on the env file goes with it.
process.on("exit", releaseClaimsNow);

/** A stream's terminal, when it writes to one that can be drawn on (TERM=dumb moves no cursor). */
const terminalOf = (stream: NodeJS.WriteStream): Terminal | undefined =>
  stream.isTTY && process.env.TERM !== "dumb"
    ? {
        get columns() {
          return stream.columns || 80;
        },
        get rows() {
          return stream.rows || 24;
        },
        onResize: (listener) => void stream.on("resize", listener),
        colour: !process.env.NO_COLOR,
      }
    : undefined;

const stdoutTerminal = terminalOf(process.stdout);
const stderrTerminal = terminalOf(process.stderr);
const io = terminalIo({
  stdout: (text) => write("stdout", text),
  stderr: (text) => write("stderr", text),
  ...(stdoutTerminal ? { stdoutTerminal } : {}),
  ...(stderrTerminal ? { stderrTerminal } : {}),
  stdinIsTTY: Boolean(process.stdin.isTTY),
  ask: async (question) => {
    // Loaded when a question is asked: most runs never ask, and every run would pay for loading it.
    const { createInterface } = await import("node:readline/promises");
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    // On a terminal, readline takes Ctrl-C as a key (the process gets no signal) and rejects the question: it stops
    // infra as Ctrl-C does anywhere else (exit 130). Ctrl-D, the end of input, is no answer: not yes.
    rl.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
    try {
      return await rl.question(question);
    } catch (err) {
      if ((err as Error).name === "AbortError") return "";
      throw err;
    } finally {
      rl.close();
    }
  },
});

// Ctrl-C, SIGTERM (a CI job cancelled, `timeout`, `docker stop`) and SIGHUP (the terminal closed, an SSH session
// dropped) are one thing: stop, after the cleanup a guarded command does (a drill deleting its temporary database),
// with the same answer and exit code, letting go of the stack's claim rather than leaving it to its lease. (Node
// resets SIGHUP to the system's default as it starts, whatever its parent set: `nohup` does not keep a Node program
// going; tmux or screen do.)
const interrupt = new Interrupt();
let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  const by = signal === "SIGINT" ? "interrupted" : `interrupted (${signal})`;
  if (interrupt.handle()) {
    const again = signal === "SIGINT" ? "Ctrl-C again" : `${signal} or Ctrl-C`;
    io.stderr(interrupt.notice(`${by}: cleaning up (${again} stops at once)`));
    return;
  }
  // A second one does not wait for the first's letting go: exiting drops the local claims (releaseClaimsNow), and
  // what was said and printed the first time is not said again (--json's one document).
  if (stopping) process.exit(ExitCode.interrupted);
  stopping = true;
  // The env file is only ever replaced by rename, so stopping here loses nothing. What was in progress is not. A
  // claim kept in a store outlives the process unless let go (its lease would hold the stack for minutes): a few
  // seconds for that, then exit.
  io.screen?.clear();
  io.stderr(interrupt.notice(by));
  io.stdout(interrupt.document());
  const patience = new Promise((resolve) => setTimeout(resolve, 3_000).unref());
  void Promise.race([releaseClaims().catch(() => []), patience]).then(() => process.exit(ExitCode.interrupted));
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));

// Done: a credential lookup still waiting on an instance metadata endpoint that never answers must not hold the
// process open. Exit once what was written has been flushed. (Not a top-level await: the executable is CommonJS,
// see bundle.mjs.)
const flushed = (name: "stdout" | "stderr", then: () => void) => (gone[name] ? then() : process[name].write("", then));
let answered = false;
void main(process.argv.slice(2), { env: process.env, interrupt, io }).then((code) => {
  answered = true;
  process.exitCode = code;
  flushed("stdout", () => flushed("stderr", () => process.exit(code)));
});

// The command's work ended with nothing left to wait for and no answer: a promise that never settles, a bug. Node
// would exit 0 in silence, as if the command had done its job.
process.on("beforeExit", () => {
  if (answered) return;
  const message = "a bug in infra: the command stopped with nothing left to wait for, and no answer";
  if (interrupt.json) {
    io.stderr(`${JSON.stringify({ kind: "error", message, exitCode: ExitCode.bug })}\n`);
    io.stdout(`${JSON.stringify({ ok: false, error: message, exitCode: ExitCode.bug }, null, 2)}\n`);
  } else io.stderr(`error: ${message} - report it with the command you ran\n`);
  process.exit(ExitCode.bug);
});
