// The production stack as the user's bash scripts built it (docs/earlier-scripts.md), with their calls and their
// values (create-alb.sh, create-acm-certificate.sh, create-alb-https-listener.sh,
// create-ecs-service-task-definition.sh, create-ecs-service.sh, create-ecs-autoscaling.sh, create-monitoring.sh):
// their names, their tags, never ours. The one fixture of it: the whole stack (scriptsStack), and each script's
// objects on their own for the tests that take over one resource.
// DNS was at their registrar, so nothing of it is in Route 53; the certificate was validated by hand.
import {
  ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, PutDashboardCommand, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { BACKEND_SG, SUBNETS, VPC_ID } from "../../src/sandbox/aws/ec2.js";

const region = "us-east-1";
const PRIVATE = ["subnet-0c1c2c3c4c5c60001", "subnet-0c1c2c3c4c5c60002"];
const ACCOUNT = "123456789012";
const SECRET = `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:rds/startupwebapp/multi-tenant/master-AbCdEf`;
const REPO = `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/startupwebapp`;
export const CLUSTER = "startupwebapp-cluster";
export const SERVICE = "startupwebapp-service";
export const RESOURCE_ID = `service/${CLUSTER}/${SERVICE}`;
export const RDS = "startupwebapp-multi-tenant-prod";
export const EMAIL = "ops@startupwebapp.com";
export const DASHBOARD = "StartupWebApp-RDS-MultiTenant";

/** The scripts' "std4" tags. */
const std4 = (name: string) => [
  { Key: "Name", Value: name },
  { Key: "Environment", Value: "production" },
  { Key: "Application", Value: "StartupWebApp" },
  { Key: "ManagedBy", Value: "InfrastructureAsCode" },
];

/** create-acm-certificate.sh's certificate: requested by them, their four tags, issued (CNAME set by hand). */
export function scriptsCertificate(fake: AwsFake, status: "ISSUED" | "PENDING_VALIDATION" = "ISSUED"): string {
  const arn = fake.acm.add("startupwebapp.com", status);
  const cert = fake.acm.certificates.get(arn);
  if (cert) cert.tags = std4("startupwebapp-certificate");
  return arn;
}

const LOG_GROUP = "/ecs/startupwebapp-service";

/** create-ecs-service-task-definition.sh's log group, kept a week. */
export async function scriptsLogGroup(): Promise<void> {
  const logs = new CloudWatchLogsClient({ region });
  await logs.send(
    new CreateLogGroupCommand({
      logGroupName: LOG_GROUP,
      tags: { Name: "startupwebapp-service-logs", Environment: "production", Project: "startupwebapp" },
    }),
  );
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: LOG_GROUP, retentionInDays: 7 }));
}

/** create-ecs-service-task-definition.sh's task definition, running image (their deploy registers it again). */
export const scriptsTaskDefinition = (image: string): RegisterTaskDefinitionCommandInput => ({
  family: "startupwebapp-service-task",
  networkMode: "awsvpc",
  requiresCompatibilities: ["FARGATE"],
  cpu: "512",
  memory: "1024",
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
  taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/startupwebapp-task-role`,
  containerDefinitions: [
    {
      name: "web",
      image,
      essential: true,
      command:
        "gunicorn StartupWebApp.wsgi:application --bind 0.0.0.0:8000 --workers 3 --timeout 30 --access-logfile - --error-logfile -".split(
          " ",
        ),
      portMappings: [{ containerPort: 8000, hostPort: 8000, protocol: "tcp" }],
      environment: [
        { name: "DJANGO_SETTINGS_MODULE", value: "StartupWebApp.settings_production" },
        { name: "AWS_REGION", value: region },
        { name: "DB_SECRET_NAME", value: "rds/startupwebapp/multi-tenant/master" },
        { name: "DATABASE_NAME", value: "startupwebapp_prod" },
        { name: "ENVIRONMENT_DOMAIN", value: "https://startupwebapp.startupwebapp.com" },
      ],
      secrets: ["password", "username", "host", "port"].map((key) => ({
        name: `DATABASE_${key === "username" ? "USER" : key.toUpperCase()}`,
        valueFrom: `${SECRET}:${key}::`,
      })),
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": LOG_GROUP,
          "awslogs-region": region,
          "awslogs-stream-prefix": "web",
        },
      },
      healthCheck: {
        command: ["CMD-SHELL", "curl -f http://localhost:8000/order/products || exit 1"],
        interval: 30,
        timeout: 5,
        retries: 3,
        startPeriod: 60,
      },
    },
  ],
});

/** create-ecs-service.sh's service, running the task definition behind the target group. */
export const scriptsService = (
  taskDefinition: string | undefined,
  targetGroupArn: string | undefined,
): CreateServiceCommandInput => ({
  cluster: CLUSTER,
  serviceName: SERVICE,
  taskDefinition,
  desiredCount: 2,
  launchType: "FARGATE",
  platformVersion: "LATEST",
  networkConfiguration: {
    awsvpcConfiguration: { subnets: PRIVATE, securityGroups: [BACKEND_SG], assignPublicIp: "DISABLED" },
  },
  loadBalancers: [{ targetGroupArn, containerName: "web", containerPort: 8000 }],
  healthCheckGracePeriodSeconds: 120,
  deploymentConfiguration: {
    deploymentCircuitBreaker: { enable: true, rollback: true },
    minimumHealthyPercent: 100,
    maximumPercent: 200,
  },
  schedulingStrategy: "REPLICA",
  deploymentController: { type: "ECS" },
  enableExecuteCommand: true,
  tags: [
    { key: "Name", value: "startupwebapp-service" },
    { key: "Environment", value: "production" },
    { key: "Project", value: "startupwebapp" },
  ],
});

/** What `alb` records, for the alarms' dimensions (monitoring never calls ELBv2). */
export const ALB_RECORDS = `ALB_ARN="arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/startupwebapp-alb/50dc6c495c0c9188"
TARGET_GROUP_ARN="arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/startupwebapp-tg/943f017f100becff"
`;

/** create-ecs-service.sh's service and its task definition, ACTIVE with two tasks, without its load balancer. */
export async function runningService(serviceName = SERVICE): Promise<void> {
  const ecs = new ECSClient({ region });
  const td = (await ecs.send(new RegisterTaskDefinitionCommand(scriptsTaskDefinition(`${REPO}:latest`))))
    .taskDefinition;
  // AWS takes a grace period only for a service behind a load balancer.
  const { loadBalancers, healthCheckGracePeriodSeconds, ...service } = scriptsService(td?.taskDefinitionArn, undefined);
  await ecs.send(new CreateServiceCommand({ ...service, serviceName }));
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

/** Builds it on the fake (installed on the SDK clients) and returns the env file the scripts left behind. */
export async function scriptsStack(fake: AwsFake, image = `${REPO}:3f9c2a1b7e4d`): Promise<string> {
  const ec2 = new EC2Client({ region });
  const elbv2 = new ElasticLoadBalancingV2Client({ region });
  // create-alb.sh
  const { GroupId: sg } = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: "startupwebapp-alb-sg",
      Description: "Security group for StartupWebApp ALB - allows HTTP/HTTPS from internet",
      VpcId: VPC_ID,
      TagSpecifications: [{ ResourceType: "security-group", Tags: std4("startupwebapp-alb-sg") }],
    }),
  );
  fake.clock.advance(5_000); // the group becomes visible
  await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg as string] }));
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sg,
      IpPermissions: [80, 443].map((p) => ({
        IpProtocol: "tcp",
        FromPort: p,
        ToPort: p,
        IpRanges: [{ CidrIp: "0.0.0.0/0" }],
      })),
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: BACKEND_SG,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 8000, ToPort: 8000, UserIdGroupPairs: [{ GroupId: sg }] }],
    }),
  );
  const tg = (
    await elbv2.send(
      new CreateTargetGroupCommand({
        Name: "startupwebapp-tg",
        Protocol: "HTTP",
        Port: 8000,
        VpcId: VPC_ID,
        TargetType: "ip",
        HealthCheckProtocol: "HTTP",
        HealthCheckPath: "/order/products",
        HealthCheckIntervalSeconds: 30,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 3,
        Matcher: { HttpCode: "200" },
        Tags: std4("startupwebapp-tg"),
      }),
    )
  ).TargetGroups?.[0];
  const lb = (
    await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: "startupwebapp-alb",
        Type: "application",
        Scheme: "internet-facing",
        IpAddressType: "ipv4",
        Subnets: SUBNETS,
        SecurityGroups: [sg as string],
        Tags: std4("startupwebapp-alb"),
      }),
    )
  ).LoadBalancers?.[0];
  fake.clock.advance(fake.latency.albActiveMs); // the available-waiter
  const http = (
    await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb?.LoadBalancerArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [
          { Type: "redirect", RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } },
        ],
        Tags: [
          { Key: "Name", Value: "startupwebapp-http-listener" },
          { Key: "Environment", Value: "production" },
        ],
      }),
    )
  ).Listeners?.[0];
  // create-acm-certificate.sh (validated by hand at the registrar), create-alb-https-listener.sh
  const certificate = scriptsCertificate(fake);
  const https = (
    await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb?.LoadBalancerArn,
        Protocol: "HTTPS",
        Port: 443,
        SslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        Certificates: [{ CertificateArn: certificate }],
        DefaultActions: [{ Type: "forward", TargetGroupArn: tg?.TargetGroupArn }],
        Tags: [
          { Key: "Name", Value: "startupwebapp-https-listener" },
          { Key: "Environment", Value: "production" },
        ],
      }),
    )
  ).Listeners?.[0];
  // create-ecs-service-task-definition.sh, then a deploy that moved it to the image of a commit
  await scriptsLogGroup();
  // Their build pushed the commit's image first: ECS runs only what ECR holds.
  if (image.startsWith(`${REPO}:`)) fake.ecr.push("startupwebapp", image.slice(REPO.length + 1));
  const ecs = new ECSClient({ region });
  const td = (await ecs.send(new RegisterTaskDefinitionCommand(scriptsTaskDefinition(image)))).taskDefinition;
  // create-ecs-service.sh
  const service = (await ecs.send(new CreateServiceCommand(scriptsService(td?.taskDefinitionArn, tg?.TargetGroupArn))))
    .service;
  fake.clock.advance(10 * 60_000); // running == desired, and the scripts' sleep 10
  // create-ecs-autoscaling.sh, create-monitoring.sh
  await scriptsAutoScaling();
  const monitoring = await scriptsMonitoring();
  return `ALB_ARN="${lb?.LoadBalancerArn}"
ALB_DNS_NAME="${lb?.DNSName}"
ALB_SECURITY_GROUP_ID="${sg}"
TARGET_GROUP_ARN="${tg?.TargetGroupArn}"
HTTP_LISTENER_ARN="${http?.ListenerArn}"
HTTPS_LISTENER_ARN="${https?.ListenerArn}"
ACM_CERTIFICATE_ARN="${certificate}"
ECS_SERVICE_TASK_DEFINITION_FAMILY="startupwebapp-service-task"
ECS_SERVICE_TASK_DEFINITION_ARN="${td?.taskDefinitionArn}"
ECS_SERVICE_TASK_DEFINITION_REVISION="${td?.revision}"
ECS_SERVICE_LOG_GROUP="/ecs/startupwebapp-service"
ECS_SERVICE_NAME="startupwebapp-service"
ECS_SERVICE_ARN="${service?.serviceArn}"
AUTOSCALING_MIN_CAPACITY="1"
AUTOSCALING_MAX_CAPACITY="4"
AUTOSCALING_CPU_POLICY="startupwebapp-cpu-scaling"
AUTOSCALING_MEMORY_POLICY="startupwebapp-memory-scaling"
${monitoring.envLines}`;
}
