import type { readInputs } from "../../../core/inputs.js";
import type { StackIdentity } from "../tags.js";

export interface DnsConfig extends StackIdentity {
  domain: string;
  hostedZoneId: string | undefined;
  /** The domain's DNS is not in Route 53 (DNS_PROVIDER=external): validation records are printed for the user. */
  externalDns: boolean;
}

export function readDnsInputs(input: ReturnType<typeof readInputs>): DnsConfig {
  const project = input.need("PROJECT_NAME");
  const environment = input.need("ENVIRONMENT");
  const domain = input.need("DOMAIN_NAME").toLowerCase().replace(/\.$/, "");
  const hostedZoneId = input.maybe("HOSTED_ZONE_ID");
  const provider = input.need("DNS_PROVIDER");
  return { project, environment, domain, hostedZoneId, externalDns: provider === "external" };
}
