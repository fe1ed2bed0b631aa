// The names a policy is scoped to: the stack's, from the env file (src/commands/actions/iam.ts reads them), and the ARNs
// built from them in the forms the Service Authorization Reference gives for each resource type
// (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).

export interface Stack {
  partition: string;
  region: string;
  account: string;
  project: string;
  vpc: string;
  /** The user's security group the ALB's ingress is added to (not infra's: its rules only). */
  backendSecurityGroup: string;
  cluster: string;
  service: string;
  /** The task definition families infra registers or runs: the service's, the migration task's, the drill's. */
  families: string[];
  loadBalancer: string;
  targetGroup: string;
  domain: string;
  apiDomain: string;
  /** The hosted zone the records go in, once known (HOSTED_ZONE_ID): until then, any zone. */
  hostedZone: string | undefined;
  logGroup: string;
  topics: string[];
  dashboards: string[];
  webAcl: string;
  /** RDS_INSTANCE_ID: the drill reads it and restores into `<id>-drill-*`. */
  database: string | undefined;
  /** RDS_KMS_KEY_ARN: the customer-managed key the database is encrypted with, when it is one. */
  databaseKey: string | undefined;
  repository: { region: string; account: string; name: string };
  secrets: string[];
  /** ARN patterns of the copies of the database secret a drill makes for a while. */
  secretCopies: string[];
  /** The roles infra may pass to ECS tasks. */
  roles: string[];
  /** The store of the stack's record: INFRA_STATE's bucket and key, else infra's own bucket and this stack's key. */
  store: { bucket: string; key: string };
}

/** An ARN of the stack's account and region (`global` for services whose ARNs name no region). */
export function arn(s: Stack, service: string, resource: string, where: "regional" | "global" = "regional"): string {
  return `arn:${s.partition}:${service}:${where === "regional" ? s.region : ""}:${s.account}:${resource}`;
}

export const ecsArn = (s: Stack, resource: string) => arn(s, "ecs", resource);
export const clusterArn = (s: Stack) => ecsArn(s, `cluster/${s.cluster}`);
export const elbArn = (s: Stack, resource: string) => arn(s, "elasticloadbalancing", resource);
export const loadBalancerArn = (s: Stack) => elbArn(s, `loadbalancer/app/${s.loadBalancer}/*`);
export const targetGroupArn = (s: Stack) => elbArn(s, `targetgroup/${s.targetGroup}/*`);
export const listenerArn = (s: Stack) => elbArn(s, `listener/app/${s.loadBalancer}/*`);
export const hostedZoneArn = (s: Stack) => `arn:${s.partition}:route53:::hostedzone/${s.hostedZone ?? "*"}`;
export const webAclArn = (s: Stack) => arn(s, "wafv2", `regional/webacl/${s.webAcl}/*`);
export const repositoryArn = (s: Stack) =>
  `arn:${s.partition}:ecr:${s.repository.region}:${s.repository.account}:repository/${s.repository.name}`;
/** A log group, in both forms AWS checks: the group's own ARN and the one DescribeLogGroups shows (`:*`). */
export const logGroupArns = (s: Stack, name: string) => [
  arn(s, "logs", `log-group:${name}`),
  arn(s, "logs", `log-group:${name}:*`),
];
export const dbArn = (s: Stack, id: string) => arn(s, "rds", `db:${id}`);
/** S3's ARNs name neither region nor account: the bucket, and an object in it. */
export const bucketArn = (s: Stack) => `arn:${s.partition}:s3:::${s.store.bucket}`;
export const recordArn = (s: Stack) => `${bucketArn(s)}/${s.store.key}`;
