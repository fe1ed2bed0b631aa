// Finding, requesting and waiting on the certificate, with ACM's traps: validation records that appear
// late, a shared wildcard/apex record, "SUCCESS" before ISSUED, idempotency tokens that outlive a destroy.
import { randomUUID } from "node:crypto";
import {
  type ACMClient,
  type CertificateDetail,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
  type ResourceRecord,
} from "@aws-sdk/client-acm";
import type { Context } from "../../core/context.js";
import { AwsError, awsStep, isAwsError } from "../../core/errors.js";
import type { ResourceEvents } from "../../core/events.js";
import { done, pending, retryWhile, waitOptions, waitUntil } from "../../core/wait.js";
import { isManaged, stackTags } from "../shared/tags.js";
import type { AcmConfig } from "./config.js";

const MINUTE = 60_000;

export interface AcmRun {
  ctx: Context;
  c: AcmConfig;
  ev: ResourceEvents;
  acm: ACMClient;
}

export async function describe(run: AcmRun, arn: string): Promise<CertificateDetail | undefined> {
  try {
    return (await run.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
  } catch (err) {
    if (isAwsError(err, "ResourceNotFound")) return undefined;
    throw err;
  }
}

const covers = (cert: { DomainName?: string; SubjectAlternativeNames?: string[] }, names: string[]) =>
  names.every((n) => cert.DomainName === n || cert.SubjectAlternativeNames?.includes(n));

/** Certificates in these states are dead ends: a timed-out or failed validation never recovers. */
const usable = (cert: CertificateDetail) => cert.Status === "ISSUED" || cert.Status === "PENDING_VALIDATION";

/**
 * Ours: the recorded one, else one for the same names that carries our tags (ISSUED first). Lookups, not
 * idempotency tokens, keep a second run from requesting a second certificate.
 */
export async function findCertificate(run: AcmRun, opts: { anyState?: boolean } = {}) {
  const { c } = run;
  const recorded = run.ctx.env.get("ACM_CERTIFICATE_ARN");
  if (recorded) {
    const cert = await describe(run, recorded);
    if (cert && (opts.anyState || (usable(cert) && covers(cert, c.names)))) return cert;
  }
  const candidates = [];
  for (const summary of await listCertificates(run, opts.anyState ? undefined : ["ISSUED", "PENDING_VALIDATION"])) {
    if (summary.DomainName !== c.names[0]) continue;
    const tags = (await run.acm.send(new ListTagsForCertificateCommand({ CertificateArn: summary.CertificateArn })))
      .Tags;
    if (!isManaged(tags) || !tags?.some((t) => t.Key === "Project" && t.Value === c.project)) continue;
    const cert = await describe(run, summary.CertificateArn as string);
    if (cert && covers(cert, c.names)) candidates.push(cert);
  }
  return candidates.find((x) => x.Status === "ISSUED") ?? candidates[0];
}

export async function listCertificates(run: AcmRun, statuses?: ("ISSUED" | "PENDING_VALIDATION")[]) {
  const all = [];
  let NextToken: string | undefined;
  do {
    const out = await run.acm.send(
      new ListCertificatesCommand({ ...(statuses ? { CertificateStatuses: statuses } : {}), NextToken, MaxItems: 100 }),
    );
    all.push(...(out.CertificateSummaryList ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return all;
}

export async function requestCertificate(run: AcmRun): Promise<string> {
  const { c } = run;
  const out = await awsStep("request certificate", c.names[0], () =>
    run.acm.send(
      new RequestCertificateCommand({
        DomainName: c.names[0],
        SubjectAlternativeNames: [c.names[1]],
        ValidationMethod: "DNS",
        // 1-32 word characters, valid for an hour: fresh per run, so a request after a destroy is a new one.
        IdempotencyToken: randomUUID().replace(/-/g, ""),
        Tags: stackTags(c, c.names[0]),
      }),
    ),
  );
  return out.CertificateArn as string;
}

/** The validation CNAMEs, once ACM has made them (a few seconds after the request), deduplicated. */
export async function validationRecords(run: AcmRun, arn: string): Promise<ResourceRecord[]> {
  const options = { ...waitOptions(run.ctx, "validation records from ACM"), timeoutMs: 5 * MINUTE };
  return awsStep("read validation records", arn, () =>
    waitUntil(run.ctx, run.ev, options, async () => {
      const cert = await describe(run, arn);
      const dvos = cert?.DomainValidationOptions ?? [];
      if (dvos.length === 0 || dvos.some((d) => !d.ResourceRecord)) return pending("not ready yet");
      const unique = new Map(dvos.map((d) => [d.ResourceRecord?.Name, d.ResourceRecord as ResourceRecord]));
      return done([...unique.values()]);
    }),
  );
}

/** Status ISSUED, not merely every name SUCCESS: ACM reports those first. */
export async function waitIssued(run: AcmRun, arn: string): Promise<CertificateDetail> {
  return awsStep("wait for certificate", run.c.names[0], () =>
    waitUntil(
      run.ctx,
      run.ev,
      { ...waitOptions(run.ctx, `certificate for ${run.c.domain} ISSUED`), maxDelayMs: 15_000 },
      async () => {
        const cert = await describe(run, arn);
        if (!cert)
          throw new AwsError("wait for certificate", arn, "ResourceNotFoundException", "the certificate was deleted");
        if (cert.Status === "ISSUED") return done(cert);
        if (cert.Status !== "PENDING_VALIDATION") {
          throw new AwsError(
            "wait for certificate",
            arn,
            cert.Status ?? "UNKNOWN",
            cert.FailureReason ?? "validation did not succeed",
          );
        }
        const validated = (cert.DomainValidationOptions ?? []).filter((d) => d.ValidationStatus === "SUCCESS").length;
        return pending(`PENDING_VALIDATION, ${validated}/${cert.DomainValidationOptions?.length ?? 0} names validated`);
      },
    ),
  );
}

/** ACM notices late that a listener let go of the certificate: ResourceInUse is retried, not reported. */
export async function deleteCertificate(run: AcmRun, arn: string): Promise<void> {
  const options = {
    ...waitOptions(run.ctx, "certificate released by its load balancer"),
    transient: ["ResourceInUse"],
  };
  options.timeoutMs = Math.max(options.timeoutMs, 20 * MINUTE);
  await awsStep("delete certificate", arn, () =>
    retryWhile(run.ctx, run.ev, options, async () => {
      try {
        await run.acm.send(new DeleteCertificateCommand({ CertificateArn: arn }));
      } catch (err) {
        if (!isAwsError(err, "ResourceNotFound")) throw err;
      }
    }),
  );
  run.ev.deleted(`certificate ${arn}`);
}
