// ACM as `infra` uses it: certificates requested with DNS validation, validation records that appear a few
// seconds late, PENDING_VALIDATION -> ISSUED only some time after the CNAMEs are in Route 53, idempotency
// tokens that outlive the certificate, and InUseBy that lags behind ELBv2. Behaviours from docs/aws-behaviours.md
// "ACM". Status is computed from the clock and Route 53 on every read.
import { createHash } from "node:crypto";
import {
  ACMClient,
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RemoveTagsFromCertificateCommand,
  RequestCertificateCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type Tag,
  ValidationException,
} from "@aws-sdk/client-acm";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { modeled } from "./errors.js";

export type CertificateStatus = "PENDING_VALIDATION" | "ISSUED" | "FAILED" | "VALIDATION_TIMED_OUT";

/** DomainValidationOptions[].ResourceRecord is missing for this long after the request. */
export const RECORDS_AFTER_MS = 5_000;
/** ISSUED comes this long after every name reads SUCCESS. */
export const ISSUED_AFTER_VALIDATION_MS = 30_000;
/** ACM still lists a load balancer in InUseBy this long after its listener let go. */
export const IN_USE_AFTER_DETACH_MS = 30_000;
/** A RequestCertificate IdempotencyToken is remembered for an hour. */
export const TOKEN_WINDOW_MS = 3_600_000;
/** AWS gives up on a certificate left pending for 72 hours. */
export const VALIDATION_TIMEOUT_MS = 72 * 3_600_000;
const DAY_MS = 86_400_000;
const DEFAULT_KEY_TYPES = ["RSA_1024", "RSA_2048"];

interface Certificate {
  CertificateArn: string;
  DomainName: string;
  /** The DomainName first, then the other names requested. */
  SubjectAlternativeNames: string[];
  /** PENDING_VALIDATION moves on by itself; any other value is final (tests may set it). */
  Status: CertificateStatus;
  KeyAlgorithm: string;
  ValidationMethod: string;
  createdAt: number;
  /** When the validation records show up in DescribeCertificate. */
  recordsAt: number;
  issuedAt?: number;
  notAfter?: number;
  tags: Tag[];
  /** User ARN -> when it let go (undefined while it holds the certificate). */
  users: Map<string, number | undefined>;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const apexOf = (name: string) => name.toLowerCase().replace(/^\*\./, "").replace(/\.$/, "");

/**
 * The CNAME that validates `domain`: derived from the account and the domain without its "*." (so the wildcard
 * and the apex share one), like "_3f1e...(32 hex).example.com." -> "_a79f...(32 hex).abcdefghij.acm-validations.aws.".
 */
export function validationRecord(domain: string): { Name: string; Type: "CNAME"; Value: string } {
  const apex = apexOf(domain);
  const h = sha(`${ACCOUNT}:${apex}`);
  const letters = [...sha(`value:${apex}`).slice(0, 10)].map((d) => String.fromCharCode(97 + parseInt(d, 16))).join("");
  return {
    Name: `_${h.slice(0, 32)}.${apex}.`,
    Type: "CNAME",
    Value: `_${h.slice(32)}.${letters}.acm-validations.aws.`,
  };
}

/** Spans [from, to) sorted and merged, then intersected: when every validation record was there at once. */
function merge(spans: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function intersect(xs: Array<[number, number]>, ys: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [a, b] of xs)
    for (const [c, d] of ys) if (Math.max(a, c) < Math.min(b, d)) out.push([Math.max(a, c), Math.min(b, d)]);
  return out;
}

export class AcmModel {
  readonly name = "ACM";
  readonly client = ACMClient;
  readonly certificates = new Map<string, Certificate>();
  /** Token + parameters -> the ARN it gave and when; kept after the certificate is deleted. */
  private readonly tokens = new Map<string, { arn: string; at: number }>();
  private seq = 0;

  constructor(readonly fake: Fake) {}

  readonly handlers: ServiceModel["handlers"] = [
    [RequestCertificateCommand, (i) => this.requestCertificate(i)],
    [DescribeCertificateCommand, (i) => this.describeCertificate(i)],
    [ListCertificatesCommand, (i) => this.listCertificates(i)],
    [DeleteCertificateCommand, (i) => this.deleteCertificate(i)],
    [ListTagsForCertificateCommand, (i) => ({ Tags: this.mustGet(i.CertificateArn).tags })],
    [AddTagsToCertificateCommand, (i) => this.addTags(i)],
    [RemoveTagsFromCertificateCommand, (i) => this.removeTags(i)],
  ];

  private now = () => this.fake.clock.now();

  /** A certificate as `acm-certificate` would leave it for "*.domain" and "domain" (tests set the state directly). */
  add(domain: string, status: CertificateStatus): string {
    const cert = this.create(`*.${domain}`, [domain], "DNS", "RSA_2048", [{ Key: "ManagedBy", Value: "infra" }]);
    cert.recordsAt = cert.createdAt;
    this.setStatus(cert.CertificateArn, status);
    cert.notAfter = this.now() + 365 * DAY_MS;
    return cert.CertificateArn;
  }

  statusOf(arn: string): CertificateStatus | undefined {
    const cert = this.certificates.get(arn);
    return cert && this.refresh(cert).Status;
  }

  /** Forces a status (FAILED, VALIDATION_TIMED_OUT, or ISSUED now). */
  setStatus(arn: string, status: CertificateStatus): void {
    const cert = this.mustGet(arn);
    cert.Status = status;
    if (status === "ISSUED") this.issue(cert, this.now());
  }

  /** ELBv2 tells ACM that a load balancer now uses the certificate. */
  attach(certArn: string, userArn: string): void {
    this.certificates.get(certArn)?.users.set(userArn, undefined);
  }

  /** ...and that it let go: ACM notices only IN_USE_AFTER_DETACH_MS later. */
  detach(certArn: string, userArn: string): void {
    const users = this.certificates.get(certArn)?.users;
    if (users?.has(userArn) && users.get(userArn) === undefined) users.set(userArn, this.now());
  }

  inUseBy(cert: Certificate): string[] {
    return [...cert.users]
      .filter(([, at]) => at === undefined || this.now() < at + this.fake.latency.certificateInUseAfterDetachMs)
      .map(([u]) => u);
  }

  private create(domain: string, sans: string[], method: string, keyAlgorithm: string, tags: Tag[]): Certificate {
    const h = sha(`certificate:${++this.seq}`);
    const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    const cert: Certificate = {
      CertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/${uuid}`,
      DomainName: domain,
      SubjectAlternativeNames: [...new Set([domain, ...sans])],
      Status: "PENDING_VALIDATION",
      KeyAlgorithm: keyAlgorithm,
      ValidationMethod: method,
      createdAt: this.now(),
      recordsAt: this.now() + this.fake.latency.certificateRecordsMs,
      tags: [...tags],
      users: new Map(),
    };
    this.certificates.set(cert.CertificateArn, cert);
    return cert;
  }

  private issue(cert: Certificate, at: number) {
    cert.Status = "ISSUED";
    cert.issuedAt = at;
    const notAfter = new Date(at);
    notAfter.setUTCMonth(notAfter.getUTCMonth() + 13); // ACM's public certificates last 13 months
    cert.notAfter = notAfter.getTime();
  }

  /** The distinct CNAMEs a DNS-validated certificate needs: the wildcard and its apex share one. */
  private records(cert: Certificate) {
    const byName = new Map(cert.SubjectAlternativeNames.map((n) => [apexOf(n), validationRecord(n)]));
    return [...byName.values()];
  }

  /** Moves PENDING_VALIDATION on: ISSUED once every CNAME has stood for ISSUED_AFTER_VALIDATION_MS together. */
  private refresh(cert: Certificate): Certificate {
    if (cert.Status !== "PENDING_VALIDATION" || cert.ValidationMethod !== "DNS") return cert;
    const deadline = cert.createdAt + VALIDATION_TIMEOUT_MS;
    let together: Array<[number, number]> = [[cert.recordsAt, Math.min(this.now(), deadline)]];
    for (const r of this.records(cert)) {
      together = intersect(together, merge(this.fake.route53.spansOf(r.Name, r.Type, r.Value)));
    }
    const after = this.fake.latency.certificateIssuedMs;
    const stood = together.find(([a, b]) => b - a >= after);
    if (stood) this.issue(cert, stood[0] + after);
    else if (this.now() >= deadline) cert.Status = "VALIDATION_TIMED_OUT";
    return cert;
  }

  /** SUCCESS per name as soon as its CNAME is in a public zone, while Status may still be PENDING_VALIDATION. */
  private validationOptions(cert: Certificate) {
    const shown = this.now() >= cert.recordsAt;
    return cert.SubjectAlternativeNames.map((name) => {
      const record = validationRecord(name);
      const present = this.fake.route53
        .spansOf(record.Name, record.Type, record.Value)
        .some(([, to]) => to > this.now());
      const status =
        cert.Status === "ISSUED"
          ? "SUCCESS"
          : cert.Status === "FAILED"
            ? "FAILED"
            : shown && present && cert.ValidationMethod === "DNS"
              ? "SUCCESS"
              : "PENDING_VALIDATION";
      return {
        DomainName: name,
        ValidationDomain: name,
        ValidationStatus: status,
        ValidationMethod: cert.ValidationMethod,
        ...(cert.ValidationMethod === "DNS"
          ? shown
            ? { ResourceRecord: record }
            : {}
          : { ValidationEmails: [`admin@${apexOf(name)}`] }),
      };
    });
  }

  private requestCertificate(input: {
    DomainName: string;
    SubjectAlternativeNames?: string[];
    ValidationMethod?: string;
    IdempotencyToken?: string;
    KeyAlgorithm?: string;
    Tags?: Tag[];
  }) {
    const names = [input.DomainName, ...(input.SubjectAlternativeNames ?? [])];
    for (const n of names) {
      if (!/^(\*\.)?([a-zA-Z0-9-]{1,63}\.)+[a-zA-Z0-9-]{1,63}$/.test(n ?? "") || n.length > 253) {
        throw modeled(
          ValidationException,
          `1 validation error detected: Value '${n}' at 'domainName' failed to satisfy constraint`,
        );
      }
    }
    const token = input.IdempotencyToken;
    if (token !== undefined && !/^\w{1,32}$/.test(token)) {
      throw modeled(
        ValidationException,
        `1 validation error detected: Value '${token}' at 'idempotencyToken' failed to satisfy constraint: Member must satisfy regular expression pattern: \\w+`,
      );
    }
    // EMAIL is the API's default method: a caller that forgets DNS gets a certificate that never validates here.
    const method = input.ValidationMethod ?? "EMAIL";
    const keyAlgorithm = input.KeyAlgorithm ?? "RSA_2048";
    const key = JSON.stringify([token, input.DomainName, input.SubjectAlternativeNames ?? [], method, keyAlgorithm]);
    const earlier = token === undefined ? undefined : this.tokens.get(key);
    // Same token, same parameters, within the hour: the same ARN, even if that certificate is gone.
    if (earlier && this.now() < earlier.at + TOKEN_WINDOW_MS) return { CertificateArn: earlier.arn };
    const cert = this.create(
      input.DomainName,
      input.SubjectAlternativeNames ?? [],
      method,
      keyAlgorithm,
      input.Tags ?? [],
    );
    if (token !== undefined) this.tokens.set(key, { arn: cert.CertificateArn, at: this.now() });
    return { CertificateArn: cert.CertificateArn };
  }

  private describeCertificate(input: { CertificateArn: string }) {
    const cert = this.refresh(this.mustGet(input.CertificateArn));
    const at = (name: string, t: number | undefined) => (t === undefined ? {} : { [name]: new Date(t) });
    return {
      Certificate: {
        CertificateArn: cert.CertificateArn,
        DomainName: cert.DomainName,
        SubjectAlternativeNames: cert.SubjectAlternativeNames,
        DomainValidationOptions: this.validationOptions(cert),
        Status: cert.Status,
        ...(cert.Status === "FAILED" ? { FailureReason: "OTHER" } : {}),
        Type: "AMAZON_ISSUED",
        KeyAlgorithm: cert.KeyAlgorithm,
        SignatureAlgorithm: "SHA256WITHRSA",
        Subject: `CN=${cert.DomainName}`,
        ...(cert.issuedAt !== undefined ? { Issuer: "Amazon", Serial: sha(cert.CertificateArn).slice(0, 32) } : {}),
        InUseBy: this.inUseBy(cert),
        CreatedAt: new Date(cert.createdAt),
        ...at("IssuedAt", cert.issuedAt),
        ...at("NotBefore", cert.issuedAt),
        ...at("NotAfter", cert.notAfter),
        RenewalEligibility: "INELIGIBLE",
        Options: { CertificateTransparencyLoggingPreference: "ENABLED" },
      },
    };
  }

  /** Pages of summaries; by default only RSA_1024 and RSA_2048 keys (Includes.keyTypes for others). */
  private listCertificates(input: {
    CertificateStatuses?: string[];
    Includes?: { keyTypes?: string[] };
    MaxItems?: number;
    NextToken?: string;
  }) {
    const keyTypes = input.Includes?.keyTypes?.length ? input.Includes.keyTypes : DEFAULT_KEY_TYPES;
    const all = [...this.certificates.values()]
      .map((c) => this.refresh(c))
      .filter((c) => keyTypes.includes(c.KeyAlgorithm))
      .filter((c) => !input.CertificateStatuses?.length || input.CertificateStatuses.includes(c.Status));
    const from = input.NextToken ? Number(Buffer.from(input.NextToken, "base64").toString()) : 0;
    if (!Number.isInteger(from) || from < 0) throw modeled(ValidationException, "Invalid NextToken");
    const max = input.MaxItems ?? 1000;
    if (!Number.isInteger(max) || max < 1 || max > 1000)
      throw modeled(
        ValidationException,
        "Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000",
      );
    const page = all.slice(from, from + max);
    return {
      CertificateSummaryList: page.map((c) => ({
        CertificateArn: c.CertificateArn,
        DomainName: c.DomainName,
        SubjectAlternativeNameSummaries: c.SubjectAlternativeNames,
        HasAdditionalSubjectAlternativeNames: false,
        Status: c.Status,
        KeyAlgorithm: c.KeyAlgorithm,
        Type: "AMAZON_ISSUED",
        InUse: this.inUseBy(c).length > 0,
        CreatedAt: new Date(c.createdAt),
        ...(c.issuedAt !== undefined ? { IssuedAt: new Date(c.issuedAt) } : {}),
        ...(c.notAfter !== undefined ? { NotAfter: new Date(c.notAfter) } : {}),
      })),
      ...(from + max < all.length ? { NextToken: Buffer.from(String(from + max)).toString("base64") } : {}),
    };
  }

  /** Refused while anything uses it, including for a while after its listener went away. */
  private deleteCertificate(input: { CertificateArn: string }) {
    const cert = this.mustGet(input.CertificateArn);
    if (this.inUseBy(cert).length > 0) {
      throw modeled(ResourceInUseException, `Certificate ${cert.CertificateArn} in account ${ACCOUNT} is in use.`);
    }
    this.certificates.delete(cert.CertificateArn);
    return {};
  }

  private addTags(input: { CertificateArn: string; Tags: Tag[] }) {
    const cert = this.mustGet(input.CertificateArn);
    cert.tags = [...cert.tags.filter((t) => !input.Tags.some((n) => n.Key === t.Key)), ...input.Tags];
    return {};
  }

  private removeTags(input: { CertificateArn: string; Tags: Tag[] }) {
    const cert = this.mustGet(input.CertificateArn);
    const drops = (t: Tag) => input.Tags.some((r) => r.Key === t.Key && (r.Value === undefined || r.Value === t.Value));
    cert.tags = cert.tags.filter((t) => !drops(t));
    return {};
  }

  private mustGet(arn: string): Certificate {
    const cert = this.certificates.get(arn);
    if (!cert) throw modeled(ResourceNotFoundException, `Could not find certificate ${arn}.`);
    return cert;
  }
}
