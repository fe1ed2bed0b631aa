// Secrets Manager, as `deploy` checks that the secrets a task definition references exist.
import {
  DescribeSecretCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import type { ServiceModel } from "./aws-fake.js";
import { modeled } from "./errors.js";

export const DB_SECRET_ARN =
  "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds/startupwebapp/multi-tenant/master-AbCdEf";

export class SecretsModel {
  readonly name = "SecretsManager";
  readonly client = SecretsManagerClient;
  /** ARNs of the secrets that exist (the database's is a prerequisite). */
  readonly secrets = new Set<string>([DB_SECRET_ARN]);

  readonly handlers: ServiceModel["handlers"] = [[DescribeSecretCommand, (i) => this.describeSecret(i)]];

  private describeSecret(input: { SecretId: string }) {
    // SecretId: the full ARN, or the name (the ARN without its "-XXXXXX" suffix).
    const arn = [...this.secrets].find(
      (a) => a === input.SecretId || a.split(":secret:")[1]?.replace(/-\w{6}$/, "") === input.SecretId,
    );
    if (!arn) throw modeled(ResourceNotFoundException, "Secrets Manager can't find the specified secret.");
    return { ARN: arn, Name: arn.split(":secret:")[1]?.replace(/-\w{6}$/, "") };
  }
}
