// What the user's scripts made before infra (docs/earlier-scripts.md), made here with their calls and their values
// (create-ecs-service.sh's service, create-ecs-autoscaling.sh, create-monitoring.sh), so tests can check that infra
// takes them over.
import {
  ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, PutDashboardCommand, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";

const region = "us-east-1";
export const CLUSTER = "startupwebapp-cluster";
export const SERVICE = "startupwebapp-service";
export const RESOURCE_ID = `service/${CLUSTER}/${SERVICE}`;
export const RDS = "startupwebapp-multi-tenant-prod";
export const EMAIL = "ops@startupwebapp.com";
export const DASHBOARD = "StartupWebApp-RDS-MultiTenant";

/** What `alb` records, for the alarms' dimensions (monitoring never calls ELBv2). */
export const ALB_RECORDS = `ALB_ARN="arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/startupwebapp-alb/50dc6c495c0c9188"
TARGET_GROUP_ARN="arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/startupwebapp-tg/943f017f100becff"
`;

/** An ACTIVE Fargate service of two tasks, as create-ecs-service.sh leaves it (without its load balancer). */
export async function runningService(serviceName = SERVICE): Promise<void> {
  const ecs = new ECSClient({ region });
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "startupwebapp-service-task",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "512",
      memory: "1024",
      containerDefinitions: [
        { name: "web", image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp:latest", essential: true },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName,
      taskDefinition: td.taskDefinition?.taskDefinitionArn,
      desiredCount: 2,
      launchType: "FARGATE",
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-0c1c2c3c4c5c60001", "subnet-0c1c2c3c4c5c60002"] },
      },
    }),
  );
}

/** A scalable target of 1-4 tasks, without tags, as create-ecs-autoscaling.sh registers it. */
export async function registerTarget(ResourceId = RESOURCE_ID): Promise<void> {
  await new ApplicationAutoScalingClient({ region }).send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: "ecs",
      ResourceId,
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: 1,
      MaxCapacity: 4,
    }),
  );
}

/** create-ecs-autoscaling.sh: the target (1-4, no tags) and its two target tracking policies. */
export async function scriptsAutoScaling(): Promise<void> {
  const aas = new ApplicationAutoScalingClient({ region });
  const target = {
    ServiceNamespace: "ecs",
    ResourceId: RESOURCE_ID,
    ScalableDimension: "ecs:service:DesiredCount",
  } as const;
  await registerTarget();
  for (const [name, metric, value] of [
    ["startupwebapp-cpu-scaling", "ECSServiceAverageCPUUtilization", 70],
    ["startupwebapp-memory-scaling", "ECSServiceAverageMemoryUtilization", 80],
  ] as const) {
    await aas.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: name,
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: value,
          PredefinedMetricSpecification: { PredefinedMetricType: metric },
          ScaleOutCooldown: 60,
          ScaleInCooldown: 300,
        },
      }),
    );
  }
}

/** The lines create-monitoring.sh writes (over the template's CLOUDWATCH_DASHBOARD_NAME and RDS_INSTANCE_ID). */
export interface ScriptsMonitoring {
  topicArn: string;
  envLines: string;
}

/** create-monitoring.sh <email>: topic, email subscription, four RDS alarms, the six-widget dashboard. */
export async function scriptsMonitoring(): Promise<ScriptsMonitoring> {
  const sns = new SNSClient({ region });
  const cw = new CloudWatchClient({ region });
  const topic = await sns.send(
    new CreateTopicCommand({
      Name: "startupwebapp-rds-alerts",
      Tags: [
        { Key: "Name", Value: "startupwebapp-rds-alerts" },
        { Key: "Environment", Value: "production" },
        { Key: "Application", Value: "StartupWebApp" },
      ],
    }),
  );
  const topicArn = topic.TopicArn as string;
  const sub = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "email", Endpoint: EMAIL }));
  const alarms = [
    ["startupwebapp-rds-cpu-high", "CPUUtilization", "GreaterThanThreshold", 70, 2, "Alert when RDS CPU exceeds 70%"],
    [
      "startupwebapp-rds-connections-high",
      "DatabaseConnections",
      "GreaterThanThreshold",
      80,
      2,
      "Alert when RDS connections exceed 80",
    ],
    [
      "startupwebapp-rds-storage-low",
      "FreeStorageSpace",
      "LessThanThreshold",
      2147483648,
      1,
      "Alert when RDS free storage below 2GB",
    ],
    [
      "startupwebapp-rds-memory-low",
      "FreeableMemory",
      "LessThanThreshold",
      524288000,
      2,
      "Alert when RDS free memory below 500MB",
    ],
  ] as const;
  for (const [name, metric, comparison, threshold, evaluations, description] of alarms) {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        AlarmDescription: description,
        MetricName: metric,
        Namespace: "AWS/RDS",
        Statistic: "Average",
        Period: 300,
        Threshold: threshold,
        ComparisonOperator: comparison,
        EvaluationPeriods: evaluations,
        Dimensions: [{ Name: "DBInstanceIdentifier", Value: RDS }],
        AlarmActions: [topicArn],
        Tags: [
          { Key: "Name", Value: name },
          { Key: "Environment", Value: "production" },
        ],
      }),
    );
  }
  // Six metric widgets without positions: CloudWatch lays them out.
  const widget = (title: string, metrics: [string, string][], max?: number) => ({
    type: "metric",
    properties: {
      metrics: metrics.map(([m, label]) => ["AWS/RDS", m, { label }]),
      period: 300,
      stat: "Average",
      region,
      title,
      yAxis: { left: { min: 0, ...(max ? { max } : {}) } },
    },
  });
  const body = {
    widgets: [
      widget("CPU Utilization", [["CPUUtilization", "CPU %"]], 100),
      widget("Database Connections", [["DatabaseConnections", "Connections"]]),
      widget("Freeable Memory", [["FreeableMemory", "Free Memory"]]),
      widget("Free Storage Space", [["FreeStorageSpace", "Free Storage"]]),
      widget("Read/Write Latency", [
        ["ReadLatency", "Read Latency"],
        ["WriteLatency", "Write Latency"],
      ]),
      widget("Read/Write Throughput", [
        ["ReadThroughput", "Read Throughput"],
        ["WriteThroughput", "Write Throughput"],
      ]),
    ],
  };
  await cw.send(new PutDashboardCommand({ DashboardName: DASHBOARD, DashboardBody: JSON.stringify(body) }));
  const envLines = `RDS_INSTANCE_ID="${RDS}"
SNS_TOPIC_ARN="${topicArn}"
SNS_SUBSCRIPTION_ARN="${sub.SubscriptionArn}"
CLOUDWATCH_DASHBOARD_NAME="${DASHBOARD}"
`;
  return { topicArn, envLines };
}
