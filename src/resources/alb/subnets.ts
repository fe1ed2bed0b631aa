// An Application Load Balancer needs subnets in at least two Availability Zones, one subnet per zone, all in its VPC:
// CreateLoadBalancer and SetSubnets refuse anything else (ValidationError, InvalidConfigurationRequest). Before
// create sends the public subnets anywhere, DescribeSubnets says where they are, so the run stops before any change
// and names the zone that is missing, instead of failing half-way with the security group already made.
import { DescribeSubnetsCommand, type EC2Client, type Subnet } from "@aws-sdk/client-ec2";
import type { Context } from "../../core/context.js";
import { awsStep, InputError, isAwsError } from "../../core/errors.js";
import type { Change } from "../../state/model.js";
import type { AlbConfig } from "./config.js";

const KEYS = ["PUBLIC_SUBNET_1_ID", "PUBLIC_SUBNET_2_ID"];

/** Only when create sends the subnets: making (or replacing) the load balancer, or changing its subnets. */
const sendsSubnets = (changes: readonly Change[]) =>
  changes.some(
    (ch) =>
      ch.action !== "delete" &&
      ch.desired.key === "load-balancer" &&
      (ch.action === "create" ||
        ch.action === "replace" ||
        ("fields" in ch && ch.fields.some((f) => f.field === "subnets"))),
  );

export async function requireTwoZones(ctx: Context, c: AlbConfig, changes: readonly Change[]): Promise<void> {
  if (!sendsSubnets(changes)) return;
  const ec2 = await ctx.aws.ec2();
  const subnets = await describe(ec2, c.publicSubnetIds, c.region);
  const named = c.publicSubnetIds.map((id, i) => ({ key: KEYS[i] as string, id, subnet: subnets.get(id) ?? {} }));
  for (const { key, id, subnet } of named) {
    if (subnet.VpcId !== c.vpcId)
      throw new InputError(
        `${key} ${id} is in ${subnet.VpcId}, not in VPC_ID ${c.vpcId}: a load balancer's subnets are all in its VPC`,
      );
  }
  const zones = [...new Set(named.map((n) => n.subnet.AvailabilityZone as string))];
  if (zones.length >= 2) return;
  const zone = zones[0] as string;
  const others = await awsStep("list subnets", c.vpcId, async () => {
    const out = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [c.vpcId] }] }));
    return [...new Set((out.Subnets ?? []).map((s) => s.AvailabilityZone as string).filter((z) => z !== zone))].sort();
  });
  const missing = others.length
    ? `a subnet in a second zone (${c.vpcId} has subnets in ${others.join(", ")})`
    : `a subnet in a second zone (${c.vpcId} has subnets in ${zone} only: make a public one in another zone first)`;
  throw new InputError(
    `${named.map((n) => `${n.key} ${n.id}`).join(" and ")} are both in ${zone}: an Application Load Balancer needs subnets in two Availability Zones, and is missing ${missing}`,
    "set PUBLIC_SUBNET_2_ID to a public subnet in another zone",
  );
}

/** The subnets by id; one that does not exist is the env file's mistake. */
async function describe(ec2: EC2Client, ids: string[], region: string): Promise<Map<string, Subnet>> {
  return awsStep("find subnets", ids.join(", "), async () => {
    try {
      const out = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids }));
      return new Map((out.Subnets ?? []).map((s) => [s.SubnetId as string, s]));
    } catch (err) {
      if (!isAwsError(err, "InvalidSubnetID.NotFound")) throw err;
      const key = KEYS[ids.findIndex((id) => (err as Error).message.includes(id))] ?? KEYS.join(" or ");
      throw new InputError(`${key}: ${(err as Error).message} in ${region}`);
    }
  });
}
