// Where each action infra needs is allowed: one statement per scope, its resources the ARNs (or ARN patterns) of the
// stack's own objects in the forms the Service Authorization Reference gives, and a condition where an ARN cannot
// be known before the object exists (a security group's id, a certificate's, a scalable target's). `*` only for
// actions AWS authorizes on no resource type (the reference lists none for them), each with why.
//
// Adding a call: its action goes in the topic lists (policy.ts) and in the scope below that covers the objects it
// touches; test/iam-evaluation.test.ts evaluates every call the AWS fake receives against the result.
import {
  arn,
  bucketArn,
  clusterArn,
  dbArn,
  ecsArn,
  hostedZoneArn,
  listenerArn,
  loadBalancerArn,
  logGroupArns,
  recordArn,
  repositoryArn,
  type Stack,
  targetGroupArn,
  webAclArn,
} from "./stack.js";

export type Condition = Record<string, Record<string, string | string[]>>;

export interface Scope {
  sid: string;
  actions: readonly string[];
  /** The stack's objects these actions may touch, or "*" (then `why` says what AWS requires). */
  resources: (s: Stack) => string[] | "*";
  condition?: (s: Stack) => Condition;
  why?: string;
}

/** Objects infra made (or adopted) for this stack: its tags say so (src/resources/common/tags.ts). */
const owned = (s: Stack): Condition => ({
  StringEquals: { "aws:ResourceTag/ManagedBy": "infra", "aws:ResourceTag/Project": s.project },
});
/** Objects made, or tags set, with the stack's tags in the request. */
const tagged = (s: Stack): Condition => ({
  StringEquals: { "aws:RequestTag/ManagedBy": "infra", "aws:RequestTag/Project": s.project },
});
const inCluster = (s: Stack): Condition => ({ ArnEquals: { "ecs:cluster": clusterArn(s) } });

const securityGroups = (s: Stack) => [arn(s, "ec2", "security-group/*"), arn(s, "ec2", "security-group-rule/*")];
const elb = (s: Stack) => [loadBalancerArn(s), targetGroupArn(s), listenerArn(s)];
const certificates = (s: Stack) => [arn(s, "acm", "certificate/*")];
const taskDefinitions = (s: Stack) => s.families.map((f) => ecsArn(s, `task-definition/${f}:*`));
const alarms = (s: Stack) => [
  arn(s, "cloudwatch", `alarm:${s.project}-*`),
  // Target tracking names the alarms it makes for the service's policies so.
  arn(s, "cloudwatch", `alarm:TargetTracking-service/${s.cluster}/${s.service}-*`),
];
const drillInstances = (s: Stack) => (s.database ? [dbArn(s, `${s.database}-drill-*`)] : []);

export const SCOPES: readonly Scope[] = [
  {
    sid: "SecurityGroupsMadeTagged",
    actions: ["ec2:CreateSecurityGroup", "ec2:CreateTags", "ec2:AuthorizeSecurityGroupIngress"],
    resources: securityGroups,
    condition: tagged,
  },
  {
    sid: "SecurityGroupsInTheVpc",
    actions: ["ec2:CreateSecurityGroup"],
    resources: (s) => [arn(s, "ec2", `vpc/${s.vpc}`)],
  },
  {
    sid: "BackendGroupIngress",
    actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
    resources: (s) => [arn(s, "ec2", `security-group/${s.backendSecurityGroup}`)],
  },
  {
    sid: "StackSecurityGroups",
    actions: [
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupIngress",
      // Only the load balancer's own group has egress infra manages.
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:DeleteSecurityGroup",
    ],
    resources: (s) => [arn(s, "ec2", "security-group/*")],
    condition: owned,
  },
  {
    sid: "LoadBalancerMadeTagged",
    actions: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
    resources: (s) => [loadBalancerArn(s), targetGroupArn(s)],
    condition: tagged,
  },
  {
    sid: "LoadBalancerByName",
    actions: [
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:SetSecurityGroups",
      "elasticloadbalancing:SetSubnets",
      "elasticloadbalancing:SetIpAddressType",
      "elasticloadbalancing:CreateWebACLAssociation",
      "elasticloadbalancing:DeleteWebACLAssociation",
      "elasticloadbalancing:GetLoadBalancerWebACL",
      "wafv2:AssociateWebACL",
      "wafv2:DisassociateWebACL",
      "wafv2:GetWebACLForResource",
    ],
    resources: elb,
  },
  {
    sid: "StackLoadBalancerDeletes",
    actions: [
      "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:DeleteTargetGroup",
    ],
    resources: elb,
    condition: owned,
  },
  {
    sid: "CertificateRequest",
    actions: ["acm:RequestCertificate"],
    resources: () => "*",
    condition: tagged,
    why: "RequestCertificate has no resource type (the certificate's id is made by the call): narrowed to requests carrying the stack's tags",
  },
  {
    sid: "CertificatesTagged",
    actions: ["acm:AddTagsToCertificate"],
    resources: certificates,
    condition: tagged,
  },
  {
    sid: "StackCertificates",
    actions: ["acm:DeleteCertificate"],
    resources: certificates,
    condition: owned,
  },
  {
    sid: "CertificateReads",
    actions: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
    resources: certificates,
  },
  {
    sid: "HostedZone",
    actions: [
      "route53:ChangeTagsForResource",
      "route53:DeleteHostedZone",
      "route53:GetHostedZone",
      "route53:ListResourceRecordSets",
      "route53:ListTagsForResource",
    ],
    resources: (s) => [hostedZoneArn(s)],
  },
  {
    sid: "StackRecords",
    actions: ["route53:ChangeResourceRecordSets"],
    resources: (s) => [hostedZoneArn(s)],
    // The API's alias records, and the certificate's validation records (`_<token>.<domain>`).
    condition: (s) => ({
      "ForAllValues:StringLike": {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": [s.apiDomain, `_*.${s.domain}`],
      },
    }),
  },
  {
    sid: "RecordChanges",
    actions: ["route53:GetChange"],
    resources: (s) => [`arn:${s.partition}:route53:::change/*`],
  },
  {
    sid: "Service",
    actions: ["ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "ecs:TagResource"],
    resources: (s) => [ecsArn(s, `service/${s.cluster}/${s.service}`)],
  },
  {
    sid: "ClusterReads",
    actions: ["ecs:DescribeServices", "ecs:DescribeTasks"],
    resources: (s) => [ecsArn(s, `service/${s.cluster}/*`), ecsArn(s, `task/${s.cluster}/*`)],
  },
  {
    sid: "TaskDefinitions",
    actions: ["ecs:RegisterTaskDefinition", "ecs:TagResource"],
    resources: taskDefinitions,
  },
  {
    sid: "OneOffTasks",
    actions: ["ecs:RunTask"],
    resources: taskDefinitions,
    condition: inCluster,
  },
  {
    sid: "OneOffTasksTagged",
    actions: ["ecs:TagResource"],
    resources: (s) => [ecsArn(s, `task/${s.cluster}/*`)],
    condition: () => ({ StringEquals: { "ecs:CreateAction": "RunTask" } }),
  },
  {
    sid: "OneOffTasksStopped",
    actions: ["ecs:StopTask"],
    resources: (s) => [ecsArn(s, `task/${s.cluster}/*`)],
    condition: inCluster,
  },
  {
    sid: "ClusterLists",
    actions: ["ecs:ListServices", "ecs:ListTasks"],
    resources: () => "*",
    condition: inCluster,
    why: "ListServices has no resource type and ListTasks names only EC2 container instances: narrowed to the cluster",
  },
  {
    sid: "PassTheTaskRoles",
    actions: ["iam:PassRole"],
    resources: (s) => (s.roles.length ? [...s.roles] : [arn(s, "iam", "role/*", "global")]),
    condition: () => ({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }),
  },
  {
    sid: "ServiceLinkedRolesOnFirstUse",
    actions: ["iam:CreateServiceLinkedRole"],
    resources: (s) => [arn(s, "iam", "role/aws-service-role/*", "global")],
    condition: () => ({
      StringEquals: {
        "iam:AWSServiceName": [
          "elasticloadbalancing.amazonaws.com",
          "ecs.amazonaws.com",
          "ecs.application-autoscaling.amazonaws.com",
        ],
      },
    }),
  },
  {
    sid: "LogGroup",
    actions: [
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:ListTagsForResource",
      "logs:PutRetentionPolicy",
      "logs:TagResource",
    ],
    resources: (s) => logGroupArns(s, s.logGroup),
  },
  {
    sid: "TaskLogs",
    actions: ["logs:GetLogEvents"],
    // The service's log group and the migration task's, by the project's prefix.
    resources: (s) => [arn(s, "logs", `log-group:/ecs/${s.project}-*:log-stream:*`)],
  },
  {
    sid: "Alarms",
    actions: [
      "cloudwatch:DeleteAlarms",
      "cloudwatch:ListTagsForResource",
      "cloudwatch:PutMetricAlarm",
      "cloudwatch:TagResource",
    ],
    resources: alarms,
  },
  {
    sid: "AlarmReads",
    actions: ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"],
    resources: (s) => [arn(s, "cloudwatch", "alarm:*")],
  },
  {
    sid: "Dashboards",
    actions: [
      "cloudwatch:DeleteDashboards",
      "cloudwatch:GetDashboard",
      "cloudwatch:ListTagsForResource",
      "cloudwatch:PutDashboard",
      "cloudwatch:TagResource",
    ],
    resources: (s) => s.dashboards.map((d) => arn(s, "cloudwatch", `dashboard/${d}`, "global")),
  },
  {
    sid: "Topics",
    actions: [
      "sns:CreateTopic",
      "sns:DeleteTopic",
      "sns:ListSubscriptionsByTopic",
      "sns:ListTagsForResource",
      "sns:Subscribe",
      "sns:TagResource",
      "sns:Unsubscribe",
    ],
    resources: (s) => s.topics.map((t) => arn(s, "sns", t)),
  },
  {
    sid: "ScalableTargets",
    actions: [
      "application-autoscaling:ListTagsForResource",
      "application-autoscaling:RegisterScalableTarget",
      "application-autoscaling:TagResource",
    ],
    // A scalable target's ARN ends in an id AWS makes; registering one also needs the service's
    // ecs:DescribeServices and ecs:UpdateService, which only the stack's service allows.
    resources: (s) => [arn(s, "application-autoscaling", "scalable-target/*")],
  },
  {
    sid: "StackScalableTargets",
    actions: [
      "application-autoscaling:DeleteScalingPolicy",
      "application-autoscaling:DeregisterScalableTarget",
      "application-autoscaling:PutScalingPolicy",
    ],
    resources: (s) => [arn(s, "application-autoscaling", "scalable-target/*")],
    condition: owned,
  },
  {
    sid: "WebAcl",
    actions: [
      "wafv2:AssociateWebACL",
      "wafv2:CreateWebACL",
      "wafv2:DeleteWebACL",
      "wafv2:GetWebACL",
      "wafv2:GetWebACLForResource",
      "wafv2:ListTagsForResource",
      "wafv2:TagResource",
      "wafv2:UpdateWebACL",
    ],
    resources: (s) => [webAclArn(s)],
  },
  {
    sid: "DatabaseReads",
    actions: ["rds:DescribeDBInstances", "rds:DescribeDBSnapshots"],
    // Listing instances (a drill finds its leftovers and a free name) is authorized on every instance.
    resources: (s) => [arn(s, "rds", "db:*"), arn(s, "rds", "snapshot:*")],
  },
  {
    sid: "DrillInstances",
    actions: [
      "rds:AddTagsToResource",
      "rds:DeleteDBInstance",
      "rds:RestoreDBInstanceFromDBSnapshot",
      "rds:RestoreDBInstanceToPointInTime",
    ],
    resources: drillInstances,
  },
  {
    sid: "DrillRestoresFrom",
    actions: ["rds:RestoreDBInstanceFromDBSnapshot", "rds:RestoreDBInstanceToPointInTime"],
    // What a restore reads or attaches to: the database's snapshots or the database itself (for a point in
    // time), and the subnet, option and parameter groups the copy goes in.
    resources: (s) =>
      s.database
        ? [
            dbArn(s, s.database),
            arn(s, "rds", `snapshot:rds:${s.database}-*`),
            arn(s, "rds", "subgrp:*"),
            arn(s, "rds", "og:*"),
            arn(s, "rds", "pg:*"),
          ]
        : [],
  },
  {
    sid: "DatabaseKey",
    actions: ["kms:CreateGrant", "kms:DescribeKey"],
    resources: (s) => (s.databaseKey ? [s.databaseKey] : []),
    condition: (s) => ({ StringEquals: { "kms:ViaService": `rds.${s.region}.amazonaws.com` } }),
  },
  {
    sid: "Image",
    actions: [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ],
    resources: (s) => [repositoryArn(s)],
  },
  {
    sid: "Secrets",
    // GetSecretValue: dr-drill --rehearse-cutover copies the database secret (in memory) to point the copy elsewhere.
    actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
    resources: (s) => [...s.secrets],
  },
  {
    sid: "DrillSecretCopies",
    actions: ["secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:TagResource"],
    resources: (s) => [...s.secretCopies],
  },
  {
    // The bucket of the stacks' records: made and set up once (`infra state init`), and listed so that a missing
    // record is 404 NoSuchKey, not 403.
    sid: "StackRecordBucket",
    actions: [
      "s3:CreateBucket",
      "s3:GetBucketPolicy",
      "s3:GetBucketPublicAccessBlock",
      "s3:GetBucketTagging",
      "s3:GetBucketVersioning",
      "s3:GetEncryptionConfiguration",
      "s3:ListBucket",
      "s3:PutBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketTagging",
      "s3:PutBucketVersioning",
      "s3:PutEncryptionConfiguration",
    ],
    resources: (s) => [bucketArn(s)],
  },
  {
    sid: "StackRecord",
    actions: ["s3:GetObject", "s3:PutObject"],
    resources: (s) => [recordArn(s)],
  },
  {
    sid: "Reads",
    actions: [
      "acm:ListCertificates",
      "application-autoscaling:DescribeScalableTargets",
      "application-autoscaling:DescribeScalingActivities",
      "application-autoscaling:DescribeScalingPolicies",
      "cloudwatch:GetMetricData",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ecs:DescribeTaskDefinition",
      "ecs:ListTaskDefinitions",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeLoadBalancerAttributes",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeTags",
      "elasticloadbalancing:DescribeTargetGroupAttributes",
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
      "logs:DescribeLogGroups",
      "rds:DescribeOrderableDBInstanceOptions",
      "route53:ListHostedZonesByName",
      "secretsmanager:ListSecrets",
      "sns:ListTopics",
      "tag:GetResources",
      "wafv2:ListWebACLs",
    ],
    resources: () => "*",
    why: "reads and lists AWS authorizes on no resource type (metrics included: GetMetricData's only type is a dataset)",
  },
  {
    sid: "WildcardOnlyWrites",
    actions: [
      "ecs:DeregisterTaskDefinition",
      "elasticloadbalancing:SetWebAcl",
      "route53:CreateHostedZone",
      "ecr:GetAuthorizationToken",
    ],
    resources: () => "*",
    why: "AWS authorizes these on no resource type: a task definition revision, the WAF's hold on a load balancer, a new hosted zone, a registry login",
  },
];
