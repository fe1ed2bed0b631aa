// The alarms monitoring wants: on the ALB and its targets and on the ECS service, and (when RDS_INSTANCE_ID is set)
// the earlier scripts' four RDS alarms exactly (docs/earlier-scripts.md): their names, thresholds, periods, evaluation
// periods and descriptions, acting on the topic only, missing data left at AWS's default. Pure: no SDK import.
import type { MonitoringConfig } from "./config.js";

export interface AlarmSpec {
  name: string;
  description: string;
  namespace: string;
  metric: string;
  dimensions: { name: string; value: string }[];
  /** A statistic (Average) or an extended one (p95). */
  statistic: string;
  period: number;
  evaluationPeriods: number;
  /** Of the evaluation periods, how many must breach (AWS's default: all of them). */
  datapoints?: number;
  comparison: "GreaterThanThreshold" | "LessThanThreshold";
  threshold: number;
  treatMissingData: "missing" | "notBreaching" | "breaching" | "ignore";
  /** Also notify when the alarm returns to OK. */
  okActions: boolean;
}

const RDS = ["rds-cpu-high", "rds-connections-high", "rds-storage-low", "rds-memory-low"];
const SERVICE = [
  "alb-5xx",
  "target-5xx",
  "latency-p95",
  "unhealthy-hosts",
  "no-healthy-hosts",
  "ecs-cpu-high",
  "ecs-memory-high",
];
/** Made beside the scripts' storage and memory alarms by an earlier version of infra: deleted when found ours. */
const LEGACY = ["rds-free-storage-low", "rds-freeable-memory-low"];

/** Every alarm name monitoring may own, wanted or not: what observe looks for. */
export const allAlarmNames = (project: string) => [...SERVICE, ...RDS, ...LEGACY].map((n) => `${project}-${n}`);

const GB = 1024 ** 3;
const MB = 1024 ** 2;

export function alarmSpecs(c: MonitoringConfig): AlarmSpec[] {
  const t = c.thresholds;
  const alb = [{ name: "LoadBalancer", value: c.loadBalancer }];
  const targets = [...alb, { name: "TargetGroup", value: c.targetGroup }];
  const ecs = [
    { name: "ClusterName", value: c.cluster },
    { name: "ServiceName", value: c.serviceName },
  ];
  type Rest = Omit<AlarmSpec, "name" | "description" | "okActions">;
  // The service's alarms also say when things are well again.
  const service = (name: string, description: string, rest: Rest): AlarmSpec => ({
    name: `${c.project}-${name}`,
    description: `${description} (made by infra)`,
    okActions: true,
    ...rest,
  });
  const list: AlarmSpec[] = [
    service("alb-5xx", `load balancer answered 5xx more than ${t.http5xxPer5Min} times in 5 minutes`, {
      ...elb("HTTPCode_ELB_5XX_Count", alb, "Sum", 300, 1),
      comparison: "GreaterThanThreshold",
      threshold: t.http5xxPer5Min,
      treatMissingData: "notBreaching",
    }),
    service("target-5xx", `the service answered 5xx more than ${t.http5xxPer5Min} times in 5 minutes`, {
      ...elb("HTTPCode_Target_5XX_Count", targets, "Sum", 300, 1),
      comparison: "GreaterThanThreshold",
      threshold: t.http5xxPer5Min,
      treatMissingData: "notBreaching",
    }),
    service("latency-p95", `p95 response time above ${t.latencyP95Seconds} s for 10 of 15 minutes`, {
      ...elb("TargetResponseTime", targets, "p95", 300, 3),
      datapoints: 2,
      comparison: "GreaterThanThreshold",
      threshold: t.latencyP95Seconds,
      treatMissingData: "notBreaching",
    }),
    service("unhealthy-hosts", "a target failed its health checks for 3 minutes", {
      ...elb("UnHealthyHostCount", targets, "Maximum", 60, 3),
      comparison: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
    }),
    service("no-healthy-hosts", "no healthy target for 3 minutes: the service is down", {
      ...elb("HealthyHostCount", targets, "Minimum", 60, 3),
      comparison: "LessThanThreshold",
      threshold: 1,
      // No data at all means no healthy host reported: that is the outage this alarm is for.
      treatMissingData: "breaching",
    }),
    service("ecs-cpu-high", `service CPU above ${t.cpuPercent} % for 10 minutes`, {
      ...metric("AWS/ECS", "CPUUtilization", ecs, "Average", 300, 2),
      comparison: "GreaterThanThreshold",
      threshold: t.cpuPercent,
      treatMissingData: "missing",
    }),
    service("ecs-memory-high", `service memory above ${t.memoryPercent} % for 10 minutes`, {
      ...metric("AWS/ECS", "MemoryUtilization", ecs, "Average", 300, 2),
      comparison: "GreaterThanThreshold",
      threshold: t.memoryPercent,
      treatMissingData: "missing",
    }),
  ];
  if (c.rdsInstanceId) list.push(...rdsAlarms(c.project, c.rdsInstanceId));
  return list;
}

/** The earlier scripts' four RDS alarms, as they made them. */
function rdsAlarms(project: string, instance: string): AlarmSpec[] {
  const rds = (
    name: string,
    metricName: string,
    comparison: AlarmSpec["comparison"],
    threshold: number,
    evaluationPeriods: number,
    description: string,
  ): AlarmSpec => ({
    name: `${project}-${name}`,
    description,
    ...metric("AWS/RDS", metricName, [{ name: "DBInstanceIdentifier", value: instance }], "Average", 300, 1),
    evaluationPeriods,
    comparison,
    threshold,
    treatMissingData: "missing",
    okActions: false,
  });
  return [
    rds("rds-cpu-high", "CPUUtilization", "GreaterThanThreshold", 70, 2, "Alert when RDS CPU exceeds 70%"),
    rds(
      "rds-connections-high",
      "DatabaseConnections",
      "GreaterThanThreshold",
      80,
      2,
      "Alert when RDS connections exceed 80",
    ),
    rds("rds-storage-low", "FreeStorageSpace", "LessThanThreshold", 2 * GB, 1, "Alert when RDS free storage below 2GB"),
    rds("rds-memory-low", "FreeableMemory", "LessThanThreshold", 500 * MB, 2, "Alert when RDS free memory below 500MB"),
  ];
}

function metric(
  namespace: string,
  name: string,
  dimensions: AlarmSpec["dimensions"],
  statistic: string,
  period: number,
  evaluationPeriods: number,
) {
  return { namespace, metric: name, dimensions, statistic, period, evaluationPeriods };
}

const elb = (name: string, dimensions: AlarmSpec["dimensions"], statistic: string, period: number, evals: number) =>
  metric("AWS/ApplicationELB", name, dimensions, statistic, period, evals);
