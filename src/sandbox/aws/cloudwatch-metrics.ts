// CloudWatch metric data: what AWS services publish (tests publish for them: an ALB's TargetResponseTime, its
// 5xx counts) and GetMetricData over it. A metric is its namespace, name and whole set of dimensions: a query
// with fewer dimensions is another metric and finds nothing (CloudWatch does not aggregate across dimensions).
// The stored data is standard resolution (one-minute), as AWS services publish it.
import {
  type Dimension,
  type GetMetricDataInput,
  InvalidNextToken,
  InvalidParameterValueException,
  type MetricDataQuery,
  MissingRequiredParameterException,
  type StandardUnit,
} from "@aws-sdk/client-cloudwatch";
import { coded } from "./shared.js";

interface Point {
  namespace: string;
  name: string;
  dimensions: Dimension[];
  at: number;
  value: number;
  unit?: StandardUnit;
}

const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;
const STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
const PERCENTILE = /^p(\d{1,2}(\.\d{1,10})?|100(\.0+)?)$/;
const HIGH_RESOLUTION_PERIODS = [1, 5, 10, 20, 30];

const invalid = (message: string) => coded(InvalidParameterValueException, "InvalidParameterValue", message);
const missing = (name: string) =>
  coded(MissingRequiredParameterException, "MissingParameter", `The parameter ${name} is required.`);

const sameDimensions = (a: Dimension[], b: Dimension[]) =>
  a.length === b.length && a.every((d) => b.some((e) => e.Name === d.Name && e.Value === d.Value));

export class Metrics {
  private readonly points: Point[] = [];

  constructor(private readonly now: () => number) {}

  /** What a service does when it reports a value (tests play the ALB or ECS here). */
  publish(
    namespace: string,
    name: string,
    dimensions: Dimension[],
    value: number,
    at = this.now(),
    unit?: StandardUnit,
  ) {
    this.points.push({ namespace, name, dimensions, value, at, ...(unit ? { unit } : {}) });
  }

  getMetricData(input: GetMetricDataInput) {
    const queries = input.MetricDataQueries ?? [];
    if (queries.length === 0) throw missing("MetricDataQueries");
    if (queries.length > MAX_QUERIES)
      throw invalid(`The collection MetricDataQueries must not have more than ${MAX_QUERIES} members.`);
    if (!input.StartTime) throw missing("StartTime");
    if (!input.EndTime) throw missing("EndTime");
    if (input.NextToken !== undefined)
      throw coded(InvalidNextToken, "InvalidNextToken", "The service returned an invalid NextToken.");
    // Start times less than 15 days ago are rounded down to the minute; the end time is exclusive.
    const start = Math.floor(new Date(input.StartTime).getTime() / 60_000) * 60_000;
    const end = new Date(input.EndTime).getTime();
    if (start >= end) throw invalid("The parameter StartTime must be less than the parameter EndTime.");
    const ascending = input.ScanBy === "TimestampAscending";
    if (input.ScanBy !== undefined && !ascending && input.ScanBy !== "TimestampDescending")
      throw invalid("The parameter ScanBy must be TimestampDescending or TimestampAscending.");
    const ids = new Set<string>();
    for (const q of queries) checkQuery(q, ids);
    const results = queries.filter((q) => q.ReturnData !== false).map((q) => this.result(q, start, end, ascending));
    const count = results.reduce((n, r) => n + r.Values.length, 0);
    if (count > (input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS))
      throw new Error("the AWS fake does not model GetMetricData pages (more data points than MaxDatapoints)");
    return { MetricDataResults: results, Messages: [] };
  }

  private result(q: MetricDataQuery, start: number, end: number, ascending: boolean) {
    const stat = q.MetricStat as NonNullable<MetricDataQuery["MetricStat"]>;
    const metric = stat.Metric ?? {};
    const period = (stat.Period as number) * 1000;
    const buckets = new Map<number, number[]>();
    // Sub-minute periods only apply to high-resolution data, which no AWS service here publishes.
    if (period >= 60_000)
      for (const p of this.points) {
        if (p.namespace !== metric.Namespace || p.name !== metric.MetricName) continue;
        if (!sameDimensions(p.dimensions, metric.Dimensions ?? [])) continue;
        if (stat.Unit !== undefined && p.unit !== stat.Unit) continue;
        if (p.at < start || p.at >= end) continue;
        const bucket = start + Math.floor((p.at - start) / period) * period;
        buckets.set(bucket, [...(buckets.get(bucket) ?? []), p.value]);
      }
    const times = [...buckets.keys()].sort((a, b) => (ascending ? a - b : b - a));
    return {
      Id: q.Id,
      Label: q.Label ?? metric.MetricName,
      Timestamps: times.map((t) => new Date(t)),
      Values: times.map((t) => statistic(stat.Stat as string, buckets.get(t) as number[])),
      StatusCode: "Complete" as const,
      Messages: [],
    };
  }
}

function checkQuery(q: MetricDataQuery, ids: Set<string>) {
  if (!q.Id) throw missing("MetricDataQueries.member.Id");
  if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id))
    throw invalid(`The value ${q.Id} for parameter MetricDataQueries.member.Id is not valid.`);
  if (ids.has(q.Id)) throw invalid(`The value ${q.Id} for parameter MetricDataQueries.member.Id is not unique.`);
  ids.add(q.Id);
  if ((q.MetricStat === undefined) === (q.Expression === undefined))
    throw invalid(`MetricDataQuery ${q.Id}: exactly one of MetricStat and Expression must be specified.`);
  if (q.Expression !== undefined) throw new Error("the AWS fake does not model metric math or Metrics Insights");
  const stat = q.MetricStat as NonNullable<MetricDataQuery["MetricStat"]>;
  if (!stat.Metric?.MetricName || !stat.Metric.Namespace) throw missing("MetricStat.Metric");
  if (stat.Period === undefined) throw missing("MetricStat.Period");
  if (!HIGH_RESOLUTION_PERIODS.includes(stat.Period) && !(stat.Period > 0 && stat.Period % 60 === 0))
    throw invalid("The parameter Period must be 1, 5, 10, 20, 30 or a multiple of 60.");
  if (!stat.Stat) throw missing("MetricStat.Stat");
  if (!STATISTICS.includes(stat.Stat) && !PERCENTILE.test(stat.Stat))
    throw new Error(`the AWS fake does not model the statistic ${stat.Stat}`);
}

function statistic(stat: string, values: number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  if (stat === "SampleCount") return values.length;
  if (stat === "Sum") return sum;
  if (stat === "Average") return sum / values.length;
  if (stat === "Minimum") return Math.min(...values);
  if (stat === "Maximum") return Math.max(...values);
  // pNN: the nearest-rank percentile of the samples in the period.
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((Number(stat.slice(1)) / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1] as number;
}
