// The `monitoring` resource's model: observe, the handlers of the topic, alarms and dashboard, what it records, and
// the checks that are not state: the email subscription confirmed, and no alarm of the stack firing.
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { Context } from "../../core/context.js";
import type { Observation } from "../../state/model.js";
import { checklist, type ResourceModel } from "../resource.js";
import { alarmHandlers, dashboardHandlers } from "./cloudwatch.js";
import { type MonitoringConfig, monitoringDesired } from "./config.js";
import { observeMonitoring, type TopicRaw } from "./observe.js";
import { topicHandlers } from "./topic.js";

export const monitoringModel: ResourceModel<MonitoringConfig> = {
  observe: observeMonitoring,
  handlers: { topic: topicHandlers, alarm: alarmHandlers, dashboard: dashboardHandlers },
  recorded(objects) {
    return {
      SNS_TOPIC_ARN: objects.get("topic")?.id ?? "",
      SERVICE_DASHBOARD_NAME: objects.get("dashboard")?.name ?? "",
      SERVICE_ALERTS_TOPIC_ARN: objects.get("legacy-topic")?.id ?? "",
    };
  },
  checks: monitoringChecks,
};

/** PendingConfirmation stands where a subscription's ARN will be once the link is clicked. */
const PENDING = /^pending ?confirmation$/i;

async function monitoringChecks(_ctx: Context, c: MonitoringConfig, objects: Observation) {
  const { checks, check, skip } = checklist("monitoring");
  const topic = objects.get("topic");
  if (c.email && topic) {
    const sub = (topic.raw as TopicRaw | undefined)?.subscriptions.find(
      (s) => s.Protocol === "email" && s.Endpoint === c.email,
    );
    if (!sub) skip(`email subscription for ${c.email} confirmed`, "not subscribed yet: create subscribes it");
    else if (PENDING.test(sub.SubscriptionArn ?? ""))
      skip(`email subscription for ${c.email} confirmed`, "waiting for the link AWS emailed to be clicked");
    else check(`email subscription for ${c.email} confirmed`, true);
  }
  // Health, not configuration: an alarm firing says the stack is unwell, whatever monitoring's own state.
  const wanted = new Set(monitoringDesired(c).map((d) => d.key));
  const firing = [...objects.values()]
    .filter((o) => o.kind === "alarm" && wanted.has(o.key))
    .map((o) => o.raw as MetricAlarm)
    .filter((a) => a.StateValue === "ALARM");
  for (const a of firing) check(`alarm ${a.AlarmName} is not in ALARM`, false, a.StateReason);
  if (firing.length === 0) check("no alarm of the stack is in ALARM", true);
  return checks;
}
