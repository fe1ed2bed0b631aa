// What AWS is sent for each object of the `alb` resource, and the one projection of it into the fields plan, verify
// and status show. The same projection reads what AWS describes (observe.ts maps the described object onto the
// input's names), so the desired and the found object compare field by field, and a parameter that is sent but not
// projected cannot hide from plan. Pure (type imports only): `plan` builds these with no SDK loaded.
import type { IpPermission } from "@aws-sdk/client-ec2";
import type {
  Action,
  CreateListenerInput,
  CreateLoadBalancerInput,
  CreateTargetGroupInput,
  LoadBalancerAttribute,
  TargetGroupAttribute,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Fields, Pending, Ref, Value } from "../../state/model.js";

export const REDIRECT = "redirect to HTTPS:443 (301)";

/** A value not known yet: a sibling's id (Ref) or another step's output (Pending). */
type Later = Ref | Pending;

export interface SecurityGroupInput {
  GroupName: string;
  Description: string;
  VpcId: string;
  IpPermissions: IpPermission[];
  IpPermissionsEgress: IpPermission[];
}

/** The backend group's one rule that lets the ALB's group in: what AuthorizeSecurityGroupIngress is sent. */
export interface BackendRuleInput {
  GroupId: string;
  IpPermissions: (Omit<IpPermission, "UserIdGroupPairs"> & { UserIdGroupPairs: { GroupId: string | Later }[] })[];
}

export type TargetGroupInput = Omit<CreateTargetGroupInput, "Tags"> & { Attributes: TargetGroupAttribute[] };

export type LoadBalancerInput = Omit<CreateLoadBalancerInput, "Tags" | "SecurityGroups"> & {
  SecurityGroups: (string | Later)[];
  Attributes: LoadBalancerAttribute[];
};

export type ListenerInput = Omit<
  CreateListenerInput,
  "Tags" | "LoadBalancerArn" | "DefaultActions" | "Certificates"
> & {
  DefaultActions: (Omit<Action, "TargetGroupArn"> & { TargetGroupArn?: string | Later })[];
  Certificates?: { CertificateArn: string | Later }[];
};

/** AWS's deregistration delay when none is set (ELBv2 target group attributes). */
export const DEFAULT_DEREGISTRATION_DELAY = 300;
export const DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds";

const attribute = (list: readonly { Key?: string; Value?: string }[] | undefined, key: string) =>
  list?.find((a) => a.Key === key)?.Value;

/** Rules as one sorted list of "tcp 443 from 0.0.0.0/0" lines ("to" for egress). */
export function describeRules(perms: readonly IpPermission[] | undefined, direction: "from" | "to" = "from"): string[] {
  const lines = (perms ?? []).flatMap((p) => {
    const what = p.IpProtocol === "-1" ? "all traffic" : `${p.IpProtocol} ${portRange(p)}`;
    return [
      ...(p.IpRanges ?? []).map((r) => `${what} ${direction} ${r.CidrIp}`),
      ...(p.Ipv6Ranges ?? []).map((r) => `${what} ${direction} ${r.CidrIpv6}`),
      ...(p.UserIdGroupPairs ?? []).map((g) => `${what} ${direction} ${g.GroupId}`),
      ...(p.PrefixListIds ?? []).map((l) => `${what} ${direction} ${l.PrefixListId}`),
    ];
  });
  return lines.sort();
}

export const portRange = (p: Pick<IpPermission, "FromPort" | "ToPort">) =>
  p.FromPort === p.ToPort ? `${p.FromPort}` : `${p.FromPort}-${p.ToPort}`;

export function securityGroupFields(g: SecurityGroupInput): Fields {
  return {
    name: g.GroupName,
    description: g.Description,
    vpc: g.VpcId,
    ingress: describeRules(g.IpPermissions),
    egress: describeRules(g.IpPermissionsEgress, "to"),
  };
}

export function backendRuleFields(r: BackendRuleInput): Fields {
  const p = r.IpPermissions[0];
  return {
    "security group": r.GroupId,
    protocol: p?.IpProtocol,
    port: p && p.FromPort !== p.ToPort ? portRange(p) : p?.FromPort,
    from: p?.UserIdGroupPairs[0]?.GroupId,
  };
}

export function targetGroupFields(t: TargetGroupInput): Fields {
  const port = t.HealthCheckPort === "traffic-port" ? "the traffic port" : `port ${t.HealthCheckPort}`;
  return {
    name: t.Name,
    protocol: t.Protocol,
    port: t.Port,
    vpc: t.VpcId,
    "target type": t.TargetType,
    "health check": `${t.HealthCheckProtocol} ${t.HealthCheckPath} on ${port}`,
    "health check interval": t.HealthCheckIntervalSeconds,
    "health check timeout": t.HealthCheckTimeoutSeconds,
    "healthy threshold": t.HealthyThresholdCount,
    "unhealthy threshold": t.UnhealthyThresholdCount,
    "success codes": t.Matcher?.HttpCode,
    "deregistration delay": Number(attribute(t.Attributes, DEREGISTRATION_DELAY) ?? DEFAULT_DEREGISTRATION_DELAY),
  };
}

export function loadBalancerFields(lb: LoadBalancerInput): Fields {
  const a = (key: string) => attribute(lb.Attributes, key);
  const logs = a("access_logs.s3.enabled") === "true";
  return {
    name: lb.Name,
    scheme: lb.Scheme,
    type: lb.Type,
    "IP address type": lb.IpAddressType,
    subnets: [...(lb.Subnets ?? [])].sort(),
    "security groups": sortedIds(lb.SecurityGroups),
    "drop invalid header fields": a("routing.http.drop_invalid_header_fields.enabled") === "true",
    "deletion protection": a("deletion_protection.enabled") === "true",
    "access logs": logs ? `s3://${a("access_logs.s3.bucket") ?? ""}/${a("access_logs.s3.prefix") ?? ""}` : "off",
  };
}

export function listenerFields(l: ListenerInput): Fields {
  const certificate = l.Certificates?.[0]?.CertificateArn;
  return {
    protocol: l.Protocol,
    port: l.Port,
    ...(l.Protocol === "HTTPS" ? { "TLS policy": l.SslPolicy, certificate } : {}),
    action: describeAction(l.DefaultActions),
  };
}

/** Ids sorted, those not known yet (a sibling to be made) after them, as they are. */
const sortedIds = (ids: readonly (string | Later)[]): Value =>
  [...ids].sort((a, b) => (typeof a === "string" && typeof b === "string" ? a.localeCompare(b) : 0)) as Value;

function describeAction(actions: ListenerInput["DefaultActions"]): Value {
  const a = actions[0];
  const r = a?.RedirectConfig;
  if (a?.Type === "redirect" && r?.Protocol === "HTTPS" && r.Port === "443" && r.StatusCode === "HTTP_301")
    return REDIRECT;
  if (a?.Type === "forward") {
    const groups = a.ForwardConfig?.TargetGroups?.map((g) => g.TargetGroupArn) ?? [a.TargetGroupArn];
    return groups.length === 1 ? (groups[0] as Value) : `forward to ${groups.length} target groups`;
  }
  return a?.Type ?? "none";
}
