// The least-privilege IAM policy for what infra is asked to do: the actions of every AWS call each resource and
// command makes (a test recomputes these lists from the source, and another checks every call the AWS fake receives
// in the whole test suite against them), plus what AWS authorizes beside them (actions.ts). Passing the task roles
// is limited to those two roles and to ECS tasks; service-linked roles to the services that use them.
import { ALSO, SERVICE_LINKED_ROLES } from "./actions.js";

/** The actions of the calls each resource and command makes (observe, create, update, adopt, delete, checks). */
export const ACTIONS: Readonly<Record<string, readonly string[]>> = {
  alb: [
    "acm:DescribeCertificate",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateSecurityGroup",
    "ec2:CreateTags",
    "ec2:DeleteSecurityGroup",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
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
  /** deploy and rollback (and deploy --migrate). */
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
  /** dr-drill and runbook. */
  recovery: [
    "cloudwatch:DescribeAlarms",
    "ecr:DescribeImages",
    "ecs:DeregisterTaskDefinition",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "ecs:DescribeTasks",
    "ecs:ListTaskDefinitions",
    "ecs:ListTasks",
    "ecs:RegisterTaskDefinition",
    "ecs:RunTask",
    "ecs:TagResource",
    "elasticloadbalancing:DescribeTargetHealth",
    "logs:GetLogEvents",
    "rds:AddTagsToResource",
    "rds:DeleteDBInstance",
    "rds:DescribeDBInstances",
    "rds:DescribeDBSnapshots",
    "rds:DescribeOrderableDBInstanceOptions",
    "rds:RestoreDBInstanceFromDBSnapshot",
    "rds:RestoreDBInstanceToPointInTime",
    "secretsmanager:DescribeSecret",
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
};

/** What a user names: a resource, `all`, or a command; and the catalog entries each means. */
export const TOPICS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(Object.keys(ACTIONS).map((k) => [k, [k]])),
  rollback: ["deploy"],
  "dr-drill": ["recovery"],
  runbook: ["recovery"],
  all: Object.keys(ACTIONS),
};

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: {
    Sid: string;
    Effect: "Allow";
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
  }[];
}

/** The actions the named resources and commands need, with what AWS authorizes beside them. */
export function actionsFor(names: readonly string[]): string[] {
  const own = names.flatMap((n) => (TOPICS[n] ?? []).flatMap((k) => ACTIONS[k] ?? []));
  return [...new Set([...own, ...own.flatMap((a) => ALSO[a] ?? [])])].sort();
}

/**
 * The policy; S3's actions apply to the store of the stack's record only: its bucket and object when known
 * (INFRA_STATE), else infra's own buckets (infra-state-*).
 */
export function policyFor(
  names: readonly string[],
  roles: readonly string[],
  store?: { bucket: string; key: string },
): PolicyDocument {
  const actions = actionsFor(names);
  const statements: PolicyDocument["Statement"] = [
    {
      Sid: "Infra",
      Effect: "Allow",
      Action: actions.filter((a) => !a.startsWith("iam:") && !a.startsWith("s3:")),
      Resource: "*",
    },
  ];
  if (actions.includes("iam:PassRole")) {
    statements.push({
      Sid: "PassTheTaskRoles",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: roles.length ? [...roles] : "arn:aws:iam::*:role/*",
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
  }
  if (actions.includes("iam:CreateServiceLinkedRole")) {
    statements.push({
      Sid: "ServiceLinkedRolesOnFirstUse",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: "*",
      Condition: { StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLES } },
    });
  }
  const s3 = actions.filter((a) => a.startsWith("s3:"));
  if (s3.length) {
    const bucket = `arn:aws:s3:::${store?.bucket ?? "infra-state-*"}`;
    statements.push({
      Sid: "StackRecord",
      Effect: "Allow",
      Action: s3,
      Resource: [bucket, `${bucket}/${store?.key ?? "*"}`],
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
