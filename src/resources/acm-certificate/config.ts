// The `acm-certificate` resource (seed step 2): a DNS-validated certificate for *.<DOMAIN_NAME> and
// <DOMAIN_NAME>, attached to the ALB's HTTPS listener. No SDK import here.
import { type EnvReader, readInputs } from "../../core/inputs.js";
import { type AlbConfig, albConfig, TLS_POLICY } from "../alb/config.js";
import type { Action, Resource } from "../resource.js";
import { type DnsConfig, readDnsInputs } from "../shared/dns/config.js";

export interface AcmConfig extends DnsConfig {
  /** The names the certificate covers: the wildcard first (its DomainName), then the apex. */
  names: [string, string];
  /** Where to attach it: the ALB's names (looked up, not required to exist). */
  alb: AlbConfig;
}

export const acmResource: Resource<AcmConfig> = {
  name: "acm-certificate",
  after: [],
  summary: "ACM certificate for *.<DOMAIN_NAME> and <DOMAIN_NAME>, validated through DNS, on the HTTPS listener",
  reads: ["PROJECT_NAME", "DOMAIN_NAME"],
  optional: ["ENVIRONMENT", "HOSTED_ZONE_ID", "DNS_PROVIDER", "ALB_NAME", "TARGET_GROUP_NAME"],
  records: ["ACM_CERTIFICATE_ARN", "HTTPS_LISTENER_ARN", "HOSTED_ZONE_ID", "HOSTED_ZONE_CREATED_BY_INFRA"],
  config: acmConfig,
  plan: (c) => [
    `certificate for ${c.names.join(" and ")} with DNS validation, unless infra made one already`,
    c.externalDns
      ? "print the validation CNAME for you to set at your DNS provider (DNS_PROVIDER=external)"
      : `validation CNAME (one, shared by both names) in the public hosted zone of ${c.domain}${c.hostedZoneId ? ` (${c.hostedZoneId})` : ", made if missing"}`,
    "check that the domain is delegated to that zone, then wait until the certificate is ISSUED",
    `listener HTTPS:443 on ${c.alb.albName} with it (${TLS_POLICY}), when the load balancer exists`,
  ],
  load: () => import("./actions.js"),
};

export function acmConfig(env: EnvReader, _action: Action): AcmConfig {
  const input = readInputs(env, "acm-certificate");
  const dns = readDnsInputs(input);
  input.done();
  // The ALB is looked up by name to attach the certificate: only its names are needed, not its network inputs.
  return { ...dns, names: [`*.${dns.domain}`, dns.domain], alb: albConfig(env, "verify") };
}
