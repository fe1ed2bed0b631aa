// The `route53-records` resource: API_DOMAIN_NAME as an alias A record of the load balancer `alb` records (ALB_ARN),
// in the public hosted zone of DOMAIN_NAME, which `acm-certificate` records (or which is looked up, read-only). Its
// inputs and the one object it wants, with no SDK import.
import { InputError } from "../../core/errors.js";
import { type EnvReader, readInputs } from "../../core/inputs.js";
import { type DesiredObject, pending } from "../../state/model.js";
import { type DnsConfig, readDnsInputs } from "../common/dns/config.js";
import { requireWithin } from "../common/dns/names.js";
import type { Action, Resource } from "../resource.js";
import { aliasRecordFields, aliasRecordInput } from "./inputs.js";

export interface RecordsConfig extends DnsConfig {
  /** Lower case, no trailing dot. */
  apiDomain: string;
  /** The load balancer `alb` records; "<ALB_ARN from alb>" in a `create all` before alb has run. */
  albArn: string | undefined;
  /** The alias records infra made, as recorded (API_DOMAIN_NAME may have changed since). */
  recordedNames: string[];
}

export const route53RecordsResource: Resource<RecordsConfig> = {
  name: "route53-records",
  summary: "alias A record API_DOMAIN_NAME -> the ALB, in the public hosted zone of DOMAIN_NAME",
  // The zone is acm-certificate's to make, the load balancer alb's.
  after: ["alb", "acm-certificate"],
  records: ["API_ALIAS_RECORD"],
  config: recordsConfig,
  desired: recordsDesired,
  load: async () => (await import("./model.js")).recordsModel,
};

export function recordsConfig(env: EnvReader, action: Action): RecordsConfig {
  const input = readInputs(env, "route53-records");
  const dns = readDnsInputs(input);
  const apiDomain = input.need("API_DOMAIN_NAME").toLowerCase().replace(/\.$/, "");
  const albArn = input.maybe("ALB_ARN");
  const recorded = input.maybe("API_ALIAS_RECORD");
  input.done();
  requireWithin("API_DOMAIN_NAME", apiDomain, dns.domain);
  if (action === "create" && !dns.externalDns && !albArn) {
    throw new InputError(
      "route53-records points API_DOMAIN_NAME at the load balancer `alb` records in ALB_ARN, and ALB_ARN is not recorded",
      "run `infra create alb` first",
    );
  }
  const recordedNames = recorded && !recorded.startsWith("<") ? recorded.split(/\s+/).filter(Boolean) : [];
  return { ...dns, apiDomain, albArn, recordedNames };
}

export function recordsDesired(c: RecordsConfig): DesiredObject[] {
  // With DNS_PROVIDER=external the name is set at the user's DNS provider: verify says what to set.
  if (c.externalDns) return [];
  const input = aliasRecordInput(c.apiDomain, c.albArn ?? pending("alb"));
  return [{ key: "alias-record", kind: "alias record", name: c.apiDomain, input, fields: aliasRecordFields(input) }];
}
