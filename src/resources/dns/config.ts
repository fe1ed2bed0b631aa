// The DNS inputs both `acm-certificate` and `route53-records` read.
import { InputError } from "../../core/errors.js";
import { projectName, type readInputs, tagValue } from "../../core/inputs.js";
import type { StackIdentity } from "../tags.js";
import { domainName } from "./names.js";

export interface DnsConfig extends StackIdentity {
  domain: string;
  hostedZoneId: string | undefined;
  /** The domain's DNS is not in Route 53 (DNS_PROVIDER=external): validation records are printed for the user. */
  externalDns: boolean;
}

export function readDnsInputs(input: ReturnType<typeof readInputs>): DnsConfig {
  const project = input.need("PROJECT_NAME", projectName);
  const environment = input.orDefault("ENVIRONMENT", "production", tagValue);
  const domain = input.need("DOMAIN_NAME", domainName).toLowerCase().replace(/\.$/, "");
  const hostedZoneId = input.maybe("HOSTED_ZONE_ID", (key, value) => {
    if (!/^(\/hostedzone\/)?Z[A-Z0-9]{1,32}$/.test(value))
      throw new InputError(`${key}="${value}" is not a hosted zone id (Z...)`);
  });
  const provider = input.orDefault("DNS_PROVIDER", "route53", (key, value) => {
    if (value !== "route53" && value !== "external")
      throw new InputError(`${key}="${value}" must be route53 or external`);
  });
  return { project, environment, domain, hostedZoneId, externalDns: provider === "external" };
}
