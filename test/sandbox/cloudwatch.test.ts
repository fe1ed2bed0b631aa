// The CloudWatch fake behaves as AWS does (docs/aws-behaviours.md, "Application Auto Scaling" and "CloudWatch"):
// checked with the real SDK client, errors as the SDK delivers them (class, and the query wire code as Code).
import {
  CloudWatchClient,
  DashboardInvalidInputError,
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DescribeAlarmsCommand,
  type DescribeAlarmsInput,
  GetDashboardCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  ListDashboardsCommand,
  ListTagsForResourceCommand,
  MissingRequiredParameterException,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmInput,
  ResourceNotFound,
  ResourceNotFoundException,
  SetAlarmStateCommand,
  TagResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import { describe, expect, it } from "vitest";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const cw = () => new CloudWatchClient({ region: "us-east-1" });
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx";

const alarm = (input: Partial<PutMetricAlarmInput> = {}): PutMetricAlarmInput => ({
  AlarmName: "web-5xx",
  Namespace: "AWS/ApplicationELB",
  MetricName: "HTTPCode_Target_5XX_Count",
  Dimensions: [{ Name: "LoadBalancer", Value: "app/web/50dc6c495c0c9188" }],
  Statistic: "Sum",
  Period: 300,
  EvaluationPeriods: 2,
  DatapointsToAlarm: 2,
  Threshold: 10,
  ComparisonOperator: "GreaterThanThreshold",
  ...input,
});
const put = (input: Partial<PutMetricAlarmInput> = {}) => cw().send(new PutMetricAlarmCommand(alarm(input)));
/** Puts a whole alarm, with the fields left out removed from it. */
const putWithout = (...fields: (keyof PutMetricAlarmInput)[]) => {
  const input: Partial<PutMetricAlarmInput> = alarm();
  for (const f of fields) delete input[f];
  return cw().send(new PutMetricAlarmCommand(input as PutMetricAlarmInput));
};
const describeAlarms = (input: DescribeAlarmsInput = {}) => cw().send(new DescribeAlarmsCommand(input));
const described = async (name = "web-5xx") => (await describeAlarms({ AlarmNames: [name] })).MetricAlarms?.[0];
const dashboard = (name: string, body: unknown) =>
  cw().send(
    new PutDashboardCommand({
      DashboardName: name,
      DashboardBody: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
const BODY = {
  widgets: [
    { type: "metric", x: 0, y: 0, width: 12, height: 6, properties: { metrics: [["AWS/ECS", "CPUUtilization"]] } },
  ],
};

describe("CloudWatch fake: metric alarms", () => {
  it("a new alarm has no data yet", async () => {
    await put({ Tags: [{ Key: "ManagedBy", Value: "infra" }] });
    const now = new Date(fake.current.clock.now());
    expect(await described()).toEqual({
      ...alarm(),
      AlarmArn: ARN,
      ActionsEnabled: true,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      StateValue: "INSUFFICIENT_DATA",
      StateReason: "Unchecked: Initial alarm creation",
      StateUpdatedTimestamp: now,
      StateTransitionedTimestamp: now,
      AlarmConfigurationUpdatedTimestamp: now,
    });
  });

  it("PutMetricAlarm replaces the whole configuration and keeps the state", async () => {
    await put({ AlarmDescription: "5xx", TreatMissingData: "notBreaching", AlarmActions: [TOPIC], OKActions: [TOPIC] });
    fake.current.cloudwatch.setState("web-5xx", "ALARM");
    fake.current.clock.advance(60_000);
    await put({ Threshold: 20 });
    const updated = await described();
    expect(updated).toMatchObject({ Threshold: 20, AlarmActions: [], OKActions: [], StateValue: "ALARM" });
    expect(updated).not.toHaveProperty("AlarmDescription");
    expect(updated).not.toHaveProperty("TreatMissingData");
    expect(updated?.AlarmConfigurationUpdatedTimestamp?.getTime()).toBe(fake.current.clock.now());
    expect(updated?.StateUpdatedTimestamp?.getTime()).toBe(fake.current.clock.now() - 60_000);
  });

  it("takes the tags of a put only when it creates the alarm", async () => {
    await put({ Tags: [{ Key: "ManagedBy", Value: "infra" }] });
    await put({ Tags: [{ Key: "Other", Value: "x" }] });
    await cw().send(new TagResourceCommand({ ResourceARN: ARN, Tags: [{ Key: "Env", Value: "production" }] }));
    expect((await cw().send(new ListTagsForResourceCommand({ ResourceARN: ARN }))).Tags).toEqual([
      { Key: "ManagedBy", Value: "infra" },
      { Key: "Env", Value: "production" },
    ]);
  });

  it.each([
    ["no threshold", () => putWithout("Threshold"), MissingRequiredParameterException, "MissingParameter"],
    ["no statistic", () => putWithout("Statistic"), MissingRequiredParameterException, "MissingParameter"],
    ["no namespace", () => putWithout("Namespace"), MissingRequiredParameterException, "MissingParameter"],
    [
      "a statistic and an extended statistic",
      () => put({ ExtendedStatistic: "p95" }),
      InvalidParameterCombinationException,
      "InvalidParameterCombination",
    ],
    [
      "0 evaluation periods",
      () => put({ EvaluationPeriods: 0 }),
      InvalidParameterValueException,
      "InvalidParameterValue",
    ],
    [
      "more datapoints than evaluation periods",
      () => put({ DatapointsToAlarm: 3 }),
      InvalidParameterValueException,
      "InvalidParameterValue",
    ],
    [
      "an unknown comparison",
      () => put({ ComparisonOperator: "Above" as never }),
      InvalidParameterValueException,
      "InvalidParameterValue",
    ],
    [
      "an unknown TreatMissingData",
      () => put({ TreatMissingData: "zero" }),
      InvalidParameterValueException,
      "InvalidParameterValue",
    ],
    ["a period of 45 s", () => put({ Period: 45 }), InvalidParameterValueException, "InvalidParameterValue"],
    [
      "an action that is no ARN",
      () => put({ AlarmActions: ["alerts"] }),
      InvalidParameterValueException,
      "InvalidParameterValue",
    ],
    [
      "a topic in another region",
      () => put({ AlarmActions: ["arn:aws:sns:eu-west-1:123456789012:alerts"] }),
      InvalidParameterValueException,
      "InvalidParameterValue",
    ],
  ])("PutMetricAlarm refuses %s", async (_case, send, cls, code) => {
    const err = await send().catch((e) => e);
    expect(err).toBeInstanceOf(cls);
    expect(err.Code).toBe(code);
    expect(fake.current.cloudwatch.alarms.size).toBe(0);
  });

  it("takes a percentile as an extended statistic", async () => {
    await put({ Statistic: undefined, ExtendedStatistic: "p95", AlarmActions: [TOPIC] });
    expect(await described()).toMatchObject({ ExtendedStatistic: "p95", AlarmActions: [TOPIC] });
    expect(await described()).not.toHaveProperty("Statistic");
  });

  it("a metric math alarm needs exactly one query that returns data", async () => {
    const stat = (id: string, metric: string) => ({
      Id: id,
      ReturnData: false,
      MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: metric }, Period: 60, Stat: "Sum" },
    });
    const base = {
      AlarmName: "error-rate",
      EvaluationPeriods: 3,
      Threshold: 5,
      ComparisonOperator: "GreaterThanThreshold" as const,
    };
    const expression = { Id: "rate", Expression: "100 * errors / requests" };
    const twoReturn = cw().send(
      new PutMetricAlarmCommand({ ...base, Metrics: [{ ...stat("errors", "E"), ReturnData: true }, expression] }),
    );
    await expect(twoReturn).rejects.toBeInstanceOf(InvalidParameterValueException);
    const withMetricName = cw().send(
      new PutMetricAlarmCommand({ ...base, MetricName: "E", Metrics: [stat("errors", "E"), expression] }),
    );
    await expect(withMetricName).rejects.toBeInstanceOf(InvalidParameterCombinationException);
    await cw().send(
      new PutMetricAlarmCommand({ ...base, Metrics: [stat("errors", "E"), stat("requests", "R"), expression] }),
    );
    expect((await described("error-rate"))?.Metrics).toHaveLength(3);
  });

  it("DescribeAlarms of unknown names is an empty list", async () => {
    expect((await describeAlarms({ AlarmNames: ["nope"] })).MetricAlarms).toEqual([]);
  });

  it("DescribeAlarms filters by name prefix and state, sorted by name, in pages", async () => {
    for (const name of ["web-c", "web-a", "web-b", "db-a"]) await put({ AlarmName: name });
    fake.current.cloudwatch.setState("web-b", "ALARM");
    const first = await describeAlarms({ AlarmNamePrefix: "web-", MaxRecords: 2 });
    expect(first.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["web-a", "web-b"]);
    const second = await describeAlarms({ AlarmNamePrefix: "web-", MaxRecords: 2, NextToken: first.NextToken });
    expect(second.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["web-c"]);
    expect(second.NextToken).toBeUndefined();
    const alarming = await describeAlarms({ StateValue: "ALARM" });
    expect(alarming.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["web-b"]);
    await expect(describeAlarms({ MaxRecords: 101 })).rejects.toBeInstanceOf(InvalidParameterValueException);
  });

  it("SetAlarmState changes the state, and refuses an alarm that does not exist", async () => {
    await put();
    await cw().send(new SetAlarmStateCommand({ AlarmName: "web-5xx", StateValue: "OK", StateReason: "test" }));
    expect(await described()).toMatchObject({ StateValue: "OK", StateReason: "test" });
    const missing = cw().send(new SetAlarmStateCommand({ AlarmName: "nope", StateValue: "OK", StateReason: "x" }));
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFound);
  });

  it("DeleteAlarms ignores alarms that do not exist", async () => {
    await put();
    await cw().send(new DeleteAlarmsCommand({ AlarmNames: ["web-5xx", "nope"] }));
    await cw().send(new DeleteAlarmsCommand({ AlarmNames: ["web-5xx"] }));
    expect((await describeAlarms()).MetricAlarms).toEqual([]);
  });
});

describe("CloudWatch fake: dashboards", () => {
  it("PutDashboard creates or replaces, and GetDashboard returns the body exactly as stored", async () => {
    const body = ` ${JSON.stringify(BODY, null, 2)}\n`;
    expect((await dashboard("web", body)).DashboardValidationMessages).toEqual([]);
    const got = await cw().send(new GetDashboardCommand({ DashboardName: "web" }));
    expect(got).toMatchObject({
      DashboardName: "web",
      DashboardArn: "arn:aws:cloudwatch::123456789012:dashboard/web",
      DashboardBody: body,
    });
    await dashboard("web", { widgets: [] });
    expect((await cw().send(new GetDashboardCommand({ DashboardName: "web" }))).DashboardBody).toBe('{"widgets":[]}');
  });

  it("takes PutDashboard's tags only when it creates the dashboard, and deletes them with it", async () => {
    const ResourceARN = "arn:aws:cloudwatch::123456789012:dashboard/web";
    const tagsOf = async () => (await cw().send(new ListTagsForResourceCommand({ ResourceARN }))).Tags;
    const put = (Tags: { Key: string; Value: string }[]) =>
      cw().send(new PutDashboardCommand({ DashboardName: "web", DashboardBody: JSON.stringify(BODY), Tags }));
    await put([{ Key: "ManagedBy", Value: "infra" }]);
    await put([{ Key: "Other", Value: "x" }]);
    await cw().send(new TagResourceCommand({ ResourceARN, Tags: [{ Key: "Env", Value: "production" }] }));
    expect(await tagsOf()).toEqual([
      { Key: "ManagedBy", Value: "infra" },
      { Key: "Env", Value: "production" },
    ]);
    await cw().send(new DeleteDashboardsCommand({ DashboardNames: ["web"] }));
    await expect(tagsOf()).rejects.toBeInstanceOf(ResourceNotFoundException);
    await cw().send(new PutDashboardCommand({ DashboardName: "web", DashboardBody: JSON.stringify(BODY) }));
    expect(await tagsOf()).toEqual([]);
  });

  it.each([
    ["is not JSON", "{widgets:"],
    ["has no widgets array", { widgets: {} }],
    ["has a widget without properties", { widgets: [{ type: "metric" }] }],
    ["has a widget wider than 24", { widgets: [{ type: "text", width: 25, properties: { markdown: "x" } }] }],
  ])("a dashboard body that %s is InvalidParameterInput", async (_case, body) => {
    const err = await dashboard("web", body).catch((e) => e);
    expect(err).toBeInstanceOf(DashboardInvalidInputError);
    expect(err.Code).toBe("InvalidParameterInput");
    expect(err.dashboardValidationMessages?.length).toBeGreaterThan(0);
    expect(fake.current.cloudwatch.dashboards.size).toBe(0);
  });

  it("GetDashboard of a dashboard that does not exist is ResourceNotFound", async () => {
    const err = await cw()
      .send(new GetDashboardCommand({ DashboardName: "web" }))
      .catch((e) => e);
    expect(err).toBeInstanceOf(ResourceNotFound);
    expect(err.name).toBe("ResourceNotFound");
  });

  it("DeleteDashboards with one missing dashboard deletes none", async () => {
    await dashboard("web", BODY);
    const mixed = cw().send(new DeleteDashboardsCommand({ DashboardNames: ["web", "nope"] }));
    await expect(mixed).rejects.toBeInstanceOf(ResourceNotFound);
    expect(fake.current.cloudwatch.dashboards.has("web")).toBe(true);
    await cw().send(new DeleteDashboardsCommand({ DashboardNames: ["web"] }));
    expect(fake.current.cloudwatch.dashboards.size).toBe(0);
  });

  it("ListDashboards filters by name prefix", async () => {
    for (const name of ["web-ops", "web-biz", "db"]) await dashboard(name, BODY);
    const listed = await cw().send(new ListDashboardsCommand({ DashboardNamePrefix: "web-" }));
    expect(listed.DashboardEntries?.map((d) => d.DashboardName)).toEqual(["web-biz", "web-ops"]);
    expect(listed.DashboardEntries?.[0]).toMatchObject({
      DashboardArn: "arn:aws:cloudwatch::123456789012:dashboard/web-biz",
      Size: JSON.stringify(BODY).length,
    });
  });
});
