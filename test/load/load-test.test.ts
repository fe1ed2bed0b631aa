// `infra load-test` in process, against a web service on the loopback address that the test starts, with known
// delays and failures: what it measures, how it fails a threshold, and what it refuses before sending anything.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Interrupt } from "../../src/core/interrupt.js";
import { runCli, tempEnvFile, useFake } from "../helpers.js";
import { closedPort, startServer, type TestServer } from "./server.js";

const fake = useFake();
let server: TestServer;
let envPath: string;

beforeEach(async () => {
  server = await startServer();
  envPath = tempEnvFile();
});
afterEach(() => server.close());

/** A load test of the test's server, without AWS sampling (sampling.test.ts covers that). */
const loadTest = (args: string[], deps = {}) =>
  runCli(
    ["load-test", "-f", envPath, "--target", server.origin, "--outside-stack", "--yes", "--no-sample", ...args],
    fake.current,
    {},
    deps,
  );
/** The report with its wrapped lines joined, for sentences that may wrap at 80 columns. */
const unwrapped = (text: string) => text.replace(/\n {12}/g, " ");
const json = async (args: string[], deps = {}) => {
  const result = await loadTest(["--json", ...args], deps);
  return { ...result, doc: JSON.parse(result.stdout) };
};

describe("infra load-test measures", () => {
  it("places p50 and p99 where a service answering 3 requests in 4 after 50 ms and the 4th after 250 ms puts them", async () => {
    const { code, doc } = await json(["--path", "/mixed", "--rate", "40", "--duration", "2s", "--connections", "40"]);

    expect(code).toBe(0);
    expect(doc.requests).toEqual({ planned: 80, sent: 80, answered: 80, failed: 0, notSent: 0, cancelled: 0 });
    expect(server.count("/mixed")).toBe(80);
    // p50 is well inside the fast 60 (one request slowed by a busy machine does not move it); p90 and p99 are in
    // the slow 20. Neither fits the other group's range.
    expect(doc.latencyMs.p50).toBeGreaterThanOrEqual(49);
    expect(doc.latencyMs.p50).toBeLessThan(200);
    expect(doc.latencyMs.p90).toBeGreaterThanOrEqual(250);
    expect(doc.latencyMs.p95).toBeGreaterThanOrEqual(250);
    expect(doc.latencyMs.p99).toBeGreaterThanOrEqual(250);
    expect(doc.latencyMs.p99).toBeLessThanOrEqual(doc.latencyMs.max);
    expect(doc.latencyMs.p99).toBeLessThan(600);
    const count = (from: number, to: number) =>
      doc.histogram
        .filter((h: { fromMs: number }) => h.fromMs >= from && h.fromMs < to)
        .reduce((n: number, h: { count: number }) => n + h.count, 0);
    // The fast 60 (a timer may fire a fraction of a millisecond early, into the 20-50 ms row), give or take a few
    // that a busy machine delays; the slow 20, and only those delays.
    expect(count(20, 200)).toBeGreaterThanOrEqual(55);
    expect(count(200, 1000)).toBeGreaterThanOrEqual(20);
    expect(count(0, 20)).toBe(0);
  });

  it("counts latency from each request's scheduled start, so a service that falls behind shows it", async () => {
    // One connection, 100 ms per answer, a request due every 50 ms: the 20th waits ~950 ms for its turn.
    const { code, doc } = await json(["--path", "/slow", "--rate", "20", "--duration", "1s", "--connections", "1"]);

    expect(code).toBe(0);
    expect(doc.requests.answered).toBe(20);
    expect(doc.latencyMs.max).toBeGreaterThanOrEqual(900); // a closed-loop measurement would say ~100 ms
    expect(doc.latencyMs.p50).toBeGreaterThanOrEqual(400);
    expect(doc.elapsedMs).toBeGreaterThanOrEqual(1900);
  });

  it("counts answers by status and failures by kind across weighted paths", async () => {
    const paths = join(dirname(envPath), "paths.txt");
    writeFileSync(paths, "# the mix\n2 /\n1 /fail\n\n1 /reset\n");

    const { code, doc } = await json(["--paths-file", paths, "--rate", "40", "--duration", "1s"]);

    expect(code).toBe(0);
    expect([server.count("/"), server.count("/fail"), server.count("/reset")]).toEqual([20, 10, 10]);
    expect(doc.status).toEqual({ 200: 20, 500: 10 });
    expect(doc.errors).toMatchObject({ total: 20, percent: 50, byStatus: { 500: 10 } });
    expect(doc.errors.byKind).toEqual({ timeout: 0, queued: 0, reset: 10, tls: 0, refused: 0, dns: 0, other: 0 });
  });

  it("counts a request with no answer within --request-timeout as a timeout, at its timeout", async () => {
    const { code, doc } = await json([
      "--path",
      "/hang",
      "--rate",
      "10",
      "--duration",
      "500ms",
      "--request-timeout",
      "300ms",
    ]);

    expect(code).toBe(0);
    expect(doc.requests).toMatchObject({ sent: 5, answered: 0, failed: 5 });
    expect(doc.errors.byKind.timeout).toBe(5);
    expect(doc.latencyMs.p50).toBeGreaterThanOrEqual(299);
  });

  it("tells TLS failures and refused connections apart", async () => {
    const tls = await loadTest(
      ["--json", "--rate", "10", "--duration", "300ms"].concat(["--target", `https://127.0.0.1:${server.port}`]),
    );
    const refused = await loadTest([
      "--json",
      "--rate",
      "10",
      "--duration",
      "300ms",
      "--target",
      `http://127.0.0.1:${await closedPort()}`,
    ]);

    expect(JSON.parse(tls.stdout).errors.byKind).toMatchObject({ tls: 3, refused: 0 });
    expect(JSON.parse(refused.stdout).errors.byKind).toMatchObject({ tls: 0, refused: 3 });
  });

  it("prints a report with percentiles and a histogram, the target named", async () => {
    const { code, stdout, stderr } = await loadTest(["--path", "/mixed", "--rate", "20", "--duration", "1s"]);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^Load test of GET http:\/\/127\.0\.0\.1:\d+\/mixed {2}\(outside this stack\)$/m);
    expect(stdout).toMatch(/^Requests {4}20 sent, 20 answered, 0 failed, 0 cancelled/m);
    expect(stdout).toMatch(/^Latency +p50 +p90 +p95 +p99 +p99\.9 +max +mean$/m);
    expect(stdout).toMatch(/^ {2}total( +[\d.]+ m?s){7}$/m);
    expect(stdout).toMatch(/^ {2}service( +[\d.]+ m?s){7}$/m);
    expect(stdout).toMatch(/^ {2}waiting( +[\d.]+ m?s){7}$/m);
    expect(stdout).toMatch(/^Latency histogram$/m);
    expect(stdout).toMatch(/^ +50 ms - 100 ms \| #+ +\d+$/m);
    expect(stdout).toMatch(/^ +200 ms - 500 ms \| #+ +\d+$/m);
    expect(stderr).toMatch(/load-test: done: 20 sent, 20 answered, 0 failed/);
  });

  it("ends its report saying plainly that every request failed, when none was answered, and still exits 0 without --expect", async () => {
    // Given a target that refuses every connection,
    const target = `http://127.0.0.1:${await closedPort()}`;

    // when a load test without --expect runs against it,
    const { code, stdout } = await loadTest(["--rate", "10", "--duration", "300ms", "--target", target]);

    // then it exits 0 as documented, and its last line says that all requests failed.
    expect(code).toBe(0);
    expect(stdout.trimEnd().split("\n").at(-1)).toBe(
      "All 3 requests failed: none was answered (refused: 3); without --expect (errors<1%, say) the exit code is 0 all the same.",
    );
  });

  it("ends its report saying that every request was an error when each was answered with an error status", async () => {
    const { code, stdout } = await loadTest(["--path", "/fail", "--rate", "10", "--duration", "300ms"]);

    expect(code).toBe(0);
    expect(stdout.trimEnd().split("\n").at(-1)).toMatch(/^All 3 requests were errors \(5\d\d: 3\); without --expect/);
  });

  it("does not say all requests failed when some were answered", async () => {
    const { stdout } = await loadTest(["--path", "/mixed", "--rate", "20", "--duration", "500ms"]);

    expect(stdout).not.toMatch(/^All \d+ requests/m);
  });

  it("with --json prints one JSON document on stdout and only JSON lines on stderr", async () => {
    const { code, stdout, stderr } = await loadTest(["--json", "--rate", "10", "--duration", "300ms"]);

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, command: "load-test", interrupted: false });
    for (const line of stderr.trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
  });
});

describe("infra load-test tells the generator's connections from the service", () => {
  it("says its own connections set the latency at 200 req/s over 2 connections to a service answering in 20 ms", async () => {
    // Given a service that answers every request in 20 ms, and a run whose 2 connections carry at most 100 req/s,
    const args = [
      "--path",
      "/delay/20",
      "--rate",
      "200",
      "--duration",
      "1s",
      "--connections",
      "2",
      "--expect",
      "p95<500ms",
    ];

    // when the load test runs,
    const { code, doc } = await json(args);
    const { stdout } = await loadTest(args);

    // then the service's own latency is shown apart from the wait for a connection, and the report says whose it is.
    expect(code).toBe(1);
    expect(doc.serviceLatencyMs.p50).toBeGreaterThanOrEqual(19);
    expect(doc.serviceLatencyMs.p95).toBeLessThan(150);
    expect(doc.connectionWaitMs.p95).toBeGreaterThan(300);
    expect(doc.connections).toMatchObject({ limit: 2, peakInUse: 2, setTheLatency: true });
    expect(doc.connections.suggested).toBeGreaterThanOrEqual(5);
    expect(stdout).toMatch(/^Connections the generator's 2 connections, not the service, set the latency/m);
    expect(unwrapped(stdout)).toMatch(/--connections \d+ would fix it/);
    expect(stdout).toMatch(/^ {2}\[FAIL\] p95<500ms \([\d.]+ m?s, set by the generator's connections\)$/m);
  });

  it("does not blame its connections when they were enough", async () => {
    const { doc, stdout } = await (async () => {
      const args = ["--path", "/delay/20", "--rate", "100", "--duration", "1s", "--connections", "20"];
      return { doc: (await json(args)).doc, stdout: (await loadTest(args)).stdout };
    })();

    expect(doc.connections).toMatchObject({ limit: 20, setTheLatency: false });
    expect(doc.connectionWaitMs.p95).toBeLessThan(doc.serviceLatencyMs.p95);
    expect(stdout).not.toMatch(/set the latency/);
    expect(stdout).toMatch(/^Connections at most \d+ of 20 in use at once/m);
  });

  it("counts as sent only what was written to a socket: what the service received, never a refused connection", async () => {
    // Given 2 connections that carry at most 100 req/s of a service answering in 20 ms, a rate of 200 req/s, and a
    // timeout of 500 ms, which the wait for a connection soon passes,
    const queued = await json(
      ["--path", "/delay/20", "--rate", "200", "--duration", "1500ms", "--connections", "2"].concat([
        "--request-timeout",
        "500ms",
      ]),
    );
    // and a port that refuses every connection,
    const target = `http://127.0.0.1:${await closedPort()}`;
    const refused = await loadTest(["--json", "--rate", "10", "--duration", "300ms", "--target", target]);

    // then "sent" is what reached a socket (what the service received), and what never did is counted apart.
    const { requests, errors } = queued.doc;
    expect(requests.sent).toBe(server.count());
    expect(requests.planned).toBe(300);
    expect(requests.sent + requests.notSent).toBe(300);
    // How many wait out their timeout in the queue depends on the machine: on a quiet one a connection frees as the
    // request on it times out, just before the next queued one's own timeout, so that one is written and times out
    // on the socket (sent, a timeout); a busy machine's late timers expire several in the queue at once (not sent,
    // queued). Either way the connections carry at most 100 req/s, so at least half fail as one or the other.
    expect(requests.answered).toBeLessThanOrEqual(200);
    expect(errors.byKind.timeout + errors.byKind.queued).toBeGreaterThanOrEqual(300 - requests.answered);
    expect(errors.byKind.queued).toBeLessThanOrEqual(requests.notSent);
    expect(JSON.parse(refused.stdout).requests).toMatchObject({ planned: 3, sent: 0, failed: 3, notSent: 3 });
  });
});

describe("infra load-test and redirects", () => {
  it("fails --expect errors<1% against a target that redirects everything, and names it as such", async () => {
    // Given a target that answers every request with a 301 to https, as the load balancer's HTTP listener does,
    const redirecting = await startServer({ redirectAll: true });
    const args = ["--target", redirecting.origin, "--rate", "10", "--duration", "500ms", "--expect", "errors<1%"];

    // when the load test runs against it with an error budget,
    const text = await loadTest(args);
    const { doc } = await json(args);
    await redirecting.close();

    // then the redirects are counted apart, are errors, and the report says no request reached the service.
    expect(text.code).toBe(1);
    expect(doc.redirects).toEqual({
      total: 5,
      byStatus: { 301: 5 },
      location: `https://127.0.0.1:${redirecting.port}/order/products`,
    });
    expect(doc.errors).toMatchObject({ total: 5, percent: 100, byStatus: { 301: 5 } });
    expect(unwrapped(text.stdout)).toMatch(
      /^Redirects {3}5 \(301: 5\) to https:\/\/127\.0\.0\.1:\d+\/order\/products, counted as errors/m,
    );
    expect(text.stdout).toMatch(/\[FAIL\] errors<1% \(100 %\)/);
    expect(unwrapped(text.stdout).trimEnd().split("\n").at(-1)).toBe(
      `Every answer was a redirect (301 to https://127.0.0.1:${redirecting.port}/order/products): this target redirects everything, so no request reached the service; aim at where it points: --target https://127.0.0.1:${redirecting.port}`,
    );
  });

  it("counts redirects as answers with --allow-redirects, still apart", async () => {
    const { code, doc } = await json(
      ["--path", "/redirect", "--path", "/", "--rate", "20", "--duration", "500ms"].concat([
        "--allow-redirects",
        "--expect",
        "errors<1%",
      ]),
    );

    expect(code).toBe(0);
    expect(doc.status).toEqual({ 200: 5, 301: 5 });
    expect(doc.redirects).toMatchObject({ total: 5, byStatus: { 301: 5 } });
    expect(doc.errors.total).toBe(0);
  });
});

describe("infra load-test --expect", () => {
  it("exits 1 and says which threshold was missed", async () => {
    const { code, stdout } = await loadTest([
      "--path",
      "/mixed",
      "--rate",
      "20",
      "--duration",
      "1s",
      "--expect",
      "p99<100ms,errors<1%",
    ]);

    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}\[FAIL\] p99<100ms \([\d.]+ ms\)$/m);
    expect(stdout).toMatch(/^ {2}\[OK {2}\] errors<1% \(0 %\)$/m);
  });

  it("exits 0 when every threshold holds, and puts the verdicts in the JSON document", async () => {
    const { code, doc } = await json(["--rate", "20", "--duration", "500ms", "--expect", "p99<2s, errors<=0, rps>1"]);

    expect(code).toBe(0);
    expect(doc.ok).toBe(true);
    expect(doc.expectations.map((v: { expectation: string; ok: boolean }) => [v.expectation, v.ok])).toEqual([
      ["p99<2s", true],
      ["errors<=0", true],
      ["rps>1", true],
    ]);
  });

  it("counts failed requests against an error budget", async () => {
    const { code, doc } = await json([
      "--path",
      "/fail",
      "--rate",
      "10",
      "--duration",
      "300ms",
      "--expect",
      "errors<1%",
    ]);

    expect(code).toBe(1);
    expect(doc.ok).toBe(false);
    expect(doc.expectations[0]).toEqual({ expectation: "errors<1%", actual: "100 %", ok: false });
  });
});

describe("infra load-test --abort-on", () => {
  it("stops sending once the errors of the last seconds pass the limit, says why, and exits 1", async () => {
    // Given a service whose every answer is a 500, and a run of 5 s that should stop above 20 % errors,
    const args = ["--path", "/fail", "--rate", "20", "--duration", "5s", "--abort-on", "errors>20%"];

    // when it runs,
    const { code, stdout } = await loadTest(args);

    // then it stopped within about a second of the first errors, far short of the 100 requests planned.
    expect(code).toBe(1);
    expect(server.count()).toBeLessThan(50);
    expect(unwrapped(stdout)).toMatch(
      /^Aborted {5}errors>20% \(100 %\) held for the requests of the last [\d.]+ s: stopped sending after [\d.]+ s$/m,
    );
  });

  it("lets a run whose errors stay under the limit go to its end", async () => {
    const { code, doc } = await json([
      "--path",
      "/mixed",
      "--rate",
      "20",
      "--duration",
      "1s",
      "--abort-on",
      "errors>20%",
    ]);

    expect(code).toBe(0);
    expect(doc.requests.sent).toBe(20);
    expect(doc.aborted).toBeNull();
  });
});

describe("infra load-test refuses, with exit 2 and nothing sent,", () => {
  const refused = [
    ["a rate of 0", ["--rate", "0"], /--rate 0 is not a number above 0/],
    ["a negative duration", ["--duration=-5s"], /--duration -5s is not a duration/],
    ["a rate above the cap", ["--rate", "500"], /--rate 500 req\/s is above the cap of 200 req\/s - pass --lift-caps/],
    ["a duration above the cap", ["--duration", "11m"], /--duration 11m is above the cap of 10m - pass --lift-caps/],
    ["more than ten minutes", ["--duration", "11m"], /--duration 11m is above the cap/],
    ["an unknown --expect metric", ["--expect", "p99<500ms,latency<3ms"], /unknown metric "latency"/],
    ["a malformed --expect", ["--expect", "p99<<500ms"], /--expect p99<<500ms is not <metric><op><value>/],
    ["a latency without a unit", ["--expect", "p99<500"], /a latency needs a unit/],
    ["an error percentage above 100", ["--expect", "errors<101%"], /--expect errors<101%: a percentage is at most 100/],
    ["a path that is not a path", ["--path", "order"], /--path: "order" is not a URL path/],
    ["a malformed --abort-on", ["--abort-on", "errors above 20%"], /--abort-on errors above 20% is not <metric><op>/],
    [
      "an --observe beside --no-sample",
      ["--observe", "5m"],
      /--observe 5m watches the stack in AWS, which --no-sample/,
    ],
    ["an --observe above 30 minutes", ["--observe", "1h"], /--observe 1h is above 30m/],
    ["a malformed --observe", ["--observe", "soon"], /--observe soon is not a duration/],
  ] as const;

  for (const [what, args, message] of refused)
    it(`${what}`, async () => {
      const { code, stderr, stdout } = await loadTest([...args]);

      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stdout).toBe("");
      expect(server.count()).toBe(0);
    });

  it("a target outside the stack without --outside-stack", async () => {
    const { code, stderr } = await runCli(
      ["load-test", "-f", envPath, "--target", server.origin, "--yes", "--no-sample"],
      fake.current,
    );

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /error: --target http:\/\/127\.0\.0\.1:\d+ is not this stack's endpoint \(API_DOMAIN_NAME=api\.startupwebapp\.com\) - pass --outside-stack/,
    );
    expect(server.count()).toBe(0);
  });

  it("no --yes when stdin is not a terminal, and no 'yes' typed when it is", async () => {
    const args = ["load-test", "-f", envPath, "--target", server.origin, "--outside-stack", "--no-sample"];
    const piped = await runCli(args, fake.current);
    const declined = await runCli(args, fake.current, { stdinIsTTY: true, ask: async () => "no" });

    expect(piped.code).toBe(2);
    expect(piped.stderr).toMatch(/load-test asks before sending load, and stdin is not a terminal - pass --yes/);
    expect(declined.code).toBe(2);
    expect(declined.stderr).toMatch(/load test cancelled: nothing was sent/);
    expect(server.count()).toBe(0);
  });

  it("no API_DOMAIN_NAME to aim at and no --target", async () => {
    const path = tempEnvFile('AWS_REGION="us-east-1"\nPROJECT_NAME="startupwebapp"\n');

    const { code, stderr } = await runCli(["load-test", "-f", path, "--yes", "--no-sample"], fake.current);

    expect(code).toBe(2);
    expect(stderr).toMatch(/load-test needs API_DOMAIN_NAME/);
  });
});

describe("infra load-test on a terminal, and on Ctrl-C", () => {
  it("asks before starting, naming the target, and starts on yes", async () => {
    const questions: string[] = [];
    const ask = async (q: string) => {
      questions.push(q);
      return "yes";
    };

    const { code } = await runCli(
      [
        "load-test",
        "-f",
        envPath,
        "--target",
        server.origin,
        "--outside-stack",
        "--no-sample",
        "--rate",
        "10",
        "--duration",
        "200ms",
      ],
      fake.current,
      { stdinIsTTY: true, ask },
    );

    expect(code).toBe(0);
    expect(questions).toEqual([`Send 2 requests to ${server.origin}? Type yes to start: `]);
    expect(server.count()).toBe(2);
  });

  it("stops at Ctrl-C, prints what it measured so far and exits 130", async () => {
    const interrupt = new Interrupt();
    server.onRequest = (n) => {
      if (n === 10) interrupt.handle();
    };

    const { code, stdout, stderr } = await loadTest(["--rate", "20", "--duration", "5s"], { interrupt });

    expect(code).toBe(130);
    expect(stdout).toMatch(/^ {2}interrupted after [\d.]+ s: what was measured until then$/m);
    const sent = Number(/^Requests {4}(\d+) sent/m.exec(stdout)?.[1]);
    expect(sent).toBeGreaterThanOrEqual(10);
    expect(sent).toBeLessThan(20);
    expect(server.count()).toBeLessThanOrEqual(sent); // a request cancelled on its way out never arrives
    expect(stderr).not.toMatch(/^error:/m);
  });

  it("with --json, an interrupted run is still exactly one JSON document", async () => {
    const interrupt = new Interrupt();
    server.onRequest = (n) => {
      if (n === 5) interrupt.handle();
    };

    const { code, doc } = await json(["--rate", "20", "--duration", "5s"], { interrupt });

    expect(code).toBe(130);
    expect(doc).toMatchObject({ ok: false, interrupted: true });
    expect(doc.requests.sent).toBeLessThan(100);
  });
});
