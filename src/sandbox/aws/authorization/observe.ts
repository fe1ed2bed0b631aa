// What CloudWatch, SNS, RDS and the tagging API authorize for the calls the fake models (authorization.ts). RDS: a
// restore is authorized on the new instance and on what it reads or goes in (the snapshot, or for a point in time
// the source instance; the subnet, option and parameter groups), and a source encrypted with a customer-managed
// key needs kms:CreateGrant and kms:DescribeKey through RDS ("Amazon RDS identity-based policies", "Restoring",
// "Key management").
import { type Authorization, type Authorize, on, requestTags, unscoped, type Where } from "./authorization.js";

const CW = (op: string) => `cloudwatch:${op}`;
const onExisting = (action: string, arn: string, at: Where, extra = {}) =>
  on(action, arn, { ...at.resourceTags(arn), ...extra });
const alarm = (at: Where, name: string) => at.arn("cloudwatch", `alarm:${name}`);
const dashboard = (at: Where, name: string) => `arn:aws:cloudwatch::${at.account}:dashboard/${name}`;

export const CLOUDWATCH_AUTHORIZATION: Record<string, Authorize> = {
  GetMetricData: unscoped(CW("GetMetricData")),
  ListDashboards: unscoped(CW("ListDashboards")),
  PutMetricAlarm: (i, at) => {
    const arn = alarm(at, i.AlarmName);
    const context = requestTags(i.Tags);
    return [on(CW("PutMetricAlarm"), arn, context), ...(i.Tags?.length ? [on(CW("TagResource"), arn, context)] : [])];
  },
  // Alarms named, or every alarm (a listing by prefix or state names none).
  DescribeAlarms: (i, at) =>
    i.AlarmNames?.length
      ? i.AlarmNames.map((n: string) => on(CW("DescribeAlarms"), alarm(at, n)))
      : [on(CW("DescribeAlarms"), alarm(at, "*"))],
  DescribeAlarmHistory: (i, at) => [on(CW("DescribeAlarmHistory"), alarm(at, i.AlarmName ?? "*"))],
  DeleteAlarms: (i, at) => (i.AlarmNames ?? []).map((n: string) => onExisting(CW("DeleteAlarms"), alarm(at, n), at)),
  SetAlarmState: (i, at) => [onExisting(CW("SetAlarmState"), alarm(at, i.AlarmName), at)],
  TagResource: (i, at) => [onExisting(CW("TagResource"), i.ResourceARN, at, requestTags(i.Tags))],
  UntagResource: (i, at) => [onExisting(CW("UntagResource"), i.ResourceARN, at)],
  ListTagsForResource: (i, at) => [onExisting(CW("ListTagsForResource"), i.ResourceARN, at)],
  PutDashboard: (i, at) => [on(CW("PutDashboard"), dashboard(at, i.DashboardName))],
  GetDashboard: (i, at) => [onExisting(CW("GetDashboard"), dashboard(at, i.DashboardName), at)],
  DeleteDashboards: (i, at) =>
    (i.DashboardNames ?? []).map((n: string) => onExisting(CW("DeleteDashboards"), dashboard(at, n), at)),
};

const SNS = (op: string) => `sns:${op}`;
const onTopic =
  (op: string): Authorize =>
  (i, at) => [onExisting(SNS(op), i.TopicArn, at)];
/** A subscription's ARN is its topic's, and an id. */
const topicOf = (subscription: string) => subscription.split(":").slice(0, 6).join(":");

export const SNS_AUTHORIZATION: Record<string, Authorize> = {
  ListTopics: unscoped(SNS("ListTopics")),
  ListSubscriptions: unscoped(SNS("ListSubscriptions")),
  CreateTopic: (i, at) => {
    const arn = at.arn("sns", i.Name);
    const context = requestTags(i.Tags);
    return [on(SNS("CreateTopic"), arn, context), ...(i.Tags?.length ? [on(SNS("TagResource"), arn, context)] : [])];
  },
  GetTopicAttributes: onTopic("GetTopicAttributes"),
  SetTopicAttributes: onTopic("SetTopicAttributes"),
  DeleteTopic: onTopic("DeleteTopic"),
  ListSubscriptionsByTopic: onTopic("ListSubscriptionsByTopic"),
  Subscribe: (i, at) => [
    onExisting(SNS("Subscribe"), i.TopicArn, at, {
      "sns:Protocol": i.Protocol ?? "",
      "sns:Endpoint": i.Endpoint ?? "",
    }),
  ],
  Unsubscribe: (i, at) => [onExisting(SNS("Unsubscribe"), topicOf(i.SubscriptionArn ?? ""), at)],
  GetSubscriptionAttributes: (i, at) => [
    onExisting(SNS("GetSubscriptionAttributes"), topicOf(i.SubscriptionArn ?? ""), at),
  ],
  TagResource: (i, at) => [onExisting(SNS("TagResource"), i.ResourceArn, at, requestTags(i.Tags))],
  UntagResource: (i, at) => [onExisting(SNS("UntagResource"), i.ResourceArn, at)],
  ListTagsForResource: (i, at) => [onExisting(SNS("ListTagsForResource"), i.ResourceArn, at)],
};

const RDS = (op: string) => `rds:${op}`;
const db = (at: Where, id: string) => at.arn("rds", `db:${String(id).toLowerCase()}`);

/** What a restore of `source` into `target` is authorized on, beside the new instance. */
function restoreFrom(at: Where, op: string, target: string, sourceId: string | undefined, i: Record<string, unknown>) {
  const source = sourceId ? at.fake.rds.instances.get(sourceId.toLowerCase()) : undefined;
  const engine = source ? `${source.engine}${source.engineVersion.split(".")[0]}` : "postgres";
  const context = requestTags(i.Tags as []);
  const key = source?.kmsKeyId;
  const viaRds = { "kms:ViaService": `rds.${at.region}.amazonaws.com` };
  return [
    on(RDS(op), db(at, target), context),
    on(RDS(op), at.arn("rds", `subgrp:${(i.DBSubnetGroupName as string | undefined) ?? "default"}`)),
    on(RDS(op), at.arn("rds", `og:default:${engine}`)),
    on(RDS(op), at.arn("rds", `pg:default.${engine}`)),
    // Tags given to a create are added with the caller's AddTagsToResource.
    ...((i.Tags as [] | undefined)?.length ? [on(RDS("AddTagsToResource"), db(at, target), context)] : []),
    ...(key ? [on("kms:CreateGrant", key, viaRds), on("kms:DescribeKey", key, viaRds)] : []),
  ] as Authorization[];
}

export const RDS_AUTHORIZATION: Record<string, Authorize> = {
  DescribeOrderableDBInstanceOptions: unscoped(RDS("DescribeOrderableDBInstanceOptions")),
  DescribeDBInstances: (i, at) => [
    on(RDS("DescribeDBInstances"), i.DBInstanceIdentifier ? db(at, i.DBInstanceIdentifier) : "*"),
  ],
  DescribeDBSnapshots: (i, at) => [
    on(
      RDS("DescribeDBSnapshots"),
      i.DBSnapshotIdentifier
        ? at.arn("rds", `snapshot:${i.DBSnapshotIdentifier}`)
        : i.DBInstanceIdentifier
          ? db(at, i.DBInstanceIdentifier)
          : "*",
    ),
  ],
  RestoreDBInstanceFromDBSnapshot: (i, at) => {
    const snapshot = at.fake.rds.snapshots.find((s) => s.id === i.DBSnapshotIdentifier);
    return [
      ...restoreFrom(at, "RestoreDBInstanceFromDBSnapshot", i.DBInstanceIdentifier, snapshot?.instanceId, i),
      on(RDS("RestoreDBInstanceFromDBSnapshot"), at.arn("rds", `snapshot:${i.DBSnapshotIdentifier}`)),
    ];
  },
  RestoreDBInstanceToPointInTime: (i, at) => [
    ...restoreFrom(at, "RestoreDBInstanceToPointInTime", i.TargetDBInstanceIdentifier, i.SourceDBInstanceIdentifier, i),
    on(RDS("RestoreDBInstanceToPointInTime"), db(at, i.SourceDBInstanceIdentifier)),
  ],
  DeleteDBInstance: (i, at) => [onExisting(RDS("DeleteDBInstance"), db(at, i.DBInstanceIdentifier), at)],
  AddTagsToResource: (i, at) => [onExisting(RDS("AddTagsToResource"), i.ResourceName, at, requestTags(i.Tags))],
  ListTagsForResource: (i, at) => [onExisting(RDS("ListTagsForResource"), i.ResourceName, at)],
};

export const TAGGING_AUTHORIZATION: Record<string, Authorize> = {
  GetResources: unscoped("tag:GetResources"),
};
