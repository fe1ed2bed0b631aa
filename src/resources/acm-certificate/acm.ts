// Reading ACM, with its traps: validation records that appear seconds after the request, one CNAME shared by the
// wildcard and the apex, every name reading SUCCESS before the certificate is ISSUED, and InUseBy that lags behind
// the listener that let go.
import {
  type ACMClient,
  type CertificateDetail,
  type CertificateSummary,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  type ResourceRecord,
  type Tag,
} from "@aws-sdk/client-acm";
import type { Context } from "../../core/context.js";
import { AwsError, awsStep, isAwsError } from "../../core/errors.js";
import type { ResourceEvents } from "../../core/events.js";
import { done, pending, waitOptions, waitUntil } from "../../core/wait.js";
import { listenersServing } from "../common/load-balancer.js";

const MINUTE = 60_000;

export async function describeCertificate(acm: ACMClient, arn: string): Promise<CertificateDetail | undefined> {
  try {
    return (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
  } catch (err) {
    if (isAwsError(err, "ResourceNotFound")) return undefined;
    throw err;
  }
}

/**
 * Every certificate of the region, whatever its status (RSA keys only, ListCertificates' default), in pages of
 * ListCertificates' largest, 1,000: an account that holds a thousand others costs one call more, not ten.
 */
export async function listCertificates(acm: ACMClient): Promise<CertificateSummary[]> {
  const all: CertificateSummary[] = [];
  let NextToken: string | undefined;
  do {
    const out = await acm.send(new ListCertificatesCommand({ NextToken, MaxItems: 1000 }));
    all.push(...(out.CertificateSummaryList ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return all;
}

export async function tagsOf(acm: ACMClient, arn: string): Promise<Tag[]> {
  try {
    return (await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags ?? [];
  } catch (err) {
    if (isAwsError(err, "ResourceNotFound")) return [];
    throw err;
  }
}

/** The names a certificate (or its summary) is for, lower case. */
export function namesOf(c: CertificateDetail | CertificateSummary): string[] {
  const sans =
    (c as CertificateSummary).SubjectAlternativeNameSummaries ?? (c as CertificateDetail).SubjectAlternativeNames;
  return [
    ...new Set([c.DomainName, ...(sans ?? [])].filter((n): n is string => Boolean(n)).map((n) => n.toLowerCase())),
  ];
}

export const covers = (names: string[], wanted: readonly string[]) => wanted.every((n) => names.includes(n));

/** ISSUED or on its way there; FAILED, VALIDATION_TIMED_OUT, EXPIRED, REVOKED and INACTIVE never come back. */
export const isLive = (status: string | undefined) => status === "ISSUED" || status === "PENDING_VALIDATION";

/** The distinct validation CNAMEs, once ACM shows one for every name (undefined until then). */
export function validationRecordsOf(cert: CertificateDetail | undefined): ResourceRecord[] | undefined {
  const options = cert?.DomainValidationOptions ?? [];
  if (options.length === 0 || options.some((o) => !o.ResourceRecord)) return undefined;
  const byName = new Map(
    options.map((o) => [o.ResourceRecord?.Name?.toLowerCase(), o.ResourceRecord as ResourceRecord]),
  );
  return [...byName.values()];
}

export interface AcmWait {
  ctx: Context;
  ev: ResourceEvents;
  acm: ACMClient;
}

/** ACM writes the validation records into the certificate a few seconds after the request. */
export function waitForValidationRecords(run: AcmWait, arn: string, label: string): Promise<ResourceRecord[]> {
  const options = { ...waitOptions(run.ctx, `validation records of certificate ${label}`), timeoutMs: 5 * MINUTE };
  return awsStep("read validation records", label, () =>
    waitUntil(run.ctx, run.ev, options, async () => {
      const cert = await describeCertificate(run.acm, arn);
      if (!cert)
        throw new AwsError("read validation records", arn, "ResourceNotFoundException", "the certificate was deleted");
      const records = validationRecordsOf(cert);
      return records ? done(records) : pending("not shown by ACM yet");
    }),
  );
}

/** Status ISSUED, not merely every name SUCCESS: ACM reports those first. */
export function waitIssued(run: AcmWait, arn: string, label: string): Promise<CertificateDetail> {
  return awsStep("wait for certificate", label, () =>
    waitUntil(
      run.ctx,
      run.ev,
      { ...waitOptions(run.ctx, `certificate ${label} ISSUED`), maxDelayMs: 15_000 },
      async () => {
        const cert = await describeCertificate(run.acm, arn);
        if (!cert)
          throw new AwsError("wait for certificate", label, "ResourceNotFoundException", "the certificate was deleted");
        if (cert.Status === "ISSUED") return done(cert);
        if (cert.Status !== "PENDING_VALIDATION") {
          throw new AwsError(
            "wait for certificate",
            label,
            cert.Status ?? "UNKNOWN",
            `${cert.FailureReason ?? "validation did not succeed"}: run \`infra create acm-certificate\` again to request a new one`,
          );
        }
        const options = cert.DomainValidationOptions ?? [];
        const validated = options.filter((d) => d.ValidationStatus === "SUCCESS").length;
        return pending(`PENDING_VALIDATION, ${validated}/${options.length} names validated`);
      },
    ),
  );
}

/**
 * What holds the certificate now: its InUseBy, less the load balancers that no longer have a listener serving it
 * (ACM lists them for a while after the listener let go). A load balancer is named by its listeners' ARNs.
 */
export async function holdersOf(ctx: Context, cert: CertificateDetail): Promise<string[]> {
  const users = cert.InUseBy ?? [];
  if (users.length === 0) return [];
  const elbv2 = await ctx.aws.elbv2();
  const holders: string[] = [];
  for (const user of users) {
    if (!user.includes(":elasticloadbalancing:")) {
      holders.push(user);
      continue;
    }
    const listeners = await awsStep("list listeners", user, () =>
      listenersServing(elbv2, user, cert.CertificateArn as string),
    );
    holders.push(...listeners.map((l) => l.ListenerArn as string));
  }
  return holders;
}

/** "a listener of load balancer startupwebapp-alb", or the ARN of what is not a listener. */
export function describeHolder(arn: string): string {
  const m = /:listener\/app\/([^/]+)\//.exec(arn);
  return m ? `a listener of load balancer ${m[1]}` : arn;
}
