// Errors over the wire, in each protocol's own shape: the SDK parses them into the same exception classes (and
// codes) as AWS's, and retries throttling with its own retry strategy before infra ever sees it.
import {
  ValidationException as AutoScalingValidation,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { GetDashboardCommand, ResourceNotFound } from "@aws-sdk/client-cloudwatch";
import { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand, EC2ServiceException } from "@aws-sdk/client-ec2";
import { ClusterNotFoundException, DescribeServicesCommand } from "@aws-sdk/client-ecs";
import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2ServiceException,
  LoadBalancerNotFoundException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DBInstanceNotFoundFault, DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import {
  ChangeResourceRecordSetsCommand,
  GetHostedZoneCommand,
  InvalidChangeBatch,
  ListHostedZonesByNameCommand,
  NoSuchHostedZone,
} from "@aws-sdk/client-route-53";
import { GetTopicAttributesCommand, NotFoundException } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { isAwsError } from "../../src/core/errors.js";
import { BACKEND_SG, VPC_ID } from "../../src/sandbox/aws/ec2.js";
import { useWire } from "../support/wire.js";

const wire = useWire();
const failure = <T>(p: Promise<T>) =>
  p.then(
    () => {
      throw new Error("expected AWS to refuse the call");
    },
    (e) => e,
  );

describe("errors over the wire, one protocol at a time", () => {
  it("JSON 1.1 (ECS): a modeled error arrives as its exception class", async () => {
    const ecs = await wire.current.aws.ecs();
    const err = await failure(ecs.send(new DescribeServicesCommand({ cluster: "other", services: ["web"] })));
    expect(err).toBeInstanceOf(ClusterNotFoundException);
    expect(err.message).toBe("Cluster not found.");
    expect(err.$fault).toBe("client");
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it("JSON 1.1 (Application Auto Scaling): the message of a validation error arrives whole", async () => {
    const autoscaling = await wire.current.aws.autoscaling();
    const err = await failure(
      autoscaling.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: "ecs",
          ResourceId: "service/startupwebapp-cluster/startupwebapp-service",
          ScalableDimension: "ecs:service:DesiredCount",
          MinCapacity: 1,
          MaxCapacity: 4,
        }),
      ),
    );
    expect(err).toBeInstanceOf(AutoScalingValidation);
    expect(err.message).toBe("ECS service doesn't exist: service/startupwebapp-cluster/startupwebapp-service");
  });

  it("JSON 1.0 (CloudWatch, query-compatible): the class, and the query code as Code", async () => {
    const cloudwatch = await wire.current.aws.cloudwatch();
    const err = await failure(cloudwatch.send(new GetDashboardCommand({ DashboardName: "missing" })));
    expect(err).toBeInstanceOf(ResourceNotFound);
    expect(err.Code).toBe("ResourceNotFound");
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it("awsQuery (ELBv2): the class from the awsQueryError code, which arrives as Code", async () => {
    const elbv2 = await wire.current.aws.elbv2();
    const err = await failure(elbv2.send(new DescribeLoadBalancersCommand({ Names: ["startupwebapp-alb"] })));
    expect(err).toBeInstanceOf(LoadBalancerNotFoundException);
    expect(err.Code).toBe("LoadBalancerNotFound");
    expect(isAwsError(err, "LoadBalancerNotFound")).toBe(true);
  });

  it("awsQuery (ELBv2): an error outside the model arrives with its wire code as name", async () => {
    const elbv2 = await wire.current.aws.elbv2();
    const err = await failure(elbv2.send(new CreateLoadBalancerCommand({ Name: "-bad-", Subnets: [] })));
    expect(err).toBeInstanceOf(ElasticLoadBalancingV2ServiceException);
    expect(err.name).toBe("ValidationError");
  });

  it("awsQuery (SNS): NotFoundException with Code NotFound", async () => {
    const sns = await wire.current.aws.sns();
    const err = await failure(
      sns.send(new GetTopicAttributesCommand({ TopicArn: "arn:aws:sns:us-east-1:123456789012:missing" })),
    );
    expect(err).toBeInstanceOf(NotFoundException);
    expect(err.Code).toBe("NotFound");
  });

  it("awsQuery (RDS): a fault with its own wire code", async () => {
    const rds = await wire.current.aws.rds();
    const err = await failure(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "missing-db" })));
    expect(err).toBeInstanceOf(DBInstanceNotFoundFault);
    expect(err.Code).toBe("DBInstanceNotFound");
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it("ec2Query (EC2): every error is outside the model and arrives with its code as name", async () => {
    const ec2 = await wire.current.aws.ec2();
    const err = await failure(
      ec2.send(
        new CreateSecurityGroupCommand({ GroupName: "startupwebapp-backend-sg", Description: "x", VpcId: VPC_ID }),
      ),
    );
    expect(err).toBeInstanceOf(EC2ServiceException);
    expect(err.name).toBe("InvalidGroup.Duplicate");
    expect(err.message).toBe(`The security group 'startupwebapp-backend-sg' already exists for VPC '${VPC_ID}'`);
    const malformed = await failure(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-nothex"] })));
    expect(malformed.name).toBe("InvalidGroupId.Malformed");
  });

  it("REST-XML (Route 53): NoSuchHostedZone with 404, InvalidChangeBatch with its message", async () => {
    const r53 = await wire.current.aws.route53();
    const missing = await failure(r53.send(new GetHostedZoneCommand({ Id: "Z0000000000000000000" })));
    expect(missing).toBeInstanceOf(NoSuchHostedZone);
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const zone = wire.current.fake.route53.addZone("startupwebapp.com");
    const record = {
      Name: "api.startupwebapp.com",
      Type: "A" as const,
      TTL: 60,
      ResourceRecords: [{ Value: "192.0.2.1" }],
    };
    const batch = { Changes: [{ Action: "CREATE" as const, ResourceRecordSet: record }] };
    await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: batch }));
    const again = await failure(
      r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: batch })),
    );
    expect(again).toBeInstanceOf(InvalidChangeBatch);
    expect(again.message).toContain("but it already exists");
  });
});

describe("throttling over the wire", () => {
  it.each([
    [
      "JSON 1.1 (ECS)",
      "DescribeServices",
      async () =>
        (await wire.current.aws.ecs()).send(
          new DescribeServicesCommand({ cluster: "startupwebapp-cluster", services: ["web"] }),
        ),
    ],
    [
      "JSON 1.0 (CloudWatch)",
      "GetDashboard",
      async () => failure((await wire.current.aws.cloudwatch()).send(new GetDashboardCommand({ DashboardName: "d" }))),
    ],
    [
      "awsQuery (ELBv2)",
      "DescribeLoadBalancers",
      async () => (await wire.current.aws.elbv2()).send(new DescribeLoadBalancersCommand({})),
    ],
    [
      "ec2Query (EC2)",
      "DescribeSecurityGroups",
      async () => (await wire.current.aws.ec2()).send(new DescribeSecurityGroupsCommand({ GroupIds: [BACKEND_SG] })),
    ],
    [
      "REST-XML (Route 53)",
      "ListHostedZonesByName",
      async () =>
        (await wire.current.aws.route53()).send(new ListHostedZonesByNameCommand({ DNSName: "startupwebapp.com" })),
    ],
  ])("%s: the SDK retries a throttled %s and the caller sees the answer", async (_protocol, op, call) => {
    wire.current.fake.throttle(1, op);
    const answer = (await call()) as { $metadata: { attempts?: number } };
    expect(answer.$metadata.attempts).toBe(2);
    expect(wire.current.fake.calls.map((c) => c.op)).toEqual([op, op]);
  });
});
