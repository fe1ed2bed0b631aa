// The lifecycle a user goes through, each step a process of the built binary against the recording proxy: what it
// exited with, the calls it made (all, and those that change something), and how long it took. The deploy's health
// probe (HEALTH_CHECK_URL) goes to a local server: a path that answers 200, and for the failed deploy one that
// answers 503.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { ProxiedCall, RecordingProxy } from "./proxy.js";

/** The built binary: beside this file once built (dist/conformance/), or in dist/ seen from the source. */
export const CLI = fileURLToPath(
  new URL(import.meta.url.includes("/dist/") ? "../bin/infra.js" : "../dist/bin/infra.js", import.meta.url),
);

export interface Step {
  name: string;
  args: string[];
  /** The exit code a conforming endpoint gives (README, "Exit codes"). */
  expected: number;
  /** A step that must change nothing: any mutating call is a failure of the step. */
  readOnly?: boolean;
  /** Where the deploy's probe goes for this step. */
  health?: "healthy" | "failing";
}

export const STEPS: readonly Step[] = [
  { name: "create all", args: ["create", "all", "--yes"], expected: 0 },
  { name: "verify", args: ["verify", "all"], expected: 0, readOnly: true },
  { name: "status", args: ["status"], expected: 0, readOnly: true },
  { name: "create all (no-op)", args: ["create", "all"], expected: 0, readOnly: true },
  // Two deploys, so that rollback has a known-good revision before the current one on an endpoint that never
  // reports targets healthy (create's own revision is known good only once its targets were).
  { name: "deploy", args: ["deploy", "--image", ":v1"], expected: 0, health: "healthy" },
  { name: "deploy again", args: ["deploy", "--image", ":v2"], expected: 0, health: "healthy" },
  { name: "failed deploy", args: ["deploy", "--image", ":v3"], expected: 1, health: "failing" },
  { name: "rollback", args: ["rollback"], expected: 0, health: "healthy" },
  { name: "destroy all", args: ["destroy", "all", "--yes"], expected: 0 },
  { name: "recreate", args: ["create", "all", "--yes"], expected: 0 },
  { name: "destroy", args: ["destroy", "all", "--yes"], expected: 0 },
];

export interface StepResult {
  step: Step;
  exitCode: number | null;
  calls: ProxiedCall[];
  ms: number;
  stdout: string;
  stderr: string;
}

export interface Run {
  proxy: RecordingProxy;
  envFile: string;
  cwd: string;
  /** The process environment: credentials for the endpoint, nothing of this machine's AWS setup. */
  env: Record<string, string>;
  health: HealthServer;
}

export async function runStep(run: Run, step: Step): Promise<StepResult> {
  if (step.health) setEnvLine(run.envFile, "HEALTH_CHECK_URL", run.health.url(step.health));
  const before = run.proxy.calls.length;
  const started = performance.now();
  // --json: events on stderr and the result on stdout as data, for the report to read what each step said.
  const args = ["-f", run.envFile, "--endpoint-url", run.proxy.url, "--json", ...step.args];
  const { code, stdout, stderr } = await runCli(args, run);
  return {
    step,
    exitCode: code,
    calls: run.proxy.calls.slice(before),
    ms: performance.now() - started,
    stdout,
    stderr,
  };
}

function runCli(args: string[], run: Run): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: run.cwd, env: run.env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/** Sets one KEY="value" line of the env file (between steps: no infra process holds it then). */
export function setEnvLine(path: string, key: string, value: string): void {
  const lines = readFileSync(path, "utf8").split("\n");
  const at = lines.findIndex((l) => l.startsWith(`${key}=`));
  const line = `${key}="${value}"`;
  if (at >= 0) lines[at] = line;
  else lines.splice(lines.at(-1) === "" ? lines.length - 1 : lines.length, 0, line);
  writeFileSync(path, lines.join("\n"));
}

export interface HealthServer {
  url(kind: "healthy" | "failing"): string;
  close(): Promise<void>;
}

/** Answers /healthy with 200 and anything else with 503. */
export async function startHealthServer(): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const ok = req.url === "/healthy";
    res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" });
    res.end(ok ? "ok\n" : "unavailable\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (kind) => `http://127.0.0.1:${port}/${kind}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
