import { CloudWatchClient, PutDashboardCommand, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { withPendingRecords } from "../../src/core/inputs.js";
import { albResource } from "../../src/resources/alb/config.js";
import { stackTags } from "../../src/resources/common/tags.js";
import { monitoringResource } from "../../src/resources/monitoring/config.js";
import { formatValue } from "../../src/state/render.js";
import { contextFor, INPUTS, tempEnvFile, useFake } from "../helpers.js";
import { ALB_RECORDS, DASHBOARD, EMAIL, scriptsMonitoring } from "../support/scripts-stack.js";
import {
  FULL,
  monitoring,
  monitoringState,
  NOTHING,
  planLines,
  RDS_ALARMS,
  SERVICE_ALARMS,
  TOPIC,
} from "./monitoring-support.js";

const { create, destroy, plan } = monitoring;

describe("monitoring reads what alb records", () => {
  it("shows the ALB's dimensions as known after alb in a run that makes both, and comes after it", () => {
    const inputs = new Map([
      ["PROJECT_NAME", "startupwebapp"],
      ["ENVIRONMENT", "production"],
      ["AWS_REGION", "us-east-1"],
      ["ECS_CLUSTER_NAME", "startupwebapp-cluster"],
    ]);
    const env = withPendingRecords({ get: (k) => inputs.get(k) }, [albResource]);
    const desired = monitoringResource.desired(monitoringResource.config(env, "plan"));
    const field = (key: string, name: string) => formatValue(desired.find((d) => d.key === key)?.fields[name]);

    expect(monitoringResource.after).toContain("alb");
    expect(field("alarm:startupwebapp-latency-p95", "dimensions")).toBe("(known after alb)");
    expect(field("dashboard", "body")).toBe("(known after alb)");
    expect(field("alarm:startupwebapp-ecs-cpu-high", "dimensions")).toBe(
      "[ClusterName=startupwebapp-cluster, ServiceName=startupwebapp-service]",
    );
  });
});

describe("monitoring takes over the earlier scripts' monitoring", () => {
  const fake = useFake();

  it("adopts the scripts' topic, subscription, RDS alarms and dashboard, adds the service's beside them, and destroy leaves nothing", async () => {
    const scripts = await scriptsMonitoring();
    const path = tempEnvFile(`${INPUTS}${ALB_RECORDS}${scripts.envLines}ALARM_EMAIL="${EMAIL}"\n`);
    const ctx = await contextFor(fake.current, path);

    const planned = (await plan(ctx)).changes.map((c) => `${c.action} ${"desired" in c ? c.desired.name : ""}`);
    const before = fake.current.calls.length;
    await create(ctx);

    expect(planned).toEqual([
      `adopt ${TOPIC}`,
      ...SERVICE_ALARMS.map(() => expect.stringMatching(/^create startupwebapp-/)),
      ...["rds-cpu-high", "rds-connections-high", "rds-storage-low", "rds-memory-low"].map(
        (n) => `adopt startupwebapp-${n}`,
      ),
      `adopt ${DASHBOARD}`,
    ]);
    expect(fake.current.mutatingCalls(before).map((c) => `${c.service} ${c.op}`)).toEqual([
      "SNS TagResource",
      ...SERVICE_ALARMS.map(() => "CloudWatch PutMetricAlarm"),
      ...RDS_ALARMS.map(() => "CloudWatch TagResource"),
      "CloudWatch TagResource",
      "CloudWatch PutDashboard",
    ]);
    expect(monitoringState(fake.current)).toEqual(FULL);
    expect(ctx.env.get("SNS_TOPIC_ARN")).toBe(scripts.topicArn);
    // Their tags stay; ours are added.
    const topic = fake.current.sns.topics.get(scripts.topicArn);
    expect(topic?.tags.map((t) => `${t.Key}=${t.Value}`).sort()).toEqual([
      "Application=StartupWebApp",
      "Environment=production",
      "ManagedBy=infra",
      `Name=${TOPIC}`,
      "Project=startupwebapp",
    ]);

    const again = fake.current.calls.length;
    await create(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(again)).toEqual([]);
    await destroy(await contextFor(fake.current, path));
    expect(monitoringState(fake.current)).toEqual(NOTHING);
  });

  it("deletes the second topic, dashboard and RDS alarms an earlier version of infra made beside the scripts'", async () => {
    const scripts = await scriptsMonitoring();
    // What that version made: its own topic and dashboard (recorded), and two RDS alarms under other names.
    const stack = { project: "startupwebapp", environment: "production" };
    const sns = new SNSClient({ region: "us-east-1" });
    const cw = new CloudWatchClient({ region: "us-east-1" });
    const old = await sns.send(
      new CreateTopicCommand({
        Name: "startupwebapp-service-alerts",
        Tags: stackTags(stack, "startupwebapp-service-alerts"),
      }),
    );
    await cw.send(new PutDashboardCommand({ DashboardName: "startupwebapp-service", DashboardBody: '{"widgets":[]}' }));
    for (const name of ["startupwebapp-rds-free-storage-low", "startupwebapp-rds-freeable-memory-low"])
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: "AWS/RDS",
          MetricName: "FreeStorageSpace",
          Statistic: "Average",
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "LessThanThreshold",
          AlarmActions: [old.TopicArn as string],
          Tags: stackTags(stack, name),
        }),
      );
    const path = tempEnvFile(
      `${INPUTS}${ALB_RECORDS}${scripts.envLines}ALARM_EMAIL="${EMAIL}"\nSERVICE_ALERTS_TOPIC_ARN="${old.TopicArn}"\nSERVICE_DASHBOARD_NAME="startupwebapp-service"\n`,
    );
    const ctx = await contextFor(fake.current, path);

    const planned = planLines((await plan(ctx)).changes);
    await create(ctx);

    expect(planned).toEqual(
      expect.arrayContaining([
        `replace ${DASHBOARD}`,
        "delete startupwebapp-rds-free-storage-low",
        "delete startupwebapp-rds-freeable-memory-low",
        "delete startupwebapp-service-alerts",
      ]),
    );
    expect(monitoringState(fake.current)).toEqual(FULL);
    expect(ctx.env.get("SERVICE_ALERTS_TOPIC_ARN")).toBeUndefined();
    expect(ctx.env.get("SERVICE_DASHBOARD_NAME")).toBe(DASHBOARD);
    await destroy(await contextFor(fake.current, path));
    expect(monitoringState(fake.current)).toEqual(NOTHING);
  });

  it("leaves what the scripts made when destroy runs before create adopted it", async () => {
    const scripts = await scriptsMonitoring();
    const ctx = await contextFor(fake.current, tempEnvFile(`${INPUTS}${ALB_RECORDS}${scripts.envLines}`));
    const before = fake.current.calls.length;
    await destroy(ctx);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(monitoringState(fake.current).alarms).toEqual(RDS_ALARMS);
  });
});
