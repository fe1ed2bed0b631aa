// The dashboard body: one row per concern, in the region of the stack.
import type { MonitoringConfig } from "./config.js";

type Metric = (string | { stat?: string; label?: string })[];

export function dashboardBody(c: MonitoringConfig): string {
  const alb = ["LoadBalancer", c.loadBalancer];
  const tg = [...alb, "TargetGroup", c.targetGroup];
  const ecs = ["ClusterName", c.cluster, "ServiceName", c.serviceName];
  let y = 0;
  const row = (widgets: { title: string; metrics: Metric[]; stat?: string }[]) => {
    const width = Math.floor(24 / widgets.length);
    const out = widgets.map((w, i) => ({
      type: "metric",
      x: i * width,
      y,
      width,
      height: 6,
      properties: {
        title: w.title,
        region: c.region,
        view: "timeSeries",
        stacked: false,
        period: 60,
        stat: w.stat ?? "Sum",
        metrics: w.metrics,
      },
    }));
    y += 6;
    return out;
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
        title: "Hosts",
        stat: "Average",
        metrics: [
          ["AWS/ApplicationELB", "HealthyHostCount", ...tg],
          ["AWS/ApplicationELB", "UnHealthyHostCount", ...tg],
        ],
      },
    ]),
    ...row([
      {
        title: "ECS CPU and memory (%)",
        stat: "Average",
        metrics: [
          ["AWS/ECS", "CPUUtilization", ...ecs],
          ["AWS/ECS", "MemoryUtilization", ...ecs],
        ],
      },
      { title: "Running tasks", stat: "Average", metrics: [["ECS/ContainerInsights", "RunningTaskCount", ...ecs]] },
    ]),
  ];
  if (c.rdsInstanceId) {
    const rds = ["DBInstanceIdentifier", c.rdsInstanceId];
    widgets.push(
      ...row([
        { title: "RDS CPU (%)", stat: "Average", metrics: [["AWS/RDS", "CPUUtilization", ...rds]] },
        { title: "RDS connections", stat: "Average", metrics: [["AWS/RDS", "DatabaseConnections", ...rds]] },
        {
          title: "RDS free storage and memory (bytes)",
          stat: "Average",
          metrics: [
            ["AWS/RDS", "FreeStorageSpace", ...rds],
            ["AWS/RDS", "FreeableMemory", ...rds],
          ],
        },
      ]),
    );
  }
  return JSON.stringify({ widgets });
}
