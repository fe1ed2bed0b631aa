// Handlers for the alias A record API_DOMAIN_NAME -> the load balancer (evaluate target health), written with UPSERT
// and waited on until INSYNC. A CNAME in its place is swapped for it in one change batch.
import type { Change, ResourceRecordSet } from "@aws-sdk/client-route-53";
import { awsStep } from "../../core/errors.js";
import type { DesiredObject, ObservedObject } from "../../state/model.js";
import { changeRecords, type DnsRun, deleteRecord } from "../common/dns/records.js";
import { findZone } from "../common/dns/zone.js";
import { loadBalancerByArn } from "../common/load-balancer.js";
import { type ApplyRun, type KindHandlers, NotYet } from "../resource.js";
import type { RecordsConfig } from "./config.js";
import type { AliasRecordInput } from "./inputs.js";
import type { AliasRaw } from "./observe.js";

async function dnsRun(run: ApplyRun<RecordsConfig>): Promise<DnsRun> {
  return { ctx: run.ctx, ev: run.ev, r53: await run.ctx.aws.route53() };
}

/** The desired input, with the DNS name and zone of the load balancer it points at, as ELBv2 answers them. */
async function aliasOf(run: ApplyRun<RecordsConfig>, d: DesiredObject): Promise<ResourceRecordSet> {
  const input = d.input as AliasRecordInput;
  const arn = String(input.AliasTarget.DNSName.of);
  const elbv2 = await run.ctx.aws.elbv2();
  const lb = await awsStep("find load balancer", arn, () => loadBalancerByArn(elbv2, arn));
  if (!lb)
    throw new NotYet(`alias record ${d.name}: load balancer ${arn} (ALB_ARN) does not exist; run \`infra create alb\``);
  return {
    ...input,
    AliasTarget: { ...input.AliasTarget, HostedZoneId: lb.CanonicalHostedZoneId, DNSName: lb.DNSName },
  };
}

function observed(d: DesiredObject, zoneId: string, record: ResourceRecordSet): ObservedObject {
  const raw: AliasRaw = { zoneId, record };
  return {
    key: d.key,
    kind: d.kind,
    name: d.name,
    id: `${record.Name} A`,
    fields: { ...d.fields },
    managed: true,
    raw,
  };
}

export const aliasRecordHandlers: KindHandlers<RecordsConfig> = {
  async create(run, d) {
    const dns = await dnsRun(run);
    const zone = await findZone(dns.r53, run.c.domain, run.c);
    if (!zone)
      throw new NotYet(
        `alias record ${d.name}: there is no public hosted zone of ${run.c.domain} yet; \`infra create acm-certificate\` makes it`,
      );
    const record = await aliasOf(run, d);
    await changeRecords(dns, zone.id, [{ Action: "UPSERT", ResourceRecordSet: record }], `alias ${d.name}`);
    return observed(d, zone.id, record);
  },
  async update(run, d, o) {
    const raw = o.raw as AliasRaw;
    const record = await aliasOf(run, d);
    // A CNAME cannot stand beside other records of its name: it goes in the same batch as the A record comes.
    const changes: Change[] =
      raw.record.Type === "A"
        ? [{ Action: "UPSERT", ResourceRecordSet: record }]
        : [
            { Action: "DELETE", ResourceRecordSet: raw.record },
            { Action: "CREATE", ResourceRecordSet: record },
          ];
    await changeRecords(await dnsRun(run), raw.zoneId, changes, `alias ${d.name}`);
  },
  // A record carries no tags: it is ours once infra has recorded it (API_ALIAS_RECORD).
  async adopt() {},
  async delete(run, o) {
    const raw = o.raw as AliasRaw;
    await deleteRecord(await dnsRun(run), raw.zoneId, raw.record, `alias ${o.name}`);
  },
};
