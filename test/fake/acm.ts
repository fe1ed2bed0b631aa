// ACM, as far as the `alb` resource needs it: a certificate's status. The `acm-certificate` issue extends it
// (RequestCertificate, validation records that appear late, PENDING_VALIDATION -> ISSUED, ResourceInUse).
import { ACMClient, DescribeCertificateCommand, ResourceNotFoundException } from "@aws-sdk/client-acm";
import type { AwsFake, ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { modeled } from "./errors.js";

export type CertificateStatus = "PENDING_VALIDATION" | "ISSUED" | "FAILED" | "VALIDATION_TIMED_OUT";

interface Certificate {
  CertificateArn: string;
  DomainName: string;
  SubjectAlternativeNames: string[];
  Status: CertificateStatus;
}

export class AcmModel {
  readonly name = "ACM";
  readonly client = ACMClient;
  readonly certificates = new Map<string, Certificate>();
  private seq = 0;

  constructor(readonly fake: AwsFake) {}

  readonly handlers: ServiceModel["handlers"] = [[DescribeCertificateCommand, (i) => this.describeCertificate(i)]];

  /** A certificate as `acm-certificate` would leave it (tests set the state directly). */
  add(domain: string, status: CertificateStatus): string {
    const arn = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0000aaaa-bbbb-cccc-dddd-${String(++this.seq).padStart(12, "0")}`;
    this.certificates.set(arn, {
      CertificateArn: arn,
      DomainName: `*.${domain}`,
      SubjectAlternativeNames: [`*.${domain}`, domain],
      Status: status,
    });
    return arn;
  }

  statusOf(arn: string): CertificateStatus | undefined {
    return this.certificates.get(arn)?.Status;
  }

  private describeCertificate(input: { CertificateArn: string }) {
    const cert = this.certificates.get(input.CertificateArn);
    if (!cert) throw modeled(ResourceNotFoundException, `Could not find certificate ${input.CertificateArn}.`);
    return { Certificate: cert };
  }
}
