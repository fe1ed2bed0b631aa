// The least-privilege IAM policy for what infra is asked to do: the actions of every AWS call each resource and
// command makes (test/iam.test.ts recomputes the lists from the source), plus what AWS authorizes beside them
// (actions.ts), each placed on the stack's own objects by its scope (scopes.ts). test/iam-evaluation.test.ts
// evaluates every call the AWS fake receives in each command's runs against the policy that command's form prints.
import { ALSO } from "./actions.js";
import { type Condition, SCOPES } from "./scopes.js";
import type { Stack } from "./stack.js";
import { TOPICS } from "./topics.js";

/** The actions of the calls each resource and command makes (observe, create, update, adopt, delete, checks). */
export const ACTIONS: Readonly<Record<string, readonly string[]>> = {
  alb: [
    "acm:DescribeCertificate",
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateSecurityGroup",
    "ec2:CreateTags",
    "ec2:DeleteSecurityGroup",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupIngress",
    "ecs:DescribeServices",
    "ecs:ListServices",
    "elasticloadbalancing:AddTags",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:DeleteListener",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:SetIpAddressType",
    "elasticloadbalancing:SetSecurityGroups",
    "elasticloadbalancing:SetSubnets",
  ],
  "acm-certificate": [
    "acm:AddTagsToCertificate",
    "acm:DeleteCertificate",
    "acm:DescribeCertificate",
    "acm:ListCertificates",
    "acm:ListTagsForCertificate",
    "acm:RequestCertificate",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancers",
    "route53:ChangeResourceRecordSets",
    "route53:ChangeTagsForResource",
    "route53:CreateHostedZone",
    "route53:DeleteHostedZone",
    "route53:GetChange",
    "route53:GetHostedZone",
    "route53:ListHostedZonesByName",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResource",
  ],
  "route53-records": [
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancers",
    "route53:ChangeResourceRecordSets",
    "route53:GetChange",
    "route53:GetHostedZone",
    "route53:ListHostedZonesByName",
    "route53:ListResourceRecordSets",
  ],
  "ecs-service-task-definition": [
    "ecs:DeregisterTaskDefinition",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "ecs:ListServices",
    "ecs:ListTaskDefinitions",
    "ecs:RegisterTaskDefinition",
    "ecs:TagResource",
    "logs:CreateLogGroup",
    "logs:DeleteLogGroup",
    "logs:DescribeLogGroups",
    "logs:ListTagsForResource",
    "logs:PutRetentionPolicy",
    "logs:TagResource",
    "secretsmanager:DescribeSecret",
  ],
  "ecs-service": [
    "ecs:CreateService",
    "ecs:DeleteService",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "ecs:DescribeTasks",
    "ecs:ListTaskDefinitions",
    "ecs:ListTasks",
    "ecs:TagResource",
    "ecs:UpdateService",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
  ],
  "ecs-autoscaling": [
    "application-autoscaling:DeleteScalingPolicy",
    "application-autoscaling:DeregisterScalableTarget",
    "application-autoscaling:DescribeScalableTargets",
    "application-autoscaling:DescribeScalingPolicies",
    "application-autoscaling:ListTagsForResource",
    "application-autoscaling:PutScalingPolicy",
    "application-autoscaling:RegisterScalableTarget",
    "application-autoscaling:TagResource",
    "cloudwatch:DeleteAlarms",
    "cloudwatch:DescribeAlarms",
  ],
  monitoring: [
    "cloudwatch:DeleteAlarms",
    "cloudwatch:DeleteDashboards",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:GetDashboard",
    "cloudwatch:ListTagsForResource",
    "cloudwatch:PutDashboard",
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:TagResource",
    "sns:CreateTopic",
    "sns:DeleteTopic",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTagsForResource",
    "sns:ListTopics",
    "sns:Subscribe",
    "sns:TagResource",
    "sns:Unsubscribe",
    "tag:GetResources",
  ],
  waf: [
    "wafv2:AssociateWebACL",
    "wafv2:CreateWebACL",
    "wafv2:DeleteWebACL",
    "wafv2:DisassociateWebACL",
    "wafv2:GetWebACL",
    "wafv2:GetWebACLForResource",
    "wafv2:ListTagsForResource",
    "wafv2:ListWebACLs",
    "wafv2:TagResource",
    "wafv2:UpdateWebACL",
  ],
  /** deploy (and deploy --migrate). */
  deploy: [
    "ecr:DescribeImages",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "ecs:DescribeTasks",
    "ecs:ListTaskDefinitions",
    "ecs:ListTasks",
    "ecs:RegisterTaskDefinition",
    "ecs:RunTask",
    "ecs:TagResource",
    "ecs:UpdateService",
    "elasticloadbalancing:DescribeTargetHealth",
    "logs:GetLogEvents",
    "secretsmanager:DescribeSecret",
  ],
  /** rollback: back to a revision that exists, marked known good once it passes. */
  rollback: [
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "ecs:DescribeTasks",
    "ecs:ListTaskDefinitions",
    "ecs:ListTasks",
    "ecs:TagResource",
    "ecs:UpdateService",
    "elasticloadbalancing:DescribeTargetHealth",
  ],
  "dr-drill": [
    "ecs:DeregisterTaskDefinition",
    "ecs:DescribeTaskDefinition",
    "ecs:DescribeTasks",
    "ecs:ListTaskDefinitions",
    "ecs:RegisterTaskDefinition",
    "ecs:RunTask",
    "ecs:StopTask",
    "ecs:TagResource",
    "logs:GetLogEvents",
    "rds:AddTagsToResource",
    "rds:DeleteDBInstance",
    "rds:DescribeDBInstances",
    "rds:DescribeDBSnapshots",
    "rds:DescribeOrderableDBInstanceOptions",
    "rds:RestoreDBInstanceFromDBSnapshot",
    "rds:RestoreDBInstanceToPointInTime",
    "secretsmanager:CreateSecret",
    "secretsmanager:DeleteSecret",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecrets",
  ],
  /** runbook: reads only. */
  runbook: [
    "cloudwatch:DescribeAlarms",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "ecs:ListTaskDefinitions",
    "rds:DescribeDBInstances",
    "rds:DescribeDBSnapshots",
    "sns:ListSubscriptionsByTopic",
  ],
  "load-test": [
    "application-autoscaling:DescribeScalingActivities",
    "cloudwatch:DescribeAlarmHistory",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:GetMetricData",
    "ecs:DescribeServices",
  ],
  /** What `destroy all` asks last: what still carries the stack's tags. */
  leftovers: ["ecs:DescribeServices", "ecs:DescribeTaskDefinition", "tag:GetResources"],
  /** The stack's record and claim in S3 (INFRA_STATE): read, and written with conditional writes. */
  state: ["s3:GetObject", "s3:PutObject"],
  /** `infra state init`: the bucket, made or checked setting by setting, and the stack's first record. */
  "state-init": [
    "s3:CreateBucket",
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetEncryptionConfiguration",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketTagging",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutObject",
  ],
  /** Not infra's calls: what CI does beside `infra deploy`, pushing the image (docker push to ECR). */
  "image-push": [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:GetAuthorizationToken",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
  ],
};

export interface Statement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string | string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/** The actions the named resources and commands need, with what AWS authorizes beside them. */
export function actionsFor(names: readonly string[]): string[] {
  const own = names.flatMap((n) => (TOPICS[n] ?? []).flatMap((k) => ACTIONS[k] ?? []));
  return [...new Set([...own, ...own.flatMap((a) => ALSO[a] ?? [])])].sort();
}

/** The actions no scope places: a bug (test/iam.test.ts checks there are none). */
export const unscoped = (actions: readonly string[]) =>
  actions.filter((a) => !SCOPES.some((scope) => scope.actions.includes(a)));

/**
 * The policy for the named resources and commands, scoped to the stack: each scope that covers one of their actions
 * becomes a statement with those of its actions, on the stack's objects. A scope with no object of this stack (no
 * database for the drill's scopes, no customer-managed key) is left out.
 */
export function policyFor(names: readonly string[], stack: Stack): PolicyDocument {
  const actions = new Set(actionsFor(names));
  const missing = unscoped([...actions]);
  if (missing.length) throw new Error(`no scope allows ${missing.join(", ")} (src/iam/scopes.ts)`);
  const statements: Statement[] = [];
  for (const scope of SCOPES) {
    const Action = scope.actions.filter((a) => actions.has(a)).sort();
    const resources = scope.resources(stack);
    if (Action.length === 0 || resources.length === 0) continue;
    statements.push({
      Sid: scope.sid,
      Effect: "Allow",
      Action,
      Resource: resources === "*" ? "*" : [...new Set(resources)],
      ...(scope.condition ? { Condition: scope.condition(stack) } : {}),
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** AWS's limit on a customer managed policy: its JSON, white space not counted. */
export const MANAGED_POLICY_LIMIT = 6144;

/** The policy's size as AWS counts it against MANAGED_POLICY_LIMIT. */
export const policySize = (policy: PolicyDocument) => JSON.stringify(policy).length;

/**
 * The policy as managed policies of at most MANAGED_POLICY_LIMIT characters each: itself when it fits, else its
 * statements in order, as many to a document as fit (a role takes 10 managed policies).
 */
export function asManagedPolicies(policy: PolicyDocument): PolicyDocument[] {
  const documents: PolicyDocument[] = [];
  let current: PolicyDocument = { Version: policy.Version, Statement: [] };
  for (const statement of policy.Statement) {
    const next = { ...current, Statement: [...current.Statement, statement] };
    if (current.Statement.length > 0 && policySize(next) > MANAGED_POLICY_LIMIT) {
      documents.push(current);
      current = { Version: policy.Version, Statement: [statement] };
    } else current = next;
  }
  return [...documents, current];
}

/** The statements whose resource is `*`, with why AWS requires it. */
export function wildcards(policy: PolicyDocument): { sid: string; actions: string[]; why: string }[] {
  return policy.Statement.filter((s) => s.Resource === "*").map((s) => ({
    sid: s.Sid,
    actions: s.Action,
    why: SCOPES.find((scope) => scope.sid === s.Sid)?.why ?? "",
  }));
}
