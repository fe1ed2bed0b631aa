// Running the built `infra` the way a user does: a real process, its own argv, stdin, environment and exit code.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/bin/infra.js", import.meta.url));
/** How the entry point is run with node: after `--`, so Node takes none of infra's arguments as its own. */
export const NODE_ARGS = ["--", CLI];

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** An environment with no AWS credentials and no real home folder: nothing of this machine's AWS setup leaks in. */
export function isolatedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), "infra-home-"));
  return {
    PATH: process.env.PATH ?? "",
    HOME: home,
    AWS_CONFIG_FILE: join(home, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
    ...extra,
  };
}

export function runBinary(
  args: string[],
  opts: {
    env?: Record<string, string>;
    cwd?: string;
    input?: string;
    nodeArgs?: string[];
    /** The running process, for a test that signals it (Ctrl-C is SIGINT). */
    onSpawn?: (child: ChildProcess) => void;
    /** Kills it (SIGKILL) if it runs longer: a hang shows as signal SIGKILL rather than a test left waiting. */
    killAfterMs?: number;
  } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...NODE_ARGS, ...args], {
      env: opts.env ?? isolatedEnv(),
      cwd: opts.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    opts.onSpawn?.(child);
    const timer =
      opts.killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), opts.killAfterMs);
    child.stdin.end(opts.input ?? "");
    collected(child).then((result) => {
      clearTimeout(timer);
      resolve(result);
    }, reject);
  });
}

/** What a started process writes to stdout and stderr, and how it ends. */
export function collected(child: ChildProcess): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += d;
    });
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Endpoints that take every connection and never write a byte (a broken proxy, a stuck emulator or metadata
 * service), each at its own URL; `close` ends them and their connections (after each test).
 */
export function silentEndpoints() {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  return {
    async open(): Promise<string> {
      const server = createServer((socket) => sockets.push(socket));
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    },
    close() {
      for (const s of sockets.splice(0)) s.destroy();
      for (const s of servers.splice(0)) s.close();
    },
  };
}

export interface RunningBinary {
  child: ChildProcess;
  /** What it has written so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when stdout or stderr matches (rejects if the process ends first). */
  waitFor(pattern: RegExp, stream?: "stdout" | "stderr"): Promise<RegExpMatchArray>;
  /** Resolves with how it ended. */
  ended: Promise<ProcessResult>;
}

/** The binary, started and left running: for signals (Ctrl-C, kill) and long-running commands. */
export function startBinary(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): RunningBinary {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    env: opts.env ?? isolatedEnv(),
    cwd: opts.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { stdout: "", stderr: "" };
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  child.stdout?.on("data", (d) => {
    out.stdout += d;
    notify();
  });
  child.stderr?.on("data", (d) => {
    out.stderr += d;
    notify();
  });
  const ended = new Promise<ProcessResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({ code, signal, ...out });
      notify();
    });
  });
  const waitFor = (pattern: RegExp, stream?: "stdout" | "stderr") =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const text = stream ? out[stream] : `${out.stdout}\n${out.stderr}`;
        const m = text.match(pattern);
        if (m) {
          listeners.delete(check);
          resolve(m);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(check);
          reject(new Error(`infra ${args.join(" ")} ended before printing ${pattern}:\n${out.stdout}\n${out.stderr}`));
        }
      };
      listeners.add(check);
      check();
    });
  return { child, output: () => ({ ...out }), waitFor, ended };
}
