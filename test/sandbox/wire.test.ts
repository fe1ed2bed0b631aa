// The AWS fake over HTTP: every SDK client infra uses (src/core/aws.ts ClientMap), made by infra's own AwsClients
// with an endpoint on the loopback address, sends real requests in its service's protocol and reads real
// answers. What the models hold afterwards is what the same calls in process would leave.
import { DescribeCertificateCommand, RequestCertificateCommand } from "@aws-sdk/client-acm";
import { DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { AuthorizeSecurityGroupIngressCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { DescribeClustersCommand, ListClustersCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import {
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from "@aws-sdk/client-rds";
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
} from "@aws-sdk/client-route-53";
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { CreateTopicCommand, GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { CreateWebACLCommand, GetWebACLCommand } from "@aws-sdk/client-wafv2";
import { describe, expect, it } from "vitest";
import type { ClientMap } from "../../src/core/aws.js";
import { BACKEND_SG, VPC_ID } from "../../src/sandbox/aws/ec2.js";
import { DB_SECRET_ARN } from "../../src/sandbox/aws/secrets.js";
import { sandboxInternet } from "../../src/sandbox/wire/internet.js";
import { openWire, useWire } from "../support/wire.js";

const wire = useWire();
const TAGS = [{ Key: "ManagedBy", Value: "infra" }];

describe("the AWS fake over HTTP, one client at a time", () => {
  it("EC2 (ec2Query): filters and numbered lists go in, item lists come back", async () => {
    const ec2 = await wire.current.aws.ec2();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: BACKEND_SG,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 8000, ToPort: 8000, IpRanges: [{ CidrIp: "10.0.0.0/16" }] }],
      }),
    );
    const out = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "vpc-id", Values: [VPC_ID] },
          { Name: "group-name", Values: ["startupwebapp-backend-sg", "other"] },
        ],
      }),
    );
    expect(out.SecurityGroups?.map((g) => [g.GroupId, g.VpcId])).toEqual([[BACKEND_SG, VPC_ID]]);
    expect(out.SecurityGroups?.[0]?.IpPermissions).toEqual([
      {
        IpProtocol: "tcp",
        FromPort: 8000,
        ToPort: 8000,
        IpRanges: [{ CidrIp: "10.0.0.0/16" }],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
      },
    ]);
    expect(wire.current.fake.ec2.ingressOf(BACKEND_SG)).toEqual([
      { protocol: "tcp", from: 8000, to: 8000, cidr: "10.0.0.0/16" },
    ]);
  });

  it("ELBv2 (awsQuery): member lists, numbers and nested structures both ways", async () => {
    const elbv2 = await wire.current.aws.elbv2();
    const created = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: "startupwebapp-tg",
        Protocol: "HTTP",
        Port: 8000,
        VpcId: VPC_ID,
        TargetType: "ip",
        HealthCheckPath: "/health",
        Matcher: { HttpCode: "200" },
        Tags: TAGS,
      }),
    );
    const arn = created.TargetGroups?.[0]?.TargetGroupArn as string;
    const described = await elbv2.send(new DescribeTargetGroupsCommand({ Names: ["startupwebapp-tg"] }));
    expect(described.TargetGroups).toEqual([
      expect.objectContaining({ TargetGroupArn: arn, Port: 8000, HealthCheckPath: "/health", LoadBalancerArns: [] }),
    ]);
    expect(described.TargetGroups?.[0]?.Matcher).toEqual({ HttpCode: "200" });
    const tags = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    expect(tags.TagDescriptions?.[0]?.Tags).toEqual(TAGS);
    expect([...wire.current.fake.elbv2.targetGroups.keys()]).toEqual([arn]);
  });

  it("ACM (JSON 1.1): timestamps come back as dates", async () => {
    const acm = await wire.current.aws.acm();
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({
        DomainName: "*.startupwebapp.com",
        SubjectAlternativeNames: ["startupwebapp.com"],
        ValidationMethod: "DNS",
      }),
    );
    const { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    expect(Certificate?.Status).toBe("PENDING_VALIDATION");
    expect(Certificate?.SubjectAlternativeNames).toEqual(["*.startupwebapp.com", "startupwebapp.com"]);
    expect(Certificate?.CreatedAt).toEqual(new Date(wire.current.fake.clock.now()));
  });

  it("Route 53 (REST-XML): labels, query parameters, the XML body, the Location header and 201", async () => {
    const r53 = await wire.current.aws.route53();
    const zone = await r53.send(new CreateHostedZoneCommand({ Name: "startupwebapp.com", CallerReference: "ref-1" }));
    expect(zone.$metadata.httpStatusCode).toBe(201);
    expect(zone.Location).toBe(`https://route53.amazonaws.com/2013-04-01${zone.HostedZone?.Id}`);
    expect(zone.DelegationSet?.NameServers).toHaveLength(4);
    const change = await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone.HostedZone?.Id,
        ChangeBatch: {
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: "*.startupwebapp.com",
                Type: "A",
                TTL: 60,
                ResourceRecords: [{ Value: "192.0.2.1" }],
              },
            },
          ],
        },
      }),
    );
    const status = await r53.send(new GetChangeCommand({ Id: change.ChangeInfo?.Id }));
    expect(status.ChangeInfo?.Status).toBe("PENDING");
    const listed = await r53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zone.HostedZone?.Id,
        StartRecordName: "\\052.startupwebapp.com",
        StartRecordType: "A",
      }),
    );
    expect(listed.ResourceRecordSets?.map((r) => `${r.Name} ${r.Type}`)).toEqual(["\\052.startupwebapp.com. A"]);
    const byName = await r53.send(new ListHostedZonesByNameCommand({ DNSName: "startupwebapp.com", MaxItems: 1 }));
    expect(byName.HostedZones?.map((z) => z.Name)).toEqual(["startupwebapp.com."]);
    expect(byName.MaxItems).toBe(1);
  });

  it("ECS (JSON 1.1): nested definitions go in, and the fake fills in AWS's defaults", async () => {
    const ecs = await wire.current.aws.ecs();
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "startupwebapp-service-task",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "512",
        memory: "1024",
        containerDefinitions: [{ name: "web", image: "nginx", portMappings: [{ containerPort: 8000 }] }],
      }),
    );
    expect(taskDefinition?.revision).toBe(1);
    expect(taskDefinition?.containerDefinitions?.[0]?.portMappings).toEqual([
      expect.objectContaining({ containerPort: 8000, hostPort: 8000, protocol: "tcp" }),
    ]);
    const clusters = await ecs.send(new DescribeClustersCommand({ clusters: ["startupwebapp-cluster", "other"] }));
    expect(clusters.clusters?.map((c) => c.status)).toEqual(["ACTIVE"]);
    expect(clusters.failures?.map((f) => f.reason)).toEqual(["MISSING"]);
  });

  it("CloudWatch Logs (JSON 1.1): maps of tags both ways", async () => {
    const logs = await wire.current.aws.logs();
    await logs.send(
      new CreateLogGroupCommand({ logGroupName: "/ecs/startupwebapp-service", tags: { ManagedBy: "infra" } }),
    );
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/" }));
    expect(logGroups?.map((g) => g.logGroupName)).toEqual(["/ecs/startupwebapp-service"]);
    const { tags } = await logs.send(new ListTagsForResourceCommand({ resourceArn: logGroups?.[0]?.logGroupArn }));
    expect(tags).toEqual({ ManagedBy: "infra" });
  });

  it("ECR (JSON 1.1): the image pushed before infra ran", async () => {
    const ecr = await wire.current.aws.ecr();
    const out = await ecr.send(
      new DescribeImagesCommand({ repositoryName: "startupwebapp", imageIds: [{ imageTag: "latest" }] }),
    );
    expect(out.imageDetails?.map((d) => d.imageTags)).toEqual([["latest"]]);
  });

  it("Secrets Manager (JSON 1.1): the database secret, by name", async () => {
    const secrets = await wire.current.aws.secrets();
    const out = await secrets.send(new DescribeSecretCommand({ SecretId: "rds/startupwebapp/multi-tenant/master" }));
    expect(out.ARN).toBe(DB_SECRET_ARN);
  });

  it("Application Auto Scaling (JSON 1.1): an empty list is an empty list", async () => {
    const autoscaling = await wire.current.aws.autoscaling();
    const out = await autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }));
    expect(out.ScalableTargets).toEqual([]);
  });

  it("CloudWatch (JSON 1.0): an alarm's dimensions and numbers both ways", async () => {
    const cloudwatch = await wire.current.aws.cloudwatch();
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: "startupwebapp-ecs-cpu-high",
        Namespace: "AWS/ECS",
        MetricName: "CPUUtilization",
        Dimensions: [{ Name: "ServiceName", Value: "startupwebapp-service" }],
        Statistic: "Average",
        Period: 300,
        EvaluationPeriods: 2,
        Threshold: 70.5,
        ComparisonOperator: "GreaterThanThreshold",
      }),
    );
    const { MetricAlarms } = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: ["startupwebapp-ecs-cpu-high"] }),
    );
    expect(MetricAlarms?.[0]).toMatchObject({ Threshold: 70.5, Period: 300, StateValue: "INSUFFICIENT_DATA" });
    expect(MetricAlarms?.[0]?.Dimensions).toEqual([{ Name: "ServiceName", Value: "startupwebapp-service" }]);
    expect(MetricAlarms?.[0]?.StateUpdatedTimestamp).toBeInstanceOf(Date);
  });

  it("SNS (awsQuery): an attribute map comes back as entries", async () => {
    const sns = await wire.current.aws.sns();
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({ Name: "alerts", Tags: TAGS, Attributes: { DisplayName: "Alerts" } }),
    );
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(Attributes).toMatchObject({ TopicArn, DisplayName: "Alerts" });
  });

  it("WAFv2 (JSON 1.1): unions of rule statements go in and come back", async () => {
    const waf = await wire.current.aws.waf();
    const visibility = { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: "m" };
    const rule = {
      Name: "rate",
      Priority: 1,
      Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: "IP" as const } },
      Action: { Block: {} },
      VisibilityConfig: visibility,
    };
    const { Summary } = await waf.send(
      new CreateWebACLCommand({
        Name: "acl",
        Scope: "REGIONAL",
        DefaultAction: { Allow: {} },
        Rules: [rule],
        VisibilityConfig: visibility,
      }),
    );
    const { WebACL } = await waf.send(new GetWebACLCommand({ Name: "acl", Scope: "REGIONAL", Id: Summary?.Id }));
    expect(WebACL?.Rules).toEqual([rule]);
    expect(WebACL?.DefaultAction).toEqual({ Allow: {} });
  });

  it("RDS (awsQuery): an instance and its automated snapshots, with their dates", async () => {
    const db = wire.current.fake.rds.addDatabase({
      id: "startupwebapp-db",
      snapshotsAgoMs: [27 * 3_600_000, 3 * 3_600_000],
    });
    const rds = await wire.current.aws.rds();
    const { DBInstances } = await rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: "startupwebapp-db" }),
    );
    expect(DBInstances?.map((i) => [i.DBInstanceIdentifier, i.DBInstanceStatus, i.MultiAZ])).toEqual([
      ["startupwebapp-db", "available", true],
    ]);
    expect(DBInstances?.[0]?.VpcSecurityGroups?.length).toBe(1);
    const { DBSnapshots } = await rds.send(
      new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: db.id, SnapshotType: "automated" }),
    );
    expect(DBSnapshots?.map((s) => s.SnapshotCreateTime?.getTime())).toEqual(
      [27, 3].map((h) => wire.current.fake.clock.now() - h * 3_600_000),
    );
  });

  it("Resource Groups Tagging (JSON 1.1): what carries the tags, across services", async () => {
    const sns = await wire.current.aws.sns();
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "alerts", Tags: TAGS }));
    const tagging = await wire.current.aws.tagging();
    const out = await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: "ManagedBy", Values: ["infra"] }] }));
    expect(out.ResourceTagMappingList?.map((r) => r.ResourceARN)).toEqual([TopicArn]);
  });
});

describe("the AWS fake over HTTP: what it does not model, and what it holds", () => {
  it("routes every client infra makes (ClientMap) to a model", async () => {
    const models = new Set(wire.current.fake.models.map((m) => m.client));
    const names = Object.keys(wire.current.aws).filter(
      (k) => typeof (wire.current.aws as unknown as Record<string, unknown>)[k] === "function",
    ) as (keyof ClientMap)[];
    expect(names.length).toBeGreaterThanOrEqual(14);
    for (const name of names) expect(models.has((await wire.current.aws.get(name)).constructor)).toBe(true);
  });

  it("answers an operation it does not model as AWS answers an unknown one", async () => {
    const ecs = await wire.current.aws.ecs();
    const json = await ecs.send(new ListClustersCommand({})).catch((e) => e);
    expect(json.name).toBe("UnknownOperationException");
    expect(json.$metadata.httpStatusCode).toBe(400);
    const elbv2 = await wire.current.aws.elbv2();
    const query = await elbv2.send(new DescribeRulesCommand({})).catch((e) => e);
    expect(query.name).toBe("InvalidAction");
    expect(wire.current.fake.calls).toEqual([]);
  });

  it("holds the answer of a call it applied until the test lets it go", async () => {
    let release = () => {};
    let applied = (_op: string) => {};
    const seen = new Promise<string>((resolve) => {
      applied = resolve;
    });
    const held = await openWire(undefined, {
      onApplied: (call) =>
        call.mutating
          ? new Promise<void>((resolve) => {
              release = resolve;
              applied(call.op);
            })
          : undefined,
    });
    try {
      const elbv2 = await held.aws.elbv2();
      const answer = elbv2.send(
        new CreateTargetGroupCommand({ Name: "tg", Protocol: "HTTP", Port: 8000, VpcId: VPC_ID, TargetType: "ip" }),
      );
      expect(await seen).toBe("CreateTargetGroup");
      // AWS has made the target group; the client has not heard yet.
      expect([...held.fake.elbv2.targetGroups.values()].map((t) => t.TargetGroupName)).toEqual(["tg"]);
      release();
      expect((await answer).TargetGroups?.[0]?.TargetGroupName).toBe("tg");
    } finally {
      await held.server.close();
    }
  });

  it("answers the sandbox's public DNS and HTTP from the fake, not from the network", async () => {
    const internet = sandboxInternet(wire.current.server.url);
    const zone = wire.current.fake.route53.addZone("startupwebapp.com");
    expect(await internet.dns.resolveNs("startupwebapp.com")).toEqual(wire.current.fake.route53.nameServersOf(zone));
    await expect(internet.dns.resolveNs("example.org")).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(internet.http.get("https://api.startupwebapp.com/health", 1_000)).rejects.toMatchObject({
      code: "ENOTFOUND",
    });
  });
});
