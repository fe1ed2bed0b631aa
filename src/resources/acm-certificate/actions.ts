// `acm-certificate` create, verify and destroy.
import type { ResourceRecord } from "@aws-sdk/client-acm";
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import type { Context } from "../../core/context.js";
import { awsStep, InfraError } from "../../core/errors.js";
import { attachCertificate, detachCertificate } from "../alb/actions.js";
import { type Check, checklist } from "../resource.js";
import { deleteRecord, readRecord, upsertRecords } from "../shared/dns/records.js";
import {
  checkDelegation,
  deleteZoneIfOursAndEmpty,
  ensureZone,
  findZone,
  type Zone,
  type ZoneRun,
} from "../shared/dns/zone.js";
import {
  type AcmRun,
  deleteCertificate,
  describe,
  findCertificate,
  listCertificates,
  requestCertificate,
  validationRecords,
  waitIssued,
} from "./certificate.js";
import type { AcmConfig } from "./config.js";

const DAY = 86_400_000;
const VALIDATION_TTL = 300;

async function startRun(ctx: Context, c: AcmConfig): Promise<AcmRun & { zoneRun: () => Promise<ZoneRun> }> {
  const ev = ctx.events.for("acm-certificate");
  return { ctx, c, ev, acm: await ctx.aws.acm(), zoneRun: async () => ({ ctx, ev, r53: await ctx.aws.route53() }) };
}

const asRecordSet = (r: ResourceRecord): ResourceRecordSet => ({
  Name: r.Name,
  Type: "CNAME",
  TTL: VALIDATION_TTL,
  ResourceRecords: [{ Value: r.Value }],
});

export async function create(ctx: Context, c: AcmConfig): Promise<void> {
  const run = await startRun(ctx, c);
  const { ev } = run;
  // The zone first: a HOSTED_ZONE_ID of another domain must stop us before anything is requested.
  const zoneRun = c.externalDns ? undefined : await run.zoneRun();
  const zone = zoneRun && (await ensureZone(zoneRun, c.domain, c.hostedZoneId));
  let cert = await awsStep("find certificate", c.names[0], () => findCertificate(run));
  let arn = cert?.CertificateArn as string | undefined;
  if (!arn) {
    await retireDeadRecordedCertificate(run);
    arn = await requestCertificate(run);
    await ctx.env.record({ ACM_CERTIFICATE_ARN: arn });
    ev.created(`certificate for ${c.names.join(", ")} (${arn})`);
  } else {
    ev.exists(`certificate for ${c.names.join(", ")} (${cert?.Status})`);
    await ctx.env.record({ ACM_CERTIFICATE_ARN: arn });
  }

  // The CNAME stays after issuance too: ACM renews the certificate through it.
  const records = await validationRecords(run, arn);
  if (!zoneRun || !zone) {
    if (cert?.Status !== "ISSUED") {
      for (const r of records) ev.warning(`set this record at your DNS provider: ${r.Name} CNAME ${r.Value}`);
    }
  } else {
    const missing = [];
    for (const r of records) {
      const current = await readRecord(zoneRun, zone, r.Name as string, "CNAME");
      if (current?.ResourceRecords?.[0]?.Value !== r.Value) missing.push(asRecordSet(r));
    }
    if (missing.length > 0) {
      await upsertRecords(zoneRun, zone, missing, `validation CNAME ${missing.map((r) => r.Name).join(", ")}`);
      ev.created(`validation CNAME in ${zone.name}`);
    } else ev.exists(`validation CNAME in ${zone.name}`);
  }

  if (cert?.Status !== "ISSUED") {
    if (!ctx.options.wait) {
      ev.skipped("not waiting for ISSUED (--no-wait): run `infra create acm-certificate` again to wait and attach it");
      return;
    }
    if (zone) await requireDelegation(run, zone);
    cert = await waitIssued(run, arn);
    ev.updated(`certificate ISSUED`);
  }
  const attached = await attachCertificate(ctx, c.alb, arn);
  if (!attached) ev.skipped(`no load balancer ${c.alb.albName} yet: \`infra create alb\` adds the HTTPS listener`);
}

/** A validation that cannot complete would make the wait hang for its whole timeout: say so now. */
async function requireDelegation(run: AcmRun, zone: Zone) {
  const delegation = await checkDelegation(run.ctx, run.c.domain, zone);
  if (delegation.ok === false) {
    throw new InfraError(
      `certificate validation cannot complete: ${delegation.detail}`,
      3,
      "set the zone's name servers at your registrar, then run `infra create acm-certificate` again (the request is kept)",
    );
  }
  if (delegation.ok === undefined) run.ev.warning(`delegation of ${run.c.domain} not checked: ${delegation.detail}`);
}

/** A recorded certificate whose validation failed or timed out never recovers: delete it before asking again. */
async function retireDeadRecordedCertificate(run: AcmRun) {
  const recorded = run.ctx.env.get("ACM_CERTIFICATE_ARN");
  const dead = recorded ? await awsStep("read certificate", recorded, () => describe(run, recorded)) : undefined;
  if (dead && (dead.Status === "FAILED" || dead.Status === "VALIDATION_TIMED_OUT")) {
    run.ev.warning(
      `certificate ${recorded} is ${dead.Status}${dead.FailureReason ? ` (${dead.FailureReason})` : ""}: requesting a new one`,
    );
    await deleteCertificate(run, recorded as string);
  }
}

export async function destroy(ctx: Context, c: AcmConfig): Promise<void> {
  const run = await startRun(ctx, c);
  const cert = await awsStep("find certificate", c.names[0], () => findCertificate(run, { anyState: true }));
  const arn = cert?.CertificateArn;
  if (arn) {
    await detachCertificate(ctx, c.alb, arn);
    if (!c.externalDns)
      await deleteValidationRecords(
        run,
        arn,
        cert.DomainValidationOptions?.map((d) => d.ResourceRecord),
      );
    await deleteCertificate(run, arn);
  }
  await ctx.env.record({ ACM_CERTIFICATE_ARN: "" });
}

async function deleteValidationRecords(
  run: Awaited<ReturnType<typeof startRun>>,
  arn: string,
  found: (ResourceRecord | undefined)[] = [],
) {
  const { c, ev } = run;
  const zoneRun = await run.zoneRun();
  const zone = await findZone(zoneRun, c.domain, c.hostedZoneId);
  if (!zone) return;
  // Another certificate for the same names (in this account and region) validates through the same CNAME.
  const others = (await awsStep("list certificates", c.domain, () => listCertificates(run))).filter(
    (s) => s.CertificateArn !== arn && (s.DomainName === c.names[0] || s.DomainName === c.names[1]),
  );
  const records = [...new Map(found.filter((r): r is ResourceRecord => Boolean(r)).map((r) => [r.Name, r])).values()];
  for (const r of records) {
    if (others.length > 0) {
      ev.skipped(`validation CNAME ${r.Name}: kept, certificate ${others[0]?.CertificateArn} validates through it too`);
      continue;
    }
    const current = await readRecord(zoneRun, zone, r.Name as string, "CNAME");
    if (current && current.ResourceRecords?.[0]?.Value === r.Value) {
      await deleteRecord(zoneRun, zone, current, `validation CNAME ${r.Name}`);
    }
  }
  await deleteZoneIfOursAndEmpty(zoneRun, zone);
}

export async function verify(ctx: Context, c: AcmConfig): Promise<Check[]> {
  const run = await startRun(ctx, c);
  const { checks, check, skip } = checklist("acm-certificate");

  const cert = await awsStep("find certificate", c.names[0], () => findCertificate(run, { anyState: true }));
  check(`certificate for ${c.names.join(", ")} exists`, Boolean(cert), cert?.CertificateArn);
  if (!cert) return checks;
  check("certificate is ISSUED", cert.Status === "ISSUED", cert.Status);
  check(
    `certificate covers ${c.names.join(" and ")}`,
    c.names.every((n) => cert.DomainName === n || cert.SubjectAlternativeNames?.includes(n)),
  );
  const expires = cert.NotAfter ? new Date(cert.NotAfter).getTime() : undefined;
  if (expires)
    check(
      "certificate does not expire within 30 days",
      expires - ctx.clock.now() > 30 * DAY,
      new Date(expires).toISOString().slice(0, 10),
    );
  const albArn = ctx.env.get("ALB_ARN");
  if (albArn)
    check(
      `certificate is in use by load balancer ${c.alb.albName}`,
      Boolean(cert.InUseBy?.includes(albArn)),
      cert.InUseBy?.join(", ") || "not in use",
    );
  else skip(`certificate is in use by load balancer ${c.alb.albName}`, "no ALB_ARN recorded: run `infra create alb`");

  if (c.externalDns) {
    skip("validation CNAME", "DNS_PROVIDER=external: the record is at your DNS provider");
    return checks;
  }
  const zoneRun = await run.zoneRun();
  const zone = await findZone(zoneRun, c.domain, c.hostedZoneId);
  check(`public hosted zone of ${c.domain} exists`, Boolean(zone), zone?.id);
  if (!zone) return checks;
  for (const r of new Map(
    (cert.DomainValidationOptions ?? []).map((d) => [d.ResourceRecord?.Name, d.ResourceRecord]),
  ).values()) {
    if (!r) continue;
    const current = await readRecord(zoneRun, zone, r.Name as string, "CNAME");
    check(`validation CNAME ${r.Name} present`, current?.ResourceRecords?.[0]?.Value === r.Value);
  }
  const delegation = await checkDelegation(ctx, c.domain, zone);
  if (delegation.ok === undefined) skip(`${c.domain} is delegated to the zone`, delegation.detail);
  else check(`${c.domain} is delegated to the zone`, delegation.ok, delegation.ok ? undefined : delegation.detail);
  return checks;
}
