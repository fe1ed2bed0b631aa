// The production stack as the user's bash scripts built it (docs/earlier-scripts.md), with their calls and their
// values (create-alb.sh, create-acm-certificate.sh, create-alb-https-listener.sh,
// create-ecs-service-task-definition.sh, create-ecs-service.sh, create-ecs-autoscaling.sh, create-monitoring.sh):
// their names, their tags, never ours.
// DNS was at their registrar, so nothing of it is in Route 53; the certificate was validated by hand.
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
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { BACKEND_SG, SUBNETS, VPC_ID } from "../../src/sandbox/aws/ec2.js";
import { scriptsCertificate } from "../resources/dns-support.js";
import { scriptsAutoScaling, scriptsMonitoring } from "../resources/scripts.js";

const region = "us-east-1";
const PRIVATE = ["subnet-0c1c2c3c4c5c60001", "subnet-0c1c2c3c4c5c60002"];
const ACCOUNT = "123456789012";
const SECRET = `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:rds/startupwebapp/multi-tenant/master-AbCdEf`;
const REPO = `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/startupwebapp`;

/** The scripts' "std4" tags. */
const std4 = (name: string) => [
  { Key: "Name", Value: name },
  { Key: "Environment", Value: "production" },
  { Key: "Application", Value: "StartupWebApp" },
  { Key: "ManagedBy", Value: "InfrastructureAsCode" },
];

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
  cluster: "startupwebapp-cluster",
  serviceName: "startupwebapp-service",
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
