// What the runbook is written from: the env file, and what AWS reports now (read-only calls). A runbook is read
// in an emergency, so a part AWS cannot answer (no credentials, a deleted resource) is noted in it, not fatal.
import { DescribeAlarmsCommand, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { DBInstance } from "@aws-sdk/client-rds";
import { ListSubscriptionsByTopicCommand, type Subscription } from "@aws-sdk/client-sns";
import type { Context } from "../core/context.js";
import { awsErrorCode } from "../core/errors.js";
import { type EnvReader, readInputs } from "../core/inputs.js";
import { shortName } from "../deploy/revision.js";
import { describeService, familyOf } from "../resources/common/ecs.js";
import { knownGoodRevisions } from "../resources/common/known-good.js";
import { allAlarmNames } from "../resources/monitoring/alarms.js";
import { describeInstance, type RestorePoint, restorePoint } from "./rds.js";
import { type DrillRecord, parseRecord, targetsOf } from "./record.js";

/** A part of the runbook read from AWS: its value, or why it could not be read. */
export type Read<T> = { ok: true; value: T } | { ok: false; why: string };

export interface RunbookInputs {
  project: string;
  environment: string;
  cluster: string | undefined;
  service: string;
  databaseId: string | undefined;
  secretArn: string | undefined;
  topicArn: string | undefined;
}

/** How a process other than infra reaches a served sandbox: the variable with its URL, and its credentials. */
export interface SandboxAccess {
  urlVariable: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RunbookFacts extends RunbookInputs {
  region: string;
  file: string;
  /** Written with --sandbox: its commands must run against the sandbox too, reached as this says. */
  sandbox: SandboxAccess | undefined;
  generatedAt: string;
  /** The revisions tagged KnownGood in AWS (deployed and probed), oldest first. */
  goodRevisions: string[];
  runningRevision: Read<string | undefined>;
  database: Read<{ instance: DBInstance; snapshot: RestorePoint | undefined } | undefined>;
  alarms: Read<MetricAlarm[]>;
  subscriptions: Read<Subscription[]>;
  targets: { rto: string; rpo: string; rtoMs: number; rpoMs: number };
  lastDrill: DrillRecord | undefined;
}

export function runbookInputs(env: EnvReader): RunbookInputs {
  const input = readInputs(env, "runbook");
  const project = input.need("PROJECT_NAME");
  const environment = input.need("ENVIRONMENT");
  const cluster = input.maybe("ECS_CLUSTER_NAME");
  const service = input.need("ECS_SERVICE_NAME");
  const databaseId = input.maybe("RDS_INSTANCE_ID");
  const secretArn = input.maybe("DB_SECRET_ARN");
  const topicArn = input.maybe("SNS_TOPIC_ARN");
  input.done();
  return { project, environment, cluster, service, databaseId, secretArn, topicArn };
}

async function read<T>(what: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await what() };
  } catch (err) {
    return { ok: false, why: `${awsErrorCode(err) ?? "Error"}: ${(err as Error).message}` };
  }
}

export async function gatherFacts(
  ctx: Context,
  i: RunbookInputs,
  file: string,
  sandbox?: SandboxAccess,
): Promise<RunbookFacts> {
  const t = targetsOf(ctx.env);
  const [running, database, alarms, subscriptions] = await Promise.all([
    read(async () => {
      if (!i.cluster) return undefined;
      const svc = await describeService(await ctx.aws.ecs(), i.cluster, i.service);
      if (svc?.status !== "ACTIVE") return undefined;
      const family = familyOf(svc.taskDefinition) as string;
      const good = await knownGoodRevisions(ctx, family);
      return { revision: shortName(svc.taskDefinition), good: good.map((td) => shortName(td.taskDefinitionArn)) };
    }),
    read(async () => {
      if (!i.databaseId) return undefined;
      const instance = await describeInstance(ctx, i.databaseId);
      if (!instance) return undefined;
      const snapshot = await restorePoint(ctx, instance, false).catch(() => undefined);
      return { instance, snapshot };
    }),
    read(async () => {
      const cloudwatch = await ctx.aws.cloudwatch();
      const names = allAlarmNames(i.project);
      return (
        (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, MaxRecords: 100 }))).MetricAlarms ?? []
      );
    }),
    read(async () => {
      if (!i.topicArn) return [];
      const sns = await ctx.aws.sns();
      return (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: i.topicArn }))).Subscriptions ?? [];
    }),
  ]);
  return {
    ...i,
    region: ctx.aws.settings.region,
    file,
    sandbox,
    generatedAt: new Date(ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    goodRevisions: running.ok ? (running.value?.good ?? []) : [],
    runningRevision: running.ok ? { ok: true, value: running.value?.revision } : running,
    database,
    alarms,
    subscriptions,
    targets: t,
    lastDrill: parseRecord(ctx.env.get("DR_LAST_DRILL")),
  };
}
