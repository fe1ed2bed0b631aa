// `infra load-test` as a user runs it: the built binary, a real SIGINT, real exit codes. The load goes to a
// server on the loopback address that the test starts; --no-sample keeps AWS out of it.
import type { ChildProcess } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempEnvFile } from "../helpers.js";
import { startCapacityServer, startServer, type TestServer } from "../load/server.js";
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

  it("refuses a malformed --expect, --ramp or --abort-on with exit 2 before sending anything", async () => {
    const expectation = await runBinary(args("--expect", "p99 under 500ms"));
    const ramp = await runBinary(args("--ramp", "10-100"));
    const abortOn = await runBinary(args("--abort-on", "errors>120%"));

    expect([expectation.code, ramp.code, abortOn.code]).toEqual([2, 2, 2]);
    expect(expectation.stderr).toMatch(/^error: --expect p99 under 500ms is not <metric><op><value>/m);
    expect(ramp.stderr).toMatch(/^error: --ramp 10-100 is not <from>-<to>\/<duration>/m);
    expect(abortOn.stderr).toMatch(/^error: --abort-on errors>120%: a percentage is at most 100/m);
    expect(server.count()).toBe(0);
  });

  it("applies every --abort-on given, not only the last: a run of errors stops on the first one", async () => {
    const result = await runBinary(
      args("--path", "/fail", "--rate", "20", "--duration", "5s", "--abort-on", "errors>20%", "--abort-on", "p99>100s"),
    );

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Aborted +errors>20% \(100 %\) held/m);
    expect(server.count()).toBeLessThan(50);
  });

  it("applies every --stop-when given, not only the last: a ramp of errors breaks at its first step", async () => {
    const ramp = ["--ramp", "10,20/4s", "--stop-when", "errors>20%", "--stop-when", "p99>100s", "--path", "/fail"];

    const result = await runBinary(args(...ramp));

    expect(result.stdout).toMatch(/^Limit +below 10 req\/s: the first step broke errors>20% \(100 %\)/m);
  });

  it("fails --expect errors<1% against a target that redirects everything, and names it", async () => {
    const redirecting = await startServer({ redirectAll: true });
    const result = await runBinary(
      ["load-test", "-f", envPath, "--target", redirecting.origin, "--outside-stack", "--yes", "--no-sample"].concat([
        "--rate",
        "10",
        "--duration",
        "500ms",
        "--expect",
        "errors<1%",
      ]),
    );
    await redirecting.close();

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\[FAIL\] errors<1% \(100 %\)/);
    expect(result.stdout.replace(/\n {12}/g, " ")).toMatch(
      /^Every answer was a redirect \(301 to https:\/\/127\.0\.0\.1:\d+\/order\/products\): this target redirects everything/m,
    );
  });

  it("says at --rate 200 --connections 2 that the generator's connections, not a service answering in 20 ms, set the latency", async () => {
    const result = await runBinary(
      args("--path", "/delay/20", "--rate", "200", "--duration", "1s", "--connections", "2"),
    );

    expect(result.code).toBe(0);
    const report = result.stdout.replace(/\n {12}/g, " ");
    expect(report).toMatch(/^Connections the generator's 2 connections, not the service, set the latency/m);
    expect(report).toMatch(/--connections \d+ would fix it/);
    expect(report).toMatch(/^ {2}service +[\d.]+ ms/m);
  });
});

describe("infra load-test --ramp, through the real binary, against a service that serves 60 req/s", () => {
  let capacity: TestServer;
  beforeEach(async () => {
    // Up to 40 requests wait their turn; more are refused with a 503.
    capacity = await startCapacityServer(60, 40);
  });
  afterEach(() => capacity.close());

  // A loaded machine can stall the generator, and the bursts that follow can break a step below the capacity: the
  // test is tried up to three times, and passes only on a run that finds the limit.
  it("reports the highest rate that held within 10 % of 60 req/s, and each step's latency", {
    retry: 2,
    timeout: 60_000,
  }, async () => {
    const result = await runBinary(
      ["load-test", "-f", envPath, "--target", capacity.origin, "--outside-stack", "--yes", "--no-sample"].concat([
        "--ramp",
        "55-70/20s",
        "--steps",
        "4",
        "--connections",
        "50",
      ]),
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Ramp {8}a step breaks when p95>500ms or errors>1%$/m);
    expect(result.stdout).toMatch(/^ +req\/s +sent +answered\/s +errors +p50 +p95 +p99$/m);
    expect(result.stdout).toMatch(/^ +55 +\d+ +[\d.]+ +[\d.]+ % +[\d.]+ m?s +[\d.]+ m?s +[\d.]+ m?s {2}held$/m);
    const limit = /^Limit {7}(\d+) req\/s held; the step at (\d+) req\/s broke/m.exec(result.stdout);
    expect(Number(limit?.[1])).toBeGreaterThanOrEqual(54);
    expect(Number(limit?.[1])).toBeLessThanOrEqual(66);
    expect(Number(limit?.[2])).toBe(Number(limit?.[1]) + 5);
  });
});
