// What of `route53-records` exists: the record at API_DOMAIN_NAME in the zone (whatever it points at), and the
// alias records infra made at names it no longer wants (API_DOMAIN_NAME changed), which the diff deletes.
import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import type { Context } from "../../core/context.js";
import { awsStep } from "../../core/errors.js";
import { isPending, type ObservedObject } from "../../state/model.js";
import { sameAliasTarget, sameName } from "../common/dns/names.js";
import { readRecords } from "../common/dns/records.js";
import { readZone } from "../common/dns/zone.js";
import { readLoadBalancer } from "../common/load-balancer.js";
import type { RecordsConfig } from "./config.js";
import { aliasRecordFields, ofLoadBalancer, type RecordShape } from "./inputs.js";

export interface AliasRaw {
  zoneId: string;
  /** As read: DELETE must match it exactly. */
  record: ResourceRecordSet;
}

/** The load balancer ALB_ARN names, if it is recorded and exists. */
export async function recordedLoadBalancer(ctx: Context, c: RecordsConfig): Promise<LoadBalancer | undefined> {
  const arn = c.albArn;
  if (!arn || isPending(arn)) return undefined;
  return awsStep("find load balancer", arn, () => readLoadBalancer(ctx, arn));
}

/** Where a record sends the name: an alias's target or a CNAME's value. */
const targetOf = (r: ResourceRecordSet) => r.AliasTarget?.DNSName ?? r.ResourceRecords?.[0]?.Value ?? "";

/** A record that points at the stack's load balancer reads as the input names it: an alias of that load balancer. */
const asWanted = (r: ResourceRecordSet, albArn: string): RecordShape => ({
  ...r,
  AliasTarget: { EvaluateTargetHealth: false, ...r.AliasTarget, ...ofLoadBalancer(albArn) },
});

/** Route 53 may add `dualstack.` and change case; an alias must also name the load balancer's own zone. */
function pointsAt(r: ResourceRecordSet, lb: LoadBalancer | undefined): boolean {
  if (!lb?.DNSName || !sameAliasTarget(targetOf(r), lb.DNSName)) return false;
  return !r.AliasTarget || r.AliasTarget.HostedZoneId === lb.CanonicalHostedZoneId;
}

export async function observeRecords(ctx: Context, c: RecordsConfig): Promise<Map<string, ObservedObject>> {
  const found = new Map<string, ObservedObject>();
  if (c.externalDns) return found;
  const r53 = await ctx.aws.route53();
  const zone = await readZone(ctx, r53, c.domain, c);
  if (!zone) return found;
  const [records, lb] = await Promise.all([
    awsStep("list records", zone.name, () => readRecords(ctx, r53, zone.id)),
    recordedLoadBalancer(ctx, c),
  ]);
  const at = (name: string, type: string) => records.find((r) => r.Type === type && sameName(r.Name ?? "", name));
  const observe = (key: string, record: ResourceRecordSet, recorded: boolean): ObservedObject => {
    const ours = pointsAt(record, lb);
    const raw: AliasRaw = { zoneId: zone.id, record };
    return {
      key,
      kind: "alias record",
      name: (record.Name ?? "").replace(/\.$/, ""),
      id: `${record.Name} ${record.Type}`,
      fields: aliasRecordFields(ours ? asWanted(record, c.albArn as string) : record),
      // Records carry no tags: ours is what infra recorded making, or what points at the stack's load balancer.
      managed: recorded || ours,
      raw,
    };
  };
  const recordedHere = (name: string) => c.recordedNames.some((n) => sameName(n, name));
  const current = at(c.apiDomain, "A") ?? at(c.apiDomain, "CNAME");
  if (current) found.set("alias-record", observe("alias-record", current, recordedHere(c.apiDomain)));
  for (const name of c.recordedNames.filter((n) => !sameName(n, c.apiDomain))) {
    const old = at(name, "A");
    if (old) found.set(`alias-record:${name}`, observe(`alias-record:${name}`, old, true));
  }
  return found;
}
