// CloudWatch as `infra` uses it: metric alarms (cloudwatch-alarms.ts checks them), their state and tags, and
// dashboards (cloudwatch-dashboards.ts), alarm history (cloudwatch-history.ts) and metric data published by the
// services (cloudwatch-metrics.ts). Behaviours from docs/aws-behaviours.md, "Application Auto Scaling" and
// "CloudWatch": PutMetricAlarm is create-or-update and overwrites the whole configuration; DescribeAlarms of unknown
// names is an empty list, not an error; DeleteAlarms of a missing alarm succeeds. Errors carry their query wire code
// as `Code` (CloudWatch's JSON protocol is query-compatible).
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  type DescribeAlarmsInput,
  GetDashboardCommand,
  GetMetricDataCommand,
  InvalidNextToken,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  ListDashboardsCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmInput,
  ResourceNotFound,
  ResourceNotFoundException,
  SetAlarmStateCommand,
  type StateValue,
  type Tag,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { ALARM_PREFIX, alarmConfiguration } from "./cloudwatch-alarms.js";
import { DASHBOARD_PREFIX, Dashboards } from "./cloudwatch-dashboards.js";
import { AlarmHistory } from "./cloudwatch-history.js";
import { Metrics } from "./cloudwatch-metrics.js";
import { byName, coded, page } from "./shared.js";

export { ALARM_PREFIX } from "./cloudwatch-alarms.js";
export { DASHBOARD_PREFIX } from "./cloudwatch-dashboards.js";

export const INITIAL_STATE_REASON = "Unchecked: Initial alarm creation";
const STATES: StateValue[] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

const invalid = (message: string) => coded(InvalidParameterValueException, "InvalidParameterValue", message);

export class CloudWatchModel {
  readonly name = "CloudWatch";
  readonly client = CloudWatchClient;
  /** Alarm name -> the alarm as DescribeAlarms shows it. */
  readonly alarms = new Map<string, MetricAlarm>();
  /** Alarm ARN -> its tags. */
  readonly tags = new Map<string, Tag[]>();
  readonly dashboardStore = new Dashboards(() => this.fake.clock.now());
  readonly history = new AlarmHistory(() => this.fake.clock.now());
  /** Metric data the services publish: tests call metrics.publish(...) where AWS's services would. */
  readonly metrics = new Metrics(() => this.fake.clock.now());

  constructor(private readonly fake: Fake) {}

  readonly handlers: ServiceModel["handlers"] = [
    [PutMetricAlarmCommand, (i) => this.putMetricAlarm(i)],
    [DescribeAlarmsCommand, (i) => this.describeAlarms(i)],
    [DeleteAlarmsCommand, (i) => this.deleteAlarms(i)],
    [SetAlarmStateCommand, (i) => this.setAlarmState(i)],
    [TagResourceCommand, (i) => this.tagResource(i)],
    [UntagResourceCommand, (i) => this.untagResource(i)],
    [ListTagsForResourceCommand, (i) => ({ Tags: [...this.tagsOf(i.ResourceARN)] })],
    [PutDashboardCommand, (i) => this.dashboardStore.put(i)],
    [GetDashboardCommand, (i) => this.dashboardStore.get(i)],
    [DeleteDashboardsCommand, (i) => this.dashboardStore.delete(i)],
    [ListDashboardsCommand, (i) => this.dashboardStore.list(i)],
    [DescribeAlarmHistoryCommand, (i) => this.history.describe(i)],
    [GetMetricDataCommand, (i) => this.metrics.getMetricData(i)],
  ];

  /** Dashboard name -> DashboardName, DashboardArn, DashboardBody (as sent), LastModified, Size. */
  get dashboards() {
    return this.dashboardStore.all;
  }

  /** What CloudWatch does when it evaluates an alarm (tests set the outcome). */
  setState(name: string, state: StateValue, reason = `Set by the test to ${state}`): void {
    const alarm = this.alarms.get(name);
    if (!alarm) throw new Error(`no CloudWatch alarm ${name}`);
    if (alarm.StateValue === state) return;
    const now = new Date(this.fake.clock.now());
    const from = { value: alarm.StateValue as string, reason: alarm.StateReason ?? "" };
    this.history.stateChanged(name, from, { value: state, reason });
    Object.assign(alarm, { StateValue: state, StateReason: reason, StateUpdatedTimestamp: now });
    alarm.StateTransitionedTimestamp = now;
  }

  /** PutMetricAlarm, also used by Application Auto Scaling for the alarms of target tracking policies. */
  putMetricAlarm(input: PutMetricAlarmInput) {
    const config = alarmConfiguration(input);
    const name = config.AlarmName as string;
    const previous = this.alarms.get(name);
    const now = new Date(this.fake.clock.now());
    // An update keeps the state; a new alarm has no data yet.
    const state: Partial<MetricAlarm> = previous
      ? {
          StateValue: previous.StateValue,
          StateReason: previous.StateReason,
          ...(previous.StateReasonData ? { StateReasonData: previous.StateReasonData } : {}),
          StateUpdatedTimestamp: previous.StateUpdatedTimestamp,
          StateTransitionedTimestamp: previous.StateTransitionedTimestamp,
        }
      : {
          StateValue: "INSUFFICIENT_DATA",
          StateReason: INITIAL_STATE_REASON,
          StateUpdatedTimestamp: now,
          StateTransitionedTimestamp: now,
        };
    this.alarms.set(name, { ...config, ...state, AlarmConfigurationUpdatedTimestamp: now });
    this.history.configured(name, previous ? "updated" : "created");
    // Tags count only when the alarm is created: on an update AWS ignores them (use TagResource).
    if (!previous) this.tags.set(config.AlarmArn as string, [...(input.Tags ?? [])]);
    return {};
  }

  /** Unknown names are left out (an empty list is how AWS says "absent"); sorted by name, in pages. */
  private describeAlarms(input: DescribeAlarmsInput) {
    if (input.AlarmNames?.length && input.AlarmNamePrefix !== undefined)
      throw coded(
        InvalidParameterCombinationException,
        "InvalidParameterCombination",
        "AlarmNamePrefix and AlarmNames cannot be specified together.",
      );
    if ((input.AlarmNames?.length ?? 0) > 100)
      throw invalid("The collection AlarmNames must not have more than 100 members.");
    if (input.StateValue !== undefined && !STATES.includes(input.StateValue))
      throw invalid(`The parameter StateValue must be one of: ${STATES.join(", ")}.`);
    const max = input.MaxRecords ?? 50;
    if (!Number.isInteger(max) || max < 1 || max > 100) throw invalid("The parameter MaxRecords must be 1 to 100.");
    const types = input.AlarmTypes?.length ? input.AlarmTypes : ["MetricAlarm"];
    const all = types.includes("MetricAlarm")
      ? [...this.alarms.values()]
          .filter((a) => !input.AlarmNames?.length || input.AlarmNames.includes(a.AlarmName as string))
          .filter((a) => input.AlarmNamePrefix === undefined || a.AlarmName?.startsWith(input.AlarmNamePrefix))
          .filter((a) => input.StateValue === undefined || a.StateValue === input.StateValue)
          .filter(
            (a) =>
              input.ActionPrefix === undefined ||
              [...(a.AlarmActions ?? []), ...(a.OKActions ?? []), ...(a.InsufficientDataActions ?? [])].some((x) =>
                x.startsWith(input.ActionPrefix as string),
              ),
          )
          .sort(byName((a) => a.AlarmName as string))
      : [];
    const p = page(all, input.NextToken, max, () =>
      coded(InvalidNextToken, "InvalidNextToken", "The service returned an invalid NextToken."),
    );
    return { MetricAlarms: p.items, CompositeAlarms: [], ...(p.next ? { NextToken: p.next } : {}) };
  }

  /** Missing alarms are ignored (docs/aws-behaviours.md, "CloudWatch"). */
  deleteAlarms(input: { AlarmNames?: string[] }) {
    const names = input.AlarmNames ?? [];
    if (names.length > 100) throw invalid("The collection AlarmNames must not have more than 100 members.");
    for (const name of names) {
      const alarm = this.alarms.get(name);
      if (!alarm) continue;
      this.alarms.delete(name);
      this.tags.delete(alarm.AlarmArn as string);
      this.history.configured(name, "deleted");
    }
    return {};
  }

  private setAlarmState(input: { AlarmName?: string; StateValue?: StateValue; StateReason?: string }) {
    if (!this.alarms.has(input.AlarmName ?? ""))
      throw coded(ResourceNotFound, "ResourceNotFound", `Alarm ${input.AlarmName} does not exist.`);
    if (!STATES.includes(input.StateValue as StateValue))
      throw invalid(`The parameter StateValue must be one of: ${STATES.join(", ")}.`);
    this.setState(input.AlarmName as string, input.StateValue as StateValue, input.StateReason ?? "");
    return {};
  }

  /** An alarm's or a dashboard's tags: the two kinds of resource here that carry them. */
  private tagsOf(arn: string): Tag[] {
    const tags = arn.startsWith(ALARM_PREFIX)
      ? this.tags.get(arn)
      : arn.startsWith(DASHBOARD_PREFIX)
        ? this.dashboardStore.tags.get(arn.slice(DASHBOARD_PREFIX.length))
        : undefined;
    if (!tags)
      throw coded(ResourceNotFoundException, "ResourceNotFoundException", `${arn} does not exist.`, {
        ResourceType: arn.startsWith(DASHBOARD_PREFIX) ? "dashboard" : "alarm",
        ResourceId: arn,
      });
    return tags;
  }

  private tagResource(input: { ResourceARN: string; Tags: Tag[] }) {
    const tags = this.tagsOf(input.ResourceARN);
    const kept = tags.filter((t) => !input.Tags.some((n) => n.Key === t.Key));
    tags.splice(0, tags.length, ...kept, ...input.Tags);
    return {};
  }

  private untagResource(input: { ResourceARN: string; TagKeys: string[] }) {
    const tags = this.tagsOf(input.ResourceARN);
    tags.splice(0, tags.length, ...tags.filter((t) => !input.TagKeys.includes(t.Key ?? "")));
    return {};
  }
}
