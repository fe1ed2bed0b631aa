// Secrets Manager, as `deploy` checks that the secrets a task definition references exist, ECS hands their JSON
// keys to containers, and `dr-drill --rehearse-cutover` copies the database secret for a while. The database's
// secret is a prerequisite: the fake starts with it, shaped as the earlier scripts made it (docs/earlier-scripts.md).
// Behaviours, with the AWS documentation they come from: docs/aws-behaviours.md, "Secrets Manager".
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ListSecretsCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  type Tag,
} from "@aws-sdk/client-secrets-manager";
import type { ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { modeled } from "./errors.js";
import { DB_LOGINS, PRODUCTION_DATABASE } from "./rds-data.js";
import { endpointOf } from "./rds-state.js";
import { page } from "./shared.js";

export const DB_SECRET_NAME = "rds/startupwebapp/multi-tenant/master";
export const DB_SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${DB_SECRET_NAME}-AbCdEf`;

/** A scheduled deletion is gone after its recovery window; a forced one at once. */
const DAY = 86_400_000;

interface SecretRecord {
  arn: string;
  name: string;
  value: string;
  tags: Tag[];
  createdAt: number;
  /** When it was scheduled for deletion, and when it is gone. */
  deletedAt?: number;
  goneAt?: number;
}

/** The database secret as the earlier scripts made it: the app's and the master's logins, the endpoint, the rest. */
export function databaseSecretValue(host = endpointOf(PRODUCTION_DATABASE)): string {
  return JSON.stringify({
    engine: "postgresql",
    host,
    port: 5432,
    master_username: "postgres",
    master_password: DB_LOGINS.postgres,
    username: "django_app",
    password: DB_LOGINS.django_app,
    dbClusterIdentifier: PRODUCTION_DATABASE,
    django_secret_key: "fake-django-secret-key",
  });
}

export class SecretsModel {
  readonly name = "SecretsManager";
  readonly client = SecretsManagerClient;
  /** ARN -> secret; the database's is a prerequisite. */
  readonly secrets = new Map<string, SecretRecord>([
    [DB_SECRET_ARN, { arn: DB_SECRET_ARN, name: DB_SECRET_NAME, value: databaseSecretValue(), tags: [], createdAt: 0 }],
  ]);
  private seq = 0;

  constructor(private readonly now: () => number = () => 0) {}

  readonly handlers: ServiceModel["handlers"] = [
    [DescribeSecretCommand, (i) => this.describeSecret(i)],
    [GetSecretValueCommand, (i) => this.getSecretValue(i)],
    [CreateSecretCommand, (i) => this.createSecret(i)],
    [DeleteSecretCommand, (i) => this.deleteSecret(i)],
    [ListSecretsCommand, (i) => this.listSecrets(i)],
  ];

  /** The secrets that exist (those scheduled for deletion included), dropping those whose deletion is done. */
  private live(): SecretRecord[] {
    for (const [arn, s] of this.secrets) if (s.goneAt !== undefined && this.now() >= s.goneAt) this.secrets.delete(arn);
    return [...this.secrets.values()];
  }

  /** SecretId: the full ARN, or the name (the ARN without its "-XXXXXX" suffix). */
  find(id: string | undefined): SecretRecord | undefined {
    return this.live().find((s) => s.arn === id || s.name === id);
  }

  private mustFind(id: string | undefined): SecretRecord {
    const found = this.find(id);
    if (!found) throw modeled(ResourceNotFoundException, "Secrets Manager can't find the specified secret.");
    return found;
  }

  /** What a secret holds now, for ECS handing it to a container (undefined: no such secret, or being deleted). */
  valueOf(arn: string): string | undefined {
    const s = this.find(arn);
    return s && s.deletedAt === undefined ? s.value : undefined;
  }

  private describeSecret(input: { SecretId: string }) {
    const s = this.mustFind(input.SecretId);
    return {
      ARN: s.arn,
      Name: s.name,
      Tags: s.tags,
      ...(s.deletedAt !== undefined ? { DeletedDate: new Date(s.deletedAt) } : {}),
    };
  }

  private getSecretValue(input: { SecretId: string }) {
    const s = this.mustFind(input.SecretId);
    if (s.deletedAt !== undefined)
      throw modeled(
        InvalidRequestException,
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    return {
      ARN: s.arn,
      Name: s.name,
      SecretString: s.value,
      VersionId: "00000000-0000-0000-0000-000000000001",
      VersionStages: ["AWSCURRENT"],
      CreatedDate: new Date(s.createdAt),
    };
  }

  private createSecret(input: { Name: string; SecretString?: string; Tags?: Tag[] }) {
    if (!/^[\w/+=.@-]{1,512}$/.test(input.Name ?? ""))
      throw modeled(
        InvalidRequestException,
        "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
      );
    const same = this.live().find((s) => s.name === input.Name);
    if (same?.deletedAt !== undefined)
      throw modeled(
        InvalidRequestException,
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    if (same)
      throw modeled(ResourceExistsException, `The operation failed because the secret ${input.Name} already exists.`);
    const suffix = (++this.seq).toString(36).padStart(6, "Q").slice(-6);
    const arn = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${input.Name}-${suffix}`;
    this.secrets.set(arn, {
      arn,
      name: input.Name,
      value: input.SecretString ?? "",
      tags: (input.Tags ?? []).map((t) => ({ ...t })),
      createdAt: this.now(),
    });
    return { ARN: arn, Name: input.Name, VersionId: "00000000-0000-0000-0000-000000000001" };
  }

  private deleteSecret(input: {
    SecretId: string;
    ForceDeleteWithoutRecovery?: boolean;
    RecoveryWindowInDays?: number;
  }) {
    const s = this.mustFind(input.SecretId);
    if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined)
      throw modeled(
        InvalidRequestException,
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    const at = this.now();
    s.deletedAt ??= at;
    s.goneAt = input.ForceDeleteWithoutRecovery ? at : at + (input.RecoveryWindowInDays ?? 30) * DAY;
    return { ARN: s.arn, Name: s.name, DeletionDate: new Date(s.goneAt) };
  }

  private listSecrets(input: {
    Filters?: { Key: string; Values: string[] }[];
    MaxResults?: number;
    NextToken?: string;
    IncludePlannedDeletion?: boolean;
  }) {
    const matches = (s: SecretRecord, f: { Key: string; Values: string[] }) =>
      f.Values.some((v) =>
        f.Key === "name"
          ? s.name.startsWith(v)
          : f.Key === "tag-key"
            ? s.tags.some((t) => t.Key?.startsWith(v))
            : f.Key === "tag-value"
              ? s.tags.some((t) => t.Value?.startsWith(v))
              : true,
      );
    const all = this.live()
      .filter((s) => input.IncludePlannedDeletion || s.deletedAt === undefined)
      .filter((s) => (input.Filters ?? []).every((f) => matches(s, f)));
    const { items, next } = page(all, input.NextToken, input.MaxResults ?? 100, () =>
      modeled(InvalidRequestException, "Invalid NextToken."),
    );
    return {
      SecretList: items.map((s) => ({
        ARN: s.arn,
        Name: s.name,
        Tags: s.tags,
        ...(s.deletedAt !== undefined ? { DeletedDate: new Date(s.deletedAt) } : {}),
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }
}
