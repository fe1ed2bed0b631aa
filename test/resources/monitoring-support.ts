// What the monitoring tests share: the stack's alarm and widget names, what AWS holds for monitoring, and the env
// file once alb has run.

import { isManaged } from "../../src/resources/common/tags.js";
import { monitoringResource } from "../../src/resources/monitoring/config.js";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { INPUTS, lifecycleOf } from "../helpers.js";
import { ALB_RECORDS, DASHBOARD, EMAIL, RDS } from "../support/scripts-stack.js";

export const monitoring = lifecycleOf(monitoringResource);

export const TOPIC = "startupwebapp-rds-alerts";
export const SERVICE_ALARMS = [
  "alb-5xx",
  "ecs-cpu-high",
  "ecs-memory-high",
  "latency-p95",
  "no-healthy-hosts",
  "target-5xx",
  "unhealthy-hosts",
].map((n) => `startupwebapp-${n}`);
export const RDS_ALARMS = ["rds-connections-high", "rds-cpu-high", "rds-memory-low", "rds-storage-low"].map(
  (n) => `startupwebapp-${n}`,
);
export const SERVICE_WIDGETS = [
  "Requests",
  "Errors",
  "Latency (s)",
  "Tasks behind the load balancer",
  "ECS CPU (%)",
  "ECS memory (%)",
];
export const RDS_WIDGETS = [
  "CPU Utilization",
  "Database Connections",
  "Freeable Memory",
  "Free Storage Space",
  "Read/Write Latency",
  "Read/Write Throughput",
];

/** What AWS holds for monitoring, "*" marking what carries ManagedBy=infra (TargetTracking-... alarms apart). */
export function monitoringState(fake: AwsFake) {
  const mark = (name: string, managed: boolean) => `${name}${managed ? " *" : ""}`;
  const cw = fake.cloudwatch;
  return {
    topics: [...fake.sns.topics.values()].map((t) => mark(t.name, isManaged(t.tags))).sort(),
    subscriptions: [...fake.sns.subscriptions.values()].map((s) => `${s.TopicArn.split(":").at(-1)} ${s.Endpoint}`),
    alarms: [...cw.alarms.values()]
      .filter((a) => !a.AlarmName?.startsWith("TargetTracking-"))
      .map((a) => mark(a.AlarmName as string, isManaged(cw.tags.get(a.AlarmArn as string))))
      .sort(),
    dashboards: [...cw.dashboards.values()].map(
      (d) =>
        `${mark(d.DashboardName, isManaged(cw.dashboardStore.tags.get(d.DashboardName)))}: ${JSON.parse(d.DashboardBody)
          .widgets.map((w: { properties: { title: string } }) => w.properties.title)
          .join(", ")}`,
    ),
  };
}

/** The service's alarms beside the scripts' RDS alarms, one topic, one dashboard of both: all infra's. */
export const FULL = {
  topics: [`${TOPIC} *`],
  subscriptions: [`${TOPIC} ${EMAIL}`],
  alarms: [...SERVICE_ALARMS, ...RDS_ALARMS].sort().map((n) => `${n} *`),
  dashboards: [`${DASHBOARD} *: ${[...SERVICE_WIDGETS, ...RDS_WIDGETS].join(", ")}`],
};
export const NOTHING = { topics: [], subscriptions: [], alarms: [], dashboards: [] };

/** The env file once alb has run, with the database and the address alerts go to. */
export const FULL_INPUTS = `${INPUTS}${ALB_RECORDS}RDS_INSTANCE_ID="${RDS}"\nALARM_EMAIL="${EMAIL}"\n`;

export const planLines = (changes: Awaited<ReturnType<typeof monitoring.plan>>["changes"]) =>
  changes.flatMap((c) =>
    c.action === "update"
      ? c.fields.map((f) => `${c.desired.kind} ${c.desired.name}: ${f.field}`)
      : c.action === "keep"
        ? []
        : [`${c.action} ${"desired" in c ? c.desired.name : c.observed.name}`],
  );
