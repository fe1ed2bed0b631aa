// The one dashboard: the service's rows (requests, errors, latency, tasks behind the load balancer, ECS CPU and
// memory), then - when RDS_INSTANCE_ID is set - the earlier scripts' six RDS widgets. Every metric here is
// published without Container Insights: AWS/ApplicationELB and AWS/ECS's service CPUUtilization and
// MemoryUtilization (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html), AWS/RDS.
// Pure: no SDK import.
import { createHash } from "node:crypto";
import type { Fields } from "../../state/model.js";
import type { MonitoringConfig } from "./config.js";

type Metric = (string | Record<string, string>)[];

interface Widget {
  title: string;
  metrics: Metric[];
  stat?: string;
  period?: number;
  yAxis?: Record<string, unknown>;
}

const WIDTH = 24;

export function dashboardBody(c: MonitoringConfig): string {
  const alb = ["LoadBalancer", c.loadBalancer];
  const tg = [...alb, "TargetGroup", c.targetGroup];
  const ecs = ["ClusterName", c.cluster, "ServiceName", c.serviceName];
  let y = 0;
  const row = (widgets: Widget[], height = 6) => {
    const width = Math.floor(WIDTH / widgets.length);
    const placed = widgets.map((w, i) => ({
      type: "metric",
      x: i * width,
      y,
      width,
      height,
      properties: {
        title: w.title,
        region: c.region,
        view: "timeSeries",
        stacked: false,
        period: w.period ?? 60,
        stat: w.stat ?? "Sum",
        metrics: w.metrics,
        ...(w.yAxis ? { yAxis: w.yAxis } : {}),
      },
    }));
    y += height;
    return placed;
  };
  const widgets = [
    ...row([
      { title: "Requests", metrics: [["AWS/ApplicationELB", "RequestCount", ...alb]] },
      {
        title: "Errors",
        metrics: [
          ["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", ...tg],
          ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...tg],
          ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", ...alb],
        ],
      },
    ]),
    ...row([
      {
        title: "Latency (s)",
        metrics: ["p50", "p95", "p99"].map((p) => [
          "AWS/ApplicationELB",
          "TargetResponseTime",
          ...tg,
          { stat: p, label: p },
        ]),
      },
      {
        // Each running task is one target of the ip target group: this is the task count Container Insights
        // would otherwise give, from a metric every ALB publishes.
        title: "Tasks behind the load balancer",
        stat: "Average",
        metrics: [
          ["AWS/ApplicationELB", "HealthyHostCount", ...tg, { label: "healthy" }],
          ["AWS/ApplicationELB", "UnHealthyHostCount", ...tg, { label: "unhealthy" }],
        ],
      },
    ]),
    ...row([
      {
        title: "ECS CPU (%)",
        stat: "Average",
        metrics: [
          ["AWS/ECS", "CPUUtilization", ...ecs, { label: "average" }],
          ["AWS/ECS", "CPUUtilization", ...ecs, { stat: "Maximum", label: "busiest task" }],
        ],
      },
      {
        title: "ECS memory (%)",
        stat: "Average",
        metrics: [
          ["AWS/ECS", "MemoryUtilization", ...ecs, { label: "average" }],
          ["AWS/ECS", "MemoryUtilization", ...ecs, { stat: "Maximum", label: "busiest task" }],
        ],
      },
    ]),
  ];
  if (c.rdsInstanceId) {
    const rds = (metric: string, label: string): Metric => [
      "AWS/RDS",
      metric,
      "DBInstanceIdentifier",
      c.rdsInstanceId as string,
      { label },
    ];
    // The earlier scripts' widgets: 5-minute averages, y axis from 0 (CPU up to 100).
    const script = (title: string, metrics: Metric[], max?: number): Widget => ({
      title,
      metrics,
      stat: "Average",
      period: 300,
      yAxis: { left: { min: 0, ...(max ? { max } : {}) } },
    });
    widgets.push(
      ...row([
        script("CPU Utilization", [rds("CPUUtilization", "CPU %")], 100),
        script("Database Connections", [rds("DatabaseConnections", "Connections")]),
        script("Freeable Memory", [rds("FreeableMemory", "Free Memory")]),
      ]),
      ...row([
        script("Free Storage Space", [rds("FreeStorageSpace", "Free Storage")]),
        script("Read/Write Latency", [rds("ReadLatency", "Read Latency"), rds("WriteLatency", "Write Latency")]),
        script("Read/Write Throughput", [
          rds("ReadThroughput", "Read Throughput"),
          rds("WriteThroughput", "Write Throughput"),
        ]),
      ]),
    );
  }
  return JSON.stringify({ widgets });
}

/** JSON with its object keys sorted: two bodies that differ only in key order or spacing compare equal. */
export function canonical(body: string): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  try {
    return JSON.stringify(sort(JSON.parse(body)));
  } catch {
    return body;
  }
}

/**
 * A dashboard as fields: its widgets by title, and a digest of the whole body (any other change to a widget shows
 * there). `waitingFor` is the placeholder of an input another step records, which the body cannot be known without.
 */
export function dashboardFields(body: string, waitingFor?: string): Fields {
  return { widgets: titlesOf(body), body: waitingFor ?? digest(body) };
}

export function titlesOf(body: string): string[] {
  try {
    const widgets = (JSON.parse(body).widgets ?? []) as { properties?: { title?: unknown } }[];
    return widgets.map((w) => String(w.properties?.title ?? "(untitled)"));
  } catch {
    return [];
  }
}

export const digest = (body: string) =>
  `sha256:${createHash("sha256").update(canonical(body)).digest("hex").slice(0, 12)}`;
