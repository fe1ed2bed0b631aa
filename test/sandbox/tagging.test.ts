// The Resource Groups Tagging API fake finds tagged resources across the other models of the fake, pages like AWS
// (an empty PaginationToken at the end) and, being eventually consistent, lists a deleted resource a little longer.
import { ACMClient, RequestCertificateCommand } from "@aws-sdk/client-acm";
import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, CreateLogGroupCommand, DeleteLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateSecurityGroupCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  GetResourcesCommand,
  type GetResourcesInput,
  InvalidParameterException,
  PaginationTokenExpiredException,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { CreateWebACLCommand, WAFV2Client } from "@aws-sdk/client-wafv2";
import { describe, expect, it } from "vitest";
import { DIMENSION } from "../../src/sandbox/aws/autoscaling.js";
import { BACKEND_SG, SUBNETS, VPC_ID } from "../../src/sandbox/aws/ec2.js";
import { CLUSTER } from "../../src/sandbox/aws/ecs.js";
import { PURGED_AFTER_INACTIVE_MS } from "../../src/sandbox/aws/ecs-state.js";
import { LISTED_AFTER_DELETE_MS, TOKEN_VALID_MS } from "../../src/sandbox/aws/tagging.js";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const region = { region: "us-east-1" };
const PROJECT = [
  { Key: "Project", Value: "startupwebapp" },
  { Key: "ManagedBy", Value: "infra" },
];
const OTHER = [
  { Key: "Project", Value: "other" },
  { Key: "ManagedBy", Value: "infra" },
];
const PROJECT_FILTERS = [
  { Key: "Project", Values: ["startupwebapp"] },
  { Key: "ManagedBy", Values: ["infra"] },
];
const lower = (tags: typeof PROJECT) => tags.map((t) => ({ key: t.Key, value: t.Value }));
const asMap = (tags: typeof PROJECT) => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));

const getResources = (input: GetResourcesInput = {}) =>
  new ResourceGroupsTaggingAPIClient(region).send(new GetResourcesCommand(input));
const listedArns = async (input: GetResourcesInput = { TagFilters: PROJECT_FILTERS }) =>
  ((await getResources(input)).ResourceTagMappingList ?? []).map((m) => m.ResourceARN);

const logGroup = (logGroupName: string, tags = PROJECT) =>
  new CloudWatchLogsClient(region).send(new CreateLogGroupCommand({ logGroupName, tags: asMap(tags) }));
const topic = async (Name: string, Tags = PROJECT) =>
  (await new SNSClient(region).send(new CreateTopicCommand({ Name, Tags }))).TopicArn as string;

/** One resource of each kind `infra` makes, tagged with `tags`; returns their ARNs. */
async function stack(name: string, tags: typeof PROJECT): Promise<string[]> {
  const sg = await new EC2Client(region).send(
    new CreateSecurityGroupCommand({
      GroupName: `${name}-alb`,
      Description: "alb",
      VpcId: VPC_ID,
      TagSpecifications: [{ ResourceType: "security-group", Tags: tags }],
    }),
  );
  fake.current.clock.advance(2_000); // a new security group shows up in describes a little late
  const elbv2 = new ElasticLoadBalancingV2Client(region);
  const lb = await elbv2.send(
    new CreateLoadBalancerCommand({ Name: name, Subnets: SUBNETS, SecurityGroups: [sg.GroupId as string], Tags: tags }),
  );
  const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn as string;
  const tg = await elbv2.send(new CreateTargetGroupCommand({ Name: name, Port: 8000, VpcId: VPC_ID, Tags: tags }));
  const tgArn = tg.TargetGroups?.[0]?.TargetGroupArn as string;
  const listener = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }],
      Tags: tags,
    }),
  );
  const cert = await new ACMClient(region).send(
    new RequestCertificateCommand({ DomainName: `${name}.example.com`, ValidationMethod: "DNS", Tags: tags }),
  );
  const td = await new ECSClient(region).send(
    new RegisterTaskDefinitionCommand({
      family: name,
      containerDefinitions: [{ name: "web", image: "nginx", memory: 512 }],
      tags: lower(tags),
    }),
  );
  await logGroup(`/ecs/${name}`, tags);
  const alarm = `${name}-5xx`;
  await new CloudWatchClient(region).send(
    new PutMetricAlarmCommand({
      AlarmName: alarm,
      Namespace: "AWS/ApplicationELB",
      MetricName: "HTTPCode_Target_5XX_Count",
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: "GreaterThanThreshold",
      Tags: tags,
    }),
  );
  const acl = await new WAFV2Client(region).send(
    new CreateWebACLCommand({
      Name: name,
      Scope: "REGIONAL",
      DefaultAction: { Allow: {} },
      Rules: [],
      VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name },
      Tags: tags,
    }),
  );
  return [
    `arn:aws:ec2:us-east-1:123456789012:security-group/${sg.GroupId}`,
    lbArn,
    tgArn,
    listener.Listeners?.[0]?.ListenerArn as string,
    cert.CertificateArn as string,
    td.taskDefinition?.taskDefinitionArn as string,
    `arn:aws:logs:us-east-1:123456789012:log-group:/ecs/${name}`,
    `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm}`,
    await topic(`${name}-alerts`, tags),
    acl.Summary?.ARN as string,
  ];
}

describe("Resource Groups Tagging API fake", () => {
  it("lists every resource carrying the project's tags", async () => {
    const ours = await stack("startupwebapp", PROJECT);
    await stack("other", OTHER);
    const listed = await listedArns();
    expect([...listed].sort()).toEqual([...ours].sort());
    const [mapping] = (await getResources({ TagFilters: PROJECT_FILTERS })).ResourceTagMappingList ?? [];
    expect(mapping?.Tags).toEqual(PROJECT);
  });

  it("a filter without values matches any value of its key", async () => {
    await logGroup("/ecs/ours");
    await logGroup("/ecs/theirs", OTHER);
    await logGroup("/ecs/untagged", []);
    expect(await listedArns({ TagFilters: [{ Key: "Project" }] })).toHaveLength(2);
    expect(await listedArns({ TagFilters: [{ Key: "Project", Values: ["other", "startupwebapp"] }] })).toHaveLength(2);
  });

  it("filters by service or by resource type", async () => {
    await logGroup("/ecs/web");
    const topicArn = await topic("alerts");
    expect(await listedArns({ TagFilters: PROJECT_FILTERS, ResourceTypeFilters: ["sns"] })).toEqual([topicArn]);
    expect(await listedArns({ TagFilters: PROJECT_FILTERS, ResourceTypeFilters: ["sns:topic"] })).toEqual([topicArn]);
    expect(await listedArns({ TagFilters: PROJECT_FILTERS, ResourceTypeFilters: ["ecs:service"] })).toEqual([]);
  });

  it("still lists a deregistered (INACTIVE) revision of a task definition: ECS keeps it", async () => {
    const ecs = new ECSClient(region);
    const register = () =>
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "web",
          containerDefinitions: [{ name: "web", image: "nginx", memory: 512 }],
          tags: lower(PROJECT),
        }),
      );
    const first = (await register()).taskDefinition?.taskDefinitionArn as string;
    const second = (await register()).taskDefinition?.taskDefinitionArn as string;
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: first }));
    expect(await listedArns()).toEqual([first, second]);
  });

  it("lists an ECS service while ECS still describes it after its deletion, and then no more", async () => {
    const ecs = new ECSClient(region);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "web",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "web", image: "nginx" }],
      }),
    );
    const { service } = await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "web",
        taskDefinition: "web",
        desiredCount: 1,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets: SUBNETS, securityGroups: [BACKEND_SG] } },
        tags: lower(PROJECT),
      }),
    );
    const { ScalableTargetARN } = await new ApplicationAutoScalingClient(region).send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: "ecs",
        ResourceId: `service/${CLUSTER}/web`,
        ScalableDimension: DIMENSION,
        MinCapacity: 1,
        MaxCapacity: 4,
        Tags: asMap(PROJECT),
      }),
    );
    expect((await listedArns()).sort()).toEqual([service?.serviceArn, ScalableTargetARN].sort());
    await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web", force: true }));
    fake.current.clock.advance(LISTED_AFTER_DELETE_MS);
    // DRAINING, then INACTIVE: ECS still describes it, and it still carries its tags.
    expect(await listedArns({ TagFilters: PROJECT_FILTERS, ResourceTypeFilters: ["ecs:service"] })).toEqual([
      service?.serviceArn,
    ]);
    fake.current.clock.advance(
      fake.current.latency.serviceDrainingMs + PURGED_AFTER_INACTIVE_MS + LISTED_AFTER_DELETE_MS,
    );
    expect(await listedArns({ TagFilters: PROJECT_FILTERS, ResourceTypeFilters: ["ecs:service"] })).toEqual([]);
  });

  it("pages with a PaginationToken that is an empty string on the last page", async () => {
    for (const name of ["a", "b", "c"]) await logGroup(`/ecs/${name}`);
    const first = await getResources({ TagFilters: PROJECT_FILTERS, ResourcesPerPage: 2 });
    expect(first.ResourceTagMappingList).toHaveLength(2);
    expect(first.PaginationToken).not.toBe("");
    const last = await getResources({
      TagFilters: PROJECT_FILTERS,
      ResourcesPerPage: 2,
      PaginationToken: first.PaginationToken,
    });
    expect(last.ResourceTagMappingList?.map((m) => m.ResourceARN)).toEqual([
      "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/c",
    ]);
    expect(last.PaginationToken).toBe("");
  });

  it("a pagination token expires after 15 minutes", async () => {
    for (const name of ["a", "b"]) await logGroup(`/ecs/${name}`);
    const { PaginationToken } = await getResources({ TagFilters: PROJECT_FILTERS, ResourcesPerPage: 1 });
    fake.current.clock.advance(TOKEN_VALID_MS + 1);
    await expect(getResources({ TagFilters: PROJECT_FILTERS, PaginationToken })).rejects.toBeInstanceOf(
      PaginationTokenExpiredException,
    );
  });

  it("refuses a page size above 100", async () => {
    await expect(getResources({ ResourcesPerPage: 101 })).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("still lists a resource deleted a moment ago", async () => {
    await logGroup("/ecs/web");
    const arns = await listedArns();
    await new CloudWatchLogsClient(region).send(new DeleteLogGroupCommand({ logGroupName: "/ecs/web" }));
    fake.current.clock.advance(LISTED_AFTER_DELETE_MS - 1);
    expect(await listedArns()).toEqual(arns);
    fake.current.clock.advance(1);
    expect(await listedArns()).toEqual([]);
  });
});
