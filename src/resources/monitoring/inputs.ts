// What PutMetricAlarm is sent for each alarm, and the one projection of it into the fields plan, verify and status
// show. DescribeAlarms answers under the same names, so the same projection reads what exists, and a parameter sent
// but not projected cannot hide from plan. Pure (type imports only): `plan` builds it with no SDK loaded.
import type { MetricAlarm, PutMetricAlarmCommandInput } from "@aws-sdk/client-cloudwatch";
import { type Fields, isPending, type Ref, ref, type Value } from "../../state/model.js";
import type { AlarmSpec } from "./alarms.js";

/** PutMetricAlarm's parameters, less its tags; the actions may name the topic before it exists (Ref). */
export type AlarmInput = Omit<PutMetricAlarmCommandInput, "Tags" | "AlarmActions" | "OKActions"> & {
  AlarmActions?: (string | Ref)[];
  OKActions?: (string | Ref)[];
};

/** p95, tm90, wm99.5...: an extended statistic, which PutMetricAlarm takes in its own parameter. */
const EXTENDED = /^(p|tm|tc|ts|wm)\d/;

/** The alarm's whole configuration: AWS's defaults (all periods; "missing") left unsent, as the scripts left them. */
export function alarmInput(a: AlarmSpec): AlarmInput {
  const datapoints = a.datapoints ?? a.evaluationPeriods;
  return {
    AlarmName: a.name,
    AlarmDescription: a.description,
    ActionsEnabled: true,
    AlarmActions: [ref("topic")],
    OKActions: a.okActions ? [ref("topic")] : [],
    InsufficientDataActions: [],
    Namespace: a.namespace,
    MetricName: a.metric,
    Dimensions: a.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
    ...(EXTENDED.test(a.statistic)
      ? { ExtendedStatistic: a.statistic }
      : { Statistic: a.statistic as AlarmInput["Statistic"] }),
    Period: a.period,
    EvaluationPeriods: a.evaluationPeriods,
    ...(datapoints !== a.evaluationPeriods ? { DatapointsToAlarm: datapoints } : {}),
    ...(a.treatMissingData !== "missing" ? { TreatMissingData: a.treatMissingData } : {}),
    Threshold: a.threshold,
    ComparisonOperator: a.comparison,
  };
}

const sorted = (list: readonly (string | Ref)[] | undefined): Value =>
  [...(list ?? [])].sort((x, y) => (typeof x === "string" && typeof y === "string" ? x.localeCompare(y) : 0));

export function alarmFields(a: AlarmInput | MetricAlarm): Fields {
  const dimensions = (a.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).sort();
  return {
    metric: a.MetricName ? `${a.Namespace} ${a.MetricName}` : "metric math",
    // A dimension value another step records (the ALB's) is shown as known after that step.
    dimensions: (a.Dimensions ?? []).find((d) => isPending(d.Value))?.Value ?? dimensions,
    statistic: a.Statistic ?? a.ExtendedStatistic,
    period: a.Period,
    "evaluation periods": a.EvaluationPeriods,
    // Unset means every evaluation period must breach.
    "datapoints to alarm": a.DatapointsToAlarm ?? a.EvaluationPeriods,
    comparison: a.ComparisonOperator,
    threshold: a.Threshold,
    // Unset is AWS's default, "missing".
    "treat missing data": a.TreatMissingData ?? "missing",
    "alarm actions": sorted(a.AlarmActions),
    "OK actions": sorted(a.OKActions),
    "insufficient data actions": sorted(a.InsufficientDataActions),
    "actions enabled": a.ActionsEnabled ?? true,
    description: a.AlarmDescription ?? "",
  };
}
