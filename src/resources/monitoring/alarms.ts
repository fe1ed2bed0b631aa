// The alarms, as PutMetricAlarm inputs: on the ALB and its targets, on the ECS service, and (when
// RDS_INSTANCE_ID is set) the seed's RDS alarms. Missing data is treated per alarm: no traffic is not an
// error, but no healthy host reporting is.
import type { PutMetricAlarmCommandInput } from "@aws-sdk/client-cloudwatch";
import type { MonitoringConfig } from "./config.js";

type Alarm = PutMetricAlarmCommandInput & { AlarmName: string };

const GB = 1024 ** 3;
const MB = 1024 ** 2;

/** Every alarm name this resource may have made, RDS ones included: what destroy removes. */
export const allAlarmNames = (project: string) =>
  [
    "alb-5xx",
    "target-5xx",
    "latency-p95",
    "unhealthy-hosts",
    "no-healthy-hosts",
    "ecs-cpu-high",
    "ecs-memory-high",
    "rds-cpu-high",
    "rds-connections-high",
    "rds-free-storage-low",
    "rds-freeable-memory-low",
  ].map((n) => `${project}-${n}`);

export function alarmSpecs(c: MonitoringConfig, topicArn: string): Alarm[] {
  const t = c.thresholds;
  const alb = [{ Name: "LoadBalancer", Value: c.loadBalancer }];
  const targets = [...alb, { Name: "TargetGroup", Value: c.targetGroup }];
  const ecs = [
    { Name: "ClusterName", Value: c.cluster },
    { Name: "ServiceName", Value: c.serviceName },
  ];
  const rds = [{ Name: "DBInstanceIdentifier", Value: c.rdsInstanceId ?? "" }];
  const alarm = (name: string, description: string, rest: Omit<PutMetricAlarmCommandInput, "AlarmName">): Alarm => ({
    AlarmName: `${c.project}-${name}`,
    AlarmDescription: `${description} (made by infra)`,
    ActionsEnabled: true,
    AlarmActions: [topicArn],
    OKActions: [topicArn],
    ...rest,
  });
  const list: Alarm[] = [
    alarm("alb-5xx", `load balancer answered 5xx more than ${t.http5xxPer5Min} times in 5 minutes`, {
      Namespace: "AWS/ApplicationELB",
      MetricName: "HTTPCode_ELB_5XX_Count",
      Dimensions: alb,
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: t.http5xxPer5Min,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    }),
    alarm("target-5xx", `the service answered 5xx more than ${t.http5xxPer5Min} times in 5 minutes`, {
      Namespace: "AWS/ApplicationELB",
      MetricName: "HTTPCode_Target_5XX_Count",
      Dimensions: targets,
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: t.http5xxPer5Min,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    }),
    alarm("latency-p95", `p95 response time above ${t.latencyP95Seconds} s for 10 of 15 minutes`, {
      Namespace: "AWS/ApplicationELB",
      MetricName: "TargetResponseTime",
      Dimensions: targets,
      ExtendedStatistic: "p95",
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: t.latencyP95Seconds,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    }),
    alarm("unhealthy-hosts", "a target failed its health checks for 3 minutes", {
      Namespace: "AWS/ApplicationELB",
      MetricName: "UnHealthyHostCount",
      Dimensions: targets,
      Statistic: "Maximum",
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    }),
    alarm("no-healthy-hosts", "no healthy target for 3 minutes: the service is down", {
      Namespace: "AWS/ApplicationELB",
      MetricName: "HealthyHostCount",
      Dimensions: targets,
      Statistic: "Minimum",
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
    }),
    alarm("ecs-cpu-high", `service CPU above ${t.cpuPercent} % for 10 minutes`, {
      Namespace: "AWS/ECS",
      MetricName: "CPUUtilization",
      Dimensions: ecs,
      Statistic: "Average",
      Period: 300,
      EvaluationPeriods: 2,
      Threshold: t.cpuPercent,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "missing",
    }),
    alarm("ecs-memory-high", `service memory above ${t.memoryPercent} % for 10 minutes`, {
      Namespace: "AWS/ECS",
      MetricName: "MemoryUtilization",
      Dimensions: ecs,
      Statistic: "Average",
      Period: 300,
      EvaluationPeriods: 2,
      Threshold: t.memoryPercent,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "missing",
    }),
  ];
  if (c.rdsInstanceId) {
    list.push(
      alarm("rds-cpu-high", "database CPU above 70 % for 10 minutes", {
        Namespace: "AWS/RDS",
        MetricName: "CPUUtilization",
        Dimensions: rds,
        Statistic: "Average",
        Period: 300,
        EvaluationPeriods: 2,
        Threshold: 70,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "missing",
      }),
      alarm("rds-connections-high", "more than 80 database connections", {
        Namespace: "AWS/RDS",
        MetricName: "DatabaseConnections",
        Dimensions: rds,
        Statistic: "Average",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 80,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "missing",
      }),
      alarm("rds-free-storage-low", "database free storage below 2 GB", {
        Namespace: "AWS/RDS",
        MetricName: "FreeStorageSpace",
        Dimensions: rds,
        Statistic: "Average",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 2 * GB,
        ComparisonOperator: "LessThanThreshold",
        TreatMissingData: "missing",
      }),
      alarm("rds-freeable-memory-low", "database freeable memory below 500 MB", {
        Namespace: "AWS/RDS",
        MetricName: "FreeableMemory",
        Dimensions: rds,
        Statistic: "Average",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 500 * MB,
        ComparisonOperator: "LessThanThreshold",
        TreatMissingData: "missing",
      }),
    );
  }
  return list;
}
