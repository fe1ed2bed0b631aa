// The `acm-certificate` resource: a DNS-validated certificate for *.<DOMAIN_NAME> and <DOMAIN_NAME>, its validation
// CNAME, and the public hosted zone that holds it (the user's, used as it is; made only when there is none). Its
// inputs and the objects it wants, with no SDK import. The HTTPS listener that serves it belongs to `alb`.
import { InputError } from "../../core/errors.js";
import { type EnvReader, readInputs } from "../../core/inputs.js";
import { type DesiredObject, ref } from "../../state/model.js";
import { type DnsConfig, readDnsInputs } from "../common/dns/config.js";
import { stackTags } from "../common/tags.js";
import type { Action, Resource } from "../resource.js";
import { validationRecordFields, validationRecordInput, zoneFields, zoneInput } from "./inputs.js";

/** RequestCertificate's default, and what the user's scripts asked for. */
export const KEY_ALGORITHM = "RSA_2048";

export interface AcmConfig extends DnsConfig {
  region: string;
  /** What the certificate covers: the wildcard (its DomainName) and the apex. */
  names: [string, string];
  /** Its Name tag, as the user's scripts named theirs. */
  certificateName: string;
  /** Destroy, rather than create: a certificate in use is then refused up front or waited for, never skipped. */
  destroying: boolean;
}

export const acmResource: Resource<AcmConfig> = {
  name: "acm-certificate",
  summary: "ACM certificate for *.<DOMAIN_NAME> and <DOMAIN_NAME>, validated through DNS (Route 53 or by hand)",
  after: [],
  records: ["ACM_CERTIFICATE_ARN", "HOSTED_ZONE_ID", "HOSTED_ZONE_CREATED_BY_INFRA"],
  config: acmConfig,
  desired: acmDesired,
  load: async () => (await import("./model.js")).acmModel,
};

export function acmConfig(env: EnvReader, action: Action): AcmConfig {
  const input = readInputs(env, "acm-certificate");
  const dns = readDnsInputs(input);
  const region = input.need("AWS_REGION");
  const recorded = input.maybe("ACM_CERTIFICATE_ARN");
  input.done();
  // ACM certificates are regional, and a load balancer serves only those of its own region.
  const certRegion = recorded?.split(":")[3];
  if (certRegion && !recorded?.startsWith("<") && certRegion !== region) {
    throw new InputError(
      `ACM_CERTIFICATE_ARN is a certificate in ${certRegion}, but the stack is in ${region}`,
      "empty ACM_CERTIFICATE_ARN to have infra find or request the certificate in the stack's region, or correct AWS_REGION",
    );
  }
  return {
    ...dns,
    region,
    names: [`*.${dns.domain}`, dns.domain],
    certificateName: `${dns.project}-certificate`,
    destroying: action === "destroy",
  };
}

const tagList = (c: AcmConfig, name: string) =>
  stackTags(c, name)
    .map((t) => `${t.Key}=${t.Value}`)
    .sort();

/** What RequestCertificate is sent (less its idempotency token and tags). */
export const certificateInput = (c: AcmConfig) => ({
  DomainName: c.names[0],
  SubjectAlternativeNames: c.names.slice(1),
  ValidationMethod: "DNS",
  KeyAlgorithm: KEY_ALGORITHM,
});

/** A certificate's fields from what it is requested with: every name it serves, how it is validated, its key. */
export const certificateFields = (r: ReturnType<typeof certificateInput>) => ({
  names: [...new Set([r.DomainName, ...r.SubjectAlternativeNames])].sort(),
  validation: r.ValidationMethod,
  "key algorithm": r.KeyAlgorithm,
});

export function acmDesired(c: AcmConfig): DesiredObject[] {
  const input = certificateInput(c);
  const certificate: DesiredObject = {
    key: "certificate",
    kind: "certificate",
    name: c.names[0],
    input,
    fields: { ...certificateFields(input), status: "ISSUED" },
    awaited: ["status"],
    replaceOn: {
      names: "ACM cannot change a certificate's names: a new one is requested",
      validation: "a certificate's validation method is fixed",
      "key algorithm": "a certificate's key algorithm is fixed",
    },
  };
  if (c.externalDns) return [certificate];
  const zone = zoneInput(c);
  const validation = validationRecordInput(ref("certificate"));
  return [
    {
      key: "hosted-zone",
      kind: "hosted zone",
      name: c.domain,
      input: zone,
      fields: { ...zoneFields(zone), tags: tagList(c, c.domain) },
      // The user's zone is used as it is, and stays when the stack goes.
      adopt: false,
      setOnce: { comment: "a zone's comment is a note for people: one changed since infra made the zone stays" },
    },
    certificate,
    {
      key: "validation-record",
      kind: "validation record",
      name: `CNAME of ${c.domain}`,
      // The CNAME ACM asks for: known once the certificate is requested. The wildcard and the apex share it.
      input: validation,
      fields: validationRecordFields(validation),
      setOnce: { TTL: "any TTL lets ACM validate: a CNAME found with another keeps it" },
    },
  ];
}
