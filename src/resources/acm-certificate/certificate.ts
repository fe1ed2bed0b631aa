// Handlers for the certificate: requested with DNS validation and the stack's tags, its CNAME published (in Route 53,
// or printed for the user's DNS provider), then waited on until ISSUED. A certificate still PENDING_VALIDATION is a
// field difference whose update resumes that wait; one a listener still serves is never deleted by create.
import { randomUUID } from "node:crypto";
import {
  AddTagsToCertificateCommand,
  type CertificateDetail,
  DeleteCertificateCommand,
  RequestCertificateCommand,
  type RequestCertificateCommandInput,
} from "@aws-sdk/client-acm";
import { awsStep, ExitCode, InfraError, isAwsError } from "../../core/errors.js";
import { retryWhile, waitOptions } from "../../core/wait.js";
import type { DesiredObject, ObservedObject } from "../../state/model.js";
import { fqdn } from "../common/dns/names.js";
import { type DnsRun, deleteRecord, readRecord } from "../common/dns/records.js";
import { findZone, type Zone } from "../common/dns/zone.js";
import { stackTags } from "../common/tags.js";
import { type ApplyRun, type KindHandlers, NotYet } from "../resource.js";
import {
  describeCertificate,
  describeHolder,
  holdersOf,
  isLive,
  listCertificates,
  namesOf,
  validationRecordsOf,
  waitForValidationRecords,
  waitIssued,
} from "./acm.js";
import type { AcmConfig } from "./config.js";
import { checkDelegation } from "./delegation.js";
import { validationRecordInput } from "./inputs.js";
import { publishValidation } from "./validation-record.js";

const MINUTE = 60_000;

/**
 * Waiting for a validation that cannot complete would hang until --timeout: with public DNS sending the domain
 * elsewhere, stop at once. When DNS cannot be asked, say so and wait.
 */
async function requireDelegation(run: ApplyRun<AcmConfig>) {
  const zone = run.objects.get("hosted-zone")?.raw as Zone | undefined;
  if (!zone) return;
  const delegation = await checkDelegation(run.ctx, run.c.domain, zone.nameServers);
  if (delegation.state === "elsewhere") {
    throw new InfraError(
      `certificate validation cannot complete: ${delegation.detail}`,
      ExitCode.aws,
      `set the name servers of ${run.c.domain} at its registrar to ${zone.nameServers.join(", ")}, then run \`infra create acm-certificate\` again`,
    );
  }
  if (delegation.state === "unknown") run.ev.warning(`delegation of ${run.c.domain} not checked: ${delegation.detail}`);
}

/** Publishes the validation CNAME, then waits for ISSUED unless --no-wait. Returns the status it ends in. */
async function settle(run: ApplyRun<AcmConfig>, arn: string, label: string): Promise<string> {
  const { c, ctx, ev } = run;
  const acm = await ctx.aws.acm();
  const records = await waitForValidationRecords({ ctx, ev, acm }, arn, label);
  if (c.externalDns) {
    for (const r of records) ev.warning(`set this record at your DNS provider: ${r.Name} CNAME ${r.Value}`);
  } else await publishValidation(run, validationRecordInput(arn), records);
  if (!ctx.options.wait) {
    ev.warning(`certificate ${label} is PENDING_VALIDATION (--no-wait): \`infra create acm-certificate\` waits for it`);
    return "PENDING_VALIDATION";
  }
  return (await waitIssued({ ctx, ev, acm }, arn, label)).Status as string;
}

const observed = (d: DesiredObject, arn: string, status: string): ObservedObject => ({
  key: d.key,
  kind: d.kind,
  name: d.name,
  id: arn,
  fields: { ...d.fields, status },
  managed: true,
});

export const certificateHandlers: KindHandlers<AcmConfig> = {
  async create(run, d) {
    const { c, ctx } = run;
    // Before anything is requested: a certificate that cannot be validated would only sit there.
    if (!c.externalDns && ctx.options.wait) await requireDelegation(run);
    const acm = await ctx.aws.acm();
    const out = await awsStep("request certificate", d.name, () =>
      acm.send(
        new RequestCertificateCommand({
          ...(d.input as RequestCertificateCommandInput),
          // 1-32 word characters, remembered for an hour: fresh per request, so one after a destroy is a new one;
          // the lookups before keep a second run from requesting a second certificate.
          IdempotencyToken: randomUUID().replace(/-/g, ""),
          Tags: stackTags(c, c.certificateName),
        }),
      ),
    );
    const arn = out.CertificateArn as string;
    await run.made(observed(d, arn, "PENDING_VALIDATION"));
    return observed(d, arn, await settle(run, arn, d.name));
  },
  async update(run, d, o, fields) {
    if (!fields.some((f) => f.field === "status")) return;
    if (!run.c.externalDns && run.ctx.options.wait) await requireDelegation(run);
    await settle(run, o.id, d.name);
  },
  async adopt(run, _d, o) {
    const acm = await run.ctx.aws.acm();
    await awsStep("tag certificate", o.name, () =>
      acm.send(
        new AddTagsToCertificateCommand({ CertificateArn: o.id, Tags: stackTags(run.c, run.c.certificateName) }),
      ),
    );
  },
  async delete(run, o) {
    const { c, ctx, ev } = run;
    const acm = await ctx.aws.acm();
    const cert = await awsStep("read certificate", o.name, () => describeCertificate(acm, o.id));
    if (!cert) return;
    // Destroy refused up front what it may not wait for; create never waits for another resource to let go.
    if (!c.destroying) {
      const holders = await holdersOf(ctx, cert);
      if (holders.length > 0)
        throw new NotYet(
          `certificate ${o.name}: still served by ${holders.map(describeHolder).join(", ")}; once \`infra create alb\` serves the new one, \`infra create acm-certificate\` deletes it`,
        );
    }
    if (!c.externalDns) await deleteOtherDomainsValidation(run, cert);
    // ACM lists the load balancer in InUseBy for a while after its listener let go: ResourceInUse passes.
    const options = {
      ...waitOptions(ctx, `certificate ${o.name} released by its listener`),
      transient: ["ResourceInUse"],
    };
    options.timeoutMs = Math.max(options.timeoutMs, 20 * MINUTE);
    await awsStep("delete certificate", o.name, () =>
      retryWhile(ctx, ev, options, async () => {
        try {
          await acm.send(new DeleteCertificateCommand({ CertificateArn: o.id }));
        } catch (err) {
          if (!isAwsError(err, "ResourceNotFound")) throw err;
        }
      }),
    );
  },
};

/**
 * A certificate for another domain (DOMAIN_NAME changed) left its CNAME in that domain's zone: delete it there,
 * unless another certificate validates through it. The CNAME of this domain is the validation record's own.
 */
async function deleteOtherDomainsValidation(run: ApplyRun<AcmConfig>, cert: CertificateDetail) {
  const { c, ctx, ev } = run;
  const apex = (n: string) => n.replace(/^\*\./, "").toLowerCase();
  const domains = [...new Set(namesOf(cert).map(apex))].filter((d) => d !== c.domain);
  if (domains.length === 0) return;
  const r53 = await ctx.aws.route53();
  const dns: DnsRun = { ctx, ev, r53 };
  const acm = await ctx.aws.acm();
  const others = (await awsStep("list certificates", c.domain, () => listCertificates(acm))).filter(
    (s) => s.CertificateArn !== cert.CertificateArn && isLive(s.Status),
  );
  for (const domain of domains) {
    if (others.some((s) => namesOf(s).some((n) => apex(n) === domain))) continue;
    const zone = await findZone(r53, domain, { hostedZoneId: undefined, zoneRecorded: undefined });
    if (!zone) continue;
    for (const r of validationRecordsOf(cert) ?? []) {
      // "_<hash>.<domain>.": the CNAME of that domain.
      if (
        fqdn(r.Name ?? "")
          .split(".")
          .slice(1)
          .join(".") !== fqdn(domain)
      )
        continue;
      const record = await awsStep("read record", `${r.Name} CNAME`, () =>
        readRecord(r53, zone.id, r.Name as string, "CNAME"),
      );
      if (record?.ResourceRecords?.some((v) => fqdn(v.Value ?? "") === fqdn(r.Value ?? "")))
        await deleteRecord(dns, zone.id, record, `validation CNAME ${r.Name}`);
    }
  }
}
