// What `infra load-test` reads from AWS while it runs, against the AWS fake: the service's task counts, the
// ALB's metrics, the alarms, and afterwards what auto scaling did and which alarms fired. The load itself goes
// to a loopback server; the stack sampled is the one the env file records.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnvFile } from "../../src/core/env-file.js";
import { Interrupt } from "../../src/core/interrupt.js";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { unmodeled } from "../../src/sandbox/aws/errors.js";
import { runCli, tempEnvFile, useFake } from "../helpers.js";
import { startServer, type TestServer } from "./server.js";

const fake = useFake();
let server: TestServer;
const SERVICE = "service/startupwebapp-cluster/startupwebapp-service";
const EVERY_MS = 100;

beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());

/** The whole stack, made through the CLI. */
async function stack(f: AwsFake): Promise<string> {
  f.route53.addZone("startupwebapp.com");
  const path = tempEnvFile();
  const created = await runCli(["create", "all", "--file", path], f);
  expect(created.code, created.stderr).toBe(0);
  return path;
}

const loadTest = (path: string, args: string[] = []) =>
  runCli(
    [
      "load-test",
      "-f",
      path,
      "--target",
      server.origin,
      "--outside-stack",
      "--yes",
      "--rate",
      "20",
      "--duration",
      "1s",
      ...args,
    ],
    fake.current,
    {},
    { sampleEveryMs: EVERY_MS },
  );

/** The report with its wrapped lines joined, for sentences that may wrap at 80 columns. */
const unwrapped = (text: string) => text.replace(/\n {12}/g, " ").replace(/\n {4}(?=\S)/g, " ");
const calls = (op: string) => fake.current.calls.filter((c) => c.op === op).length;

describe("infra load-test sampling the stack", () => {
  it("samples task counts, ALB metrics and alarms, and reports the scaling and the alarm the load caused", async () => {
    const path = await stack(fake.current);
    const env = await EnvFile.load(path);
    const dimensions = [
      { Name: "LoadBalancer", Value: env.get("ALB_ARN")?.split(":loadbalancer/")[1] as string },
      { Name: "TargetGroup", Value: env.get("TARGET_GROUP_ARN")?.split(":").at(-1) as string },
    ];
    const before = fake.current.calls.length;
    // Halfway through, a minute later in AWS: the ALB reports slow answers, the p95 alarm fires and the CPU
    // policy scales the service out.
    server.onRequest = (n) => {
      if (n !== 10) return;
      const f = fake.current;
      f.clock.advance(60_000);
      const at = f.clock.now() - 30_000;
      f.cloudwatch.metrics.publish("AWS/ApplicationELB", "TargetResponseTime", dimensions, 1.5, at);
      f.cloudwatch.metrics.publish("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dimensions, 4, at);
      f.cloudwatch.setState("startupwebapp-latency-p95", "ALARM", "Threshold Crossed: 1.5 > 1");
      f.autoscaling.activities.scale(
        SERVICE,
        3,
        "monitor alarm TargetTracking-AlarmHigh in state ALARM triggered policy startupwebapp-cpu-scaling",
      );
    };

    const { code, stdout } = await loadTest(path, ["--json", "--observe", "0"]);

    expect(code).toBe(0);
    const { sampling } = JSON.parse(stdout);
    const samples = sampling.samples as {
      service: { desired: number };
      alb: { targetResponseMs?: number };
      alarms: { inAlarm: string[] };
    }[];
    expect(samples[0]?.service.desired).toBe(2);
    expect(samples[0]?.alarms.inAlarm).toEqual([]);
    expect(samples.at(-1)?.service.desired).toBe(3);
    expect(samples.at(-1)?.alb).toMatchObject({ targetResponseMs: 1500, targetP99Ms: 1500, target5xx: 4 });
    expect(samples.at(-1)?.alarms.inAlarm).toEqual(["startupwebapp-latency-p95"]);
    expect(sampling.autoScaling).toMatchObject({
      acted: true,
      activities: [{ description: "Setting desired count to 3." }],
    });
    expect(sampling.alarmsFired).toEqual([
      { name: "startupwebapp-latency-p95", at: expect.any(String), reason: "Threshold Crossed: 1.5 > 1" },
    ]);
    expect(sampling.notes).toEqual([]);
    // Bounded: one read of each kind per sample (one DescribeAlarms per prefix), at most one sample per interval.
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples.length).toBeLessThanOrEqual(1000 / EVERY_MS + 1);
    const since = fake.current.calls.slice(before);
    const count = (op: string) => since.filter((c) => c.op === op).length;
    expect([count("DescribeServices"), count("GetMetricData"), count("DescribeAlarms")]).toEqual([
      samples.length,
      samples.length,
      2 * samples.length,
    ]);
    expect([count("DescribeScalingActivities"), count("DescribeAlarmHistory")]).toEqual([1, 1]);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });

  it("does not say auto scaling did not act after a load shorter than its scale-out alarm needs", async () => {
    // Given a load of 30 s in AWS's time, shorter than the 3 datapoints of 60 s target tracking's alarm needs,
    const path = await stack(fake.current);
    server.onRequest = (n) => {
      if (n === 10) fake.current.clock.advance(30_000);
    };

    // when the load test runs and watches the stack for the default window after it,
    const { code, stdout } = await loadTest(path);

    // then it samples after the load too, and says it cannot tell, rather than that nothing happened.
    expect(code).toBe(0);
    expect(stdout).toMatch(/^The stack during the load and the 210 s after it$/m);
    expect(stdout).toMatch(/^ {2}at 0 s: 2\/2 tasks running; ALB: no data in the last 5 minutes; no alarm in ALARM$/m);
    expect(stdout).toMatch(/^ {2}at 240 s \(after the load\): 2\/2 tasks running/m);
    expect(unwrapped(stdout)).toMatch(
      /^ {2}auto scaling: cannot tell whether it acts: its scale-out alarm needs 3 datapoints of 60 s above its target, and the load lasted 30 s \(run 3m or longer\)$/m,
    );
    expect(stdout).not.toMatch(/did not act/);
    expect(stdout).not.toMatch(/^ {2}no alarm fired/m);
  });

  it("says auto scaling did not act and no alarm fired only after a load long enough and the window after it", async () => {
    // Given a load of 10 minutes in AWS's time, as long as the stack's slowest alarm needs (2 datapoints of 5 min),
    const path = await stack(fake.current);
    server.onRequest = (n) => {
      if (n === 10) fake.current.clock.advance(600_000);
    };
    const before = fake.current.calls.length;

    // when the load test runs and watches the stack for 330 s after it (the alarm's 5 minutes, one sample more),
    const { code, stdout } = await loadTest(path, ["--observe", "330s"]);

    // then what auto scaling and the alarms did is read at the end of that window, and the report says so.
    expect(code).toBe(0);
    const calls = fake.current.calls.slice(before);
    const samples = calls.filter((c) => c.op === "DescribeServices").map((c) => c.at);
    const activities = calls.find((c) => c.op === "DescribeScalingActivities");
    const lastSample = samples.at(-1) as number;
    expect(lastSample - (samples[0] as number)).toBe(600_000 + 330_000);
    expect(activities?.at).toBeGreaterThanOrEqual(lastSample);
    expect(unwrapped(stdout)).toMatch(
      /^ {2}auto scaling did not act: the load lasted 600 s and the run watched 330 s after it, as long as its scale-out alarm needs \(3 datapoints of 60 s\) and one sample more$/m,
    );
    expect(unwrapped(stdout)).toMatch(
      /^ {2}no alarm fired: the load and the window after it were as long as the stack's alarms need/m,
    );
  });

  it("with --observe 0 says it did not wait long enough to know", async () => {
    const path = await stack(fake.current);
    server.onRequest = (n) => {
      if (n === 10) fake.current.clock.advance(600_000);
    };

    const { code, stdout } = await loadTest(path, ["--observe", "0"]);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^The stack during the load$/m);
    expect(stdout).not.toMatch(/after the load\)/);
    expect(unwrapped(stdout)).toMatch(
      /^ {2}auto scaling: did not wait long enough to know whether it acts: its scale-out alarm needs 3 datapoints of 60 s above its target, and the run watched 0 s after the load \(--observe 3m30s waits long enough\)$/m,
    );
    expect(unwrapped(stdout)).toMatch(/^ {2}alarms: none fired during the load; did not wait long enough to know/m);
  });

  it("reports a scaling that happened while it watched the stack after the load", async () => {
    // Given a load of 5 minutes, and a scale-out by the CPU policy once the load has ended,
    const path = await stack(fake.current);
    server.onRequest = (n) => {
      if (n === 10) fake.current.clock.advance(300_000);
    };
    let scaled = false;
    const io = {
      stderr: (text: string) => {
        if (scaled || !/sample at \d+ s \(after the load\)/.test(text)) return;
        scaled = true;
        fake.current.autoscaling.activities.scale(
          SERVICE,
          3,
          "monitor alarm TargetTracking-AlarmHigh in state ALARM triggered policy startupwebapp-cpu-scaling",
        );
      },
    };

    // when the load test runs,
    const { code, stdout } = await runCli(
      [
        "load-test",
        "-f",
        path,
        "--target",
        server.origin,
        "--outside-stack",
        "--yes",
        "--rate",
        "20",
        "--duration",
        "1s",
        "--json",
      ],
      fake.current,
      io,
      { sampleEveryMs: EVERY_MS },
    );

    // then the scaling is reported, and the samples after the load show it.
    expect(code).toBe(0);
    const { sampling } = JSON.parse(stdout);
    expect(sampling.autoScaling).toMatchObject({
      acted: true,
      known: true,
      activities: [{ description: "Setting desired count to 3." }],
    });
    expect(sampling.samples.at(-1)).toMatchObject({ afterTheLoad: true, service: { desired: 3 } });
    // The stack's alarms as DescribeAlarms shows them: target tracking's 3 x 60 s, the slowest of monitoring's 2 x 5 min.
    expect(sampling.window).toEqual({
      loadMs: 300_000,
      observedMs: 210_000,
      scaleOutMs: 180_000,
      alarmsMs: 600_000,
      alarm: expect.stringMatching(/^startupwebapp-/),
      alarmsAfterMs: 330_000,
    });
  });

  it("on Ctrl-C while it watches after the load, stops watching, reports what it saw and exits 130", async () => {
    // Given a load of 5 minutes, and Ctrl-C at the first sample after it,
    const path = await stack(fake.current);
    server.onRequest = (n) => {
      if (n === 10) fake.current.clock.advance(300_000);
    };
    const interrupt = new Interrupt();
    const io = {
      stderr: (text: string) => {
        if (/sample at \d+ s \(after the load\)/.test(text)) interrupt.handle();
      },
    };

    // when the load test runs,
    const { code, stdout } = await runCli(
      [
        "load-test",
        "-f",
        path,
        "--target",
        server.origin,
        "--outside-stack",
        "--yes",
        "--rate",
        "20",
        "--duration",
        "1s",
      ],
      fake.current,
      io,
      { sampleEveryMs: EVERY_MS, interrupt },
    );

    // then the report has the load and the one sample after it, and says it did not wait long enough to know.
    expect(code).toBe(130);
    expect(stdout.match(/\(after the load\)/g)).toHaveLength(1);
    expect(unwrapped(stdout)).toMatch(/^ {2}auto scaling: did not wait long enough to know whether it acts/m);
    expect(stdout).toMatch(/^Requests {4}20 sent, 20 answered/m);
  });

  it("says once what it cannot sample when the stack's keys are missing, and still runs the load", async () => {
    const path = tempEnvFile(); // the inputs only: no service, no load balancer recorded

    const { code, stdout, stderr } = await loadTest(path);

    expect(code).toBe(0);
    expect(stderr.match(/no ECS service recorded/g)).toHaveLength(1);
    expect(stderr.match(/no load balancer recorded/g)).toHaveLength(1);
    expect(stdout).toMatch(/^Requests {4}20 sent, 20 answered/m);
    expect(stdout).toMatch(/^ {2}note: no ECS service recorded \(ECS_CLUSTER_NAME, ECS_SERVICE_NAME\)/m);
    expect([calls("DescribeServices"), calls("GetMetricData"), calls("DescribeScalingActivities")]).toEqual([0, 0, 0]);
  });

  it("reports a read AWS refuses once, and goes on with the load and the other reads", async () => {
    const path = await stack(fake.current);
    for (let nth = 1; nth <= 20; nth++)
      fake.current.inject({
        op: "GetMetricData",
        nth,
        error: () => unmodeled("AccessDenied", "not authorized to perform: cloudwatch:GetMetricData"),
      });

    const { code, stdout, stderr } = await loadTest(path, ["--json"]);

    expect(code).toBe(0);
    expect(stderr.match(/ALB metrics not sampled/g)).toHaveLength(1);
    const doc = JSON.parse(stdout);
    expect(doc.requests.answered).toBe(20);
    expect(doc.sampling.notes).toEqual([
      expect.stringMatching(/^ALB metrics not sampled: sample ALB metrics: AccessDenied: not authorized/),
    ]);
    expect(doc.sampling.samples[0].service.desired).toBe(2);
  });

  it("does not call AWS at all with --no-sample", async () => {
    const path = await stack(fake.current);
    const before = fake.current.calls.length;

    const { code, stdout } = await loadTest(path, ["--no-sample"]);

    expect(code).toBe(0);
    expect(stdout).toMatch(/note: not sampled \(--no-sample\)/);
    expect(fake.current.calls.length).toBe(before);
  });
});
