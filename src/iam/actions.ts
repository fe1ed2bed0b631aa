// Which IAM actions an API call needs beside its own (the service's prefix and the operation's name, which is how
// AWS names them for every service infra calls): tagging on create, passing a role, the service-linked roles made on
// first use, the load balancer's side of a web ACL association, the database key a restore uses, the read a
// conditional write of the stack's record makes.

/**
 * What AWS authorizes beside an action (each from the service's "actions, resources and condition keys" page of the
 * Service Authorization Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/, and the
 * service's guide): creating with tags also needs the tagging action; registering a task definition, or starting
 * tasks from one, passes its roles; the first load balancer, ECS service and ECS scalable target of an account make
 * their service-linked roles; registering an ECS scalable target needs the service's DescribeServices and
 * UpdateService; target tracking makes and deletes its CloudWatch alarms with the caller's permissions; associating
 * a web ACL with a load balancer needs the load balancer's side of it; restoring a database encrypted with a
 * customer-managed key grants RDS the key.
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
  "ecs:CreateService": ["ecs:TagResource", "iam:CreateServiceLinkedRole", "iam:PassRole"],
  "ecs:UpdateService": ["iam:PassRole"],
  "ecs:RunTask": ["ecs:TagResource", "iam:PassRole"],
  "logs:CreateLogGroup": ["logs:TagResource"],
  "sns:CreateTopic": ["sns:TagResource"],
  "cloudwatch:PutMetricAlarm": ["cloudwatch:TagResource"],
  "cloudwatch:PutDashboard": ["cloudwatch:TagResource"],
  "application-autoscaling:RegisterScalableTarget": [
    "application-autoscaling:TagResource",
    "iam:CreateServiceLinkedRole",
    "ecs:DescribeServices",
    "ecs:UpdateService",
  ],
  "application-autoscaling:PutScalingPolicy": [
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:DeleteAlarms",
  ],
  "application-autoscaling:DeleteScalingPolicy": ["cloudwatch:DeleteAlarms"],
  "application-autoscaling:DeregisterScalableTarget": ["cloudwatch:DeleteAlarms"],
  "wafv2:CreateWebACL": ["wafv2:TagResource"],
  "wafv2:AssociateWebACL": ["elasticloadbalancing:SetWebAcl", "elasticloadbalancing:CreateWebACLAssociation"],
  "wafv2:DisassociateWebACL": ["elasticloadbalancing:SetWebAcl", "elasticloadbalancing:DeleteWebACLAssociation"],
  "wafv2:GetWebACLForResource": ["elasticloadbalancing:GetLoadBalancerWebACL"],
  "rds:RestoreDBInstanceFromDBSnapshot": ["rds:AddTagsToResource", "kms:CreateGrant", "kms:DescribeKey"],
  "rds:RestoreDBInstanceToPointInTime": ["rds:AddTagsToResource", "kms:CreateGrant", "kms:DescribeKey"],
  "secretsmanager:CreateSecret": ["secretsmanager:TagResource"],
  // A conditional write with If-Match also needs s3:GetObject; a GetObject of a missing key answers 404 NoSuchKey
  // (not 403) only with s3:ListBucket on the bucket.
  "s3:PutObject": ["s3:GetObject"],
  "s3:GetObject": ["s3:ListBucket"],
};
