// EC2 as `infra` uses it: security groups, their ingress and egress rules and tags, the network interfaces that
// hold them, and the VPC's subnets (ec2-subnets.ts). Behaviours from docs/aws-behaviours.md, "EC2 security groups".
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type Filter,
  type IpPermission,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type Tag,
} from "@aws-sdk/client-ec2";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { Subnets, VPC_ID } from "./ec2-subnets.js";
import { unmodeled } from "./errors.js";

export { PRIVATE_SUBNETS, SUBNETS, VPC_ID } from "./ec2-subnets.js";

export const ACCOUNT = "123456789012";
export const BACKEND_SG = "sg-0b0b0b0b0b0b0b0b0";

/** A new security group is invisible to describes for this long (eventual consistency). */
export const VISIBLE_AFTER_MS = 2_000;

interface Rule {
  protocol: string;
  from: number;
  to: number;
  cidr?: string;
  cidrIpv6?: string;
  groupId?: string;
}

interface Group {
  GroupId: string;
  GroupName: string;
  Description: string;
  VpcId: string;
  Tags: Tag[];
  rules: Rule[];
  /** Outbound rules: a new group in a VPC allows all traffic out until that rule is revoked. */
  egress: Rule[];
  visibleAt: number;
}

const ALL_OUT: Rule = { protocol: "-1", from: -1, to: -1, cidr: "0.0.0.0/0" };

export interface NetworkInterface {
  NetworkInterfaceId: string;
  Description: string;
  groups: string[];
  /** When its owner was deleted: the interface lingers a while after that. */
  goneAt?: number;
}

export class Ec2Model {
  readonly name = "EC2";
  readonly client = EC2Client;
  readonly groups = new Map<string, Group>();
  readonly interfaces: NetworkInterface[] = [];
  readonly subnets = new Subnets();
  private seq = 0;

  constructor(private readonly fake: Fake) {
    // The backend group of the ECS tasks: a prerequisite, not made by infra.
    this.groups.set(BACKEND_SG, {
      GroupId: BACKEND_SG,
      GroupName: "startupwebapp-backend-sg",
      Description: "backend",
      VpcId: VPC_ID,
      Tags: [],
      rules: [],
      egress: [ALL_OUT],
      visibleAt: 0,
    });
  }

  readonly handlers: ServiceModel["handlers"] = [
    [DescribeSecurityGroupsCommand, (i) => this.describeSecurityGroups(i)],
    [CreateSecurityGroupCommand, (i) => this.createSecurityGroup(i)],
    [AuthorizeSecurityGroupIngressCommand, (i) => this.authorize(i)],
    [RevokeSecurityGroupIngressCommand, (i) => this.revoke(i)],
    [AuthorizeSecurityGroupEgressCommand, (i) => this.authorize(i, "egress")],
    [RevokeSecurityGroupEgressCommand, (i) => this.revoke(i, "egress")],
    [DeleteSecurityGroupCommand, (i) => this.deleteSecurityGroup(i)],
    [CreateTagsCommand, (i) => this.createTags(i)],
    [DescribeNetworkInterfacesCommand, (i) => this.describeNetworkInterfaces(i)],
    [DescribeSubnetsCommand, (i) => this.subnets.describe(i)],
  ];

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${(0x1000000000000 + this.seq * 7919).toString(16).padStart(17, "0").slice(-17)}`;
  }

  /** The groups a test may see: visible, in any state. */
  visibleGroups(): Group[] {
    return [...this.groups.values()].filter((g) => g.visibleAt <= this.fake.clock.now());
  }

  ingressOf(groupId: string): Rule[] {
    return this.groups.get(groupId)?.rules ?? [];
  }

  liveInterfaces(): NetworkInterface[] {
    const now = this.fake.clock.now();
    return this.interfaces.filter((n) => n.goneAt === undefined || n.goneAt > now);
  }

  private describeSecurityGroups(input: { GroupIds?: string[]; GroupNames?: string[]; Filters?: Filter[] }) {
    let groups = this.visibleGroups();
    if (input.GroupIds?.length) {
      for (const id of input.GroupIds) {
        if (!/^sg-[0-9a-f]{8,17}$/.test(id)) throw unmodeled("InvalidGroupId.Malformed", `Invalid id: "${id}"`);
        if (!groups.some((g) => g.GroupId === id)) {
          throw unmodeled("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
        }
      }
      groups = groups.filter((g) => input.GroupIds?.includes(g.GroupId));
    }
    for (const f of input.Filters ?? []) groups = groups.filter((g) => matchesFilter(g, f));
    return { SecurityGroups: groups.map(render) };
  }

  private createSecurityGroup(input: {
    GroupName: string;
    Description: string;
    VpcId: string;
    TagSpecifications?: { Tags?: Tag[] }[];
  }) {
    if (!input.VpcId) throw unmodeled("VPCIdNotSpecified", "No default VPC for this user");
    if ([...this.groups.values()].some((g) => g.GroupName === input.GroupName && g.VpcId === input.VpcId)) {
      throw unmodeled(
        "InvalidGroup.Duplicate",
        `The security group '${input.GroupName}' already exists for VPC '${input.VpcId}'`,
      );
    }
    const id = this.nextId("sg");
    this.groups.set(id, {
      GroupId: id,
      GroupName: input.GroupName,
      Description: input.Description,
      VpcId: input.VpcId,
      Tags: input.TagSpecifications?.flatMap((t) => t.Tags ?? []) ?? [],
      rules: [],
      egress: [ALL_OUT],
      visibleAt: this.fake.clock.now() + this.fake.latency.securityGroupVisibleMs,
    });
    return { GroupId: id };
  }

  private authorize(input: { GroupId: string; IpPermissions: IpPermission[] }, way: "rules" | "egress" = "rules") {
    const group = this.mustGet(input.GroupId);
    const rules = input.IpPermissions.flatMap(toRules);
    for (const r of rules) {
      if (r.groupId && !this.groups.has(r.groupId)) {
        throw unmodeled("InvalidGroup.NotFound", `The security group '${r.groupId}' does not exist`);
      }
      // AWS fails the whole call when any one rule already exists.
      if (group[way].some((x) => sameRule(x, r))) {
        throw unmodeled(
          "InvalidPermission.Duplicate",
          `the specified rule "peer: ${r.cidr ?? r.groupId}, TCP, from port: ${r.from}, to port: ${r.to}, ALLOW" already exists`,
        );
      }
    }
    group[way].push(...rules);
    return { Return: true };
  }

  private revoke(input: { GroupId: string; IpPermissions: IpPermission[] }, way: "rules" | "egress" = "rules") {
    const group = this.mustGet(input.GroupId);
    const rules = input.IpPermissions.flatMap(toRules);
    for (const r of rules) {
      if (!group[way].some((x) => sameRule(x, r))) {
        throw unmodeled("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
      }
    }
    group[way] = group[way].filter((x) => !rules.some((r) => sameRule(x, r)));
    return { Return: true };
  }

  private deleteSecurityGroup(input: { GroupId: string }) {
    const group = this.mustGet(input.GroupId);
    if (this.liveInterfaces().some((n) => n.groups.includes(group.GroupId))) {
      throw unmodeled("DependencyViolation", `resource ${group.GroupId} has a dependent object`);
    }
    if ([...this.groups.values()].some((g) => g.rules.some((r) => r.groupId === group.GroupId))) {
      throw unmodeled("DependencyViolation", `resource ${group.GroupId} has a dependent object`);
    }
    this.groups.delete(group.GroupId);
    return {};
  }

  private createTags(input: { Resources: string[]; Tags: Tag[] }) {
    for (const id of input.Resources) {
      const g = this.mustGet(id);
      g.Tags = [...g.Tags.filter((t) => !input.Tags.some((n) => n.Key === t.Key)), ...input.Tags];
    }
    return {};
  }

  private describeNetworkInterfaces(input: { Filters?: Filter[] }) {
    let list = this.liveInterfaces();
    for (const f of input.Filters ?? []) {
      if (f.Name === "description") list = list.filter((n) => f.Values?.includes(n.Description));
      else if (f.Name === "group-id") list = list.filter((n) => n.groups.some((g) => f.Values?.includes(g)));
      else throw unmodeled("InvalidParameterValue", `The filter '${f.Name}' is invalid`);
    }
    return {
      NetworkInterfaces: list.map((n) => ({
        NetworkInterfaceId: n.NetworkInterfaceId,
        Description: n.Description,
        Groups: n.groups.map((GroupId) => ({ GroupId })),
        Status: "in-use",
        RequesterId: "amazon-elb",
      })),
    };
  }

  private mustGet(id: string): Group {
    const g = this.groups.get(id);
    if (!g) throw unmodeled("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
    return g;
  }
}

function toRules(p: IpPermission): Rule[] {
  const base = { protocol: p.IpProtocol ?? "tcp", from: p.FromPort ?? -1, to: p.ToPort ?? -1 };
  return [
    ...(p.IpRanges ?? []).map((r) => ({ ...base, cidr: r.CidrIp as string })),
    ...(p.Ipv6Ranges ?? []).map((r) => ({ ...base, cidrIpv6: r.CidrIpv6 as string })),
    ...(p.UserIdGroupPairs ?? []).map((g) => ({ ...base, groupId: g.GroupId as string })),
  ];
}

const sameRule = (a: Rule, b: Rule) =>
  a.protocol === b.protocol &&
  a.from === b.from &&
  a.to === b.to &&
  a.cidr === b.cidr &&
  a.cidrIpv6 === b.cidrIpv6 &&
  a.groupId === b.groupId;

/** Rules as DescribeSecurityGroups shows them: one IpPermission per protocol and port range. */
function render(g: Group) {
  return {
    GroupId: g.GroupId,
    GroupName: g.GroupName,
    Description: g.Description,
    VpcId: g.VpcId,
    OwnerId: ACCOUNT,
    Tags: g.Tags,
    IpPermissions: permissions(g.rules),
    IpPermissionsEgress: permissions(g.egress),
  };
}

function permissions(rules: Rule[]): IpPermission[] {
  const perms = new Map<string, IpPermission>();
  for (const r of rules) {
    const key = `${r.protocol}/${r.from}/${r.to}`;
    const p = perms.get(key) ?? {
      IpProtocol: r.protocol,
      FromPort: r.from,
      ToPort: r.to,
      IpRanges: [],
      Ipv6Ranges: [],
      UserIdGroupPairs: [],
    };
    if (r.cidr) p.IpRanges?.push({ CidrIp: r.cidr });
    if (r.cidrIpv6) p.Ipv6Ranges?.push({ CidrIpv6: r.cidrIpv6 });
    if (r.groupId) p.UserIdGroupPairs?.push({ GroupId: r.groupId, UserId: ACCOUNT });
    perms.set(key, p);
  }
  return [...perms.values()];
}

function matchesFilter(g: Group, f: Filter): boolean {
  const values = f.Values ?? [];
  if (f.Name === "group-name") return values.includes(g.GroupName);
  if (f.Name === "vpc-id") return values.includes(g.VpcId);
  if (f.Name === "group-id") return values.includes(g.GroupId);
  if (f.Name?.startsWith("tag:"))
    return g.Tags.some((t) => t.Key === f.Name?.slice(4) && values.includes(t.Value ?? ""));
  throw unmodeled("InvalidParameterValue", `The filter '${f.Name}' is invalid`);
}
