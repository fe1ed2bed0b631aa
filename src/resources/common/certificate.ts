// What a resource that serves a certificate needs to know of it, without owning it: whether ACM has issued it.
import { type CertificateDetail, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import type { Context } from "../../core/context.js";
import { awsStep, isAwsError } from "../../core/errors.js";
import { sharedRead } from "../../core/shared-reads.js";

/**
 * The certificate as DescribeCertificate tells it, undefined when ACM has none at that ARN: read once while a command
 * looks at the stack, for acm-certificate's observe and alb's check of the certificate it serves.
 */
export async function readCertificate(ctx: Context, arn: string): Promise<CertificateDetail | undefined> {
  const acm = await ctx.aws.acm();
  return sharedRead(ctx, `acm certificate ${arn}`, async () => {
    try {
      return (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
    } catch (err) {
      if (isAwsError(err, "ResourceNotFound")) return undefined;
      throw err;
    }
  });
}

/** ACM's status of the certificate (ISSUED, PENDING_VALIDATION, ...), or "not found". */
export async function certificateStatus(ctx: Context, arn: string): Promise<string | undefined> {
  return awsStep("read certificate", arn, async () => {
    const certificate = await readCertificate(ctx, arn);
    return certificate ? certificate.Status : "not found";
  });
}
