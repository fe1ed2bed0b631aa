// The runbook's rebuilding procedures: a lost piece of the stack infra makes (`infra create` makes only what is
// missing), and a lost prerequisite of the earlier phases, with the command that shows whether it is there and the
// script of the earlier phases that made it (docs/earlier-scripts.md).
import { RESOURCES } from "../resources/registry.js";
import type { RunbookFacts } from "./runbook-facts.js";
import { block, type Lines } from "./runbook-lines.js";

export function recreate(l: Lines): string {
  const rows = RESOURCES.map((r) => `| \`${r.name}\` | ${r.summary} | \`${l.infra("create", r.name)}\` |`);
  return [
    "## 4. Recreate a lost piece of the stack",
    "`create` makes only what is missing and leaves the rest alone, so it is safe to run on a damaged stack. First see what is missing, then recreate it (or everything), then check:",
    block([l.infra("status"), l.infra("create", "all"), l.infra("verify", "all")]),
    ["| piece | what it is | recreate it alone |", "|---|---|---|", ...rows].join("\n"),
  ].join("\n\n");
}

type Key = keyof RunbookFacts["prerequisites"];

/** Each prerequisite: what it is, the AWS CLI words that show it (given its id), and the script that made it. */
const PREREQUISITES: { keys: Key[]; what: string; show?: (ids: string[]) => string[]; script: string }[] = [
  {
    keys: ["VPC_ID", "PUBLIC_SUBNET_1_ID", "PUBLIC_SUBNET_2_ID", "PRIVATE_SUBNET_1_ID", "PRIVATE_SUBNET_2_ID"],
    what: "the VPC, its public and private subnets, routes, internet gateway and the database's DB subnet group",
    show: ([, ...subnets]) => ["ec2", "describe-subnets", "--subnet-ids", ...subnets],
    script:
      "create-vpc.sh, then create-nat-gateway.sh (the private subnets reach ECR, Secrets Manager and CloudWatch through the NAT)",
  },
  {
    keys: ["BACKEND_SECURITY_GROUP_ID"],
    what: "the backend security group (and the database's and the bastion's)",
    show: ([sg]) => ["ec2", "describe-security-groups", "--group-ids", sg as string],
    script: "create-security-groups.sh",
  },
  {
    keys: ["ECS_CLUSTER_NAME"],
    what: "the ECS cluster and its log group",
    show: ([c]) => ["ecs", "describe-clusters", "--clusters", c as string],
    script: "create-ecs-cluster.sh",
  },
  {
    keys: ["ECS_TASK_EXECUTION_ROLE_ARN", "ECS_TASK_ROLE_ARN"],
    what: "the task execution role (pulls images, reads the secret) and the task role",
    script: "create-ecs-task-role.sh",
  },
  {
    keys: ["ECR_REPOSITORY_URI"],
    what: "the image repository",
    show: ([uri]) => ["ecr", "describe-images", "--repository-name", (uri as string).split("/").slice(1).join("/")],
    script: "create-ecr.sh, then push the image again from CI",
  },
  {
    keys: ["DB_SECRET_ARN"],
    what: "the database secret (logins, Django's key, Stripe and email settings)",
    show: ([arn]) => ["secretsmanager", "describe-secret", "--secret-id", arn as string],
    script: "create-secrets.sh (it makes new passwords: set the Stripe and email values again by hand)",
  },
  {
    keys: ["RDS_INSTANCE_ID"],
    what: "the database",
    show: ([id]) => ["rds", "describe-db-instances", "--db-instance-identifier", id as string],
    script:
      "restore it (section 3); only with no snapshot left, create-rds.sh then create-databases.sh and the migrations",
  },
  {
    keys: ["ECS_TASK_DEFINITION_FAMILY"],
    what: "the migration task definition",
    show: ([family]) => ["ecs", "describe-task-definition", "--task-definition", family as string],
    script: "create-ecs-task-definition.sh",
  },
];

export function rebuildPrerequisites(f: RunbookFacts, l: Lines): string {
  const sections = PREREQUISITES.map((p) => {
    const ids = p.keys.map((k) => f.prerequisites[k]);
    const named = p.keys.map((k, i) => `${k}=${ids[i] ?? "unknown (not set in the env file)"}`).join(", ");
    const known = ids.every((id): id is string => Boolean(id));
    const check = p.show && known ? `\n\n${block([l.aws(...p.show(ids as string[]))])}` : "";
    return `- **${p.what}** (${named}): made by ${p.script.replace(/[\w-]+\.sh/g, (s) => `\`${s}\``)}.${check}`;
  });
  return [
    "## 5. Rebuild a prerequisite",
    "What infra builds on was made before it, by the application repository's `scripts/infra/` scripts (each writes the ids it makes into the env file it reads). Whether each is still there, and what makes it again; after rebuilding one, put its new id in the env file, then recreate what infra makes on it (section 4):",
    ...sections,
  ].join("\n\n");
}
