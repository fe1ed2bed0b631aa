// The VPC's subnets, each in its Availability Zone, as DescribeSubnets shows them: the prerequisites infra builds
// on (docs/earlier-scripts.md: two public subnets and two private ones, over two zones). Behaviours from
// docs/aws-behaviours.md, "EC2 subnets".
import type { Filter, Subnet } from "@aws-sdk/client-ec2";
import { unmodeled } from "./errors.js";

export const VPC_ID = "vpc-0a1b2c3d4e5f60718";
/** The public subnets (the load balancer's), in us-east-1a and us-east-1b. */
export const SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"];
/** The private subnets (the tasks', the database's), in the same two zones. */
export const PRIVATE_SUBNETS = ["subnet-0c1c2c3c4c5c60001", "subnet-0c1c2c3c4c5c60002"];

const ZONE_IDS: Record<string, string> = {
  "us-east-1a": "use1-az1",
  "us-east-1b": "use1-az2",
  "us-east-1c": "use1-az4",
};

export class Subnets {
  readonly byId = new Map<string, Subnet>();

  constructor() {
    const zones = ["us-east-1a", "us-east-1b"];
    for (const [i, id] of SUBNETS.entries()) this.add(id, zones[i] as string, `10.0.${i}.0/24`, true);
    for (const [i, id] of PRIVATE_SUBNETS.entries()) this.add(id, zones[i] as string, `10.0.${10 + i}.0/24`, false);
  }

  /** A subnet of the VPC in a zone (tests add one to put two in the same zone). */
  add(id: string, zone: string, cidr: string, mapPublicIp = true): void {
    this.byId.set(id, {
      SubnetId: id,
      VpcId: VPC_ID,
      AvailabilityZone: zone,
      AvailabilityZoneId: ZONE_IDS[zone] ?? zone,
      CidrBlock: cidr,
      MapPublicIpOnLaunch: mapPublicIp,
      State: "available",
    });
  }

  zoneOf(id: string): string | undefined {
    return this.byId.get(id)?.AvailabilityZone;
  }

  /** Every id asked for must exist (InvalidSubnetID.NotFound names the first that does not); filters narrow. */
  describe(input: { SubnetIds?: string[]; Filters?: Filter[] }) {
    let found = [...this.byId.values()];
    if (input.SubnetIds?.length) {
      for (const id of input.SubnetIds) {
        if (!this.byId.has(id)) throw unmodeled("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);
      }
      found = found.filter((s) => input.SubnetIds?.includes(s.SubnetId as string));
    }
    for (const f of input.Filters ?? []) found = found.filter((s) => matches(s, f));
    return { Subnets: found.map((s) => ({ ...s })) };
  }
}

function matches(s: Subnet, f: Filter): boolean {
  const values = f.Values ?? [];
  if (f.Name === "vpc-id") return values.includes(s.VpcId as string);
  if (f.Name === "availability-zone") return values.includes(s.AvailabilityZone as string);
  if (f.Name === "subnet-id") return values.includes(s.SubnetId as string);
  throw unmodeled("InvalidParameterValue", `The filter '${f.Name}' is invalid`);
}
