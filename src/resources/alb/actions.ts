// `alb` create, verify and destroy: the order of the steps, and what each check looks at.
import type { Context } from "../../core/context.js";
import { awsStep } from "../../core/errors.js";
import { type Check, checklist } from "../resource.js";
import { isManaged } from "../tags.js";
import { type AlbConfig, DEREGISTRATION_DELAY_SECONDS, PUBLIC_PORTS, TLS_POLICY } from "./config.js";
import { ownedForDestroy, tagsOf } from "./elb-common.js";
import {
  certificateStatus,
  deleteListener,
  ensureHttpListener,
  ensureHttpsListener,
  forwardsTo,
  isRedirectToHttps,
  listenersOf,
} from "./listeners.js";
import { deleteLoadBalancer, ensureLoadBalancer, findLoadBalancer } from "./load-balancer.js";
import { startRun } from "./run.js";
import {
  allows,
  deleteSecurityGroup,
  describeSecurityGroup,
  ensureAlbSecurityGroup,
  ensureBackendIngress,
  findAlbSecurityGroup,
  revokeBackendIngress,
} from "./security-groups.js";
import {
  deleteTargetGroup,
  deregistrationDelay,
  ensureTargetGroup,
  findTargetGroup,
  healthCheckDrift,
} from "./target-group.js";

export async function create(ctx: Context, c: AlbConfig): Promise<void> {
  const run = await startRun(ctx, c);
  // The security group and the target group do not depend on each other: look them up at the same time.
  const [groupId, tgArn] = await Promise.all([ensureAlbSecurityGroup(run), ensureTargetGroup(run)]);
  await ensureBackendIngress(run, groupId);
  const lb = await ensureLoadBalancer(run, groupId);
  const albArn = lb.LoadBalancerArn as string;
  const listeners = await awsStep("list listeners", c.albName, () => listenersOf(run, albArn));
  await ensureHttpListener(run, albArn, listeners);
  await ensureHttpsListener(run, albArn, tgArn, listeners);
}

/**
 * For `acm-certificate`: the HTTPS listener with this certificate, made exactly as `create alb` makes it.
 * Returns false when there is no load balancer or target group yet (then `create alb` will add it).
 */
export async function attachCertificate(ctx: Context, c: AlbConfig, certificateArn: string): Promise<boolean> {
  const run = await startRun(ctx, { ...c, certificateArn }, "acm-certificate");
  const lb = await awsStep("find load balancer", c.albName, () => findLoadBalancer(run));
  const tg = lb && (await awsStep("find target group", c.targetGroupName, () => findTargetGroup(run)));
  if (!lb || !tg) return false;
  const albArn = lb.LoadBalancerArn as string;
  const listeners = await awsStep("list listeners", c.albName, () => listenersOf(run, albArn));
  await ensureHttpsListener(run, albArn, tg.TargetGroupArn as string, listeners);
  return true;
}

/** For `acm-certificate` destroy: deletes the listeners of our load balancer that use this certificate. */
export async function detachCertificate(ctx: Context, c: AlbConfig, certificateArn: string): Promise<void> {
  const run = await startRun(ctx, c, "acm-certificate");
  const lb = await awsStep("find load balancer", c.albName, () => findLoadBalancer(run));
  if (!lb) return;
  const listeners = await awsStep("list listeners", c.albName, () => listenersOf(run, lb.LoadBalancerArn as string));
  for (const l of listeners.filter((x) => x.Certificates?.some((cert) => cert.CertificateArn === certificateArn))) {
    await deleteListener(run, l);
    if (ctx.env.get("HTTPS_LISTENER_ARN") === l.ListenerArn) await ctx.env.record({ HTTPS_LISTENER_ARN: "" });
  }
}

export async function destroy(ctx: Context, c: AlbConfig): Promise<void> {
  const run = await startRun(ctx, c);
  const { env } = ctx;
  const lb = await awsStep("find load balancer", c.albName, () => findLoadBalancer(run));
  if (
    lb &&
    (await ownedForDestroy(run, lb.LoadBalancerArn as string, env.get("ALB_ARN"), `load balancer ${c.albName}`))
  ) {
    // Listeners first, so the target group is released as early as possible.
    for (const l of await awsStep("list listeners", c.albName, () => listenersOf(run, lb.LoadBalancerArn as string))) {
      await deleteListener(run, l);
    }
    await env.record({ HTTP_LISTENER_ARN: "", HTTPS_LISTENER_ARN: "" });
    // A web ACL on it (`waf`) is let go first: no association is left pointing at a deleted ALB.
    if (env.get("WAF_WEB_ACL_ARN"))
      await (await import("../waf/actions.js")).disassociate(ctx, lb.LoadBalancerArn as string);
    await deleteLoadBalancer(run, lb);
  }
  await env.record({ ALB_ARN: "", ALB_DNS_NAME: "", HTTP_LISTENER_ARN: "", HTTPS_LISTENER_ARN: "" });

  const tg = await awsStep("find target group", c.targetGroupName, () => findTargetGroup(run));
  const tgLabel = `target group ${c.targetGroupName}`;
  if (tg && (await ownedForDestroy(run, tg.TargetGroupArn as string, env.get("TARGET_GROUP_ARN"), tgLabel))) {
    await deleteTargetGroup(run, tg.TargetGroupArn as string);
  }
  await env.record({ TARGET_GROUP_ARN: "" });

  const group = await awsStep("find security group", c.securityGroupName, () => findAlbSecurityGroup(run));
  if (group?.GroupId) {
    const id = group.GroupId;
    if (env.get("ALB_SECURITY_GROUP_ID") === id || isManaged(group.Tags)) {
      await revokeBackendIngress(run, id);
      await deleteSecurityGroup(run, id, c.securityGroupName);
    } else {
      run.ev.skipped(`security group ${c.securityGroupName}: left in place, not made by infra`);
    }
  }
  await env.record({ ALB_SECURITY_GROUP_ID: "" });
}

export async function verify(ctx: Context, c: AlbConfig): Promise<Check[]> {
  const run = await startRun(ctx, c);
  const { checks, check, skip } = checklist("alb");

  const group = await awsStep("find security group", c.securityGroupName, () => findAlbSecurityGroup(run));
  check(`security group ${c.securityGroupName} exists`, Boolean(group), group?.GroupId);
  if (group) {
    const open = PUBLIC_PORTS.filter((p) => allows(group.IpPermissions, p, { cidr: "0.0.0.0/0" }));
    check(`security group allows tcp ${PUBLIC_PORTS.join(", ")} from 0.0.0.0/0`, open.length === PUBLIC_PORTS.length);
    const extra = (group.IpPermissions ?? []).filter(
      (p) => !(p.IpProtocol === "tcp" && PUBLIC_PORTS.some((port) => p.FromPort === port && p.ToPort === port)),
    );
    check("security group allows nothing else", extra.length === 0, extra.map(describePermission).join("; "));
    check("security group is tagged ManagedBy=infra", isManaged(group.Tags));
    if (c.backendSecurityGroupId) {
      const backend = await awsStep("find backend security group", c.backendSecurityGroupId, () =>
        describeSecurityGroup(run, c.backendSecurityGroupId as string),
      );
      const perms = backend?.IpPermissions;
      check(
        `backend ${c.backendSecurityGroupId} allows tcp ${c.containerPort} from the ALB group`,
        allows(perms, c.containerPort, { groupId: group.GroupId as string }),
      );
      check(
        `backend ${c.backendSecurityGroupId} does not expose tcp ${c.containerPort} to 0.0.0.0/0`,
        Boolean(backend) && !allows(perms, c.containerPort, { cidr: "0.0.0.0/0" }),
      );
    } else skip("backend ingress", "BACKEND_SECURITY_GROUP_ID is not set");
  }

  const tg = await awsStep("find target group", c.targetGroupName, () => findTargetGroup(run));
  check(`target group ${c.targetGroupName} exists`, Boolean(tg));
  if (tg) {
    const arn = tg.TargetGroupArn as string;
    check(
      `target group is HTTP ${c.containerPort}, target type ip`,
      tg.Protocol === "HTTP" && tg.Port === c.containerPort && tg.TargetType === "ip",
      `${tg.Protocol} ${tg.Port} ${tg.TargetType}`,
    );
    const drift = healthCheckDrift(run, tg);
    check(`health check ${c.healthCheckPath} as specified`, drift.length === 0, drift.join(", "));
    const delay = await awsStep("read target group attributes", c.targetGroupName, () => deregistrationDelay(run, arn));
    check(
      `deregistration delay ${DEREGISTRATION_DELAY_SECONDS} s`,
      delay === DEREGISTRATION_DELAY_SECONDS,
      `${delay} s`,
    );
  }

  const lb = await awsStep("find load balancer", c.albName, () => findLoadBalancer(run));
  check(`load balancer ${c.albName} exists`, Boolean(lb), lb?.DNSName);
  if (!lb) return checks;
  const albArn = lb.LoadBalancerArn as string;
  check("load balancer is active", lb.State?.Code === "active", lb.State?.Code);
  check("load balancer is internet-facing", lb.Scheme === "internet-facing");
  const subnets = (lb.AvailabilityZones ?? []).map((z) => z.SubnetId);
  check(
    "load balancer is in both public subnets",
    c.publicSubnetIds.every((s) => subnets.includes(s)),
    subnets.join(", "),
  );
  check(
    "load balancer uses the ALB security group",
    Boolean(group?.GroupId && lb.SecurityGroups?.includes(group.GroupId)),
  );
  const tags = await awsStep("read tags", c.albName, () => tagsOf(run, albArn));
  check("load balancer is tagged ManagedBy=infra", isManaged(tags));

  const listeners = await awsStep("list listeners", c.albName, () => listenersOf(run, albArn));
  const http = listeners.find((l) => l.Port === 80);
  check("HTTP:80 redirects to HTTPS:443 (301)", isRedirectToHttps(http));
  const https = listeners.find((l) => l.Port === 443);
  if (!https && !c.certificateArn) {
    skip("HTTPS:443 listener", "no certificate yet: run `infra create acm-certificate`");
  } else {
    check("HTTPS:443 listener exists", Boolean(https));
    if (https) {
      check(`HTTPS:443 uses ${TLS_POLICY}`, https.SslPolicy === TLS_POLICY, https.SslPolicy);
      check(
        `HTTPS:443 forwards to ${c.targetGroupName}`,
        Boolean(tg) && forwardsTo(https, tg?.TargetGroupArn as string),
      );
      const cert = https.Certificates?.[0]?.CertificateArn;
      if (c.certificateArn) check("HTTPS:443 uses ACM_CERTIFICATE_ARN", cert === c.certificateArn, cert);
      if (cert) {
        const status = await awsStep("read certificate", cert, () => certificateStatus(run, cert));
        check("HTTPS:443 certificate is ISSUED", status === "ISSUED", status);
      }
    }
  }
  return checks;
}

function describePermission(p: { IpProtocol?: string; FromPort?: number; ToPort?: number }): string {
  return p.IpProtocol === "-1" ? "all traffic" : `${p.IpProtocol} ${p.FromPort}-${p.ToPort}`;
}
