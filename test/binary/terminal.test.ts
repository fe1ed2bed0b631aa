// The real binary on a real terminal: a pseudo-terminal 80 columns wide (util-linux `script`), its output replayed
// on a terminal emulator of the same width, as a person would have seen it.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EmulatedTerminal } from "../support/terminal.js";
import { CLI, isolatedEnv, runBinary } from "./support.js";

const hasScript = spawnSync("script", ["--version"]).status === 0;

/** Whether text sets a foreground colour: red, green or yellow (the cursor's movements and erasures are not colour). */
const coloured = (text: string) => ["\x1b[31m", "\x1b[32m", "\x1b[33m"].some((code) => text.includes(code));

/** Each test runs the sandbox in two processes on the real clock: room for a loaded machine. */
const SLOW = 120_000;

/** `infra <args>` started on a pseudo-terminal of that width (util-linux `script`), typed into when `typing`. */
function pseudoTerminal(args: string[], cwd: string, env: Record<string, string>, columns: number, typing = false) {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(" ");
  return spawn("script", ["-qec", `stty cols ${columns} rows 30; exec ${quoted}`, "/dev/null"], {
    cwd,
    env: { ...env, TERM: "xterm-256color" },
    stdio: [typing ? "pipe" : "ignore", "pipe", "inherit"],
  });
}

/** A folder of its own holding a sandbox with a load balancer, and how to read that load balancer's status. */
async function sandboxWithLoadBalancer() {
  const cwd = mkdtempSync(join(tmpdir(), "infra-tty-"));
  const env = isolatedEnv();
  expect((await runBinary(["--sandbox", "create", "alb"], { cwd, env })).code).toBe(0);
  const albOf = async () => {
    const status = await runBinary(["--sandbox", "status", "--json"], { cwd, env });
    return JSON.parse(status.stdout).resources.find((r: { resource: string }) => r.resource === "alb");
  };
  return { cwd, env, albOf };
}

/**
 * `infra <args>` on a pseudo-terminal of that width; what it wrote there, and its exit code. With `answer`, what a
 * person types once the question shows.
 */
function onPty(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  columns = 80,
  answer?: { to: RegExp; typed: string },
) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = pseudoTerminal(args, cwd, env, columns, Boolean(answer));
    let output = "";
    let answered = false;
    child.stdout?.on("data", (d) => {
      output += d;
      if (answer && !answered && answer.to.test(output)) {
        answered = true;
        child.stdin?.write(answer.typed);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** Whether a process of that pid is still there. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function screen(output: string, columns = 80) {
  const term = new EmulatedTerminal(columns);
  term.write(output);
  return term.read();
}

describe.skipIf(!hasScript)("the binary on a terminal 80 columns wide", () => {
  it("given create all then status, then nothing wraps, no wait is left on the screen, marks are coloured, and status is one line per resource", {
    timeout: SLOW,
  }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), "infra-tty-"));
    const env = isolatedEnv();

    const created = await onPty(["--sandbox", "create", "all"], cwd, env);
    const status = await onPty(["--sandbox", "status"], cwd, env);

    expect(created.code).toBe(0);
    const rows = await screen(created.output);
    expect(rows.filter((r) => r.wrapped)).toEqual([]);
    expect(rows.filter((r) => r.text.startsWith("… "))).toEqual([]);
    expect(rows.some((r) => r.text.startsWith("Took "))).toBe(true);
    expect(created.output).toContain("\x1b[32m+\x1b[39m alb: load balancer startupwebapp-alb");
    expect(status.code).toBe(0);
    const table = await screen(status.output);
    expect(table.filter((r) => r.wrapped)).toEqual([]);
    for (const name of ["alb", "acm-certificate", "ecs-service-task-definition", "ecs-service", "monitoring"])
      expect(
        table.filter((r) => r.text.startsWith(`${name} `)),
        name,
      ).toHaveLength(1);
  });

  it("given a load balancer, when destroy asks on the terminal and yes is typed, then it is destroyed", {
    timeout: SLOW,
  }, async () => {
    const { cwd, env, albOf } = await sandboxWithLoadBalancer();

    const destroyed = await onPty(["--sandbox", "destroy", "alb"], cwd, env, 80, {
      to: /Type yes to go on: /,
      typed: "yes\r",
    });

    expect(destroyed.code).toBe(0);
    expect(destroyed.output).toMatch(/Destroy alb recorded in .*\? Type yes to go on: /);
    expect((await albOf()).exists).toBe("no");
  });

  it("given a load balancer, when destroy asks and Ctrl-D or Ctrl-C is typed, then nothing is destroyed: Ctrl-D answers no, Ctrl-C interrupts", {
    timeout: SLOW,
  }, async () => {
    const { cwd, env, albOf } = await sandboxWithLoadBalancer();
    const question = /Type yes to go on: /;
    const before = await albOf();

    const endOfInput = await onPty(["--sandbox", "destroy", "alb"], cwd, env, 80, { to: question, typed: "\x04" });
    const ctrlC = await onPty(["--sandbox", "destroy", "alb"], cwd, env, 80, { to: question, typed: "\x03" });

    expect(endOfInput.code).toBe(2);
    expect(endOfInput.output).toMatch(/error: destroy cancelled: nothing was changed/);
    expect(ctrlC.code).toBe(130);
    expect(ctrlC.output).toMatch(/^interrupted/m);
    for (const run of [endOfInput, ctrlC]) expect(run.output).not.toMatch(/AbortError|run infra/);
    expect(before.exists).not.toBe("no");
    expect(await albOf()).toEqual(before);
  });

  it("given create all on a terminal, when the terminal goes away (its hang-up), then no claim nor lock is left", {
    timeout: SLOW,
  }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), "infra-tty-"));
    const terminal = pseudoTerminal(["--sandbox", "create", "all"], cwd, isolatedEnv(), 80);
    let output = "";
    await new Promise<void>((resolve) =>
      terminal.stdout?.on("data", (d) => {
        output += d;
        if (output.includes("… ")) resolve(); // a wait in progress: the stack is claimed
      }),
    );
    const claim = join(cwd, "aws-resources.sandbox.env.run.lock");
    const { pid } = JSON.parse(readFileSync(claim, "utf8")) as { pid: number };

    // The terminal's end closes the pseudo-terminal: the kernel hangs up on infra (SIGHUP).
    terminal.kill("SIGKILL");
    const deadline = Date.now() + 20_000;
    while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    expect(isRunning(pid)).toBe(false);
    expect(readdirSync(cwd).filter((f) => f.includes(".lock") || f.endsWith(".tmp"))).toEqual([]);
    const status = await runBinary(["--sandbox", "status", "--json"], { cwd, env: isolatedEnv() });
    expect(status.code).toBe(0);
  });

  it("given NO_COLOR, then the same terminal gets no colour; and off a terminal there is none either", {
    timeout: SLOW,
  }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), "infra-tty-"));
    const env = isolatedEnv();

    const plain = await onPty(["--sandbox", "create", "alb"], cwd, { ...env, NO_COLOR: "1" });
    const piped = await runBinary(["--sandbox", "verify", "alb"], { cwd, env });

    expect(plain.code).toBe(0);
    expect(plain.output).toMatch(/\+ alb: load balancer startupwebapp-alb/);
    expect(coloured(plain.output)).toBe(false);
    expect(piped.stdout).toMatch(/^\[OK {2}\] alb: /m);
    expect(`${piped.stdout}${piped.stderr}`).not.toContain("\x1b");
  });
});
