// The `route53-records` resource's model: observe, the alias record's handlers, what it records (the names of the
// alias records it made), and what verify says when DNS is not in Route 53 or the zone is missing.
import type { Context } from "../../core/context.js";
import type { Observation } from "../../state/model.js";
import { readZone } from "../common/dns/zone.js";
import { checklist, type ResourceModel } from "../resource.js";
import { aliasRecordHandlers } from "./alias-record.js";
import type { RecordsConfig } from "./config.js";
import { observeRecords, recordedLoadBalancer } from "./observe.js";

export const recordsModel: ResourceModel<RecordsConfig> = {
  observe: observeRecords,
  handlers: { "alias record": aliasRecordHandlers },
  recorded(objects) {
    const names = [...objects.values()].filter((o) => o.managed).map((o) => o.name);
    return { API_ALIAS_RECORD: names.join(" ") };
  },
  checks: recordsChecks,
};

async function recordsChecks(ctx: Context, c: RecordsConfig, objects: Observation) {
  const { checks, check, skip } = checklist("route53-records");
  if (c.externalDns) {
    const lb = await recordedLoadBalancer(ctx, c);
    skip(
      `${c.apiDomain} points at the load balancer`,
      `DNS_PROVIDER=external: at your DNS provider, point ${c.apiDomain} at ${lb?.DNSName ?? "the load balancer's DNS name (ALB_DNS_NAME)"} (CNAME, or ALIAS at the apex)`,
    );
  } else if (!objects.has("alias-record")) {
    // Say why the record is missing when it is because the zone is.
    const zone = await readZone(ctx, await ctx.aws.route53(), c.domain, c);
    if (!zone)
      check(`public hosted zone of ${c.domain} exists`, false, "none: `infra create acm-certificate` makes it");
  }
  return checks;
}
