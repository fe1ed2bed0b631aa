// The DNS inputs `acm-certificate` and `route53-records` both read. HOSTED_ZONE_ID is an input the user may set (when
// several public zones share the domain's name) and a key `acm-certificate` records; HOSTED_ZONE_CREATED_BY_INFRA
// says which: "true" infra made the zone, "false" infra found it by name, unset: HOSTED_ZONE_ID is the user's.
import type { readInputs } from "../../../core/inputs.js";
import { pendingStep } from "../../../state/model.js";
import type { StackIdentity } from "../tags.js";

export interface ZoneInputs {
  /** Without the /hostedzone/ prefix. */
  hostedZoneId: string | undefined;
  /** HOSTED_ZONE_CREATED_BY_INFRA as recorded. */
  zoneRecorded: "true" | "false" | undefined;
}

export interface DnsConfig extends StackIdentity, ZoneInputs {
  /** Lower case, no trailing dot. */
  domain: string;
  /** The domain's DNS is not in Route 53 (DNS_PROVIDER=external): records are printed for the user to set. */
  externalDns: boolean;
}

export function readDnsInputs(input: ReturnType<typeof readInputs>): DnsConfig {
  const project = input.need("PROJECT_NAME");
  const environment = input.need("ENVIRONMENT");
  const domain = input.need("DOMAIN_NAME").toLowerCase().replace(/\.$/, "");
  // In a `create all`, before acm-certificate has run, these read "<HOSTED_ZONE_ID from acm-certificate>": not yet.
  const known = (v: string | undefined) => (v && !pendingStep(v) ? v : undefined);
  const hostedZoneId = known(input.maybe("HOSTED_ZONE_ID"))?.replace(/^\/hostedzone\//, "");
  const recorded = known(input.maybe("HOSTED_ZONE_CREATED_BY_INFRA"));
  const provider = input.need("DNS_PROVIDER");
  return {
    project,
    environment,
    domain,
    hostedZoneId,
    zoneRecorded: recorded === "true" || recorded === "false" ? recorded : undefined,
    externalDns: provider === "external",
  };
}
