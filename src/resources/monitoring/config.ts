// The `monitoring` resource: one SNS topic for alerts (emailing ALARM_EMAIL), the service's alarms beside the
// user's RDS alarms, and one dashboard. It takes over the earlier scripts' monitoring (the topic in SNS_TOPIC_ARN,
// the dashboard CLOUDWATCH_DASHBOARD_NAME, the four RDS alarms) instead of making a second of each. Its inputs and
// the AWS objects it wants, with no SDK import.
import { type EnvReader, readInputs } from "../../core/inputs.js";
import { type DesiredObject, isPending } from "../../state/model.js";
import type { StackIdentity } from "../common/tags.js";
import type { Action, Resource } from "../resource.js";
import { type AlarmSpec, alarmSpecs } from "./alarms.js";
import { dashboardBody, dashboardFields } from "./dashboard.js";
import { alarmFields, alarmInput } from "./inputs.js";

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
  /** Destroy deletes every object found: whose each is, only its own service may say (ownership.ts). */
  destroying: boolean;
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
    destroying: action === "destroy",
  };
  input.done();
  return config;
}

/** What CreateTopic and Subscribe are sent (the name is the topic's, and says which one). */
export const topicInput = (c: MonitoringConfig) => ({
  Name: c.topicName,
  Subscriptions: c.email ? [{ Protocol: "email", Endpoint: c.email }] : [],
});

export const topicFields = (t: ReturnType<typeof topicInput>) =>
  t.Subscriptions.length ? { "email subscription": t.Subscriptions.map((s) => s.Endpoint).join(", ") } : {};

/** What PutDashboard is sent. */
export const dashboardInput = (c: MonitoringConfig) => ({
  DashboardName: c.dashboardName,
  DashboardBody: dashboardBody(c),
});

/** A dashboard's fields, from what PutDashboard is sent or GetDashboard answers; a body naming a value another
 * step records shows as known after that step. */
export function dashboardInputFields(d: { DashboardName?: string; DashboardBody?: string }) {
  const body = d.DashboardBody ?? "";
  return { name: d.DashboardName, ...dashboardFields(body, PLACEHOLDER.exec(body)?.[0]) };
}

const PLACEHOLDER = /<[A-Z0-9_]+ from [a-z0-9-]+>/;

export function monitoringDesired(c: MonitoringConfig): DesiredObject[] {
  return [
    {
      key: "topic",
      kind: "topic",
      name: c.topicName,
      input: topicInput(c),
      // Without ALARM_EMAIL the topic's subscriptions are not ours to judge.
      fields: topicFields(topicInput(c)),
    },
    ...alarmSpecs(c).map(alarmObject),
    {
      key: "dashboard",
      kind: "dashboard",
      name: c.dashboardName,
      input: dashboardInput(c),
      fields: dashboardInputFields(dashboardInput(c)),
      replaceOn: { name: "a dashboard cannot be renamed" },
    },
  ];
}

export const alarmKey = (name: string) => `alarm:${name}`;

function alarmObject(a: AlarmSpec): DesiredObject {
  const input = alarmInput(a);
  return { key: alarmKey(a.name), kind: "alarm", name: a.name, input, fields: alarmFields(input) };
}
