// What of `acm-certificate` exists: the zone (by HOSTED_ZONE_ID, else by name), the certificate (the recorded one,
// else ours for the names, else one that fits and that infra may adopt), its validation CNAME in the zone, and the
// certificates of ours that are no longer wanted (failed, for other names, a second one), which the diff deletes.
import type { ACMClient, CertificateDetail, ResourceRecord } from "@aws-sdk/client-acm";
import { ListTagsForResourceCommand, type ResourceRecordSet } from "@aws-sdk/client-route-53";
import type { Context } from "../../core/context.js";
import { awsStep } from "../../core/errors.js";
import type { ObservedObject } from "../../state/model.js";
import { readCertificate } from "../common/certificate.js";
import { fqdn, sameName } from "../common/dns/names.js";
import { readRecords } from "../common/dns/records.js";
import { readZone, type Zone } from "../common/dns/zone.js";
import { isManaged } from "../common/tags.js";
import { covers, isLive, listCertificates, namesOf, tagsOf, validationRecordsOf } from "./acm.js";
import { type AcmConfig, KEY_ALGORITHM } from "./config.js";
import { type ValidationShape, validationRecordFields, validationRecordInput, zoneFields } from "./inputs.js";

/** The CallerReference of the zones infra makes: a zone carries it from its creation, whatever befalls its tags. */
export const ZONE_REFERENCE_PREFIX = "infra-";

export interface Certificate {
  detail: CertificateDetail;
  /** Carries ManagedBy=infra and this stack's Project and Environment. */
  ours: boolean;
}

export interface ValidationRaw {
  certificateArn: string;
  zoneId: string;
  /** The record sets found, as read (DELETE must match them exactly). */
  present: ResourceRecordSet[];
}

const normal = (v: string | undefined) => (v ?? "").toLowerCase().replace(/\.$/, "");

export async function observeAcm(ctx: Context, c: AcmConfig): Promise<Map<string, ObservedObject>> {
  const acm = await ctx.aws.acm();
  const found = new Map<string, ObservedObject>();
  let zone: Zone | undefined;
  let zoneRecords: ResourceRecordSet[] = [];
  let zoneTags: { Key?: string; Value?: string }[] = [];
  if (!c.externalDns) {
    const r53 = await ctx.aws.route53();
    zone = await readZone(ctx, r53, c.domain, c);
    if (zone) {
      const id = zone.id;
      zoneRecords = await awsStep("list records", zone.name, () => readRecords(ctx, r53, id));
      if (madeByInfra(zone, c))
        zoneTags = await awsStep("read hosted zone tags", zone.name, async () => {
          const out = await r53.send(new ListTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId: id }));
          return out.ResourceTagSet?.Tags ?? [];
        });
    }
  }
  const { current, retired, sharing } = await findCertificates(ctx, acm, c);

  if (zone) {
    const z = zone;
    const managed = madeByInfra(z, c);
    const ours = [current, ...retired]
      .filter((x): x is Certificate => Boolean(x?.ours))
      .flatMap((x) => validationRecordsOf(x.detail) ?? []);
    const others = zoneRecords.filter(
      (r) =>
        !(sameName(r.Name ?? "", z.name) && (r.Type === "SOA" || r.Type === "NS")) &&
        !(r.Type === "CNAME" && ours.some((o) => sameName(o.Name ?? "", r.Name ?? ""))),
    );
    found.set("hosted-zone", {
      key: "hosted-zone",
      kind: "hosted zone",
      name: c.domain,
      id: z.id,
      fields: {
        // findZone finds public zones only.
        ...zoneFields({ Name: z.name, HostedZoneConfig: { Comment: z.comment, PrivateZone: false } }),
        ...(managed ? { tags: ourTags(zoneTags) } : {}),
      },
      managed,
      ...(managed && others.length
        ? { leave: `it holds record(s) infra did not make: ${others.map((r) => `${r.Name} ${r.Type}`).join(", ")}` }
        : {}),
      raw: z,
    });
  }
  if (current) found.set("certificate", certificateObject(c, current));
  if (zone && current) {
    const validation = validationObject(c, zone, zoneRecords, current);
    const shared = sharing.filter((s) => s !== current.detail.CertificateArn);
    if (validation && shared.length) {
      validation.leave = `certificate ${shared.join(", ")} validates through it too`;
      // The zone cannot go while that record stays.
      const z = found.get("hosted-zone");
      if (z?.managed) z.leave ??= "it holds a validation CNAME another certificate needs";
    }
    if (validation) found.set("validation-record", validation);
  }
  for (const r of retired) {
    const arn = r.detail.CertificateArn as string;
    const why = isLive(r.detail.Status)
      ? covers(namesOf(r.detail), c.names)
        ? "a second one"
        : "other names"
      : r.detail.Status;
    found.set(`certificate:${arn}`, {
      ...certificateObject(c, r),
      key: `certificate:${arn}`,
      name: `${r.detail.DomainName} (${why})`,
    });
  }
  return found;
}

/** Made by infra: its CallerReference says so (a zone made by an interrupted run too), or the env file does. */
export function madeByInfra(zone: Zone, c: AcmConfig): boolean {
  return (
    zone.callerReference.startsWith(ZONE_REFERENCE_PREFIX) || (c.zoneRecorded === "true" && c.hostedZoneId === zone.id)
  );
}

const TAG_KEYS = ["Name", "Project", "Environment", "ManagedBy"];

export const ourTags = (tags: { Key?: string; Value?: string }[]) =>
  tags
    .filter((t) => TAG_KEYS.includes(t.Key ?? ""))
    .map((t) => `${t.Key}=${t.Value}`)
    .sort();

function certificateObject(c: AcmConfig, cert: Certificate): ObservedObject {
  const d = cert.detail;
  const names = namesOf(d);
  return {
    key: "certificate",
    kind: "certificate",
    name: d.DomainName ?? c.names[0],
    id: d.CertificateArn as string,
    fields: {
      // What is asked of a certificate is that it serves these names: more names (a certificate the user's scripts
      // requested for more) are not infra's to judge.
      names: covers(names, c.names) ? [...c.names].sort() : names.sort(),
      validation: d.DomainValidationOptions?.[0]?.ValidationMethod ?? "none",
      "key algorithm": d.KeyAlgorithm,
      status: d.Status,
    },
    managed: cert.ours,
    raw: d,
  };
}

/**
 * The CNAME ACM asks for, if the zone has a record of that name: "validates" is the certificate when it holds ACM's
 * value, else the value it holds. Unknown (absent) until ACM shows the record, a few seconds after the request.
 */
function validationObject(
  c: AcmConfig,
  zone: Zone,
  zoneRecords: ResourceRecordSet[],
  cert: Certificate,
): ObservedObject | undefined {
  const wanted = (validationRecordsOf(cert.detail) ?? []).filter((r) => inZone(r, zone));
  const present = wanted.map((w) =>
    zoneRecords.find((r) => r.Type === "CNAME" && sameName(r.Name ?? "", w.Name ?? "")),
  );
  const held = present.filter((r): r is ResourceRecordSet => Boolean(r));
  if (held.length === 0) return undefined;
  const right = wanted.every((w, i) => present[i]?.ResourceRecords?.some((v) => normal(v.Value) === normal(w.Value)));
  const arn = cert.detail.CertificateArn as string;
  // Holding ACM's values, it reads as the input names it: the CNAME of that certificate.
  const seen: ValidationShape = right
    ? { ...validationRecordInput(arn), TTL: held[0]?.TTL }
    : {
        Name: held[0]?.Name,
        Type: "CNAME",
        TTL: held[0]?.TTL,
        ResourceRecords: held.flatMap((r) => r.ResourceRecords ?? []),
      };
  const raw: ValidationRaw = { certificateArn: cert.detail.CertificateArn as string, zoneId: zone.id, present: held };
  return {
    key: "validation-record",
    kind: "validation record",
    name: `CNAME of ${c.domain}`,
    id: held.map((r) => r.Name).join(", "),
    fields: validationRecordFields(seen),
    // The record is ours when the certificate it validates is.
    managed: cert.ours,
    raw,
  };
}

export const inZone = (r: ResourceRecord, zone: Zone) =>
  fqdn(r.Name ?? "") === zone.name || fqdn(r.Name ?? "").endsWith(`.${zone.name}`);

/** The one certificate the stack uses, ours no longer wanted, and others that validate through the same CNAME. */
async function findCertificates(ctx: Context, acm: ACMClient, c: AcmConfig) {
  const fits = (d: CertificateDetail) =>
    covers(namesOf(d), c.names) &&
    d.DomainValidationOptions?.[0]?.ValidationMethod === "DNS" &&
    d.KeyAlgorithm === KEY_ALGORITHM;
  const read = async (arn: string): Promise<Certificate | "stranger" | undefined> => {
    const [detail, tags] = await Promise.all([readCertificate(ctx, arn), tagsOf(acm, arn)]);
    if (!detail) return undefined;
    const ours =
      isManaged(tags) &&
      tags.some((t) => t.Key === "Project" && t.Value === c.project) &&
      tags.some((t) => t.Key === "Environment" && t.Value === c.environment);
    // Another stack's (ManagedBy=infra, another project or environment) is never this one's.
    return !ours && isManaged(tags) ? "stranger" : { detail, ours };
  };
  const summaries = await awsStep("list certificates", c.domain, () => listCertificates(acm));
  const recordedArn = ctx.env.get("ACM_CERTIFICATE_ARN");
  const apex = (n: string) => n.replace(/^\*\./, "");
  // Ours could be for another domain (DOMAIN_NAME changed): every certificate shaped as infra asks for them.
  const shaped = summaries.filter((s) => {
    const names = namesOf(s);
    return covers(names, c.names) || names.some((n) => n.startsWith("*.") && names.includes(apex(n)));
  });
  const arns = [
    ...new Set([
      ...(recordedArn && !recordedArn.startsWith("<") ? [recordedArn] : []),
      ...shaped.map((s) => s.CertificateArn as string),
    ]),
  ];
  const certs = new Map<string, Certificate>();
  for (const arn of arns) {
    const cert = await awsStep("read certificate", arn, () => read(arn));
    if (cert && cert !== "stranger") certs.set(arn, cert);
  }

  let current: Certificate | undefined;
  const recorded = recordedArn ? certs.get(recordedArn) : undefined;
  if (recorded && isLive(recorded.detail.Status)) {
    // A certificate of ours for other names is replaced, unless a listener still serves it: then a new one is
    // requested beside it and it is deleted once nothing holds it.
    if (recorded.ours) {
      if (covers(namesOf(recorded.detail), c.names) || (recorded.detail.InUseBy ?? []).length === 0) current = recorded;
    } else if (fits(recorded.detail)) current = recorded; // the stack's, as the env file says: adopted, even pending
  }
  const candidates = [...certs.values()].filter(
    (x) => x !== recorded && isLive(x.detail.Status) && covers(namesOf(x.detail), c.names),
  );
  const issuedFirst = (xs: Certificate[]) =>
    [...xs].sort((a, b) => Number(b.detail.Status === "ISSUED") - Number(a.detail.Status === "ISSUED"));
  current ??=
    issuedFirst(candidates.filter((x) => x.ours))[0] ??
    // The user's own certificate for these names, issued and as infra would ask for it: adopted, never doubled.
    candidates.find((x) => !x.ours && x.detail.Status === "ISSUED" && fits(x.detail));
  const retired = [...certs.values()].filter((x) => x.ours && x !== current);
  const ownApex = new Set([c.domain, `*.${c.domain}`]);
  const sharing = summaries
    .filter((s) => isLive(s.Status) && namesOf(s).some((n) => ownApex.has(n)))
    .map((s) => s.CertificateArn as string)
    .filter((arn) => !retired.some((r) => r.detail.CertificateArn === arn));
  return { current, retired, sharing };
}
