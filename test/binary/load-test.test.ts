// `infra load-test` as a user runs it: the built binary, a real SIGINT, real exit codes. The load goes to a
// server on the loopback address that the test starts; --no-sample keeps AWS out of it.
import type { ChildProcess } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempEnvFile } from "../helpers.js";
import { startServer, type TestServer } from "../load/server.js";
import { runBinary } from "./support.js";

let server: TestServer;
let envPath: string;

beforeEach(async () => {
  server = await startServer();
  envPath = tempEnvFile();
});
afterEach(() => server.close());

const args = (...more: string[]) => [
  "load-test",
  "-f",
  envPath,
  "--target",
  server.origin,
  "--outside-stack",
  "--yes",
  "--no-sample",
  ...more,
];

describe("infra load-test, through the real binary", () => {
  it("on Ctrl-C stops sending, prints the partial report and exits 130", async () => {
    let child: ChildProcess | undefined;
    server.onRequest = (n) => {
      if (n === 10) child?.kill("SIGINT");
    };

    const result = await runBinary(args("--rate", "20", "--duration", "10s"), {
      onSpawn: (c) => {
        child = c;
      },
    });

    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted: cleaning up \(Ctrl-C again stops at once\)/);
    expect(result.stdout).toMatch(/^ {2}interrupted after [\d.]+ s: what was measured until then$/m);
    const sent = Number(/^Requests {4}(\d+) sent/m.exec(result.stdout)?.[1]);
    expect(sent).toBeGreaterThanOrEqual(10);
    expect(sent).toBeLessThan(200);
    expect(result.stdout).toMatch(/^ {2}total +[\d.]+ m?s/m);
    // What it reports as sent reached the server, but for requests cancelled on their way out.
    expect(server.count()).toBeGreaterThanOrEqual(10);
    expect(server.count()).toBeLessThanOrEqual(sent);
  });

  it("exits 1 when --expect is missed and 0 when it holds", async () => {
    const missed = await runBinary(
      args("--path", "/slow", "--rate", "10", "--duration", "500ms", "--expect", "p50<10ms"),
    );
    const held = await runBinary(args("--rate", "10", "--duration", "500ms", "--expect", "p99<5s,errors<1%", "--json"));

    expect(missed.code).toBe(1);
    expect(missed.stdout).toMatch(/\[FAIL\] p50<10ms/);
    expect(held.code).toBe(0);
    expect(JSON.parse(held.stdout)).toMatchObject({ ok: true, requests: { sent: 5, answered: 5 } });
  });

  it("refuses a malformed --expect with exit 2 before sending anything", async () => {
    const result = await runBinary(args("--expect", "p99 under 500ms"));

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --expect p99 under 500ms is not <metric><op><value>/m);
    expect(server.count()).toBe(0);
  });
});
