// The AWS reads behind a load test's sampling, each bounded: one call, or at most PAGES pages, and an abort
// signal that carries its time limit. ALB metrics come from GetMetricData on the load balancer and target group
// dimensions; alarms by name prefix; what happened since the start from DescribeScalingActivities and
// DescribeAlarmHistory (state updates to ALARM), whose order AWS does not promise.
import { DescribeScalingActivitiesCommand } from "@aws-sdk/client-application-auto-scaling";
import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import type { AlarmEvaluation } from "./observation.js";
import type { AlbKeys, ServiceKeys } from "./stack-keys.js";

const PAGES = 3;

export interface AlbSample {
  /** The newest minute with data, or undefined when CloudWatch has none for the last 5 minutes. */
  minute?: string;
  requests?: number;
  targetResponseMs?: number;
  targetP99Ms?: number;
  target5xx?: number;
  elb5xx?: number;
}

/** Up to PAGES pages of a paged read. */
async function pages<T>(read: (token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < PAGES; page++) {
    const { items, next } = await read(token);
    all.push(...items);
    token = next;
    if (!token) break;
  }
  return all;
}

export async function serviceCounts(ctx: Context, service: ServiceKeys, abortSignal: AbortSignal) {
  const ecs = await ctx.aws.ecs();
  const command = new DescribeServicesCommand({ cluster: service.cluster, services: [service.name] });
  const svc = (await ecs.send(command, { abortSignal })).services?.[0];
  if (!svc) throw new Error(`service ${service.name} not found in cluster ${service.cluster}`);
  return { desired: svc.desiredCount ?? 0, running: svc.runningCount ?? 0, pending: svc.pendingCount ?? 0 };
}

/** The newest minute CloudWatch has for the ALB: requests, target response time (average, p99) and 5xx. */
export async function albMetrics(ctx: Context, alb: AlbKeys, abortSignal: AbortSignal): Promise<AlbSample> {
  const lb = { Name: "LoadBalancer", Value: alb.loadBalancer };
  const tg = { Name: "TargetGroup", Value: alb.targetGroup };
  const query = (Id: string, MetricName: string, Stat: string, withTargetGroup = true): MetricDataQuery => ({
    Id,
    MetricStat: {
      Metric: { Namespace: "AWS/ApplicationELB", MetricName, Dimensions: withTargetGroup ? [lb, tg] : [lb] },
      Period: 60,
      Stat,
    },
  });
  const now = ctx.clock.now();
  const cloudwatch = await ctx.aws.cloudwatch();
  const out = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now - 5 * 60_000),
      EndTime: new Date(now),
      ScanBy: "TimestampDescending",
      MetricDataQueries: [
        query("requests", "RequestCount", "Sum"),
        query("trtavg", "TargetResponseTime", "Average"),
        query("trtp99", "TargetResponseTime", "p99"),
        query("target5xx", "HTTPCode_Target_5XX_Count", "Sum"),
        // The ALB's own 5xx are published per load balancer only.
        query("elb5xx", "HTTPCode_ELB_5XX_Count", "Sum", false),
      ],
    }),
    { abortSignal },
  );
  const results = out.MetricDataResults ?? [];
  // The newest value of each: a minute with no 5xx has no data point, so each is taken on its own.
  const latest = (id: string) => {
    const r = results.find((x) => x.Id === id);
    const newest = (r?.Timestamps ?? []).reduce((best, t, i) => (+t > +(r?.Timestamps?.[best] ?? 0) ? i : best), 0);
    return r?.Values?.[newest];
  };
  const minute = results.flatMap((r) => r.Timestamps ?? []).sort((a, b) => +b - +a)[0];
  const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1000));
  const values = {
    requests: latest("requests"),
    targetResponseMs: ms(latest("trtavg")),
    targetP99Ms: ms(latest("trtp99")),
    target5xx: latest("target5xx"),
    elb5xx: latest("elb5xx"),
  };
  const present = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  return { ...(minute ? { minute: new Date(minute).toISOString() } : {}), ...present };
}

/** The stack's alarms: how many are in each state, and how long each must breach to fire. */
export async function alarmStates(ctx: Context, prefixes: string[], abortSignal: AbortSignal) {
  const cloudwatch = await ctx.aws.cloudwatch();
  const all: MetricAlarm[] = [];
  for (const prefix of prefixes)
    all.push(
      ...(await pages(async (NextToken) => {
        const command = new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, MaxRecords: 100, NextToken });
        const out = await cloudwatch.send(command, { abortSignal });
        return { items: out.MetricAlarms ?? [], ...(out.NextToken ? { next: out.NextToken } : {}) };
      })),
    );
  const inState = (s: string) => all.filter((a) => a.StateValue === s);
  const states = {
    inAlarm: inState("ALARM").map((a) => a.AlarmName as string),
    ok: inState("OK").length,
    insufficientData: inState("INSUFFICIENT_DATA").length,
  };
  return { states, evaluations: all.flatMap(evaluationOf) };
}

/** An alarm's period and the datapoints it needs; without DatapointsToAlarm, every evaluation period must breach. */
function evaluationOf(a: MetricAlarm): AlarmEvaluation[] {
  const period = a.Period ?? a.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period;
  const datapoints = a.DatapointsToAlarm ?? a.EvaluationPeriods;
  if (!a.AlarmName || !period || !datapoints) return [];
  return [{ name: a.AlarmName, periodMs: period * 1000, datapoints }];
}

/** What Application Auto Scaling did to the service since `since`, oldest first. */
export async function scalingActivities(ctx: Context, service: ServiceKeys, since: Date, abortSignal: AbortSignal) {
  const autoscaling = await ctx.aws.autoscaling();
  const found = await pages(async (NextToken) => {
    const command = new DescribeScalingActivitiesCommand({
      ServiceNamespace: "ecs",
      ResourceId: `service/${service.cluster}/${service.name}`,
      ScalableDimension: "ecs:service:DesiredCount",
      NextToken,
    });
    const out = await autoscaling.send(command, { abortSignal });
    return { items: out.ScalingActivities ?? [], ...(out.NextToken ? { next: out.NextToken } : {}) };
  });
  return found
    .filter((a) => (a.StartTime?.getTime() ?? 0) >= since.getTime())
    .sort((a, b) => (a.StartTime?.getTime() ?? 0) - (b.StartTime?.getTime() ?? 0))
    .map((a) => ({
      at: a.StartTime?.toISOString() ?? "",
      description: a.Description ?? "",
      cause: a.Cause ?? "",
      status: a.StatusCode ?? "",
    }));
}

/** The stack's alarms that went to ALARM between `since` and `until`, in time order. */
export async function alarmsFired(
  ctx: Context,
  prefixes: string[],
  since: Date,
  until: Date,
  abortSignal: AbortSignal,
) {
  const cloudwatch = await ctx.aws.cloudwatch();
  const items = await pages(async (NextToken) => {
    const command = new DescribeAlarmHistoryCommand({
      HistoryItemType: "StateUpdate",
      StartDate: since,
      EndDate: until,
      ScanBy: "TimestampAscending",
      MaxRecords: 100,
      NextToken,
    });
    const out = await cloudwatch.send(command, { abortSignal });
    return { items: out.AlarmHistoryItems ?? [], ...(out.NextToken ? { next: out.NextToken } : {}) };
  });
  return items
    .filter((item) => prefixes.some((p) => item.AlarmName?.startsWith(p)))
    .map((item) => ({ item, to: newState(item.HistoryData, item.HistorySummary) }))
    .filter(({ to }) => to.value === "ALARM")
    .sort((a, b) => (a.item.Timestamp?.getTime() ?? 0) - (b.item.Timestamp?.getTime() ?? 0))
    .map(({ item, to }) => ({
      name: item.AlarmName as string,
      at: item.Timestamp?.toISOString() ?? "",
      reason: to.reason,
    }));
}

/** The state an alarm history item moved to: from its JSON data, else from its summary ("... to ALARM"). */
function newState(data: string | undefined, summary: string | undefined): { value: string; reason: string } {
  try {
    const parsed = JSON.parse(data ?? "") as { newState?: { stateValue?: string; stateReason?: string } };
    if (parsed.newState?.stateValue)
      return { value: parsed.newState.stateValue, reason: parsed.newState.stateReason ?? "" };
  } catch {}
  return { value: summary?.split(" to ").at(-1) ?? "", reason: "" };
}
