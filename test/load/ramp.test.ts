// `infra load-test --ramp`: the steps it reads from the options, how it judges each step and finds the limit, and
// a ramp against a service on the loopback address that serves 60 requests a second and refuses the rest.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Measurements } from "../../src/load/measure.js";
import { type LoadOptions, type LoadPlan, planLoad } from "../../src/load/plan.js";
import { RampJudge } from "../../src/load/ramp-judge.js";
import { rampLines } from "../../src/load/report-ramp.js";
import { runCli, tempEnvFile, useFake } from "../helpers.js";
import { startCapacityServer, startServer, type TestServer } from "./server.js";

const env = (values: Record<string, string>) => ({ get: (key: string) => values[key] });
const STACK = { API_DOMAIN_NAME: "api.startupwebapp.com" };
const options = (o: Partial<LoadOptions>): LoadOptions => ({ connections: "10", requestTimeout: "10s", ...o });
const rates = (plan: LoadPlan) => plan.steps.map((s) => s.rate);

describe("the ramp's steps", () => {
  it("climb from <from> to <to> in ten even steps over the duration, or in --steps", async () => {
    const ten = await planLoad(options({ ramp: "10-100/5m" }), env(STACK));
    const four = await planLoad(options({ ramp: "10-100/5m", steps: "4" }), env(STACK));

    expect(rates(ten)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(ten.steps.every((s) => s.durationMs === 30_000)).toBe(true);
    expect(ten).toMatchObject({ rate: 100, durationMs: 300_000, total: 16_500 });
    expect(rates(four)).toEqual([10, 40, 70, 100]);
    expect(four.steps[0]?.durationMs).toBe(75_000);
  });

  it("can be named one by one, each held an equal share of the time", async () => {
    const plan = await planLoad(options({ ramp: "10,20,40,80/2m" }), env(STACK));

    expect(plan.steps).toEqual([
      { rate: 10, durationMs: 30_000 },
      { rate: 20, durationMs: 30_000 },
      { rate: 40, durationMs: 30_000 },
      { rate: 80, durationMs: 30_000 },
    ]);
    expect(plan.ramp?.stopWhen.map((e) => e.text)).toEqual(["p95>500ms", "errors>1%"]);
  });
});

/** A judge of a ramp of 10, 20, 30 req/s, 1 s each, breaking on p95>100ms. */
async function judgeOf(latencies: number[][]) {
  const plan = await planLoad(options({ ramp: "10,20,30/3s", stopWhen: "p95>100ms" }), env(STACK));
  const judge = new RampJudge({ ...plan, ramp: plan.ramp as NonNullable<LoadPlan["ramp"]> });
  for (const [step, values] of latencies.entries()) {
    const m = judge.steps[step] as Measurements;
    for (const ms of values) {
      m.using(1);
      m.written(0);
      m.answer(200, ms, ms, 2);
      judge.settled(step);
    }
  }
  return judge;
}
const steady = (n: number, ms: number) => Array.from({ length: n }, () => ms);

describe("the ramp's judge", () => {
  it("reports the highest rate that held below the step that broke, and stops there", async () => {
    const judge = await judgeOf([steady(10, 20), steady(20, 30), steady(30, 400)]);

    const outcome = judge.outcome();

    expect(outcome).toMatchObject({ held: 20, broke: { rate: 30 }, brokenByConnections: false });
    expect(outcome.steps.map((s) => s.verdict)).toEqual(["held", "held", "broke"]);
    expect(judge.stop()).toBe("the step at 30 req/s broke p95>100ms (400 ms)");
    expect(rampLines(outcome)).toEqual([
      "Ramp        a step breaks when p95>100ms",
      "    req/s    sent answered/s   errors       p50       p95       p99",
      "       10      10         10      0 %     20 ms     20 ms     20 ms  held",
      "       20      20         20      0 %     30 ms     30 ms     30 ms  held",
      "       30      30         30      0 %    400 ms    400 ms    400 ms  broke",
      "Limit       20 req/s held; the step at 30 req/s broke p95>100ms (400 ms)",
    ]);
  });

  it("says the limit is above the top when every step held, and below the first when it broke", async () => {
    const held = (await judgeOf([steady(10, 20), steady(20, 20), steady(30, 20)])).outcome();
    const first = (await judgeOf([steady(10, 400)])).outcome();

    expect(held).toMatchObject({ held: 30, broke: null });
    expect(rampLines(held).at(-1)).toBe(
      "Limit       above 30 req/s: every step held (raise the ramp's top to find it)",
    );
    expect(first).toMatchObject({ held: null, broke: { rate: 10 } });
    expect(first.steps.map((s) => s.verdict)).toEqual(["broke", "not judged", "not judged"]);
    expect(rampLines(first).at(-1)).toBe("Limit       below 10 req/s: the first step broke p95>100ms (400 ms)");
    // The steps it never reached are named in one line, not drawn as rows of zeros.
    expect(rampLines(first).slice(2, -1)).toEqual([
      "       10      10         10      0 %    400 ms    400 ms    400 ms  broke",
      "  not run: 20, 30 req/s",
    ]);
  });

  it("does not judge a step before every request it sent has settled", async () => {
    const judge = await judgeOf([steady(9, 400)]);

    expect(judge.stop()).toBeUndefined();
    expect(judge.outcome()).toMatchObject({ held: null, broke: null });
  });
});

const fake = useFake();
let server: TestServer | undefined;
let envPath: string;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const origin = () => (server as TestServer).origin;
const received = () => (server as TestServer).count();

describe("infra load-test --ramp against a service that serves 60 requests a second", () => {
  beforeEach(async () => {
    // Up to 40 requests wait their turn (two thirds of a second: room for the bursts of a busy test machine); more
    // are refused with a 503.
    server = await startCapacityServer(60, 40);
    envPath = tempEnvFile();
  });

  // A loaded machine can stall the generator for a third of a second, and the bursts that follow can break a step
  // below the capacity: the test is tried up to three times, and passes only on a run that finds the limit.
  it("reports a limit within 10 % of 60 req/s, with each step's latency curve, and stops at the step that broke", {
    retry: 2,
  }, async () => {
    // Given a ramp from 55 to 70 req/s in steps of 5, 5 s each, stopping when p95>500ms or errors>1% (the default),
    // over enough connections that the service, not the generator, holds what waits,
    const args = ["load-test", "-f", envPath, "--target", origin(), "--outside-stack", "--yes", "--no-sample"].concat([
      "--connections",
      "50",
    ]);

    // when it runs,
    const { code, stdout } = await runCli([...args, "--json", "--ramp", "55-70/20s", "--steps", "4"], fake.current);

    // then the highest rate that held is within 10 % of the service's capacity, the next step broke, and no
    // step after it was sent in full.
    expect(code).toBe(0);
    const { ramp, requests } = JSON.parse(stdout);
    expect(ramp.held).toBeGreaterThanOrEqual(54);
    expect(ramp.held).toBeLessThanOrEqual(66);
    expect(ramp.broke.rate).toBe(ramp.held + 5);
    expect(ramp.broke.on.length).toBeGreaterThan(0);
    const steps = ramp.steps as { rate: number; verdict: string; latencyMs: { p50: number; p95: number } }[];
    expect(steps.filter((s) => s.verdict === "held").map((s) => s.rate)).toEqual(
      [55, 60, 65].filter((r) => r <= ramp.held),
    );
    for (const step of steps.filter((s) => s.verdict !== "not judged")) expect(step.latencyMs.p95).toBeGreaterThan(0);
    expect(requests.sent).toBe(received());
    // No step after the one that broke was judged (when 70 broke, it was the last, and every step was sent).
    expect(steps.filter((s) => s.rate > ramp.broke.rate).map((s) => s.verdict)).toEqual(
      steps.filter((s) => s.rate > ramp.broke.rate).map(() => "not judged"),
    );
    if (ramp.broke.rate < 70) expect(requests.sent).toBeLessThan(requests.planned);
  });
});

describe("infra load-test --ramp refuses, with exit 2 and nothing sent,", () => {
  beforeEach(async () => {
    server = await startServer();
    envPath = tempEnvFile();
  });

  const refused = [
    ["a ramp that does not rise", ["--ramp", "100-10/1m"], /--ramp 100-10\/1m: the rates must rise/],
    ["a ramp whose steps last less than a second", ["--ramp", "10-20/5s"], /each of its 10 steps would last 500 ms/],
    ["a malformed ramp", ["--ramp", "10..20/1m"], /--ramp 10\.\.20\/1m is not <from>-<to>\/<duration>/],
    ["a ramp above the rate cap", ["--ramp", "10-500/1m"], /--ramp 10-500\/1m: 500 req\/s is above the cap/],
    ["--rate beside --ramp", ["--ramp", "10-20/1m", "--rate", "5"], /--ramp sets the rate and the duration itself/],
    ["--expect beside --ramp", ["--ramp", "10-20/1m", "--expect", "p99<1s"], /--expect judges a run at one rate/],
    ["--stop-when without --ramp", ["--stop-when", "p95>1s"], /--stop-when p95>1s needs --ramp/],
    ["--steps beside a list of rates", ["--ramp", "10,20/1m", "--steps", "3"], /names its steps already/],
    ["a malformed --stop-when", ["--ramp", "10-20/1m", "--stop-when", "p95 > slow"], /--stop-when p95 > slow is not/],
  ] as const;

  for (const [what, args, message] of refused)
    it(`${what}`, async () => {
      const { code, stderr, stdout } = await runCli(
        ["load-test", "-f", envPath, "--target", origin(), "--outside-stack", "--yes", "--no-sample", ...args],
        fake.current,
      );

      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stdout).toBe("");
      expect(received()).toBe(0);
    });
});
