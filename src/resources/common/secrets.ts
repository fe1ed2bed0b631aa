// The Secrets Manager secrets a task definition hands its containers must exist before anything runs from it: ECS
// would register the revision, start tasks, fail to fetch the secret (ResourceInitializationError) and stop them,
// again and again. deploy checks the revision it registers; create checks the one it is about to register.
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import type { Context } from "../../core/context.js";
import { awsStep, InputError, isAwsError } from "../../core/errors.js";

/** The secrets among valueFrom references: arn:aws:secretsmanager:region:account:secret:name-suffix[:key:stage:id]. */
export function secretArnsOf(valueFroms: readonly string[]): string[] {
  const arns = valueFroms
    .filter((v) => v.startsWith("arn:") && v.split(":")[2] === "secretsmanager")
    .map((v) => v.split(":").slice(0, 7).join(":"));
  return [...new Set(arns)];
}

/** Every secret referenced exists (DescribeSecret), or an input error naming it and what references it: exit 2. */
export async function requireSecrets(ctx: Context, valueFroms: readonly string[], usedBy: string): Promise<void> {
  const arns = secretArnsOf(valueFroms);
  if (arns.length === 0) return;
  const sm = await ctx.aws.secrets();
  for (const arn of arns) {
    await awsStep("find secret", arn, async () => {
      try {
        await sm.send(new DescribeSecretCommand({ SecretId: arn }));
      } catch (err) {
        if (isAwsError(err, "ResourceNotFoundException"))
          throw new InputError(`secret ${arn}, referenced by ${usedBy}, does not exist`);
        throw err;
      }
    });
  }
}
