// `route53-records` create, verify and destroy.

import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import type { Context } from "../../core/context.js";
import { awsStep, InfraError } from "../../core/errors.js";
import { findLoadBalancer } from "../alb/load-balancer.js";
import { startRun as startAlbRun } from "../alb/run.js";
import { type Check, checklist } from "../resource.js";
import { fqdn, sameAliasTarget } from "../shared/dns/names.js";
import { deleteRecord, readRecord, upsertRecords } from "../shared/dns/records.js";
import { checkDelegation, deleteZoneIfOursAndEmpty, ensureZone, findZone, type ZoneRun } from "../shared/dns/zone.js";
import type { RecordsConfig } from "./config.js";

const RESOURCE = "route53-records";

async function zoneRun(ctx: Context): Promise<ZoneRun> {
  return { ctx, ev: ctx.events.for(RESOURCE), r53: await ctx.aws.route53() };
}

async function loadBalancer(ctx: Context, c: RecordsConfig): Promise<LoadBalancer | undefined> {
  const run = await startAlbRun(ctx, c.alb, RESOURCE);
  return awsStep("find load balancer", c.alb.albName, () => findLoadBalancer(run));
}

const aliasOf = (name: string, lb: LoadBalancer): ResourceRecordSet => ({
  Name: fqdn(name),
  Type: "A",
  AliasTarget: { HostedZoneId: lb.CanonicalHostedZoneId, DNSName: lb.DNSName, EvaluateTargetHealth: true },
});

/** Same target, after normalising what Route 53 changes: case, trailing dot, `dualstack.`. */
const pointsAt = (record: ResourceRecordSet | undefined, lb: LoadBalancer) =>
  Boolean(
    record?.AliasTarget &&
      record.AliasTarget.HostedZoneId === lb.CanonicalHostedZoneId &&
      sameAliasTarget(record.AliasTarget.DNSName as string, lb.DNSName as string) &&
      record.AliasTarget.EvaluateTargetHealth === true,
  );

export async function create(ctx: Context, c: RecordsConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  const lb = await loadBalancer(ctx, c);
  if (!lb) {
    throw new InfraError(`load balancer ${c.alb.albName} not found`, 3, "run `infra create alb` first");
  }
  if (c.externalDns) {
    ev.warning(`DNS_PROVIDER=external: at your DNS provider, point ${c.apiDomain} at ${lb.DNSName} (CNAME or ALIAS)`);
    return;
  }
  const run = await zoneRun(ctx);
  const zone = await ensureZone(run, c.domain, c.hostedZoneId);
  const current = await readRecord(run, zone, c.apiDomain, "A");
  const label = `alias A ${c.apiDomain} -> ${lb.DNSName}`;
  if (pointsAt(current, lb)) ev.exists(label);
  else {
    await upsertRecords(run, zone, [aliasOf(c.apiDomain, lb)], label);
    if (current)
      ev.updated(
        `${label} (was ${current.AliasTarget?.DNSName ?? current.ResourceRecords?.map((r) => r.Value).join(", ")})`,
      );
    else ev.created(label);
  }
  const delegation = await checkDelegation(ctx, c.domain, zone);
  if (delegation.ok !== true) ev.warning(delegation.detail);
}

export async function destroy(ctx: Context, c: RecordsConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  if (c.externalDns) return;
  const run = await zoneRun(ctx);
  const zone = await findZone(run, c.domain, c.hostedZoneId);
  if (!zone) return;
  const current = await readRecord(run, zone, c.apiDomain, "A");
  if (current) {
    // Only the record that points at our load balancer (or at the one recorded, if that is gone already).
    const lb = await loadBalancer(ctx, c);
    const target = current.AliasTarget?.DNSName;
    const ours =
      target && [lb?.DNSName, ctx.env.get("ALB_DNS_NAME")].some((dns) => dns && sameAliasTarget(target, dns));
    if (ours) await deleteRecord(run, zone, current, `alias A ${c.apiDomain}`);
    else ev.skipped(`A ${c.apiDomain}: left in place, it does not point at ${c.alb.albName}`);
  }
  await deleteZoneIfOursAndEmpty(run, zone);
}

export async function verify(ctx: Context, c: RecordsConfig): Promise<Check[]> {
  const { checks, check, skip } = checklist(RESOURCE);
  if (c.externalDns) {
    skip(`A ${c.apiDomain}`, "DNS_PROVIDER=external: the record is at your DNS provider");
    return checks;
  }
  const run = await zoneRun(ctx);
  const zone = await findZone(run, c.domain, c.hostedZoneId);
  check(`public hosted zone of ${c.domain} exists`, Boolean(zone), zone?.id);
  if (!zone) return checks;
  const record = await readRecord(run, zone, c.apiDomain, "A");
  const lb = await loadBalancer(ctx, c);
  check(
    `A ${c.apiDomain} is an alias of load balancer ${c.alb.albName}`,
    Boolean(lb) && pointsAt(record, lb as LoadBalancer),
    record?.AliasTarget?.DNSName ?? (record ? "not an alias" : "no record"),
  );
  const delegation = await checkDelegation(ctx, c.domain, zone);
  if (delegation.ok === undefined) skip(`${c.domain} is delegated to the zone`, delegation.detail);
  else check(`${c.domain} is delegated to the zone`, delegation.ok, delegation.ok ? undefined : delegation.detail);
  return checks;
}
