import { type EnvReader, readInputs } from "../../core/inputs.js";
import type { Action, Resource } from "../resource.js";
import { alarmSpecs } from "./alarms.js";

export interface MonitoringConfig {
  project: string;
  environment: string;
  region: string;
  cluster: string;
  serviceName: string;
  /** CloudWatch dimension values: app/<name>/<id> and targetgroup/<name>/<id> (empty for destroy). */
  loadBalancer: string;
  targetGroup: string;
  rdsInstanceId: string | undefined;
  email: string | undefined;
  thresholds: { latencyP95Seconds: number; http5xxPer5Min: number; cpuPercent: number; memoryPercent: number };
  topicName: string;
  dashboardName: string;
}

export const monitoringResource: Resource<MonitoringConfig> = {
  name: "monitoring",
  after: ["alb", "ecs-service"],
  summary: "SNS alerts topic, alarms on the service (and RDS), CloudWatch dashboard",
  reads: ["PROJECT_NAME", "AWS_REGION", "ECS_CLUSTER_NAME", "ALB_ARN", "TARGET_GROUP_ARN"],
  optional: [
    "ALARM_EMAIL",
    "RDS_INSTANCE_ID",
    "ECS_SERVICE_NAME",
    "ALARM_LATENCY_P95_SECONDS",
    "ALARM_5XX_COUNT",
    "ALARM_CPU_PERCENT",
    "ALARM_MEMORY_PERCENT",
  ],
  records: ["SERVICE_ALERTS_TOPIC_ARN", "SERVICE_DASHBOARD_NAME"],
  config: monitoringConfig,
  plan: (c) => [
    `SNS topic ${c.topicName}${c.email ? `, email subscription for ${c.email} (to be confirmed from the mailbox)` : " (set ALARM_EMAIL to be emailed)"}`,
    `${alarmSpecs(c, "").length} alarms: ${alarmSpecs(c, "")
      .map((a) => a.AlarmName)
      .join(", ")}`,
    `dashboard ${c.dashboardName}: requests, 4xx/5xx, p50/p95/p99 latency, healthy hosts, ECS CPU, memory and tasks${c.rdsInstanceId ? ", RDS" : ""}`,
  ],
  load: () => import("./actions.js"),
};

/** The dimension value CloudWatch uses for an ELBv2 ARN: everything after "loadbalancer/" or the account's ":". */
const dimensionOf = (value: string | undefined, marker: string) =>
  value?.includes(marker) ? (value.split(marker)[1] ?? "") : (value ?? "");

export function monitoringConfig(env: EnvReader, action: Action): MonitoringConfig {
  const input = readInputs(env, "monitoring");
  const project = input.need("PROJECT_NAME");
  const environment = input.need("ENVIRONMENT");
  const region = input.need("AWS_REGION");
  const cluster = input.need("ECS_CLUSTER_NAME");
  const serviceName = input.need("ECS_SERVICE_NAME");
  const need = action === "destroy" ? input.maybe : input.need;
  const albArn = need("ALB_ARN");
  const tgArn = need("TARGET_GROUP_ARN");
  const thresholds = {
    latencyP95Seconds: Number(input.need("ALARM_LATENCY_P95_SECONDS")),
    http5xxPer5Min: Number(input.need("ALARM_5XX_COUNT")),
    cpuPercent: Number(input.need("ALARM_CPU_PERCENT")),
    memoryPercent: Number(input.need("ALARM_MEMORY_PERCENT")),
  };
  const config: MonitoringConfig = {
    project,
    environment,
    region,
    cluster,
    serviceName,
    loadBalancer: dimensionOf(albArn, ":loadbalancer/"),
    targetGroup: tgArn?.includes(":targetgroup/") ? `targetgroup/${tgArn.split(":targetgroup/")[1]}` : (tgArn ?? ""),
    rdsInstanceId: input.maybe("RDS_INSTANCE_ID"),
    email: input.maybe("ALARM_EMAIL"),
    thresholds,
    topicName: `${project}-service-alerts`,
    dashboardName: `${project}-service`,
  };
  input.done();
  return config;
}
