// What a resource that serves a certificate needs to know of it, without owning it: whether ACM has issued it.
import { DescribeCertificateCommand } from "@aws-sdk/client-acm";
import type { Context } from "../../core/context.js";
import { awsStep, isAwsError } from "../../core/errors.js";

/** ACM's status of the certificate (ISSUED, PENDING_VALIDATION, ...), or "not found". */
export async function certificateStatus(ctx: Context, arn: string): Promise<string | undefined> {
  const acm = await ctx.aws.acm();
  return awsStep("read certificate", arn, async () => {
    try {
      return (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate?.Status;
    } catch (err) {
      if (isAwsError(err, "ResourceNotFound")) return "not found";
      throw err;
    }
  });
}
