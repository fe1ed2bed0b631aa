// What of `monitoring` exists: the alerts topic (by SNS_TOPIC_ARN, then by name) with its subscriptions, every
// alarm name monitoring may own (so an alarm no longer wanted is found and deleted), and the dashboard (by the name
// SERVICE_DASHBOARD_NAME recorded, then by CLOUDWATCH_DASHBOARD_NAME). Also what an earlier version of infra made
// beside the scripts' (a second topic, two more RDS alarms): found to be deleted. Each described in the fields the
// desired state uses.
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import {
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  ListTagsForResourceCommand as ListTopicTagsCommand,
  type SNSClient,
  type Subscription,
} from "@aws-sdk/client-sns";
import type { Context } from "../../core/context.js";
import { awsStep, isAwsError } from "../../core/errors.js";
import { optional } from "../../core/unsupported.js";
import type { ObservedObject } from "../../state/model.js";
import { isManaged, otherStack, type Tag } from "../common/tags.js";
import { allAlarmNames } from "./alarms.js";
import { alarmKey, type MonitoringConfig } from "./config.js";
import { dashboardFields } from "./dashboard.js";
import { alarmFields } from "./inputs.js";

export interface TopicRaw {
  subscriptions: Subscription[];
}

export async function observeMonitoring(ctx: Context, c: MonitoringConfig): Promise<Map<string, ObservedObject>> {
  const [sns, cw] = await Promise.all([ctx.aws.sns(), ctx.aws.cloudwatch()]);
  const recordedTopic = ctx.env.get("SNS_TOPIC_ARN");
  const recordedDashboard = ctx.env.get("SERVICE_DASHBOARD_NAME");
  const [topics, alarms, dashboard] = await Promise.all([
    awsStep("list topics", c.topicName, () => listTopics(sns)),
    awsStep("read alarms", c.project, () => alarmsNamed(cw, allAlarmNames(c.project))),
    awsStep("read dashboard", c.dashboardName, () => findDashboard(cw, c.dashboardName, recordedDashboard)),
  ]);
  const byName = (name: string) => topics.find((arn) => arn.split(":").at(-1) === name);
  const topicArn = recordedTopic && topics.includes(recordedTopic) ? recordedTopic : byName(c.topicName);
  const legacyTopicArn = [c.legacyTopic.arn, byName(c.legacyTopic.name)].find(
    (arn) => arn !== undefined && arn !== topicArn && topics.includes(arn),
  );

  const found = new Map<string, ObservedObject>();
  if (topicArn) found.set("topic", await describeTopic(sns, c, "topic", topicArn));
  for (const alarm of alarms) {
    const tags = await awsStep("read alarm tags", alarm.AlarmName ?? "", () => cwTags(cw, alarm.AlarmArn ?? ""));
    found.set(alarmKey(alarm.AlarmName as string), describeAlarm(alarm, isManaged(tags)));
  }
  if (dashboard) {
    // One recorded by infra is ours, tags or not (an earlier version made dashboards without tags).
    const recorded = dashboard.name === recordedDashboard;
    const tags = recorded
      ? []
      : await awsStep("read dashboard tags", dashboard.name, () => dashboardTags(ctx, cw, dashboard.arn));
    // The default name is the earlier scripts' one dashboard: a second stack in the account finds the first's there.
    const stack = otherStack(tags, c.project);
    const observed = describeDashboard(dashboard, recorded || (tags !== undefined && isManaged(tags) && !stack));
    found.set("dashboard", stack ? { ...observed, stack, leave: `it is infra stack ${stack}'s` } : observed);
  }
  // Last, so destroy (which goes backwards) removes it first.
  if (legacyTopicArn) {
    const legacy = await describeTopic(sns, c, "legacy-topic", legacyTopicArn);
    if (legacy.managed) found.set("legacy-topic", legacy);
  }
  return found;
}

async function describeTopic(sns: SNSClient, c: MonitoringConfig, key: string, arn: string): Promise<ObservedObject> {
  const name = arn.split(":").at(-1) ?? arn;
  const [tags, subscriptions] = await Promise.all([
    awsStep("read topic tags", name, async () => (await sns.send(new ListTopicTagsCommand({ ResourceArn: arn }))).Tags),
    awsStep("list subscriptions", name, () => subscriptionsOf(sns, arn)),
  ]);
  const emails = subscriptions.filter((s) => s.Protocol === "email").map((s) => s.Endpoint ?? "");
  // The address ALARM_EMAIL names, if it is subscribed (confirmed or not); otherwise who is.
  const email = c.email && emails.includes(c.email) ? c.email : emails.length ? emails.sort().join(", ") : undefined;
  const raw: TopicRaw = { subscriptions };
  return { key, kind: "topic", name, id: arn, fields: { "email subscription": email }, managed: isManaged(tags), raw };
}

export function describeAlarm(a: MetricAlarm, managed: boolean): ObservedObject {
  return {
    key: alarmKey(a.AlarmName as string),
    kind: "alarm",
    name: a.AlarmName as string,
    id: a.AlarmArn as string,
    fields: alarmFields(a),
    managed,
    raw: a,
  };
}

interface Dashboard {
  name: string;
  arn: string;
  body: string;
}

function describeDashboard(d: Dashboard, managed: boolean): ObservedObject {
  const fields = { name: d.name, ...dashboardFields(d.body) };
  return { key: "dashboard", kind: "dashboard", name: d.name, id: d.arn, fields, managed, raw: d };
}

async function listTopics(sns: SNSClient): Promise<string[]> {
  const arns: string[] = [];
  let NextToken: string | undefined;
  do {
    const out = await sns.send(new ListTopicsCommand({ NextToken }));
    arns.push(...(out.Topics ?? []).map((t) => t.TopicArn ?? "").filter(Boolean));
    NextToken = out.NextToken;
  } while (NextToken);
  return arns;
}

async function subscriptionsOf(sns: SNSClient, topicArn: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let NextToken: string | undefined;
  do {
    const out = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    all.push(...(out.Subscriptions ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return all;
}

/** Names DescribeAlarms does not know are simply left out of its answer. */
async function alarmsNamed(cw: CloudWatchClient, names: string[]): Promise<MetricAlarm[]> {
  const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: names, MaxRecords: 100 }));
  return out.MetricAlarms ?? [];
}

/** The tags of a CloudWatch alarm or dashboard; one deleted meanwhile has none. */
export async function cwTags(cw: CloudWatchClient, arn: string): Promise<Tag[]> {
  try {
    return ((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags ?? []) as Tag[];
  } catch (err) {
    if (isAwsError(err, "ResourceNotFoundException", "ResourceNotFound")) return [];
    throw err;
  }
}

/**
 * A dashboard's tags, or undefined on an endpoint that cannot read them: then the dashboard SERVICE_DASHBOARD_NAME
 * records is ours, and another is adopted.
 */
export function dashboardTags(ctx: Context, cw: CloudWatchClient, arn: string): Promise<Tag[] | undefined> {
  return optional(
    ctx,
    {
      resource: "monitoring",
      operation: "cloudwatch ListTagsForResource (dashboards)",
      without: "the dashboard SERVICE_DASHBOARD_NAME records counts as this stack's",
    },
    () => cwTags(cw, arn),
  );
}

async function findDashboard(cw: CloudWatchClient, name: string, recorded: string | undefined) {
  return (recorded ? await getDashboard(cw, recorded) : undefined) ?? (await getDashboard(cw, name));
}

async function getDashboard(cw: CloudWatchClient, name: string): Promise<Dashboard | undefined> {
  try {
    const out = await cw.send(new GetDashboardCommand({ DashboardName: name }));
    return { name, arn: out.DashboardArn ?? "", body: out.DashboardBody ?? "" };
  } catch (err) {
    // The SDK resolves the wire code ResourceNotFound to its ResourceNotFound class; older ones named it otherwise.
    if (isAwsError(err, "ResourceNotFound", "DashboardNotFoundError")) return undefined;
    throw err;
  }
}
