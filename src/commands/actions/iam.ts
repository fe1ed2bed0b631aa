// iam-policy: the least-privilege IAM policy for the resources and commands named (default: everything infra does),
// scoped to the stack the env file names.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { EnvFile } from "../../core/env-file.js";
import { InputError } from "../../core/errors.js";
import { readInputs } from "../../core/inputs.js";
import { roleArn } from "../../core/validators.js";
import { asManagedPolicies, MANAGED_POLICY_LIMIT, policyFor, policySize, wildcards } from "../../iam/policy.js";
import type { Stack } from "../../iam/stack.js";
import { TOPIC_NAMES } from "../../iam/topics.js";
import { defaultStoreUrl, parseStoreUrl, storeUrlFor } from "../../store/location.js";
import type { Commands } from "../registration.js";

export async function iamPolicy(
  commands: Commands,
  names: string[],
  flags: { passRole: string[] },
  cmd: Command,
): Promise<void> {
  const { deps, opts, result } = commands;
  const o = opts(cmd);
  for (const arn of flags.passRole) roleArn("--pass-role", arn);
  const wanted = names.length ? names : ["all"];
  const unknown = wanted.find((n) => !TOPIC_NAMES.includes(n));
  if (unknown) throw new InputError(`unknown resource or command ${unknown}`, `one of: ${TOPIC_NAMES.join(", ")}`);
  // The policy names the stack's objects: without the env file there is nothing to scope it to.
  if (!existsSync(o.envFile))
    throw new InputError(
      `no env file at ${o.envFile}: the policy is scoped to the names in it`,
      "point -f at the stack's env file",
    );
  const env = await EnvFile.load(o.envFile);
  const stack = stackOf(env, flags.passRole, storeUrlFor(o.state, env, deps.env));
  // With a store of the stack's record, every command that records reads and writes it.
  const policy = policyFor(storeUrlFor(o.state, env, deps.env) ? [...wanted, "state"] : wanted, stack);
  const size = policySize(policy);
  const documents = asManagedPolicies(policy);
  const notes = [
    ...(JSON.stringify(policy).includes(":hostedzone/*")
      ? ["HOSTED_ZONE_ID is not set: the Route 53 statements name any hosted zone until it is recorded"]
      : []),
    ...(documents.length > 1
      ? [
          `the policy is ${size} characters, over the ${MANAGED_POLICY_LIMIT} of one managed policy: printed as ` +
            `a JSON array of ${documents.length} policy documents, one managed policy each (attach all to the role)`,
        ]
      : []),
  ];
  for (const message of notes)
    deps.io.stderr(o.json ? `${JSON.stringify({ kind: "note", message })}\n` : `note: ${message}\n`);
  if (o.json) result({ ok: true, command: "iam-policy", policy, size, documents, wildcards: wildcards(policy) });
  else deps.io.stdout(`${JSON.stringify(documents.length > 1 ? documents : policy, null, 2)}\n`);
}

/** The stack's names, from the env file (each key checked by its rule, defaults as the resources use them). */
export function stackOf(env: EnvFile, passRoles: readonly string[], storeUrl?: string): Stack {
  const input = readInputs(env, "iam-policy");
  const project = input.need("PROJECT_NAME");
  const region = input.need("AWS_REGION");
  const roles = [input.need("ECS_TASK_EXECUTION_ROLE_ARN"), input.need("ECS_TASK_ROLE_ARN")];
  const [, partition = "aws", , , account = ""] = (roles[0] as string).split(":");
  const repositoryUri = input.need("ECR_REPOSITORY_URI");
  const migration = input.maybe("ECS_TASK_DEFINITION_FAMILY");
  const serviceFamily = input.maybe("ECS_SERVICE_TASK_DEFINITION_FAMILY") ?? `${project}-service-task`;
  const secret = input.need("DB_SECRET_ARN");
  const stack: Stack = {
    partition,
    region,
    account,
    project,
    vpc: input.need("VPC_ID"),
    backendSecurityGroup: input.need("BACKEND_SECURITY_GROUP_ID"),
    cluster: input.need("ECS_CLUSTER_NAME"),
    service: input.need("ECS_SERVICE_NAME"),
    families: [
      serviceFamily,
      // dr-drill's check runs from a family of its own, and --rehearse-cutover's run of the app from another.
      ...(migration ? [migration, `${migration}-dr-drill`] : []),
      `${serviceFamily}-dr-cutover`,
    ],
    loadBalancer: input.need("ALB_NAME"),
    targetGroup: input.need("TARGET_GROUP_NAME"),
    domain: input.need("DOMAIN_NAME").toLowerCase(),
    apiDomain: input.need("API_DOMAIN_NAME").toLowerCase(),
    hostedZone: input.maybe("HOSTED_ZONE_ID") || undefined,
    logGroup: input.maybe("ECS_SERVICE_LOG_GROUP") ?? `/ecs/${project}-service`,
    topics: [`${project}-rds-alerts`, `${project}-service-alerts`],
    dashboards: [
      ...new Set([input.need("CLOUDWATCH_DASHBOARD_NAME"), ...(input.maybe("SERVICE_DASHBOARD_NAME") ?? [])]),
    ].filter(Boolean),
    webAcl: `${project}-web-acl`,
    database: input.maybe("RDS_INSTANCE_ID")?.toLowerCase() || undefined,
    databaseKey: input.maybe("RDS_KMS_KEY_ARN") || undefined,
    repository: repositoryOf(repositoryUri, region, account),
    secrets: [secret],
    // dr-drill --rehearse-cutover's copies of the database secret: <its name>-dr-drill-<run>, and Secrets Manager's
    // six random characters.
    secretCopies: [`${secret.replace(/-[A-Za-z0-9]{6}$/, "")}-dr-drill-*`],
    roles: [...new Set([...roles, ...passRoles])],
    store: parseStoreUrl(storeUrl ?? defaultStoreUrl(account, region, project)),
  };
  input.done();
  return stack;
}

/** An ECR repository URI's region, account and name (another registry's: the stack's region and account). */
function repositoryOf(uri: string, region: string, account: string): Stack["repository"] {
  const ecr = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/(.+)$/.exec(uri);
  if (ecr) return { account: ecr[1] as string, region: ecr[2] as string, name: ecr[4] as string };
  return { account, region, name: uri.split("/").slice(1).join("/") || uri };
}
