// `monitoring` create, verify and destroy. PutMetricAlarm and PutDashboard overwrite: compare first, so a
// re-run rewrites nothing that already matches.
import {
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  type MetricAlarm,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
} from "@aws-sdk/client-cloudwatch";
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SubscribeCommand,
  type Subscription,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import type { Context } from "../../core/context.js";
import { awsStep, isAwsError } from "../../core/errors.js";
import { type Check, checklist } from "../resource.js";
import { stackTags } from "../shared/tags.js";
import { alarmSpecs, allAlarmNames } from "./alarms.js";
import type { MonitoringConfig } from "./config.js";
import { dashboardBody } from "./dashboard.js";

const RESOURCE = "monitoring";

/** Same alarm configuration, ignoring what AWS adds (ARNs, state, timestamps) and list order. */
export function sameAlarm(has: MetricAlarm | undefined, want: PutMetricAlarmCommandInput): boolean {
  if (!has) return false;
  const pick = (a: MetricAlarm | PutMetricAlarmCommandInput) => ({
    AlarmDescription: a.AlarmDescription,
    ActionsEnabled: a.ActionsEnabled ?? true,
    AlarmActions: [...(a.AlarmActions ?? [])].sort(),
    OKActions: [...(a.OKActions ?? [])].sort(),
    InsufficientDataActions: [...(a.InsufficientDataActions ?? [])].sort(),
    Namespace: a.Namespace,
    MetricName: a.MetricName,
    Dimensions: [...(a.Dimensions ?? [])].map((d) => `${d.Name}=${d.Value}`).sort(),
    Statistic: a.Statistic,
    ExtendedStatistic: a.ExtendedStatistic,
    Period: a.Period,
    EvaluationPeriods: a.EvaluationPeriods,
    DatapointsToAlarm: a.DatapointsToAlarm ?? a.EvaluationPeriods,
    Threshold: a.Threshold,
    ComparisonOperator: a.ComparisonOperator,
    TreatMissingData: a.TreatMissingData ?? "missing",
  });
  return JSON.stringify(pick(has)) === JSON.stringify(pick(want));
}

async function findTopic(ctx: Context, name: string): Promise<string | undefined> {
  const sns = await ctx.aws.sns();
  let NextToken: string | undefined;
  do {
    const out = await sns.send(new ListTopicsCommand({ NextToken }));
    const hit = out.Topics?.find((t) => t.TopicArn?.split(":").at(-1) === name);
    if (hit) return hit.TopicArn;
    NextToken = out.NextToken;
  } while (NextToken);
  return undefined;
}

async function subscriptions(ctx: Context, topicArn: string): Promise<Subscription[]> {
  const sns = await ctx.aws.sns();
  const all: Subscription[] = [];
  let NextToken: string | undefined;
  do {
    const out = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    all.push(...(out.Subscriptions ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return all;
}

async function currentAlarms(ctx: Context, names: string[]): Promise<MetricAlarm[]> {
  const cw = await ctx.aws.cloudwatch();
  return (await cw.send(new DescribeAlarmsCommand({ AlarmNames: names, MaxRecords: 100 }))).MetricAlarms ?? [];
}

/** Each alarm we want, beside the one AWS has under that name (if any). */
async function alarmsAgainst(ctx: Context, c: MonitoringConfig, topicArn: string) {
  const wanted = alarmSpecs(c, topicArn);
  const have = await awsStep("read alarms", c.project, () =>
    currentAlarms(
      ctx,
      wanted.map((a) => a.AlarmName),
    ),
  );
  return wanted.map((want) => ({ want, current: have.find((h) => h.AlarmName === want.AlarmName) }));
}

async function currentDashboard(ctx: Context, name: string): Promise<string | undefined> {
  const cw = await ctx.aws.cloudwatch();
  try {
    return (await cw.send(new GetDashboardCommand({ DashboardName: name }))).DashboardBody;
  } catch (err) {
    if (isAwsError(err, "ResourceNotFound", "DashboardNotFoundError")) return undefined;
    throw err;
  }
}

export async function create(ctx: Context, c: MonitoringConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  const [sns, cw] = await Promise.all([ctx.aws.sns(), ctx.aws.cloudwatch()]);
  let topicArn = await awsStep("find topic", c.topicName, () => findTopic(ctx, c.topicName));
  if (topicArn) ev.exists(`topic ${c.topicName}`);
  else {
    // CreateTopic is idempotent by name (with the same tags): a re-run after a lost answer gets the same topic.
    topicArn = (
      await awsStep("create topic", c.topicName, () =>
        sns.send(new CreateTopicCommand({ Name: c.topicName, Tags: stackTags(c, c.topicName) })),
      )
    ).TopicArn as string;
    ev.created(`topic ${c.topicName}`);
  }
  const arn = topicArn;
  if (c.email) {
    const subs = await awsStep("list subscriptions", c.topicName, () => subscriptions(ctx, arn));
    const email = c.email;
    const existing = subs.find((s) => s.Protocol === "email" && s.Endpoint?.toLowerCase() === email.toLowerCase());
    if (!existing) {
      await awsStep("subscribe", email, () =>
        sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "email", Endpoint: email })),
      );
      ev.created(
        `email subscription for ${email}: AWS sent a confirmation link there; alerts start once it is clicked`,
      );
    } else if (existing.SubscriptionArn === "PendingConfirmation")
      ev.warning(`email subscription for ${email} is still waiting for its confirmation link to be clicked`);
    else ev.exists(`email subscription for ${email}`);
  }

  const alarms = await alarmsAgainst(ctx, c, arn);
  for (const { want, current } of alarms) {
    if (sameAlarm(current, want)) continue;
    await awsStep("put alarm", want.AlarmName, () =>
      cw.send(new PutMetricAlarmCommand({ ...want, ...(current ? {} : { Tags: stackTags(c, want.AlarmName) }) })),
    );
    (current ? ev.updated : ev.created)(`alarm ${want.AlarmName}`);
  }
  if (alarms.every(({ want, current }) => sameAlarm(current, want))) ev.exists(`${alarms.length} alarms`);

  const body = dashboardBody(c);
  const currentBody = await awsStep("read dashboard", c.dashboardName, () => currentDashboard(ctx, c.dashboardName));
  if (currentBody !== undefined && JSON.stringify(JSON.parse(currentBody)) === body)
    ev.exists(`dashboard ${c.dashboardName}`);
  else {
    await awsStep("put dashboard", c.dashboardName, () =>
      cw.send(new PutDashboardCommand({ DashboardName: c.dashboardName, DashboardBody: body })),
    );
    (currentBody === undefined ? ev.created : ev.updated)(`dashboard ${c.dashboardName}`);
  }
  const recorded = { SERVICE_ALERTS_TOPIC_ARN: arn, SERVICE_DASHBOARD_NAME: c.dashboardName };
  await ctx.env.record(recorded);
}

export async function destroy(ctx: Context, c: MonitoringConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  const [sns, cw] = await Promise.all([ctx.aws.sns(), ctx.aws.cloudwatch()]);
  const names = allAlarmNames(c.project);
  const existing = await awsStep("read alarms", c.project, () => currentAlarms(ctx, names));
  if (existing.length > 0) {
    await awsStep("delete alarms", c.project, () =>
      cw.send(new DeleteAlarmsCommand({ AlarmNames: existing.map((a) => a.AlarmName as string) })),
    );
    ev.deleted(`${existing.length} alarms`);
  }
  if ((await awsStep("read dashboard", c.dashboardName, () => currentDashboard(ctx, c.dashboardName))) !== undefined) {
    await awsStep("delete dashboard", c.dashboardName, async () => {
      try {
        await cw.send(new DeleteDashboardsCommand({ DashboardNames: [c.dashboardName] }));
      } catch (err) {
        if (!isAwsError(err, "ResourceNotFound", "DashboardNotFoundError")) throw err;
      }
    });
    ev.deleted(`dashboard ${c.dashboardName}`);
  }
  const topicArn = await awsStep("find topic", c.topicName, () => findTopic(ctx, c.topicName));
  if (topicArn) {
    for (const s of await awsStep("list subscriptions", c.topicName, () => subscriptions(ctx, topicArn))) {
      // A pending email subscription has no ARN to unsubscribe: deleting the topic removes it.
      if (!s.SubscriptionArn?.startsWith("arn:")) continue;
      await awsStep("unsubscribe", s.Endpoint ?? "", async () => {
        try {
          await sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn }));
        } catch (err) {
          if (!isAwsError(err, "NotFound", "NotFoundException")) throw err;
        }
      });
      ev.deleted(`subscription ${s.Endpoint}`);
    }
    await awsStep("delete topic", c.topicName, () => sns.send(new DeleteTopicCommand({ TopicArn: topicArn })));
    ev.deleted(`topic ${c.topicName}`);
  }
  await ctx.env.record({ SERVICE_ALERTS_TOPIC_ARN: "", SERVICE_DASHBOARD_NAME: "" });
}

export async function verify(ctx: Context, c: MonitoringConfig): Promise<Check[]> {
  const ev = ctx.events.for(RESOURCE);
  const { checks, check, skip } = checklist(RESOURCE);
  const topicArn = await awsStep("find topic", c.topicName, () => findTopic(ctx, c.topicName));
  check(`topic ${c.topicName} exists`, Boolean(topicArn));
  if (topicArn && c.email) {
    const email = c.email;
    const sub = (await awsStep("list subscriptions", c.topicName, () => subscriptions(ctx, topicArn))).find(
      (s) => s.Endpoint === email,
    );
    if (sub?.SubscriptionArn === "PendingConfirmation") {
      skip(`email subscription for ${email}`, "waiting for confirmation");
    } else check(`email subscription for ${email}`, Boolean(sub));
  }
  for (const { want, current } of await alarmsAgainst(ctx, c, topicArn ?? "")) {
    check(
      `alarm ${want.AlarmName} as specified, acting on the topic`,
      sameAlarm(current, want),
      current ? undefined : "missing",
    );
    if (current?.StateValue === "ALARM") ev.warning(`alarm ${want.AlarmName} is in ALARM: ${current.StateReason}`);
  }
  const body = await awsStep("read dashboard", c.dashboardName, () => currentDashboard(ctx, c.dashboardName));
  check(`dashboard ${c.dashboardName} exists`, body !== undefined);
  return checks;
}
