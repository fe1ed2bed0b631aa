// An alarm's history, as DescribeAlarmHistory shows it: a ConfigurationUpdate item when the alarm is created,
// updated or deleted, and a StateUpdate item ("Alarm updated from OK to ALARM", with the old and new state as
// JSON in HistoryData) at each change of state. AWS keeps 14 days of history, after an alarm is deleted too.
import {
  type AlarmHistoryItem,
  type DescribeAlarmHistoryInput,
  InvalidNextToken,
  InvalidParameterValueException,
} from "@aws-sdk/client-cloudwatch";
import { coded, page } from "./shared.js";

const KEPT_MS = 14 * 24 * 3_600_000;
const ITEM_TYPES = [
  "ConfigurationUpdate",
  "StateUpdate",
  "Action",
  "AlarmContributorStateUpdate",
  "AlarmContributorAction",
];

const invalid = (message: string) => coded(InvalidParameterValueException, "InvalidParameterValue", message);

interface State {
  value: string;
  reason: string;
}

export class AlarmHistory {
  private items: AlarmHistoryItem[] = [];

  constructor(private readonly now: () => number) {}

  configured(name: string, how: "created" | "updated" | "deleted") {
    const type = { created: "Create", updated: "Update", deleted: "Delete" }[how];
    this.add(name, "ConfigurationUpdate", `Alarm "${name}" ${how}`, { version: "1.0", type });
  }

  stateChanged(name: string, from: State, to: State) {
    this.add(name, "StateUpdate", `Alarm updated from ${from.value} to ${to.value}`, {
      version: "1.0",
      oldState: { stateValue: from.value, stateReason: from.reason },
      newState: { stateValue: to.value, stateReason: to.reason },
    });
  }

  describe(input: DescribeAlarmHistoryInput) {
    if (input.HistoryItemType !== undefined && !ITEM_TYPES.includes(input.HistoryItemType))
      throw invalid(`The parameter HistoryItemType must be one of: ${ITEM_TYPES.join(", ")}.`);
    const max = input.MaxRecords ?? 50;
    if (!Number.isInteger(max) || max < 1 || max > 100) throw invalid("The parameter MaxRecords must be 1 to 100.");
    if (input.ScanBy !== undefined && !["TimestampDescending", "TimestampAscending"].includes(input.ScanBy))
      throw invalid("The parameter ScanBy must be TimestampDescending or TimestampAscending.");
    const from = input.StartDate ? new Date(input.StartDate).getTime() : Number.NEGATIVE_INFINITY;
    const to = input.EndDate ? new Date(input.EndDate).getTime() : Number.POSITIVE_INFINITY;
    const types = input.AlarmTypes?.length ? input.AlarmTypes : ["MetricAlarm"];
    const at = (i: AlarmHistoryItem) => (i.Timestamp as Date).getTime();
    const all = this.kept()
      .filter((i) => input.AlarmName === undefined || i.AlarmName === input.AlarmName)
      .filter((i) => types.includes(i.AlarmType as string))
      .filter((i) => input.HistoryItemType === undefined || i.HistoryItemType === input.HistoryItemType)
      .filter((i) => at(i) >= from && at(i) <= to)
      .sort((a, b) => (input.ScanBy === "TimestampAscending" ? at(a) - at(b) : at(b) - at(a)));
    const p = page(all, input.NextToken, max, () =>
      coded(InvalidNextToken, "InvalidNextToken", "The service returned an invalid NextToken."),
    );
    return { AlarmHistoryItems: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  }

  private kept() {
    const since = this.now() - KEPT_MS;
    this.items = this.items.filter((i) => (i.Timestamp as Date).getTime() >= since);
    return this.items;
  }

  private add(name: string, type: string, summary: string, data: object) {
    this.items.push({
      AlarmName: name,
      AlarmType: "MetricAlarm",
      Timestamp: new Date(this.now()),
      HistoryItemType: type as AlarmHistoryItem["HistoryItemType"],
      HistorySummary: summary,
      HistoryData: JSON.stringify(data),
    });
  }
}
