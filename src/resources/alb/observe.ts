// What of the `alb` resource exists: each object found by its recorded id first, then by name, and described in
// the same fields its desired state uses, so the two compare field by field.
import {
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import {
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  type LoadBalancerAttribute,
  type TargetGroup,
  type TargetGroupAttribute,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Context } from "../../core/context.js";
import { awsStep, isAwsError } from "../../core/errors.js";
import type { ObservedObject } from "../../state/model.js";
import { readLoadBalancer } from "../common/load-balancer.js";
import { isManaged, type Tag } from "../common/tags.js";
import type { AlbConfig } from "./config.js";
import {
  backendRuleFields,
  describeRules,
  type ListenerInput,
  type LoadBalancerInput,
  listenerFields,
  loadBalancerFields,
  type SecurityGroupInput,
  securityGroupFields,
  type TargetGroupInput,
  targetGroupFields,
} from "./inputs.js";

export interface AlbClients {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
}

export async function clientsOf(ctx: Context): Promise<AlbClients> {
  const [ec2, elbv2] = await Promise.all([ctx.aws.ec2(), ctx.aws.elbv2()]);
  return { ec2, elbv2 };
}

export async function observeAlb(ctx: Context, c: AlbConfig): Promise<Map<string, ObservedObject>> {
  const { ec2, elbv2 } = await clientsOf(ctx);
  const env = ctx.env;
  const recordedLb = env.get("ALB_ARN");
  const [{ group, backend }, tg, lb] = await Promise.all([
    awsStep("find security groups", c.securityGroupName, () =>
      findSecurityGroups(ec2, c, env.get("ALB_SECURITY_GROUP_ID")),
    ),
    awsStep("find target group", c.targetGroupName, () => findTargetGroup(elbv2, c, env.get("TARGET_GROUP_ARN"))),
    awsStep(
      "find load balancer",
      c.albName,
      async () =>
        (recordedLb ? await readLoadBalancer(ctx, recordedLb) : undefined) ??
        (await describeLoadBalancer(elbv2, { Names: [c.albName] })),
    ),
  ]);
  const listeners = lb
    ? await awsStep("list listeners", c.albName, () => listenersOf(elbv2, lb.LoadBalancerArn as string))
    : [];
  const arns = [tg?.TargetGroupArn, lb?.LoadBalancerArn, ...listeners.map((l) => l.ListenerArn)].filter(
    (a): a is string => Boolean(a),
  );
  const [tags, tgAttributes, lbAttributes] = await Promise.all([
    arns.length ? awsStep("read tags", c.albName, () => tagsOf(elbv2, arns)) : new Map<string, Tag[]>(),
    tg ? awsStep("read target group attributes", c.targetGroupName, () => targetGroupAttributes(elbv2, tg)) : undefined,
    lb ? awsStep("read load balancer attributes", c.albName, () => loadBalancerAttributes(elbv2, lb)) : undefined,
  ]);

  const found = new Map<string, ObservedObject>();
  const managedByArn = (arn: string | undefined) => isManaged(tags.get(arn ?? ""));
  if (group) {
    found.set("security-group", {
      key: "security-group",
      kind: "security group",
      name: group.GroupName ?? "",
      id: group.GroupId as string,
      fields: securityGroupFields(securityGroupAsInput(group)),
      managed: isManaged(group.Tags),
      raw: group,
    });
  }
  if (tg) {
    found.set("target-group", {
      key: "target-group",
      kind: "target group",
      name: tg.TargetGroupName ?? "",
      id: tg.TargetGroupArn as string,
      fields: targetGroupFields(targetGroupAsInput(tg, tgAttributes)),
      managed: managedByArn(tg.TargetGroupArn),
      raw: tg,
    });
  }
  if (lb) {
    found.set("load-balancer", {
      key: "load-balancer",
      kind: "load balancer",
      name: lb.LoadBalancerName ?? "",
      id: lb.LoadBalancerArn as string,
      fields: { ...loadBalancerFields(loadBalancerAsInput(lb, lbAttributes)), state: stateOf(lb) },
      managed: managedByArn(lb.LoadBalancerArn),
      raw: lb,
    });
  }
  if (group && backend) {
    const rule = backendRule(backend.IpPermissions, group.GroupId as string, c.containerPort);
    if (rule) {
      const fields = backendRuleFields({
        GroupId: backend.GroupId as string,
        IpPermissions: [{ ...rule, UserIdGroupPairs: [{ GroupId: group.GroupId as string }] }],
      });
      found.set("backend-ingress", {
        key: "backend-ingress",
        kind: "security group rule",
        name: `tcp ${fields.port} from ${group.GroupName} on ${backend.GroupId}`,
        id: `${backend.GroupId} tcp ${fields.port} from ${group.GroupId}`,
        fields,
        // A rule is held by the group it lets in: ours once that group is ours.
        managed: isManaged(group.Tags),
        raw: rule,
      });
    }
  }
  for (const l of listeners) {
    const key = l.Port === 80 ? "listener:80" : l.Port === 443 ? "listener:443" : undefined;
    if (!key) continue;
    found.set(key, {
      key,
      kind: "listener",
      name: `${l.Protocol}:${l.Port}`,
      id: l.ListenerArn as string,
      fields: listenerFields(listenerAsInput(l)),
      managed: managedByArn(l.ListenerArn),
      raw: l,
    });
  }
  return found;
}

/** Ingress rules as one sorted list of "tcp 443 from 0.0.0.0/0" lines: the form the desired state takes. */
export const describeIngress = (perms: IpPermission[] | undefined) => describeRules(perms);

/** What AWS describes, under the names of what it is sent (inputs.ts), for the one projection. */
export const securityGroupAsInput = (g: SecurityGroup): SecurityGroupInput => ({
  GroupName: g.GroupName ?? "",
  Description: g.Description ?? "",
  VpcId: g.VpcId ?? "",
  IpPermissions: g.IpPermissions ?? [],
  IpPermissionsEgress: g.IpPermissionsEgress ?? [],
});

export const targetGroupAsInput = (
  tg: TargetGroup,
  attributes: TargetGroupAttribute[] | undefined,
): TargetGroupInput => ({
  ...tg,
  Name: tg.TargetGroupName,
  Attributes: attributes ?? [],
});

export const loadBalancerAsInput = (
  lb: LoadBalancer,
  attributes: LoadBalancerAttribute[] | undefined,
): LoadBalancerInput => ({
  Name: lb.LoadBalancerName,
  Type: lb.Type,
  Scheme: lb.Scheme,
  IpAddressType: lb.IpAddressType,
  Subnets: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId as string),
  SecurityGroups: lb.SecurityGroups ?? [],
  Attributes: attributes ?? [],
});

export const listenerAsInput = (l: Listener): ListenerInput => ({
  Protocol: l.Protocol,
  Port: l.Port,
  ...(l.Protocol === "HTTPS" ? { SslPolicy: l.SslPolicy } : {}),
  ...(l.Certificates?.length
    ? { Certificates: l.Certificates.map((x) => ({ CertificateArn: x.CertificateArn ?? "" })) }
    : {}),
  DefaultActions: l.DefaultActions ?? [],
});

/** An impaired load balancer is still an active one: the state create waits for. */
export const stateOf = (lb: LoadBalancer) => (lb.State?.Code === "active_impaired" ? "active" : lb.State?.Code);

/** The backend group's rule that lets the ALB group in: on the container port if there is one, else any port. */
function backendRule(perms: IpPermission[] | undefined, albGroupId: string, port: number) {
  const fromAlb = (perms ?? []).filter(
    (p) => p.IpProtocol === "tcp" && p.UserIdGroupPairs?.some((g) => g.GroupId === albGroupId),
  );
  return fromAlb.find((p) => p.FromPort === port && p.ToPort === port) ?? fromAlb[0];
}

export async function describeSecurityGroup(ec2: EC2Client, id: string): Promise<SecurityGroup | undefined> {
  return (await describeSecurityGroups(ec2, [id]))?.[0];
}

/** The groups of these ids, or undefined when one of them does not exist. */
async function describeSecurityGroups(ec2: EC2Client, ids: string[]): Promise<SecurityGroup[] | undefined> {
  try {
    return (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ids }))).SecurityGroups ?? [];
  } catch (err) {
    if (isAwsError(err, "InvalidGroup.NotFound", "InvalidGroupId.Malformed")) return undefined;
    throw err;
  }
}

/**
 * The ALB's group and, once it exists, the backend group it is let into. With the ALB's group recorded, both in one
 * call; DescribeSecurityGroups fails whole (InvalidGroup.NotFound) when one of them is gone: then one at a time.
 */
async function findSecurityGroups(ec2: EC2Client, c: AlbConfig, recorded: string | undefined) {
  const backendId = c.backendSecurityGroupId;
  if (recorded && backendId && recorded !== backendId) {
    const both = await describeSecurityGroups(ec2, [recorded, backendId]);
    const group = both?.find((g) => g.GroupId === recorded);
    const backend = both?.find((g) => g.GroupId === backendId);
    if (group && backend) return { group, backend };
  }
  const group = await findSecurityGroup(ec2, c, recorded);
  const backend = group && backendId ? await describeSecurityGroup(ec2, backendId) : undefined;
  return { group, backend };
}

/** By recorded id, then by name in the VPC (GroupNames only works in the default VPC: use filters). */
export async function findSecurityGroup(ec2: EC2Client, c: AlbConfig, recorded: string | undefined) {
  const byId = recorded ? await describeSecurityGroup(ec2, recorded) : undefined;
  if (byId) return byId;
  const Filters = [{ Name: "group-name", Values: [c.securityGroupName] }];
  if (c.vpcId) Filters.push({ Name: "vpc-id", Values: [c.vpcId] });
  return (await ec2.send(new DescribeSecurityGroupsCommand({ Filters }))).SecurityGroups?.[0];
}

export async function findTargetGroup(
  elbv2: ElasticLoadBalancingV2Client,
  c: AlbConfig,
  recorded: string | undefined,
): Promise<TargetGroup | undefined> {
  const lookups = [...(recorded ? [{ TargetGroupArns: [recorded] }] : []), { Names: [c.targetGroupName] }];
  for (const input of lookups) {
    try {
      const out = await elbv2.send(new DescribeTargetGroupsCommand(input));
      if (out.TargetGroups?.[0]) return out.TargetGroups[0];
    } catch (err) {
      if (!isAwsError(err, "TargetGroupNotFound", "ValidationError")) throw err;
    }
  }
  return undefined;
}

export async function describeLoadBalancer(
  elbv2: ElasticLoadBalancingV2Client,
  input: { LoadBalancerArns?: string[]; Names?: string[] },
): Promise<LoadBalancer | undefined> {
  try {
    return (await elbv2.send(new DescribeLoadBalancersCommand(input))).LoadBalancers?.[0];
  } catch (err) {
    if (isAwsError(err, "LoadBalancerNotFound", "ValidationError")) return undefined;
    throw err;
  }
}

export async function findLoadBalancer(
  elbv2: ElasticLoadBalancingV2Client,
  name: string,
  recorded: string | undefined,
) {
  const byArn = recorded ? await describeLoadBalancer(elbv2, { LoadBalancerArns: [recorded] }) : undefined;
  return byArn ?? (await describeLoadBalancer(elbv2, { Names: [name] }));
}

export async function listenersOf(elbv2: ElasticLoadBalancingV2Client, albArn: string): Promise<Listener[]> {
  try {
    return (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: albArn }))).Listeners ?? [];
  } catch (err) {
    if (isAwsError(err, "LoadBalancerNotFound")) return [];
    throw err;
  }
}

/** DescribeTags takes at most 20 ARNs a call. */
async function tagsOf(elbv2: ElasticLoadBalancingV2Client, arns: string[]): Promise<Map<string, Tag[]>> {
  const tags = new Map<string, Tag[]>();
  for (let i = 0; i < arns.length; i += 20) {
    const out = await elbv2.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
    for (const d of out.TagDescriptions ?? []) tags.set(d.ResourceArn as string, (d.Tags ?? []) as Tag[]);
  }
  return tags;
}

export async function targetGroupAttributes(elbv2: ElasticLoadBalancingV2Client, tg: TargetGroup) {
  const out = await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }));
  return out.Attributes ?? [];
}

async function loadBalancerAttributes(elbv2: ElasticLoadBalancingV2Client, lb: LoadBalancer) {
  const out = await elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  return out.Attributes ?? [];
}
