// The `acm-certificate` resource's model: how it observes, the handlers of the zone, the certificate and its
// validation record, what it records, the checks that are not state (expiry, delegation), and the refusal to
// destroy a certificate something still serves.
import type { CertificateDetail, ResourceRecord } from "@aws-sdk/client-acm";
import type { Context } from "../../core/context.js";
import { InputError } from "../../core/errors.js";
import type { Observation } from "../../state/model.js";
import type { Zone } from "../common/dns/zone.js";
import { checklist, type ResourceModel } from "../resource.js";
import { describeHolder, holdersOf, validationRecordsOf } from "./acm.js";
import { certificateHandlers } from "./certificate.js";
import type { AcmConfig } from "./config.js";
import { checkDelegation } from "./delegation.js";
import { observeAcm } from "./observe.js";
import { validationRecordHandlers } from "./validation-record.js";
import { zoneHandlers } from "./zone.js";

const DAY = 86_400_000;
/** ACM renews a DNS-validated certificate from 60 days before it expires: one 30 days away is not being renewed. */
const EXPIRY_WARNING_DAYS = 30;

function recorded(objects: Observation): Record<string, string> {
  const zone = objects.get("hosted-zone");
  return {
    ACM_CERTIFICATE_ARN: objects.get("certificate")?.id ?? "",
    ...(zone ? { HOSTED_ZONE_ID: zone.id, HOSTED_ZONE_CREATED_BY_INFRA: zone.managed ? "true" : "false" } : {}),
  };
}

export const acmModel: ResourceModel<AcmConfig> = {
  observe: observeAcm,
  handlers: {
    "hosted zone": zoneHandlers,
    certificate: certificateHandlers,
    "validation record": validationRecordHandlers,
  },
  recorded,
  recordedAfterDestroy(left, c) {
    // With DNS_PROVIDER=external the zone was not looked at: its keys stay as they are.
    const kept = c.externalDns
      ? { HOSTED_ZONE_ID: c.hostedZoneId ?? "", HOSTED_ZONE_CREATED_BY_INFRA: c.zoneRecorded ?? "" }
      : recorded(left);
    return Object.fromEntries(Object.entries(kept).filter(([, v]) => v));
  },
  checks: acmChecks,
  beforeDestroy,
};

async function acmChecks(ctx: Context, c: AcmConfig, objects: Observation) {
  const { checks, check, skip } = checklist("acm-certificate");
  const cert = objects.get("certificate")?.raw as CertificateDetail | undefined;
  if (cert?.Status === "ISSUED" && cert.NotAfter) {
    const days = Math.floor((new Date(cert.NotAfter).getTime() - ctx.clock.now()) / DAY);
    check(
      `certificate ${c.names[0]} is not within ${EXPIRY_WARNING_DAYS} days of expiry`,
      days > EXPIRY_WARNING_DAYS,
      `expires ${new Date(cert.NotAfter).toISOString().slice(0, 10)}, in ${days} days`,
    );
  }
  if (c.externalDns) {
    for (const r of validationRecordsOf(cert) ?? [])
      skip(`validation CNAME ${r.Name}`, `DNS_PROVIDER=external: keep ${describe(r)} at your DNS provider`);
    return checks;
  }
  const zone = objects.get("hosted-zone")?.raw as Zone | undefined;
  if (zone) {
    const name = `${c.domain} is delegated to its Route 53 zone`;
    const delegation = await checkDelegation(ctx, c.domain, zone.nameServers);
    if (delegation.state === "unknown") skip(name, `cannot check: ${delegation.detail}`);
    else check(name, delegation.state === "delegated", delegation.detail);
  }
  return checks;
}

const describe = (r: ResourceRecord) => `${r.Name} CNAME ${r.Value}`;

/**
 * ACM refuses to delete a certificate in use. Within `destroy all`, the stack's own HTTPS listener is going (alb's
 * step removes it): the delete waits for ACM to notice. Anything else that serves it is refused here, before any
 * change: a listener when alb is not being destroyed, or what infra does not manage (a CloudFront distribution).
 */
async function beforeDestroy(ctx: Context, c: AcmConfig, objects: Observation) {
  const albArn = ctx.env.get("ALB_ARN");
  const going = (holder: string) =>
    ctx.steps.has("alb") &&
    albArn !== undefined &&
    holder.replace(":listener/", ":loadbalancer/").split("/").slice(0, -1).join("/") === albArn;
  for (const o of objects.values()) {
    if (o.kind !== "certificate" || !o.managed) continue;
    const blocking = (await holdersOf(ctx, o.raw as CertificateDetail)).filter((h) => !going(h));
    if (blocking.length === 0) continue;
    const listener = blocking.some((h) => h.includes(":listener/"));
    throw new InputError(
      `certificate ${o.name} is in use by ${blocking.map(describeHolder).join(", ")}`,
      listener
        ? "destroy alb first (`infra destroy alb`), or both at once (`infra destroy all`)"
        : `remove it there first: infra does not manage what uses it (${c.names.join(", ")})`,
    );
  }
}
