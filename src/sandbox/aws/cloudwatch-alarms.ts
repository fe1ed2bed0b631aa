// PutMetricAlarm's input checked as CloudWatch checks it, and turned into the alarm DescribeAlarms shows.
// A put overwrites the whole configuration: what the request leaves out is gone (AWS: "the update completely
// overwrites the previous configuration of the alarm"), while the alarm's state is left unchanged.
import {
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  type MetricAlarm,
  type MetricDataQuery,
  MissingRequiredParameterException,
  type PutMetricAlarmInput,
} from "@aws-sdk/client-cloudwatch";
import { ACCOUNT } from "./ec2.js";
import { coded } from "./shared.js";

export const REGION = "us-east-1";
export const ALARM_PREFIX = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:`;

const STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
const OPERATORS = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
];
/** Only with an anomaly detection band (ThresholdMetricId). */
const BAND_OPERATORS = [
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
];
const TREAT_MISSING = ["breaching", "notBreaching", "ignore", "missing"];
/** p0.0 to p100 and the trimmed/windsorized variants (tm90, wm99.5...). */
const EXTENDED = /^(p|tm|tc|ts|wm)(\d{1,2}(\.\d{1,10})?|100(\.0+)?)$/;
/** What an alarm action may be: an SNS topic, a scaling policy, an EC2 action, Systems Manager, Lambda. */
const ACTION =
  /^arn:aws:(sns:[a-z0-9-]+:\d{12}:[\w-]+(\.fifo)?|autoscaling:[a-z0-9-]+:\d{12}:scalingPolicy:.+|automate:[a-z0-9-]+:ec2:(stop|terminate|reboot|recover)|swf:[a-z0-9-]+:\d{12}:action\/actions\/AWS_EC2\.InstanceId\.\w+\/1\.0|ssm:[a-z0-9-]+:\d{12}:opsitem:[1-4](#CATEGORY=\w+)?|ssm-incidents::\d{12}:response-plan\/[\w-]+|lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?)$/;

const missing = (name: string) =>
  coded(MissingRequiredParameterException, "MissingParameter", `The parameter ${name} is required.`);
const invalid = (message: string) => coded(InvalidParameterValueException, "InvalidParameterValue", message);
const combination = (message: string) =>
  coded(InvalidParameterCombinationException, "InvalidParameterCombination", message);

/** The configuration part of an alarm (no state, no timestamps), checked. */
export function alarmConfiguration(input: PutMetricAlarmInput): MetricAlarm {
  const name = input.AlarmName;
  if (!name) throw missing("AlarmName");
  if (name.length > 255 || /\p{Cc}/u.test(name))
    throw invalid("The parameter AlarmName must be 1 to 255 printable characters.");
  if (input.EvaluationCriteria) throw new Error("the AWS fake does not model PromQL (EvaluationCriteria) alarms");
  checkEvaluation(input);
  checkThreshold(input);
  const metric = input.Metrics?.length ? checkMetrics(input) : checkMetric(input);
  for (const list of ["OKActions", "AlarmActions", "InsufficientDataActions"] as const) checkActions(input[list], list);
  if (input.TreatMissingData !== undefined && !TREAT_MISSING.includes(input.TreatMissingData))
    throw invalid(`The parameter TreatMissingData must be one of: ${TREAT_MISSING.join(", ")}.`);
  if (
    input.EvaluateLowSampleCountPercentile !== undefined &&
    !["evaluate", "ignore"].includes(input.EvaluateLowSampleCountPercentile)
  )
    throw invalid("The parameter EvaluateLowSampleCountPercentile must be either 'evaluate' or 'ignore'.");
  return {
    AlarmName: name,
    AlarmArn: `${ALARM_PREFIX}${name}`,
    ...(input.AlarmDescription !== undefined ? { AlarmDescription: input.AlarmDescription } : {}),
    ActionsEnabled: input.ActionsEnabled ?? true,
    OKActions: input.OKActions ?? [],
    AlarmActions: input.AlarmActions ?? [],
    InsufficientDataActions: input.InsufficientDataActions ?? [],
    ...metric,
    EvaluationPeriods: input.EvaluationPeriods,
    ...(input.DatapointsToAlarm !== undefined ? { DatapointsToAlarm: input.DatapointsToAlarm } : {}),
    ...(input.Threshold !== undefined ? { Threshold: input.Threshold } : {}),
    ...(input.ThresholdMetricId !== undefined ? { ThresholdMetricId: input.ThresholdMetricId } : {}),
    ComparisonOperator: input.ComparisonOperator,
    ...(input.TreatMissingData !== undefined ? { TreatMissingData: input.TreatMissingData } : {}),
    ...(input.EvaluateLowSampleCountPercentile !== undefined
      ? { EvaluateLowSampleCountPercentile: input.EvaluateLowSampleCountPercentile }
      : {}),
  };
}

function checkEvaluation(input: PutMetricAlarmInput) {
  if (input.EvaluationPeriods === undefined) throw missing("EvaluationPeriods");
  if (!Number.isInteger(input.EvaluationPeriods) || input.EvaluationPeriods < 1)
    throw invalid("The parameter EvaluationPeriods must be greater than or equal to 1.");
  const datapoints = input.DatapointsToAlarm;
  if (datapoints !== undefined && (datapoints < 1 || datapoints > input.EvaluationPeriods))
    throw invalid("DatapointsToAlarm must be between 1 and EvaluationPeriods.");
}

function checkThreshold(input: PutMetricAlarmInput) {
  const op = input.ComparisonOperator;
  if (op === undefined) throw missing("ComparisonOperator");
  if (![...OPERATORS, ...BAND_OPERATORS].includes(op))
    throw invalid(`The parameter ComparisonOperator must be one of: ${[...OPERATORS, ...BAND_OPERATORS].join(", ")}.`);
  if (input.ThresholdMetricId !== undefined) {
    if (input.Threshold !== undefined)
      throw combination("Threshold and ThresholdMetricId cannot be specified together.");
    if (!BAND_OPERATORS.includes(op))
      throw invalid(`ComparisonOperator ${op} cannot be used with ThresholdMetricId (an anomaly detection band).`);
    if (!input.Metrics?.some((m) => m.Id === input.ThresholdMetricId))
      throw invalid(`ThresholdMetricId ${input.ThresholdMetricId} must be the Id of one of the Metrics.`);
    return;
  }
  if (input.Threshold === undefined) throw missing("Threshold");
  if (BAND_OPERATORS.includes(op)) throw invalid(`ComparisonOperator ${op} requires a ThresholdMetricId.`);
}

/** A single metric: MetricName + Namespace, one of Statistic and ExtendedStatistic, a Period. */
function checkMetric(input: PutMetricAlarmInput) {
  if (input.MetricName === undefined) throw missing("MetricName");
  if (input.Namespace === undefined) throw missing("Namespace");
  if (input.Statistic !== undefined && input.ExtendedStatistic !== undefined)
    throw combination("Statistic and ExtendedStatistic cannot be specified together.");
  if (input.Statistic === undefined && input.ExtendedStatistic === undefined)
    throw missing("Statistic or ExtendedStatistic");
  if (input.Statistic !== undefined && !STATISTICS.includes(input.Statistic))
    throw invalid(`The parameter Statistic must be one of: ${STATISTICS.join(", ")}.`);
  if (input.ExtendedStatistic !== undefined && !EXTENDED.test(input.ExtendedStatistic))
    throw invalid(`The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is not supported.`);
  if (input.Period === undefined) throw missing("Period");
  checkPeriod(input.Period);
  const dimensions = input.Dimensions ?? [];
  if (dimensions.length > 30) throw invalid("The collection Dimensions must not have more than 30 members.");
  for (const d of dimensions) if (!d.Name || d.Value === undefined) throw missing("Dimensions.member.Name/Value");
  return {
    MetricName: input.MetricName,
    Namespace: input.Namespace,
    ...(input.Statistic !== undefined ? { Statistic: input.Statistic } : {}),
    ...(input.ExtendedStatistic !== undefined ? { ExtendedStatistic: input.ExtendedStatistic } : {}),
    Dimensions: dimensions,
    Period: input.Period,
    ...(input.Unit !== undefined ? { Unit: input.Unit } : {}),
  };
}

/** Metric math: none of the single-metric fields, unique ids, exactly one query returning data. */
function checkMetrics(input: PutMetricAlarmInput) {
  const single = ["MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit"] as const;
  const both = single.filter((k) => input[k] !== undefined);
  if (both.length) throw combination(`Metrics cannot be specified together with ${both.join(", ")}.`);
  const metrics = input.Metrics as MetricDataQuery[];
  const ids = new Set<string>();
  for (const m of metrics) {
    if (!m.Id || !/^[a-z][a-zA-Z0-9_]*$/.test(m.Id))
      throw invalid(`The Id ${m.Id} must start with a lowercase letter and contain only letters, digits and _.`);
    if (ids.has(m.Id)) throw invalid(`The Id ${m.Id} is used more than once in Metrics.`);
    ids.add(m.Id);
    if ((m.MetricStat === undefined) === (m.Expression === undefined))
      throw combination(`Metrics ${m.Id}: exactly one of MetricStat and Expression must be specified.`);
    if (m.MetricStat?.Period !== undefined) checkPeriod(m.MetricStat.Period);
  }
  // ReturnData defaults to true: every query left without it counts.
  if (metrics.filter((m) => m.ReturnData !== false).length !== 1)
    throw invalid("Exactly one element of the metrics list should return data.");
  return { Metrics: metrics };
}

function checkPeriod(period: number) {
  if (![10, 20, 30].includes(period) && !(period > 0 && period % 60 === 0))
    throw invalid("The parameter Period must be 10, 20, 30 or a multiple of 60.");
}

function checkActions(actions: string[] | undefined, list: string) {
  if (!actions) return;
  if (actions.length > 5) throw invalid(`The collection ${list} must not have more than 5 members.`);
  for (const arn of actions) {
    if (!ACTION.test(arn)) throw invalid(`Invalid arn syntax: ${arn}`);
    const region = arn.split(":")[3];
    // Actions act in the alarm's own region (an SNS topic elsewhere is refused).
    if (region && region !== REGION) throw invalid(`Invalid region ${region} specified. Only ${REGION} is supported.`);
  }
}
