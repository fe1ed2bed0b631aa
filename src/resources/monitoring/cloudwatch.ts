// Handlers for the alarms and the dashboard. PutMetricAlarm and PutDashboard create or overwrite: an update sends
// the whole configuration. Tags count only when an alarm or dashboard is created; one found is tagged with
// TagResource when it is adopted.
import {
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  GetDashboardCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  TagResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import { awsStep, isAwsError } from "../../core/errors.js";
import { optional } from "../../core/unsupported.js";
import type { DesiredObject, ObservedObject } from "../../state/model.js";
import { isManaged, stackTags } from "../common/tags.js";
import type { ApplyRun, KindHandlers } from "../resource.js";
import { type dashboardInput, dashboardInputFields, type MonitoringConfig } from "./config.js";
import { dashboardTags } from "./observe.js";

type Run = ApplyRun<MonitoringConfig>;

/** The alarm's whole configuration (config.ts's alarmInput), the topic's ARN resolved. */
const alarmInput = (d: DesiredObject) => d.input as PutMetricAlarmCommandInput;

async function putAlarm(run: Run, input: PutMetricAlarmCommandInput) {
  const cw = await run.ctx.aws.cloudwatch();
  await awsStep("put alarm", input.AlarmName ?? "", () => cw.send(new PutMetricAlarmCommand(input)));
}

async function tag(run: Run, o: ObservedObject) {
  const cw = await run.ctx.aws.cloudwatch();
  const send = () => cw.send(new TagResourceCommand({ ResourceARN: o.id, Tags: stackTags(run.c, o.name) }));
  await awsStep(`tag ${o.kind}`, o.name, () =>
    o.kind === "dashboard" ? optional(run.ctx, DASHBOARD_TAGGING, send) : send(),
  );
}

const DASHBOARD_TAGGING = {
  resource: "monitoring",
  operation: "cloudwatch TagResource (dashboards)",
  without: "the dashboard is recorded as this stack's in SERVICE_DASHBOARD_NAME instead",
  // The dashboard was just read: "not found" for it says the endpoint does not tag dashboards.
  alsoUnsupported: (err: unknown) => isAwsError(err, "ResourceNotFound"),
};

export const alarmHandlers: KindHandlers<MonitoringConfig> = {
  async create(run, d) {
    const input = alarmInput(d);
    await putAlarm(run, { ...input, Tags: stackTags(run.c, d.name) });
    // PutMetricAlarm answers nothing: the name identifies the alarm until observe reads its ARN.
    return { key: d.key, kind: d.kind, name: d.name, id: d.name, fields: { ...d.fields }, managed: true };
  },
  async update(run, d) {
    await putAlarm(run, alarmInput(d));
  },
  adopt: (run, _d, o) => tag(run, o),
  async delete(run, o) {
    const cw = await run.ctx.aws.cloudwatch();
    // A missing alarm is no error to DeleteAlarms.
    await awsStep("delete alarm", o.name, () => cw.send(new DeleteAlarmsCommand({ AlarmNames: [o.name] })));
  },
};

async function putDashboard(run: Run, d: DesiredObject, create: boolean) {
  const cw = await run.ctx.aws.cloudwatch();
  const out = await awsStep("put dashboard", d.name, () =>
    cw.send(
      new PutDashboardCommand({
        ...(d.input as ReturnType<typeof dashboardInput>),
        ...(create ? { Tags: stackTags(run.c, d.name) } : {}),
      }),
    ),
  );
  // Warnings only (an error would have been thrown): the dashboard was saved, some widget may show nothing.
  for (const m of out.DashboardValidationMessages ?? [])
    run.ev.warning(`dashboard ${d.name}: ${m.DataPath ?? ""} ${m.Message ?? ""}`.trim());
}

export const dashboardHandlers: KindHandlers<MonitoringConfig> = {
  async create(run, d) {
    await putDashboard(run, d, true);
    const cw = await run.ctx.aws.cloudwatch();
    const saved = await awsStep("read dashboard", d.name, () =>
      cw.send(new GetDashboardCommand({ DashboardName: d.name })),
    );
    const arn = saved.DashboardArn as string;
    const fields = dashboardInputFields(saved);
    const o: ObservedObject = { key: d.key, kind: d.kind, name: d.name, id: arn, fields, managed: true };
    // A dashboard of that name that existed already (a renamed one's new name) kept its tags: make it ours.
    const tags = await awsStep("read dashboard tags", d.name, () => dashboardTags(run.ctx, cw, arn));
    if (!tags || !isManaged(tags)) await tag(run, o);
    return o;
  },
  async update(run, d) {
    await putDashboard(run, d, false);
  },
  adopt: (run, _d, o) => tag(run, o),
  async delete(run, o) {
    const cw = await run.ctx.aws.cloudwatch();
    await awsStep("delete dashboard", o.name, async () => {
      try {
        await cw.send(new DeleteDashboardsCommand({ DashboardNames: [o.name] }));
      } catch (err) {
        if (!isAwsError(err, "ResourceNotFound", "DashboardNotFoundError")) throw err;
      }
    });
  },
};
