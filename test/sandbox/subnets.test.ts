// The VPC's subnets have Availability Zones, and an Application Load Balancer is refused what AWS refuses it: one
// zone, or two subnets in one zone, at CreateLoadBalancer as at SetSubnets. Checked with the real SDK clients.
import { DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  InvalidConfigurationRequestException,
  SetSubnetsCommand,
  SubnetNotFoundException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { PRIVATE_SUBNETS, SUBNETS, VPC_ID } from "../../src/sandbox/aws/ec2.js";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const ec2 = () => new EC2Client({ region: "us-east-1" });
const elbv2 = () => new ElasticLoadBalancingV2Client({ region: "us-east-1" });
const [PUBLIC_A, PUBLIC_B] = SUBNETS as [string, string];
const [PRIVATE_A] = PRIVATE_SUBNETS as [string];

describe("the EC2 fake's subnets", () => {
  it("puts the public and the private subnets in us-east-1a and us-east-1b, in the VPC", async () => {
    const out = await ec2().send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [VPC_ID] }] }));

    const zones = Object.fromEntries((out.Subnets ?? []).map((s) => [s.SubnetId, s.AvailabilityZone]));
    expect(zones).toEqual({
      [PUBLIC_A]: "us-east-1a",
      [PUBLIC_B]: "us-east-1b",
      [PRIVATE_A]: "us-east-1a",
      [PRIVATE_SUBNETS[1] as string]: "us-east-1b",
    });
  });

  it("answers InvalidSubnetID.NotFound for a subnet it does not know, naming it", async () => {
    await expect(
      ec2().send(new DescribeSubnetsCommand({ SubnetIds: [PUBLIC_A, "subnet-0000000000000dead"] })),
    ).rejects.toMatchObject({
      name: "InvalidSubnetID.NotFound",
      message: expect.stringContaining("subnet-0000000000000dead"),
    });
  });
});

describe("the ELBv2 fake's subnets for an Application Load Balancer", () => {
  it("refuses a single subnet: ValidationError, at least two zones", async () => {
    await expect(
      elbv2().send(new CreateLoadBalancerCommand({ Name: "web", Subnets: [PUBLIC_A] })),
    ).rejects.toMatchObject({
      name: "ValidationError",
      message: "At least two subnets in two different Availability Zones must be specified",
    });
  });

  it("refuses two subnets in one zone: InvalidConfigurationRequest", async () => {
    const create = elbv2().send(new CreateLoadBalancerCommand({ Name: "web", Subnets: [PUBLIC_A, PRIVATE_A] }));

    await expect(create).rejects.toBeInstanceOf(InvalidConfigurationRequestException);
    await expect(create).rejects.toThrow(
      "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
    );
  });

  it("refuses a subnet it does not know: SubnetNotFound", async () => {
    const create = elbv2().send(
      new CreateLoadBalancerCommand({ Name: "web", Subnets: [PUBLIC_A, "subnet-0000000000000dead"] }),
    );

    await expect(create).rejects.toBeInstanceOf(SubnetNotFoundException);
  });

  it("takes two zones, and shows each subnet's real zone", async () => {
    const out = await elbv2().send(new CreateLoadBalancerCommand({ Name: "web", Subnets: [PUBLIC_B, PUBLIC_A] }));

    expect(out.LoadBalancers?.[0]?.AvailabilityZones).toEqual([
      { SubnetId: PUBLIC_B, ZoneName: "us-east-1b" },
      { SubnetId: PUBLIC_A, ZoneName: "us-east-1a" },
    ]);
  });

  it("refuses SetSubnets as CreateLoadBalancer, and leaves the subnets as they were", async () => {
    const out = await elbv2().send(new CreateLoadBalancerCommand({ Name: "web", Subnets: SUBNETS }));
    const LoadBalancerArn = out.LoadBalancers?.[0]?.LoadBalancerArn as string;

    await expect(elbv2().send(new SetSubnetsCommand({ LoadBalancerArn, Subnets: [PUBLIC_A] }))).rejects.toMatchObject({
      name: "ValidationError",
    });
    await expect(
      elbv2().send(new SetSubnetsCommand({ LoadBalancerArn, Subnets: [PUBLIC_A, PRIVATE_A] })),
    ).rejects.toBeInstanceOf(InvalidConfigurationRequestException);
    const seen = await elbv2().send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [LoadBalancerArn] }));
    expect(seen.LoadBalancers?.[0]?.AvailabilityZones?.map((z) => z.SubnetId)).toEqual(SUBNETS);
    expect(fake.current.elbv2.liveLoadBalancers()).toHaveLength(1);
  });
});
