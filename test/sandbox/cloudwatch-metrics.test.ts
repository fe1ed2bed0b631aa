// CloudWatch's GetMetricData and DescribeAlarmHistory in the fake, checked with the real SDK client: data
// published by a service, aggregated per period; an alarm's history of configuration and state changes.
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  type DescribeAlarmHistoryInput,
  GetMetricDataCommand,
  type GetMetricDataInput,
  InvalidParameterValueException,
  type MetricDataQuery,
  PutMetricAlarmCommand,
} from "@aws-sdk/client-cloudwatch";
import { describe, expect, it } from "vitest";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const cw = () => new CloudWatchClient({ region: "us-east-1" });
const LB = { Name: "LoadBalancer", Value: "app/web-alb/50dc6c495c0c9188" };
const TG = { Name: "TargetGroup", Value: "targetgroup/web-tg/73e2d6bc24d8a067" };
const MINUTE = 60_000;

const query = (Id: string, Stat: string, Dimensions = [LB, TG], Period = 60): MetricDataQuery => ({
  Id,
  MetricStat: {
    Metric: { Namespace: "AWS/ApplicationELB", MetricName: "TargetResponseTime", Dimensions },
    Period,
    Stat,
  },
});
const get = (queries: MetricDataQuery[], input: Partial<GetMetricDataInput> = {}) => {
  const now = fake.current.clock.now();
  return cw().send(
    new GetMetricDataCommand({
      MetricDataQueries: queries,
      StartTime: new Date(now - 10 * MINUTE),
      EndTime: new Date(now),
      ...input,
    }),
  );
};

/** The ALB reports response times: three in the minute before last, one in the last minute. */
function albReports() {
  const now = fake.current.clock.now();
  const minuteStart = Math.floor(now / MINUTE) * MINUTE;
  for (const [seconds, at] of [
    [0.1, minuteStart - 2 * MINUTE + 1_000],
    [0.2, minuteStart - 2 * MINUTE + 2_000],
    [0.6, minuteStart - 2 * MINUTE + 3_000],
    [0.3, minuteStart - MINUTE + 5_000],
  ] as const)
    fake.current.cloudwatch.metrics.publish("AWS/ApplicationELB", "TargetResponseTime", [TG, LB], seconds, at);
  return minuteStart;
}

describe("GetMetricData in the CloudWatch fake", () => {
  it("aggregates what was published per period, newest first, with the metric's name as label", async () => {
    fake.current.clock.advance(30_000);
    const minuteStart = albReports();

    const out = await get([
      query("avg", "Average"),
      query("most", "Maximum"),
      query("p50", "p50"),
      query("n", "SampleCount"),
    ]);

    const avg = out.MetricDataResults?.[0];
    expect(avg).toMatchObject({ Id: "avg", Label: "TargetResponseTime", StatusCode: "Complete" });
    expect(avg?.Timestamps).toEqual([new Date(minuteStart - MINUTE), new Date(minuteStart - 2 * MINUTE)]);
    expect(avg?.Values?.[0]).toBeCloseTo(0.3);
    expect(avg?.Values?.[1]).toBeCloseTo(0.3);
    expect(out.MetricDataResults?.map((r) => r.Values)).toEqual([avg?.Values, [0.3, 0.6], [0.3, 0.2], [1, 3]]);
  });

  it("finds nothing for the same metric with fewer dimensions: CloudWatch does not aggregate across them", async () => {
    albReports();

    const out = await get([query("lbonly", "Average", [LB])]);

    expect(out.MetricDataResults?.[0]).toMatchObject({ Id: "lbonly", Timestamps: [], Values: [] });
  });

  it("returns oldest first with TimestampAscending, and leaves out queries with ReturnData false", async () => {
    const minuteStart = albReports();

    const out = await get([query("avg", "Sum"), { ...query("hidden", "Sum"), ReturnData: false }], {
      ScanBy: "TimestampAscending",
    });

    expect(out.MetricDataResults?.map((r) => r.Id)).toEqual(["avg"]);
    expect(out.MetricDataResults?.[0]?.Timestamps?.[0]).toEqual(new Date(minuteStart - 2 * MINUTE));
  });

  it("refuses ids that are not lower-case first or not unique, a period that is not whole minutes, an empty window", async () => {
    const refusals = [
      get([query("Avg", "Average")]),
      get([query("avg", "Average"), query("avg", "Sum")]),
      get([query("avg", "Average", [LB, TG], 90)]),
      get([query("avg", "Average")], { EndTime: new Date(fake.current.clock.now() - 20 * MINUTE) }),
    ];

    for (const refusal of refusals) await expect(refusal).rejects.toBeInstanceOf(InvalidParameterValueException);
  });
});

describe("DescribeAlarmHistory in the CloudWatch fake", () => {
  const history = (input: DescribeAlarmHistoryInput = {}) => cw().send(new DescribeAlarmHistoryCommand(input));
  const putAlarm = () =>
    cw().send(
      new PutMetricAlarmCommand({
        AlarmName: "web-latency",
        Namespace: "AWS/ApplicationELB",
        MetricName: "TargetResponseTime",
        Dimensions: [LB, TG],
        ExtendedStatistic: "p95",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanThreshold",
      }),
    );

  it("records the creation and each change of state, newest first, with the states as JSON", async () => {
    await putAlarm();
    fake.current.clock.advance(MINUTE);
    fake.current.cloudwatch.setState("web-latency", "ALARM", "Threshold Crossed");
    fake.current.clock.advance(MINUTE);
    fake.current.cloudwatch.setState("web-latency", "OK", "Threshold no longer crossed");

    const all = await history({ AlarmName: "web-latency" });
    const states = await history({ HistoryItemType: "StateUpdate", ScanBy: "TimestampAscending" });

    expect(all.AlarmHistoryItems?.map((i) => i.HistorySummary)).toEqual([
      "Alarm updated from ALARM to OK",
      "Alarm updated from INSUFFICIENT_DATA to ALARM",
      'Alarm "web-latency" created',
    ]);
    expect(states.AlarmHistoryItems?.map((i) => JSON.parse(i.HistoryData ?? "").newState)).toEqual([
      { stateValue: "ALARM", stateReason: "Threshold Crossed" },
      { stateValue: "OK", stateReason: "Threshold no longer crossed" },
    ]);
  });

  it("keeps only the window asked for, and the history of a deleted alarm", async () => {
    await putAlarm();
    fake.current.clock.advance(MINUTE);
    const since = new Date(fake.current.clock.now());
    fake.current.cloudwatch.setState("web-latency", "ALARM");
    fake.current.cloudwatch.deleteAlarms({ AlarmNames: ["web-latency"] });

    const out = await history({ StartDate: since, EndDate: new Date(fake.current.clock.now()) });

    expect(out.AlarmHistoryItems?.map((i) => i.HistoryItemType)).toEqual(["StateUpdate", "ConfigurationUpdate"]);
  });

  it("refuses an unknown item type and more than 100 records a page", async () => {
    await expect(history({ MaxRecords: 101 })).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(history({ HistoryItemType: "Everything" as "StateUpdate" })).rejects.toBeInstanceOf(
      InvalidParameterValueException,
    );
  });
});
