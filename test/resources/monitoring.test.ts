import { appendFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { contextFor, INPUTS, readText, tempEnvFile, useFake } from "../helpers.js";
import { expectConvergesAfterAnyFault } from "../support/faults.js";
import { ALB_RECORDS, DASHBOARD, EMAIL, RDS, runningService, scriptsAutoScaling } from "../support/scripts-stack.js";
import {
  FULL,
  FULL_INPUTS,
  monitoring,
  monitoringState,
  NOTHING,
  planLines,
  RDS_ALARMS,
  RDS_WIDGETS,
  SERVICE_ALARMS,
  SERVICE_WIDGETS,
  TOPIC,
} from "./monitoring-support.js";

const { create, destroy, verify, plan } = monitoring;

describe("monitoring against the AWS fake", () => {
  const fake = useFake();

  it("goes create -> verify -> destroy -> recreate -> destroy, leaving one topic, one dashboard, then nothing", async () => {
    const path = tempEnvFile(FULL_INPUTS);
    for (let round = 0; round < 2; round++) {
      const ctx = await contextFor(fake.current, path);
      await create(ctx);
      expect(monitoringState(fake.current)).toEqual(FULL);
      const topicArn = [...fake.current.sns.topics.keys()][0];
      expect(ctx.env.get("SNS_TOPIC_ARN")).toBe(topicArn);
      expect(ctx.env.get("SERVICE_DASHBOARD_NAME")).toBe(DASHBOARD);
      expect(ctx.events.log.some((e) => e.kind === "warning" && e.message.includes("confirmation link"))).toBe(true);

      const pending = await verify(ctx);
      expect(pending.filter((c) => c.status !== "OK").map((c) => [c.status, c.name, c.detail])).toEqual([
        ["SKIP", `email subscription for ${EMAIL} confirmed`, "waiting for the link AWS emailed to be clicked"],
      ]);
      fake.current.sns.confirm(EMAIL);
      expect((await verify(ctx)).filter((c) => c.status !== "OK")).toEqual([]);

      await destroy(ctx);
      expect(monitoringState(fake.current)).toEqual(NOTHING);
      expect(readText(path)).toMatch(/^SNS_TOPIC_ARN=""$/m);
      expect(readText(path)).toMatch(/^SERVICE_DASHBOARD_NAME=""$/m);
    }
  });

  it("reproduces the earlier scripts' monitoring by default: their topic, their four RDS alarms as set, their dashboard name", async () => {
    const ctx = await contextFor(fake.current, tempEnvFile(FULL_INPUTS));
    await create(ctx);
    const topicArn = ctx.env.get("SNS_TOPIC_ARN");
    const alarm = (name: string) => {
      const a = fake.current.cloudwatch.alarms.get(`startupwebapp-${name}`);
      return [
        a?.MetricName,
        a?.Threshold,
        a?.ComparisonOperator,
        a?.EvaluationPeriods,
        a?.AlarmDescription,
        `${a?.Namespace} ${a?.Statistic} ${a?.Period}`,
        a?.Dimensions,
        a?.AlarmActions,
        a?.OKActions,
        a?.DatapointsToAlarm,
        a?.TreatMissingData,
      ];
    };
    const rest = [
      "AWS/RDS Average 300",
      [{ Name: "DBInstanceIdentifier", Value: RDS }],
      [topicArn],
      [],
      undefined,
      undefined,
    ];
    expect(alarm("rds-cpu-high")).toEqual([
      "CPUUtilization",
      70,
      "GreaterThanThreshold",
      2,
      "Alert when RDS CPU exceeds 70%",
      ...rest,
    ]);
    expect(alarm("rds-connections-high")).toEqual([
      "DatabaseConnections",
      80,
      "GreaterThanThreshold",
      2,
      "Alert when RDS connections exceed 80",
      ...rest,
    ]);
    expect(alarm("rds-storage-low")).toEqual([
      "FreeStorageSpace",
      2147483648,
      "LessThanThreshold",
      1,
      "Alert when RDS free storage below 2GB",
      ...rest,
    ]);
    expect(alarm("rds-memory-low")).toEqual([
      "FreeableMemory",
      524288000,
      "LessThanThreshold",
      2,
      "Alert when RDS free memory below 500MB",
      ...rest,
    ]);
    expect(topicArn).toMatch(/:startupwebapp-rds-alerts$/);
    expect([...fake.current.cloudwatch.dashboards.keys()]).toEqual(["StartupWebApp-RDS-MultiTenant"]);
  });

  it("draws its dashboard only from metrics published without Container Insights", async () => {
    await create(await contextFor(fake.current, tempEnvFile(FULL_INPUTS)));
    const body = fake.current.cloudwatch.dashboards.get(DASHBOARD)?.DashboardBody ?? "";
    const namespaces = new Set(
      JSON.parse(body).widgets.flatMap((w: { properties: { metrics: string[][] } }) =>
        w.properties.metrics.map((m) => m[0]),
      ),
    );
    expect([...namespaces].sort()).toEqual(["AWS/ApplicationELB", "AWS/ECS", "AWS/RDS"]);
    const ecsMetrics = JSON.parse(body).widgets.flatMap((w: { properties: { metrics: string[][] } }) =>
      w.properties.metrics.filter((m) => m[0] === "AWS/ECS").map((m) => m[1]),
    );
    expect(new Set(ecsMetrics)).toEqual(new Set(["CPUUtilization", "MemoryUtilization"]));
  });

  it("makes no mutating call when run again, and destroy run twice finds nothing the second time", async () => {
    const path = tempEnvFile(FULL_INPUTS);
    await create(await contextFor(fake.current, path));
    let before = fake.current.calls.length;
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(planLines((await plan(ctx)).changes)).toEqual([]);
    await destroy(ctx);
    before = fake.current.calls.length;
    await destroy(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });

  it("without a database or an email, makes the service's alarms, a topic without subscribers and the service rows", async () => {
    const ctx = await contextFor(fake.current, tempEnvFile(`${INPUTS}${ALB_RECORDS}`));
    await create(ctx);
    expect(monitoringState(fake.current)).toEqual({
      topics: [`${TOPIC} *`],
      subscriptions: [],
      alarms: SERVICE_ALARMS.map((n) => `${n} *`),
      dashboards: [`${DASHBOARD} *: ${SERVICE_WIDGETS.join(", ")}`],
    });
    expect((await verify(ctx)).filter((c) => c.status !== "OK")).toEqual([]);
  });

  it("deletes the RDS alarms it owns once RDS_INSTANCE_ID is emptied, and takes the RDS rows off the dashboard", async () => {
    const path = tempEnvFile(FULL_INPUTS);
    await create(await contextFor(fake.current, path));
    writeFileSync(path, readText(path).replace(`RDS_INSTANCE_ID="${RDS}"`, 'RDS_INSTANCE_ID=""'));
    const ctx = await contextFor(fake.current, path);

    const planned = planLines((await plan(ctx)).changes);
    const failing = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => `${c.name}: ${c.detail}`);
    const before = fake.current.calls.length;
    await create(ctx);

    const deleted = RDS_ALARMS; // in the order DescribeAlarms lists them: by name
    expect(planned).toEqual([
      `dashboard ${DASHBOARD}: widgets`,
      `dashboard ${DASHBOARD}: body`,
      ...deleted.map((n) => `delete ${n}`),
    ]);
    expect(failing).toEqual([
      expect.stringMatching(/^dashboard StartupWebApp-RDS-MultiTenant: widgets: /),
      expect.stringMatching(/^dashboard StartupWebApp-RDS-MultiTenant: body: sha256:\w+, want sha256:\w+$/),
      ...deleted.map((n) => `alarm ${n}: no longer wanted: create deletes it`),
    ]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual([
      "PutDashboard",
      "DeleteAlarms",
      "DeleteAlarms",
      "DeleteAlarms",
      "DeleteAlarms",
    ]);
    expect(monitoringState(fake.current).alarms).toEqual(SERVICE_ALARMS.map((n) => `${n} *`));
  });

  it("reports an alarm in ALARM as the stack's health, not as monitoring's state", async () => {
    const path = tempEnvFile(FULL_INPUTS);
    await create(await contextFor(fake.current, path));
    fake.current.sns.confirm(EMAIL);
    fake.current.cloudwatch.setState("startupwebapp-rds-cpu-high", "ALARM", "Threshold Crossed: 2 datapoints > 70");
    const ctx = await contextFor(fake.current, path);

    const failing = (await verify(ctx)).filter((c) => c.status !== "OK");

    expect(failing).toEqual([
      {
        resource: "monitoring",
        status: "FAIL",
        name: "alarm startupwebapp-rds-cpu-high is not in ALARM",
        detail: "Threshold Crossed: 2 datapoints > 70",
      },
    ]);
    expect((await plan(ctx)).changes.every((c) => c.action === "keep")).toBe(true);
  });

  it("never touches the alarms of the target tracking policies, and leaves them to their policies", async () => {
    await runningService();
    await scriptsAutoScaling();
    const tracking = () => [...fake.current.cloudwatch.alarms.keys()].filter((n) => n.startsWith("TargetTracking-"));
    const before = tracking();
    const ctx = await contextFor(fake.current, tempEnvFile(FULL_INPUTS));
    await create(ctx);
    await verify(ctx);
    await destroy(ctx);
    expect(tracking()).toEqual(before);
    expect(before).toHaveLength(4);
    const named = (c: { input: unknown }) => JSON.stringify(c.input).includes("TargetTracking-");
    expect(fake.current.calls.filter(named)).toEqual([]);
  });
});

/** An alarm changed by hand, field by field: what verify names, and the one call that puts it back. */
const ALARM_DRIFT: { field: string; change: (a: Record<string, unknown>) => void }[] = [
  { field: "threshold", change: (a) => Object.assign(a, { Threshold: 5 }) },
  { field: "statistic", change: (a) => Object.assign(a, { ExtendedStatistic: "p99" }) },
  { field: "period", change: (a) => Object.assign(a, { Period: 60 }) },
  { field: "evaluation periods", change: (a) => Object.assign(a, { EvaluationPeriods: 5 }) },
  { field: "datapoints to alarm", change: (a) => Object.assign(a, { DatapointsToAlarm: 3 }) },
  { field: "comparison", change: (a) => Object.assign(a, { ComparisonOperator: "GreaterThanOrEqualToThreshold" }) },
  { field: "dimensions", change: (a) => Object.assign(a, { Dimensions: [] }) },
  { field: "alarm actions", change: (a) => Object.assign(a, { AlarmActions: [] }) },
  { field: "OK actions", change: (a) => Object.assign(a, { OKActions: [] }) },
  { field: "treat missing data", change: (a) => Object.assign(a, { TreatMissingData: "breaching" }) },
  { field: "actions enabled", change: (a) => Object.assign(a, { ActionsEnabled: false }) },
  { field: "description", change: (a) => Object.assign(a, { AlarmDescription: "edited in the console" }) },
];

describe("monitoring: one desired state for plan, verify and create", () => {
  const fake = useFake();

  it.each(ALARM_DRIFT)("puts back an alarm whose $field was changed behind its back", async ({ field, change }) => {
    const path = tempEnvFile(FULL_INPUTS);
    await create(await contextFor(fake.current, path));
    change(fake.current.cloudwatch.alarms.get("startupwebapp-latency-p95") as Record<string, unknown>);
    const ctx = await contextFor(fake.current, path);

    const planned = planLines((await plan(ctx)).changes);
    const failing = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => c.name);
    const before = fake.current.calls.length;
    await create(ctx);

    expect(planned).toEqual([`alarm startupwebapp-latency-p95: ${field}`]);
    expect(failing).toEqual([`alarm startupwebapp-latency-p95: ${field}`]);
    expect(
      fake.current.mutatingCalls(before).map((c) => `${c.op} ${(c.input as { AlarmName: string }).AlarmName}`),
    ).toEqual(["PutMetricAlarm startupwebapp-latency-p95"]);
    expect(monitoringState(fake.current)).toEqual(FULL);
    const again = fake.current.calls.length;
    await create(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(again)).toEqual([]);
  });

  it("puts back a dashboard edited by hand and an email subscription removed by hand", async () => {
    const path = tempEnvFile(FULL_INPUTS);
    await create(await contextFor(fake.current, path));
    const dashboard = fake.current.cloudwatch.dashboards.get(DASHBOARD);
    if (dashboard) dashboard.DashboardBody = JSON.stringify({ widgets: [] });
    fake.current.sns.subscriptions.clear();
    const ctx = await contextFor(fake.current, path);

    const failing = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => `${c.name}: ${c.detail}`);
    const before = fake.current.calls.length;
    await create(ctx);

    expect(failing).toEqual([
      `topic ${TOPIC}: email subscription: (none), want ${EMAIL}`,
      `dashboard ${DASHBOARD}: widgets: [], want [${[...SERVICE_WIDGETS, ...RDS_WIDGETS].join(", ")}]`,
      expect.stringMatching(/^dashboard StartupWebApp-RDS-MultiTenant: body: /),
    ]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["Subscribe", "PutDashboard"]);
    expect(monitoringState(fake.current)).toEqual(FULL);
  });

  /** Each input monitoring reads: the fields plan names (verify fails on the same), and the only calls create makes. */
  const INPUT_CHANGES: { line: string; planned: string[]; failing?: string[]; calls: string[] }[] = [
    {
      line: 'ALARM_LATENCY_P95_SECONDS="2"',
      planned: ["alarm startupwebapp-latency-p95: threshold", "alarm startupwebapp-latency-p95: description"],
      calls: ["PutMetricAlarm"],
    },
    {
      line: 'ALARM_5XX_COUNT="25"',
      planned: [
        "alarm startupwebapp-alb-5xx: threshold",
        "alarm startupwebapp-alb-5xx: description",
        "alarm startupwebapp-target-5xx: threshold",
        "alarm startupwebapp-target-5xx: description",
      ],
      calls: ["PutMetricAlarm", "PutMetricAlarm"],
    },
    {
      line: 'ALARM_CPU_PERCENT="90"',
      planned: ["alarm startupwebapp-ecs-cpu-high: threshold", "alarm startupwebapp-ecs-cpu-high: description"],
      calls: ["PutMetricAlarm"],
    },
    {
      line: 'ALARM_MEMORY_PERCENT="90"',
      planned: ["alarm startupwebapp-ecs-memory-high: threshold", "alarm startupwebapp-ecs-memory-high: description"],
      calls: ["PutMetricAlarm"],
    },
    {
      line: 'ALARM_EMAIL="oncall@startupwebapp.com"',
      planned: [`topic ${TOPIC}: email subscription`],
      calls: ["Subscribe"],
    },
    {
      line: 'RDS_INSTANCE_ID="startupwebapp-multi-tenant-dr"',
      planned: [
        ...["rds-cpu-high", "rds-connections-high", "rds-storage-low", "rds-memory-low"].map(
          (n) => `alarm startupwebapp-${n}: dimensions`,
        ),
        `dashboard ${DASHBOARD}: body`,
      ],
      calls: ["PutMetricAlarm", "PutMetricAlarm", "PutMetricAlarm", "PutMetricAlarm", "PutDashboard"],
    },
    {
      line: 'ECS_SERVICE_NAME="startupwebapp-web"',
      planned: [
        "alarm startupwebapp-ecs-cpu-high: dimensions",
        "alarm startupwebapp-ecs-memory-high: dimensions",
        `dashboard ${DASHBOARD}: body`,
      ],
      calls: ["PutMetricAlarm", "PutMetricAlarm", "PutDashboard"],
    },
    {
      line: 'TARGET_GROUP_ARN="arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/startupwebapp-tg/0123456789abcdef"',
      planned: ["target-5xx", "latency-p95", "unhealthy-hosts", "no-healthy-hosts"]
        .map((n) => `alarm startupwebapp-${n}: dimensions`)
        .concat(`dashboard ${DASHBOARD}: body`),
      calls: ["PutMetricAlarm", "PutMetricAlarm", "PutMetricAlarm", "PutMetricAlarm", "PutDashboard"],
    },
    {
      line: 'CLOUDWATCH_DASHBOARD_NAME="startupwebapp-production"',
      planned: ["replace startupwebapp-production"],
      failing: ["dashboard startupwebapp-production", "dashboard startupwebapp-production: name"],
      calls: ["DeleteDashboards", "PutDashboard"],
    },
  ];

  it.each(INPUT_CHANGES)(
    "after $line, plan names the fields, verify fails on them, create changes only that",
    async ({ line, planned, calls }) => {
      const path = tempEnvFile(FULL_INPUTS);
      await create(await contextFor(fake.current, path));
      appendFileSync(path, `${line}\n`);
      const ctx = await contextFor(fake.current, path);

      const plannedNow = planLines((await plan(ctx)).changes);
      const failing = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => c.name);
      const before = fake.current.calls.length;
      await create(ctx);

      expect(plannedNow).toEqual(planned);
      expect(failing.filter((n) => !n.startsWith("dashboard ") || !planned[0]?.startsWith("replace"))).toEqual(
        planned.filter((p) => !p.startsWith("replace")),
      );
      expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(calls);
      expect((await verify(ctx)).filter((c) => c.status === "FAIL")).toEqual([]);
      const again = fake.current.calls.length;
      await create(await contextFor(fake.current, path));
      expect(fake.current.mutatingCalls(again)).toEqual([]);
    },
  );
});

describe("monitoring converges after a failure at any mutating call", () => {
  const run = async (fake: AwsFake, path: string, phase: "create" | "destroy") =>
    (phase === "create" ? create : destroy)(await contextFor(fake, path));

  it("of create, whether the call failed or only its response was lost", () =>
    expectConvergesAfterAnyFault({
      setup: async () => tempEnvFile(FULL_INPUTS),
      run: (fake, path) => run(fake, path, "create"),
      calls: ["CreateTopic", "Subscribe", ...FULL.alarms.map(() => "PutMetricAlarm"), "PutDashboard"],
      converged: (fake, _path, label) => expect(monitoringState(fake), label).toEqual(FULL),
    }));

  it("of destroy, whether the call failed or only its response was lost", () =>
    expectConvergesAfterAnyFault({
      // The subscription is confirmed: one that is not cannot be unsubscribed.
      setup: async (fake) => {
        const path = tempEnvFile(FULL_INPUTS);
        await run(fake, path, "create");
        fake.sns.confirm(EMAIL);
        return path;
      },
      run: (fake, path) => run(fake, path, "destroy"),
      calls: ["DeleteDashboards", ...FULL.alarms.map(() => "DeleteAlarms"), "Unsubscribe", "DeleteTopic"],
      converged: (fake, _path, label) => expect(monitoringState(fake), label).toEqual(NOTHING),
    }));
});
