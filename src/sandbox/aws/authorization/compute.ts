// What ECS, ECR, CloudWatch Logs, Secrets Manager and Application Auto Scaling authorize for the calls the fake
// models (authorization.ts). ECS: tagging at creation is ecs:TagResource with ecs:CreateAction; starting tasks from
// a task definition, or registering one, passes its roles (iam:PassRole, to ecs-tasks.amazonaws.com); the first
// service makes ECS's service-linked role ("Amazon ECS identity-based policy examples", "Tagging your resources").
// Application Auto Scaling: registering an ECS service as a scalable target also needs the service's
// ecs:DescribeServices and ecs:UpdateService, and target tracking makes and deletes its CloudWatch alarms with the
// caller's permissions ("Identity-based policies for Application Auto Scaling", "Permissions for target tracking").
import { type Authorization, type Authorize, NEW_ID, on, requestTags, unscoped, type Where } from "./authorization.js";

const ECS = (op: string) => `ecs:${op}`;
const name = (ref: string | undefined) => (ref ?? "").split("/").at(-1) ?? "";
const clusterName = (ref: string | undefined) => name(ref ?? "default");
const clusterArn = (at: Where, ref: string | undefined) => at.arn("ecs", `cluster/${clusterName(ref)}`);
const inCluster = (at: Where, ref: string | undefined) => ({ "ecs:cluster": clusterArn(at, ref) });
const serviceArn = (at: Where, cluster: string | undefined, service: string) =>
  at.arn("ecs", `service/${clusterName(cluster)}/${name(service)}`);
const onExisting = (action: string, arn: string, at: Where, extra = {}) =>
  on(action, arn, { ...at.resourceTags(arn), ...extra });

/** Passing the roles a task definition names to the tasks ECS starts from it. */
function passRoles(roles: (string | undefined)[]): Authorization[] {
  return [...new Set(roles.filter((r): r is string => Boolean(r)))].map((role) =>
    on("iam:PassRole", role, { "iam:PassedToService": "ecs-tasks.amazonaws.com" }),
  );
}

function rolesOf(at: Where, taskDefinition: string | undefined) {
  const td = taskDefinition ? at.fake.ecs.definitions.find(taskDefinition) : undefined;
  return [td?.executionRoleArn, td?.taskRoleArn];
}

const taskDefinitionArn = (at: Where, ref: string) => {
  const td = at.fake.ecs.definitions.find(ref);
  return td?.arn ?? at.arn("ecs", `task-definition/${ref.includes(":") ? name(ref) : `${ref}:1`}`);
};

/** Tags given to a create, as ecs:TagResource on the new object with the create named. */
const tagOnCreate = (arn: string, tags: unknown[] | undefined, action: string): Authorization[] =>
  tags?.length ? [on(ECS("TagResource"), arn, { ...requestTags(tags as []), "ecs:CreateAction": action })] : [];

export const ECS_AUTHORIZATION: Record<string, Authorize> = {
  DescribeTaskDefinition: unscoped(ECS("DescribeTaskDefinition")),
  ListTaskDefinitions: unscoped(ECS("ListTaskDefinitions")),
  DeregisterTaskDefinition: unscoped(ECS("DeregisterTaskDefinition")),
  DescribeClusters: (i, at) =>
    (i.clusters ?? ["default"]).map((c: string) => on(ECS("DescribeClusters"), clusterArn(at, c))),
  ListServices: (i, at) => [on(ECS("ListServices"), "*", inCluster(at, i.cluster))],
  // The reference names only EC2 container instances for ListTasks: on Fargate it names no resource.
  ListTasks: (i, at) => [on(ECS("ListTasks"), "*", inCluster(at, i.cluster))],
  DescribeServices: (i, at) =>
    (i.services ?? []).map((s: string) =>
      onExisting(ECS("DescribeServices"), serviceArn(at, i.cluster, s), at, inCluster(at, i.cluster)),
    ),
  DescribeTasks: (i, at) =>
    (i.tasks ?? []).map((t: string) =>
      on(ECS("DescribeTasks"), at.arn("ecs", `task/${clusterName(i.cluster)}/${name(t)}`), inCluster(at, i.cluster)),
    ),
  RegisterTaskDefinition: (i, at) => {
    const next = (at.fake.ecs.definitions.all.filter((t) => t.family === i.family).at(-1)?.revision ?? 0) + 1;
    const arn = at.arn("ecs", `task-definition/${i.family}:${next}`);
    return [
      on(ECS("RegisterTaskDefinition"), arn, requestTags(i.tags)),
      ...tagOnCreate(arn, i.tags, "RegisterTaskDefinition"),
      ...passRoles([i.executionRoleArn, i.taskRoleArn]),
    ];
  },
  CreateService: (i, at) => {
    const arn = serviceArn(at, i.cluster, i.serviceName);
    return [
      on(ECS("CreateService"), arn, {
        ...requestTags(i.tags),
        ...inCluster(at, i.cluster),
        "ecs:task-definition": taskDefinitionArn(at, i.taskDefinition ?? ""),
      }),
      ...tagOnCreate(arn, i.tags, "CreateService"),
      ...passRoles(rolesOf(at, i.taskDefinition)),
      on(
        "iam:CreateServiceLinkedRole",
        `arn:aws:iam::${at.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
        {
          "iam:AWSServiceName": "ecs.amazonaws.com",
        },
      ),
    ];
  },
  UpdateService: (i, at) => [
    onExisting(ECS("UpdateService"), serviceArn(at, i.cluster, i.service), at, {
      ...inCluster(at, i.cluster),
      ...(i.taskDefinition ? { "ecs:task-definition": taskDefinitionArn(at, i.taskDefinition) } : {}),
    }),
    ...passRoles(rolesOf(at, i.taskDefinition)),
  ],
  DeleteService: (i, at) => [
    onExisting(ECS("DeleteService"), serviceArn(at, i.cluster, i.service), at, inCluster(at, i.cluster)),
  ],
  RunTask: (i, at) => {
    const overrides = i.overrides ?? {};
    return [
      onExisting(ECS("RunTask"), taskDefinitionArn(at, i.taskDefinition), at, {
        ...requestTags(i.tags),
        ...inCluster(at, i.cluster),
      }),
      ...tagOnCreate(at.arn("ecs", `task/${clusterName(i.cluster)}/${NEW_ID}`), i.tags, "RunTask"),
      ...passRoles([...rolesOf(at, i.taskDefinition), overrides.executionRoleArn, overrides.taskRoleArn]),
    ];
  },
  StopTask: (i, at) => {
    const task = String(i.task).startsWith("arn:") ? i.task : at.arn("ecs", `task/${clusterName(i.cluster)}/${i.task}`);
    return [onExisting(ECS("StopTask"), task, at, inCluster(at, i.cluster))];
  },
  TagResource: (i, at) => [onExisting(ECS("TagResource"), i.resourceArn, at, requestTags(i.tags))],
  UntagResource: (i, at) => [onExisting(ECS("UntagResource"), i.resourceArn, at)],
  ListTagsForResource: (i, at) => [onExisting(ECS("ListTagsForResource"), i.resourceArn, at)],
};

export const ECR_AUTHORIZATION: Record<string, Authorize> = {
  DescribeImages: (i, at) => [
    on("ecr:DescribeImages", `arn:aws:ecr:${at.region}:${i.registryId ?? at.account}:repository/${i.repositoryName}`),
  ],
};

/** A secret named without its ARN is authorized on its ARN (the name and a six-character suffix). */
const secretArn = (at: Where, id: string) =>
  at.fake.secrets.find(id)?.arn ?? (id.startsWith("arn:") ? id : at.arn("secretsmanager", `secret:${id}-AbCdEf`));

export const SECRETS_AUTHORIZATION: Record<string, Authorize> = {
  DescribeSecret: (i, at) => [on("secretsmanager:DescribeSecret", secretArn(at, i.SecretId))],
  GetSecretValue: (i, at) => [onExisting("secretsmanager:GetSecretValue", secretArn(at, i.SecretId), at)],
  // A new secret's ARN ends in six characters AWS picks; tags given at creation need secretsmanager:TagResource.
  CreateSecret: (i, at) => {
    const arn = at.arn("secretsmanager", `secret:${i.Name}-${NEW_ID.slice(0, 6)}`);
    const context = requestTags(i.Tags);
    return [
      on("secretsmanager:CreateSecret", arn, context),
      ...(i.Tags?.length ? [on("secretsmanager:TagResource", arn, context)] : []),
    ];
  },
  DeleteSecret: (i, at) => [onExisting("secretsmanager:DeleteSecret", secretArn(at, i.SecretId), at)],
  ListSecrets: unscoped("secretsmanager:ListSecrets"),
};

const logGroup = (at: Where, group: string) => at.arn("logs", `log-group:${group}`);

export const LOGS_AUTHORIZATION: Record<string, Authorize> = {
  DescribeLogGroups: unscoped("logs:DescribeLogGroups"),
  CreateLogGroup: (i, at) => {
    const arn = logGroup(at, i.logGroupName);
    const context = requestTags(i.tags);
    return [on("logs:CreateLogGroup", arn, context), ...(i.tags ? [on("logs:TagResource", arn, context)] : [])];
  },
  PutRetentionPolicy: (i, at) => [onExisting("logs:PutRetentionPolicy", logGroup(at, i.logGroupName), at)],
  DeleteRetentionPolicy: (i, at) => [onExisting("logs:DeleteRetentionPolicy", logGroup(at, i.logGroupName), at)],
  DeleteLogGroup: (i, at) => [onExisting("logs:DeleteLogGroup", logGroup(at, i.logGroupName), at)],
  TagResource: (i, at) => [onExisting("logs:TagResource", i.resourceArn, at, requestTags(i.tags))],
  UntagResource: (i, at) => [onExisting("logs:UntagResource", i.resourceArn, at)],
  ListTagsForResource: (i, at) => [onExisting("logs:ListTagsForResource", i.resourceArn, at)],
  ListTagsLogGroup: (i, at) => [onExisting("logs:ListTagsLogGroup", logGroup(at, i.logGroupName), at)],
  GetLogEvents: (i, at) => [
    on("logs:GetLogEvents", at.arn("logs", `log-group:${i.logGroupName}:log-stream:${i.logStreamName}`)),
  ],
};

const AAS = (op: string) => `application-autoscaling:${op}`;

/** A scalable target's ARN (AWS makes its id), found by its resource id when it exists. */
function targetArn(at: Where, resourceId: string | undefined): string {
  const found = at.fake.autoscaling.targets.get(resourceId ?? "")?.ScalableTargetARN;
  return found ?? at.arn("application-autoscaling", `scalable-target/${NEW_ID}`);
}

const dimensions = (i: { ServiceNamespace?: string; ScalableDimension?: string }) => ({
  "application-autoscaling:service-namespace": i.ServiceNamespace ?? "",
  "application-autoscaling:scalable-dimension": i.ScalableDimension ?? "",
});

/** The alarms target tracking makes for a policy, and deletes with it, by the names AWS gives them. */
const trackingAlarms = (at: Where, resourceId: string | undefined, actions: string[]) =>
  ["AlarmHigh", "AlarmLow"].flatMap((kind) =>
    actions.map((action) =>
      on(`cloudwatch:${action}`, at.arn("cloudwatch", `alarm:TargetTracking-${resourceId}-${kind}-${NEW_ID}`)),
    ),
  );

export const AUTOSCALING_AUTHORIZATION: Record<string, Authorize> = {
  DescribeScalableTargets: unscoped(AAS("DescribeScalableTargets")),
  DescribeScalingPolicies: unscoped(AAS("DescribeScalingPolicies")),
  DescribeScalingActivities: unscoped(AAS("DescribeScalingActivities")),
  RegisterScalableTarget: (i, at) => {
    const arn = targetArn(at, i.ResourceId);
    const context = requestTags(i.Tags);
    const [, cluster, service] = String(i.ResourceId).split("/");
    const ecsService = at.arn("ecs", `service/${cluster}/${service}`);
    return [
      onExisting(AAS("RegisterScalableTarget"), arn, at, { ...context, ...dimensions(i) }),
      ...(i.Tags && Object.keys(i.Tags).length ? [on(AAS("TagResource"), arn, context)] : []),
      onExisting(ECS("DescribeServices"), ecsService, at, { "ecs:cluster": at.arn("ecs", `cluster/${cluster}`) }),
      onExisting(ECS("UpdateService"), ecsService, at, { "ecs:cluster": at.arn("ecs", `cluster/${cluster}`) }),
      on(
        "iam:CreateServiceLinkedRole",
        `arn:aws:iam::${at.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
        { "iam:AWSServiceName": "ecs.application-autoscaling.amazonaws.com" },
      ),
    ];
  },
  DeregisterScalableTarget: (i, at) => [
    onExisting(AAS("DeregisterScalableTarget"), targetArn(at, i.ResourceId), at, dimensions(i)),
    ...trackingAlarms(at, i.ResourceId, ["DeleteAlarms"]),
  ],
  PutScalingPolicy: (i, at) => [
    onExisting(AAS("PutScalingPolicy"), targetArn(at, i.ResourceId), at, dimensions(i)),
    ...(i.PolicyType === "TargetTrackingScaling"
      ? trackingAlarms(at, i.ResourceId, ["PutMetricAlarm", "DescribeAlarms", "DeleteAlarms"])
      : []),
  ],
  DeleteScalingPolicy: (i, at) => [
    onExisting(AAS("DeleteScalingPolicy"), targetArn(at, i.ResourceId), at, dimensions(i)),
    ...trackingAlarms(at, i.ResourceId, ["DeleteAlarms"]),
  ],
  TagResource: (i, at) => [onExisting(AAS("TagResource"), i.ResourceARN, at, requestTags(i.Tags))],
  UntagResource: (i, at) => [onExisting(AAS("UntagResource"), i.ResourceARN, at)],
  ListTagsForResource: (i, at) => [onExisting(AAS("ListTagsForResource"), i.ResourceARN, at)],
};
