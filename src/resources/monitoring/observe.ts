// What of `monitoring` exists: the alerts topic (by SNS_TOPIC_ARN, then by name: lookups.ts) with its subscriptions, every
// alarm name monitoring may own (so an alarm no longer wanted is found and deleted), and the dashboard (by the name
// SERVICE_DASHBOARD_NAME recorded, then by CLOUDWATCH_DASHBOARD_NAME). Also what an earlier version of infra made
// beside the scripts' (a second topic, two more RDS alarms): found to be deleted. Each described in the fields the
// desired state uses, and whose each is by its tags (ownership.ts).
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import type { Subscription } from "@aws-sdk/client-sns";
import type { Context } from "../../core/context.js";
import { awsStep, isAwsError } from "../../core/errors.js";
import { optional } from "../../core/unsupported.js";
import type { ObservedObject } from "../../state/model.js";
import { isManaged, otherStack, type Tag } from "../common/tags.js";
import { alarmSpecs, allAlarmNames } from "./alarms.js";
import { alarmKey, type MonitoringConfig } from "./config.js";
import { dashboardFields } from "./dashboard.js";
import { alarmFields } from "./inputs.js";
import { type FoundTopic, findTopics, topicTags } from "./lookups.js";
import { ownedByInfra } from "./ownership.js";

export interface TopicRaw {
  subscriptions: Subscription[];
}

export async function observeMonitoring(ctx: Context, c: MonitoringConfig): Promise<Map<string, ObservedObject>> {
  const [sns, cw] = await Promise.all([ctx.aws.sns(), ctx.aws.cloudwatch()]);
  const recordedDashboard = ctx.env.get("SERVICE_DASHBOARD_NAME");
  const [topics, alarms, dashboard] = await Promise.all([
    findTopics(ctx, sns, c),
    awsStep("read alarms", c.project, () => alarmsNamed(cw, allAlarmNames(c.project))),
    awsStep("read dashboard", c.dashboardName, () => findDashboard(cw, c.dashboardName, recordedDashboard)),
  ]);
  const wanted = new Set(alarmSpecs(c).map((a) => a.name));
  const { topic, legacy } = topics;
  const ours = await ownedByInfra(ctx, [
    ...[topic, legacy].flatMap((t) =>
      t
        ? [{ arn: t.arn, name: nameOf(t.arn), deletable: c.destroying || t === legacy, tags: topicTags(sns, t.arn) }]
        : [],
    ),
    ...alarms.map((a) => ({
      arn: a.AlarmArn ?? "",
      name: a.AlarmName ?? "",
      deletable: c.destroying || !wanted.has(a.AlarmName ?? ""),
      tags: () => cwTags(cw, a.AlarmArn ?? ""),
    })),
  ]);

  const found = new Map<string, ObservedObject>();
  if (topic) found.set("topic", describeTopic(c, "topic", topic, ours.has(topic.arn)));
  for (const alarm of alarms)
    found.set(alarmKey(alarm.AlarmName as string), describeAlarm(alarm, ours.has(alarm.AlarmArn ?? "")));
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
  // Last, so destroy (which goes backwards) removes it first; only one an earlier version of infra made.
  if (legacy && ours.has(legacy.arn)) found.set("legacy-topic", describeTopic(c, "legacy-topic", legacy, true));
  return found;
}

const nameOf = (arn: string) => arn.split(":").at(-1) ?? arn;

function describeTopic(c: MonitoringConfig, key: string, topic: FoundTopic, managed: boolean): ObservedObject {
  const { arn, subscriptions } = topic;
  const emails = subscriptions.filter((s) => s.Protocol === "email").map((s) => s.Endpoint ?? "");
  // The address ALARM_EMAIL names, if it is subscribed (confirmed or not); otherwise who is.
  const email = c.email && emails.includes(c.email) ? c.email : emails.length ? emails.sort().join(", ") : undefined;
  const raw: TopicRaw = { subscriptions };
  return { key, kind: "topic", name: nameOf(arn), id: arn, fields: { "email subscription": email }, managed, raw };
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
