// The `route53-records` resource (seed step 3): API_DOMAIN_NAME as an alias of the ALB, in the public
// hosted zone of DOMAIN_NAME. No SDK import here.
import { type EnvReader, readInputs } from "../../core/inputs.js";
import { type AlbConfig, albConfig } from "../alb/config.js";
import type { Action, Resource } from "../resource.js";
import { type DnsConfig, readDnsInputs } from "../shared/dns/config.js";
import { requireWithin } from "../shared/dns/names.js";

export interface RecordsConfig extends DnsConfig {
  apiDomain: string;
  alb: AlbConfig;
}

export const route53RecordsResource: Resource<RecordsConfig> = {
  name: "route53-records",
  after: ["alb"],
  summary: "alias A record API_DOMAIN_NAME -> the ALB, in the public hosted zone of DOMAIN_NAME",
  reads: ["PROJECT_NAME", "DOMAIN_NAME", "API_DOMAIN_NAME"],
  optional: ["HOSTED_ZONE_ID", "ALB_NAME"],
  records: ["HOSTED_ZONE_ID", "HOSTED_ZONE_CREATED_BY_INFRA"],
  config: recordsConfig,
  plan: (c) => [
    `public hosted zone of ${c.domain}${c.hostedZoneId ? ` (${c.hostedZoneId})` : ": found by name, made (once) if there is none, with the name servers to set at your registrar"}`,
    `alias A record ${c.apiDomain} -> load balancer ${c.alb.albName} (evaluate target health); wait until INSYNC`,
  ],
  load: () => import("./actions.js"),
};

export function recordsConfig(env: EnvReader, _action: Action): RecordsConfig {
  const input = readInputs(env, "route53-records");
  const dns = readDnsInputs(input);
  const apiDomain = input.need("API_DOMAIN_NAME").toLowerCase().replace(/\.$/, "");
  input.done();
  requireWithin("API_DOMAIN_NAME", apiDomain, dns.domain);
  return { ...dns, apiDomain, alb: albConfig(env, "verify") };
}
