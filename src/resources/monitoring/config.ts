// The `monitoring` resource: one SNS topic for alerts (emailing ALARM_EMAIL), the service's alarms beside the
// user's RDS alarms, and one dashboard. It takes over the earlier scripts' monitoring (the topic in SNS_TOPIC_ARN,
// the dashboard CLOUDWATCH_DASHBOARD_NAME, the four RDS alarms) instead of making a second of each. Its inputs and
// the AWS objects it wants, with no SDK import.
import { type EnvReader, readInputs } from "../../core/inputs.js";
import { type DesiredObject, isPending, ref } from "../../state/model.js";
import type { StackIdentity } from "../common/tags.js";
import type { Action, Resource } from "../resource.js";
import { type AlarmSpec, alarmSpecs } from "./alarms.js";
import { dashboardBody, dashboardFields } from "./dashboard.js";

export interface MonitoringConfig extends StackIdentity {
  region: string;
  cluster: string;
  serviceName: string;
  /** CloudWatch's dimension values for the ALB and the target group (app/..., targetgroup/...), or placeholders. */
  loadBalancer: string;
  targetGroup: string;
  rdsInstanceId: string | undefined;
  email: string | undefined;
  thresholds: { latencyP95Seconds: number; http5xxPer5Min: number; cpuPercent: number; memoryPercent: number };
  topicName: string;
  dashboardName: string;
  /** The second topic an earlier version of infra made beside the scripts': found to be deleted. */
  legacyTopic: { name: string; arn: string | undefined };
}

export const monitoringResource: Resource<MonitoringConfig> = {
  name: "monitoring",
  summary: "alerts topic (emailing ALARM_EMAIL), the service's and the database's alarms, one dashboard",
  after: ["alb", "ecs-service"],
  // The topic, and the dashboard infra keeps (CLOUDWATCH_DASHBOARD_NAME says what it is to be called; this, what it
  // is called, so a renamed one is found). SERVICE_ALERTS_TOPIC_ARN is an earlier version's second topic: emptied
  // once that topic is deleted.
  records: ["SNS_TOPIC_ARN", "SERVICE_DASHBOARD_NAME", "SERVICE_ALERTS_TOPIC_ARN"],
  config: monitoringConfig,
  desired: monitoringDesired,
  load: async () => (await import("./model.js")).monitoringModel,
};

/** The dimension value CloudWatch uses for an ELBv2 ARN: the part after "loadbalancer/" (or "targetgroup/"). */
const dimensionOf = (arn: string | undefined, marker: string, keep: string) =>
  arn === undefined ? "" : isPending(arn) || !arn.includes(marker) ? arn : `${keep}${arn.split(marker)[1]}`;

export function monitoringConfig(env: EnvReader, action: Action): MonitoringConfig {
  const input = readInputs(env, "monitoring");
  const project = input.need("PROJECT_NAME");
  // Destroy finds everything by name and recorded id: the ALB's ARNs only matter to the alarms' dimensions.
  const alb = action === "destroy" ? input.maybe : input.need;
  const config: MonitoringConfig = {
    project,
    environment: input.need("ENVIRONMENT"),
    region: input.need("AWS_REGION"),
    cluster: input.need("ECS_CLUSTER_NAME"),
    serviceName: input.need("ECS_SERVICE_NAME"),
    loadBalancer: dimensionOf(alb("ALB_ARN"), ":loadbalancer/", ""),
    targetGroup: dimensionOf(alb("TARGET_GROUP_ARN"), ":targetgroup/", "targetgroup/"),
    rdsInstanceId: input.maybe("RDS_INSTANCE_ID"),
    email: input.maybe("ALARM_EMAIL"),
    thresholds: {
      latencyP95Seconds: Number(input.need("ALARM_LATENCY_P95_SECONDS")),
      http5xxPer5Min: Number(input.need("ALARM_5XX_COUNT")),
      cpuPercent: Number(input.need("ALARM_CPU_PERCENT")),
      memoryPercent: Number(input.need("ALARM_MEMORY_PERCENT")),
    },
    // The scripts' name: one topic carries the service's alerts and the database's.
    topicName: `${project}-rds-alerts`,
    dashboardName: input.need("CLOUDWATCH_DASHBOARD_NAME"),
    legacyTopic: { name: `${project}-service-alerts`, arn: input.maybe("SERVICE_ALERTS_TOPIC_ARN") },
  };
  input.done();
  return config;
}

export function monitoringDesired(c: MonitoringConfig): DesiredObject[] {
  return [
    {
      key: "topic",
      kind: "topic",
      name: c.topicName,
      // Without ALARM_EMAIL the topic's subscriptions are not ours to judge.
      fields: c.email ? { "email subscription": c.email } : {},
    },
    ...alarmSpecs(c).map(alarmObject),
    {
      key: "dashboard",
      kind: "dashboard",
      name: c.dashboardName,
      fields: {
        name: c.dashboardName,
        ...dashboardFields(dashboardBody(c), [c.loadBalancer, c.targetGroup, c.serviceName].find(isPending)),
      },
      replaceOn: { name: "a dashboard cannot be renamed" },
    },
  ];
}

export const alarmKey = (name: string) => `alarm:${name}`;

function alarmObject(a: AlarmSpec): DesiredObject {
  return {
    key: alarmKey(a.name),
    kind: "alarm",
    name: a.name,
    fields: {
      metric: `${a.namespace} ${a.metric}`,
      // A dimension value another step records (the ALB's) is shown as known after that step.
      dimensions:
        a.dimensions.find((d) => isPending(d.value))?.value ?? a.dimensions.map((d) => `${d.name}=${d.value}`).sort(),
      statistic: a.statistic,
      period: a.period,
      "evaluation periods": a.evaluationPeriods,
      "datapoints to alarm": a.datapoints ?? a.evaluationPeriods,
      comparison: a.comparison,
      threshold: a.threshold,
      "treat missing data": a.treatMissingData,
      "alarm actions": [ref("topic")],
      "OK actions": a.okActions ? [ref("topic")] : [],
      "insufficient data actions": [],
      "actions enabled": true,
      description: a.description,
    },
  };
}
