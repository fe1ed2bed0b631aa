// Which IAM actions an API call needs: its own (the service's prefix and the operation's name, which is how AWS
// names them for every service infra calls), and those AWS checks beside it: tagging on create, passing a role,
// the service-linked roles made on first use, and the load balancer's permission to take a web ACL.

/** The IAM prefix of each service, by the name the fake's models use for it. */
export const PREFIX: Readonly<Record<string, string>> = {
  ACM: "acm",
  ApplicationAutoScaling: "application-autoscaling",
  CloudWatch: "cloudwatch",
  CloudWatchLogs: "logs",
  EC2: "ec2",
  ECR: "ecr",
  ECS: "ecs",
  ELBv2: "elasticloadbalancing",
  RDS: "rds",
  ResourceGroupsTaggingAPI: "tag",
  Route53: "route53",
  S3: "s3",
  SNS: "sns",
  SecretsManager: "secretsmanager",
  WAFV2: "wafv2",
};

/** S3 names some actions otherwise than its operations (HeadBucket is authorized as s3:ListBucket). */
const S3_ACTIONS: Readonly<Record<string, string>> = {
  HeadBucket: "ListBucket",
  GetBucketEncryption: "GetEncryptionConfiguration",
  PutBucketEncryption: "PutEncryptionConfiguration",
  GetPublicAccessBlock: "GetBucketPublicAccessBlock",
  PutPublicAccessBlock: "PutBucketPublicAccessBlock",
};

/** The action an operation of the service with that IAM prefix needs. */
export const iamAction = (prefix: string, op: string) => `${prefix}:${(prefix === "s3" && S3_ACTIONS[op]) || op}`;

export function actionOf(service: string, op: string): string {
  const prefix = PREFIX[service];
  if (!prefix) throw new Error(`no IAM prefix for ${service}`);
  return iamAction(prefix, op);
}

/**
 * What AWS authorizes beside an action (each from the service's "actions, resources and condition keys" page of the
 * Service Authorization Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/):
 * creating with tags also needs the tagging action; registering or running a task definition passes its roles;
 * the first load balancer, ECS service and ECS scalable target of an account make their service-linked roles;
 * target tracking makes and deletes its CloudWatch alarms with the caller's permissions; associating a web ACL
 * with a load balancer needs the load balancer's SetWebAcl.
 */
export const ALSO: Readonly<Record<string, readonly string[]>> = {
  "ec2:CreateSecurityGroup": ["ec2:CreateTags"],
  "ec2:AuthorizeSecurityGroupIngress": ["ec2:CreateTags"],
  "elasticloadbalancing:CreateLoadBalancer": ["elasticloadbalancing:AddTags", "iam:CreateServiceLinkedRole"],
  "elasticloadbalancing:CreateTargetGroup": ["elasticloadbalancing:AddTags"],
  "elasticloadbalancing:CreateListener": ["elasticloadbalancing:AddTags"],
  "acm:RequestCertificate": ["acm:AddTagsToCertificate"],
  "route53:CreateHostedZone": ["route53:ChangeTagsForResource"],
  "ecs:RegisterTaskDefinition": ["ecs:TagResource", "iam:PassRole"],
  "ecs:CreateService": ["ecs:TagResource", "iam:CreateServiceLinkedRole"],
  "ecs:RunTask": ["ecs:TagResource", "iam:PassRole"],
  "logs:CreateLogGroup": ["logs:TagResource"],
  "sns:CreateTopic": ["sns:TagResource"],
  "cloudwatch:PutMetricAlarm": ["cloudwatch:TagResource"],
  "cloudwatch:PutDashboard": ["cloudwatch:TagResource"],
  "application-autoscaling:RegisterScalableTarget": [
    "application-autoscaling:TagResource",
    "iam:CreateServiceLinkedRole",
  ],
  "application-autoscaling:PutScalingPolicy": [
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:DeleteAlarms",
  ],
  "application-autoscaling:DeleteScalingPolicy": ["cloudwatch:DeleteAlarms"],
  "application-autoscaling:DeregisterScalableTarget": ["cloudwatch:DeleteAlarms"],
  "wafv2:CreateWebACL": ["wafv2:TagResource"],
  "wafv2:AssociateWebACL": ["elasticloadbalancing:SetWebAcl"],
  "wafv2:DisassociateWebACL": ["elasticloadbalancing:SetWebAcl"],
  "rds:RestoreDBInstanceFromDBSnapshot": ["rds:AddTagsToResource"],
  "rds:RestoreDBInstanceToPointInTime": ["rds:AddTagsToResource"],
  // A conditional write with If-Match also needs s3:GetObject; a GetObject of a missing key answers 404 NoSuchKey
  // (not 403) only with s3:ListBucket.
  "s3:PutObject": ["s3:GetObject"],
  "s3:GetObject": ["s3:ListBucket"],
};

/** The service-linked roles infra's calls may make on first use, by the service that asks for them. */
export const SERVICE_LINKED_ROLES = [
  "elasticloadbalancing.amazonaws.com",
  "ecs.amazonaws.com",
  "ecs.application-autoscaling.amazonaws.com",
];
