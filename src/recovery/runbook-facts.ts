// What the runbook is written from: the env file, and what AWS reports now (read-only calls). A runbook is read
// in an emergency, so a part AWS cannot answer (no credentials, a deleted resource) is written as "unknown (why)",
// never as a false "none": it is noted, not fatal.
import { DescribeAlarmsCommand, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { DBInstance, DBSnapshot } from "@aws-sdk/client-rds";
import { DescribeDBSnapshotsCommand } from "@aws-sdk/client-rds";
import { ListSubscriptionsByTopicCommand, type Subscription } from "@aws-sdk/client-sns";
import type { Context } from "../core/context.js";
import { awsErrorCode } from "../core/errors.js";
import { type EnvReader, readInputs } from "../core/inputs.js";
import type { Invocation } from "../core/invocation.js";
import { mainContainer, shortName } from "../deploy/revision.js";
import { describeRevision, describeService, familyOf } from "../resources/common/ecs.js";
import { knownGoodRevisions } from "../resources/common/known-good.js";
import { allAlarmNames } from "../resources/monitoring/alarms.js";
import { describeInstance } from "./rds.js";
import { type DrillRecord, LAST_DRILL_KEY, LAST_SUCCESSFUL_DRILL_KEY, parseRecord, targetsOf } from "./record.js";

/** A part of the runbook read from AWS: its value, or why it could not be read. */
export type Read<T> = { ok: true; value: T } | { ok: false; why: string };

/** The prerequisites' ids the runbook names, as the env file has them (docs/earlier-scripts.md). */
export const PREREQUISITE_KEYS = [
  "VPC_ID",
  "PUBLIC_SUBNET_1_ID",
  "PUBLIC_SUBNET_2_ID",
  "PRIVATE_SUBNET_1_ID",
  "PRIVATE_SUBNET_2_ID",
  "BACKEND_SECURITY_GROUP_ID",
  "ECS_CLUSTER_NAME",
  "ECS_TASK_EXECUTION_ROLE_ARN",
  "ECS_TASK_ROLE_ARN",
  "ECR_REPOSITORY_URI",
  "DB_SECRET_ARN",
  "RDS_INSTANCE_ID",
  "ECS_TASK_DEFINITION_FAMILY",
] as const;

export interface RunbookInputs {
  project: string;
  environment: string;
  cluster: string | undefined;
  service: string;
  databaseId: string | undefined;
  databaseName: string;
  secretArn: string | undefined;
  secretName: string | undefined;
  topicArn: string | undefined;
  migrationFamily: string | undefined;
  subnets: string[];
  securityGroup: string | undefined;
  /** RUNBOOK_CONTACTS, one entry each. */
  contacts: string[];
  prerequisites: Partial<Record<(typeof PREREQUISITE_KEYS)[number], string>>;
}

/** How a process other than infra reaches a served sandbox: the variable with its URL, and its credentials. */
export interface SandboxAccess {
  urlVariable: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RunbookFacts extends RunbookInputs {
  region: string;
  /** Where the runbook was written: every command in it runs there (file, region, profile, endpoint, sandbox). */
  invocation: Invocation;
  /** Written with --sandbox: its commands must run against the sandbox too, reached as this says. */
  sandbox: SandboxAccess | undefined;
  generatedAt: string;
  /** The revision the service runs, and those tagged KnownGood in AWS (deployed and probed), oldest first. */
  running: Read<{ revision: string; good: string[] } | undefined>;
  database: Read<DBInstance | undefined>;
  /** The database's automated snapshots, oldest first. */
  snapshots: Read<DBSnapshot[]>;
  /** The migration task definition's main container (what run-task overrides name). */
  migrationContainer: Read<string | undefined>;
  alarms: Read<MetricAlarm[]>;
  subscriptions: Read<Subscription[]>;
  targets: ReturnType<typeof targetsOf>;
  lastDrill: DrillRecord | undefined;
  lastSuccessfulDrill: DrillRecord | undefined;
}

export function runbookInputs(env: EnvReader): RunbookInputs {
  const input = readInputs(env, "runbook");
  const project = input.need("PROJECT_NAME");
  const environment = input.need("ENVIRONMENT");
  const cluster = input.maybe("ECS_CLUSTER_NAME");
  const service = input.need("ECS_SERVICE_NAME");
  const databaseId = input.maybe("RDS_INSTANCE_ID");
  const databaseName = input.need("DATABASE_NAME");
  const secretArn = input.maybe("DB_SECRET_ARN");
  const secretName = input.maybe("DB_SECRET_NAME");
  const topicArn = input.maybe("SNS_TOPIC_ARN");
  const migrationFamily = input.maybe("ECS_TASK_DEFINITION_FAMILY");
  const subnets = [input.maybe("PRIVATE_SUBNET_1_ID"), input.maybe("PRIVATE_SUBNET_2_ID")].filter((s): s is string =>
    Boolean(s),
  );
  const securityGroup = input.maybe("BACKEND_SECURITY_GROUP_ID");
  const contacts = (input.maybe("RUNBOOK_CONTACTS") ?? "")
    .split(";")
    .map((c) => c.trim())
    .filter(Boolean);
  input.need("DR_MAX_AGE");
  const prerequisites = Object.fromEntries(
    PREREQUISITE_KEYS.map((k) => [k, input.maybe(k)]).filter(([, v]) => v !== undefined),
  );
  input.done();
  return {
    project,
    environment,
    cluster,
    service,
    databaseId,
    databaseName,
    secretArn,
    secretName,
    topicArn,
    migrationFamily,
    subnets,
    securityGroup,
    contacts,
    prerequisites,
  };
}

async function read<T>(what: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await what() };
  } catch (err) {
    return { ok: false, why: `${awsErrorCode(err) ?? "Error"}: ${(err as Error).message}` };
  }
}

export async function gatherFacts(ctx: Context, i: RunbookInputs, sandbox?: SandboxAccess): Promise<RunbookFacts> {
  const [running, database, snapshots, migrationContainer, alarms, subscriptions] = await Promise.all([
    read(async () => {
      if (!i.cluster) return undefined;
      const svc = await describeService(await ctx.aws.ecs(), i.cluster, i.service);
      if (svc?.status !== "ACTIVE") return undefined;
      const good = await knownGoodRevisions(ctx, familyOf(svc.taskDefinition) as string);
      return { revision: shortName(svc.taskDefinition), good: good.map((td) => shortName(td.taskDefinitionArn)) };
    }),
    read(async () => (i.databaseId ? describeInstance(ctx, i.databaseId) : undefined)),
    read(async () => {
      if (!i.databaseId) return [];
      const rds = await ctx.aws.rds();
      const all: DBSnapshot[] = [];
      let Marker: string | undefined;
      do {
        const out = await rds.send(
          new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: i.databaseId, SnapshotType: "automated", Marker }),
        );
        all.push(...(out.DBSnapshots ?? []));
        Marker = out.Marker;
      } while (Marker);
      const time = (s: DBSnapshot) => s.SnapshotCreateTime?.getTime() ?? 0;
      return all.sort((a, b) => time(a) - time(b));
    }),
    read(async () => {
      if (!i.migrationFamily) return undefined;
      return mainContainer((await describeRevision(await ctx.aws.ecs(), i.migrationFamily)) ?? {})?.name;
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
    invocation: ctx.invocation ?? { region: ctx.aws.settings.region },
    sandbox,
    generatedAt: new Date(ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    running,
    database,
    snapshots,
    migrationContainer,
    alarms,
    subscriptions,
    targets: targetsOf(ctx.env),
    lastDrill: parseRecord(ctx.env.get(LAST_DRILL_KEY)),
    lastSuccessfulDrill: parseRecord(ctx.env.get(LAST_SUCCESSFUL_DRILL_KEY)),
  };
}
