// The input keys each resource reads, as generated values from what each key's rule accepts (src/core/keys.ts),
// with what a value other than the stack's own changes: the plan's lines and the calls create makes. Read by
// test/input-properties.test.ts. A key whose fields or calls name its value says so as a function of it.
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { EnvDocument } from "../../src/core/env-document.js";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { INPUTS, readText, runCli, tempEnvFile } from "../helpers.js";

type ByValue = string[] | ((value: string) => string[]);

/** One input key: the values generated for it, the value the stack was made with, and what a new value changes. */
export interface Key {
  values: fc.Arbitrary<string>;
  /** What the stack was made with (the default, where the env file does not set it). */
  current: string;
  /** The plan's lines a new value shows: "<object>: <field>" for an update, "<action> <object>" otherwise. */
  fields: ByValue;
  /** The calls a new value makes create send, as "<op> <object>" (one call per object and operation). */
  calls: ByValue;
  /** What AWS must hold for the value to be one create takes (a secret create checks exists). */
  prepare?: (fake: AwsFake, value: string) => void;
}

export const expand = (x: ByValue, value: string) => (typeof x === "function" ? x(value) : x);

const int = (min: number, max: number) => fc.integer({ min, max }).map(String);
const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}$/);
const TG = "startupwebapp-tg";
const ALB = "startupwebapp-alb";
const SERVICE = "startupwebapp-service";
const TASK = "startupwebapp-service-task";
const ACCOUNT = "123456789012";

export const AUTOSCALING: Record<string, Key> = {
  AUTOSCALING_MIN_CAPACITY: {
    values: int(1, 3),
    current: "1",
    fields: ["service/startupwebapp-cluster/startupwebapp-service: min capacity"],
    calls: ["RegisterScalableTarget service/startupwebapp-cluster/startupwebapp-service"],
  },
  AUTOSCALING_MAX_CAPACITY: {
    values: int(3, 8),
    current: "4",
    fields: ["service/startupwebapp-cluster/startupwebapp-service: max capacity"],
    calls: ["RegisterScalableTarget service/startupwebapp-cluster/startupwebapp-service"],
  },
  AUTOSCALING_CPU_TARGET: {
    values: int(50, 90),
    current: "70",
    fields: ["startupwebapp-cpu-scaling: target value"],
    calls: ["PutScalingPolicy startupwebapp-cpu-scaling"],
  },
  AUTOSCALING_MEMORY_TARGET: {
    values: int(60, 95),
    current: "80",
    fields: ["startupwebapp-memory-scaling: target value"],
    calls: ["PutScalingPolicy startupwebapp-memory-scaling"],
  },
  AUTOSCALING_SCALE_OUT_COOLDOWN: {
    values: fc.constantFrom("30", "60", "120"),
    current: "60",
    fields: ["startupwebapp-cpu-scaling: scale-out cooldown", "startupwebapp-memory-scaling: scale-out cooldown"],
    calls: ["PutScalingPolicy startupwebapp-cpu-scaling", "PutScalingPolicy startupwebapp-memory-scaling"],
  },
  AUTOSCALING_SCALE_IN_COOLDOWN: {
    values: fc.constantFrom("120", "300", "600"),
    current: "300",
    fields: ["startupwebapp-cpu-scaling: scale-in cooldown", "startupwebapp-memory-scaling: scale-in cooldown"],
    calls: ["PutScalingPolicy startupwebapp-cpu-scaling", "PutScalingPolicy startupwebapp-memory-scaling"],
  },
};

const RDS_ALARMS = ["cpu-high", "connections-high", "storage-low", "memory-low"].map((a) => `startupwebapp-rds-${a}`);

export const MONITORING: Record<string, Key> = {
  ALARM_CPU_PERCENT: {
    values: int(75, 95),
    current: "80",
    fields: ["startupwebapp-ecs-cpu-high: description", "startupwebapp-ecs-cpu-high: threshold"],
    calls: ["PutMetricAlarm startupwebapp-ecs-cpu-high"],
  },
  ALARM_MEMORY_PERCENT: {
    values: int(80, 95),
    current: "85",
    fields: ["startupwebapp-ecs-memory-high: description", "startupwebapp-ecs-memory-high: threshold"],
    calls: ["PutMetricAlarm startupwebapp-ecs-memory-high"],
  },
  ALARM_LATENCY_P95_SECONDS: {
    values: fc.constantFrom("0.5", "1", "2", "3"),
    current: "1",
    fields: ["startupwebapp-latency-p95: description", "startupwebapp-latency-p95: threshold"],
    calls: ["PutMetricAlarm startupwebapp-latency-p95"],
  },
  ALARM_5XX_COUNT: {
    values: int(5, 15),
    current: "10",
    fields: [
      "startupwebapp-alb-5xx: description",
      "startupwebapp-alb-5xx: threshold",
      "startupwebapp-target-5xx: description",
      "startupwebapp-target-5xx: threshold",
    ],
    calls: ["PutMetricAlarm startupwebapp-alb-5xx", "PutMetricAlarm startupwebapp-target-5xx"],
  },
  ALARM_EMAIL: {
    values: fc.constantFrom("ops@startupwebapp.com", "oncall@startupwebapp.com", "alerts@example.com"),
    current: "ops@startupwebapp.com",
    fields: ["startupwebapp-rds-alerts: email subscription"],
    calls: (email) => [`Subscribe ${email}`],
  },
  RDS_INSTANCE_ID: {
    values: fc.oneof(fc.constant("startupwebapp-multi-tenant-prod"), label),
    current: "startupwebapp-multi-tenant-prod",
    // The database's alarms watch it, and the dashboard's RDS widgets show it.
    fields: [...RDS_ALARMS.map((a) => `${a}: dimensions`), "StartupWebApp-RDS-MultiTenant: body"],
    calls: [...RDS_ALARMS.map((a) => `PutMetricAlarm ${a}`), "PutDashboard StartupWebApp-RDS-MultiTenant"],
  },
};

/** The scripts' dashboard renamed: a new one made and the old one deleted (CloudWatch cannot rename). */
export const DASHBOARD_NAME: Record<string, Key> = {
  CLOUDWATCH_DASHBOARD_NAME: {
    // Prefixed, so that it cannot take the service dashboard's name (another object of the stack).
    values: fc
      .oneof(fc.constant("StartupWebApp-RDS-MultiTenant"), fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/))
      .map((s) => (s === "StartupWebApp-RDS-MultiTenant" ? s : `StartupWebApp-${s}`)),
    current: "StartupWebApp-RDS-MultiTenant",
    fields: (name) => [`replace ${name}`, `${name}: name`],
    calls: (name) => ["DeleteDashboards StartupWebApp-RDS-MultiTenant", `PutDashboard ${name}`],
  },
};

export const ALB_SETTINGS: Record<string, Key> = {
  HEALTH_CHECK_PATH: {
    values: fc.constantFrom("/order/products", "/health", "/status"),
    current: "/order/products",
    fields: [`${TG}: health check`],
    calls: [`ModifyTargetGroup ${TG}`],
  },
  TARGET_DEREGISTRATION_DELAY: {
    values: fc.constantFrom("0", "60", "300", "3600"),
    current: "300",
    fields: [`${TG}: deregistration delay`],
    calls: [`ModifyTargetGroupAttributes ${TG}`],
  },
  ALB_DELETION_PROTECTION: {
    values: fc.constantFrom("true", "false"),
    current: "false",
    fields: [`${ALB}: deletion protection`],
    calls: [`ModifyLoadBalancerAttributes ${ALB}`],
  },
  ALB_ACCESS_LOGS_BUCKET: {
    values: fc.oneof(fc.constant(""), fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,20}[a-z0-9]$/)),
    current: "",
    fields: [`${ALB}: access logs`],
    calls: [`ModifyLoadBalancerAttributes ${ALB}`],
  },
};

/** The load balancer renamed: made again under the new name (a name is fixed), with its listeners in it. */
export const ALB_NAME: Record<string, Key> = {
  ALB_NAME: {
    values: fc.oneof(
      fc.constant(ALB),
      label.map((s) => `startupwebapp-${s}`.slice(0, 32).replace(/-$/, "")),
    ),
    current: ALB,
    fields: (name) => [`replace ${name}`, `${name}: name`],
    calls: (name) => [
      `DeleteLoadBalancer ${ALB}`,
      `CreateLoadBalancer ${name}`,
      `ModifyLoadBalancerAttributes ${name}`,
      "CreateListener HTTP:80",
      "CreateListener HTTPS:443",
    ],
  },
};

export const RECORDS: Record<string, Key> = {
  API_DOMAIN_NAME: {
    // A name the stack's wildcard certificate covers: one label under the domain.
    values: fc.oneof(fc.constant("api"), label).map((s) => `${s}.startupwebapp.com`),
    current: "api.startupwebapp.com",
    // The record is named by it: the new one made, the old one deleted.
    fields: (name) => [`create ${name}`, "delete api.startupwebapp.com"],
    calls: (name) => [`ChangeResourceRecordSets ${name}`, "ChangeResourceRecordSets api.startupwebapp.com"],
  },
};

const roleArn = (current: string) =>
  fc.oneof(
    fc.constant(current),
    fc.stringMatching(/^[\w+=,.@-]{1,24}$/).map((r) => `arn:aws:iam::${ACCOUNT}:role/${r}`),
  );
const secretArnOf = (name: string, suffix: string) =>
  `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-${suffix}`;
const CURRENT_SECRET = secretArnOf("rds/startupwebapp/multi-tenant/master", "AbCdEf");
const revision = (field: string) => ({ fields: [`${TASK}: ${field}`], calls: [`RegisterTaskDefinition ${TASK}`] });

export const TASK_DEFINITION: Record<string, Key> = {
  // Every pair of these is a size Fargate runs (256 CPU units with 1 or 2 GB, 512 with 1 or 2 GB).
  TASK_CPU: { values: fc.constantFrom("256", "512"), current: "512", ...revision("cpu") },
  TASK_MEMORY: { values: fc.constantFrom("1024", "2048"), current: "1024", ...revision("memory") },
  ECS_TASK_EXECUTION_ROLE_ARN: {
    values: roleArn(`arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`),
    current: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
    ...revision("execution role"),
  },
  ECS_TASK_ROLE_ARN: {
    values: roleArn(`arn:aws:iam::${ACCOUNT}:role/startupwebapp-task-role`),
    current: `arn:aws:iam::${ACCOUNT}:role/startupwebapp-task-role`,
    ...revision("task role"),
  },
  DB_SECRET_ARN: {
    values: fc.oneof(
      fc.constant(CURRENT_SECRET),
      fc
        .tuple(fc.stringMatching(/^rds\/[A-Za-z0-9_+=.@-]{1,16}$/), fc.stringMatching(/^[A-Za-z0-9]{6}$/))
        .map(([name, suffix]) => secretArnOf(name, suffix)),
    ),
    current: CURRENT_SECRET,
    ...revision("secrets"),
    // create checks the secret exists before it registers a revision that reads it.
    prepare: (fake, arn) => {
      const name = arn.replace(/^.*:secret:(.*)-\w{6}$/, "$1");
      if (!fake.secrets.secrets.has(arn))
        fake.secrets.secrets.set(arn, { arn, name, value: "{}", tags: [], createdAt: 0 });
    },
  },
  DB_SECRET_NAME: {
    values: fc.oneof(
      fc.constant("rds/startupwebapp/multi-tenant/master"),
      fc.stringMatching(/^[A-Za-z0-9/_+=.@-]{1,24}$/),
    ),
    current: "rds/startupwebapp/multi-tenant/master",
    ...revision("environment"),
  },
  DATABASE_NAME: {
    values: fc.oneof(fc.constant("startupwebapp"), fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/)),
    current: "startupwebapp",
    ...revision("environment"),
  },
  ENVIRONMENT_DOMAIN: {
    values: fc.oneof(
      fc.constant("https://startupwebapp.startupwebapp.com"),
      label.map((s) => `https://${s}.example.com`),
    ),
    current: "https://startupwebapp.startupwebapp.com",
    ...revision("environment"),
  },
  HEALTH_CHECK_PATH: {
    values: fc.oneof(fc.constant("/order/products"), fc.stringMatching(/^\/[A-Za-z0-9._~-]{0,12}$/)),
    current: "/order/products",
    ...revision("health check"),
  },
  DJANGO_SETTINGS_MODULE: {
    values: fc.oneof(
      fc.constant("StartupWebApp.settings_production"),
      fc.stringMatching(/^[A-Za-z_]\w{0,8}(\.[A-Za-z_]\w{0,8}){0,2}$/),
    ),
    current: "StartupWebApp.settings_production",
    ...revision("environment"),
  },
  GUNICORN_WORKERS: { values: int(1, 9), current: "3", ...revision("command") },
  LOG_RETENTION_DAYS: {
    values: fc.constantFrom("1", "3", "5", "7", "14", "30", "60", "90", "365"),
    current: "7",
    fields: ["/ecs/startupwebapp-service: retention"],
    calls: ["PutRetentionPolicy /ecs/startupwebapp-service"],
  },
};

/** The frontend's domain acts only through ENVIRONMENT_DOMAIN's default, so it is generated without that key. */
export const FRONTEND: Record<string, Key> = {
  FRONTEND_CUSTOM_DOMAIN: {
    values: fc.oneof(
      fc.constant(""),
      label.map((s) => `${s}.startupwebapp.com`),
    ),
    current: "",
    ...revision("environment"),
  },
};

export const SERVICE_SETTINGS: Record<string, Key> = {
  HEALTH_CHECK_GRACE_PERIOD: {
    values: int(0, 3600),
    current: "120",
    fields: [`${SERVICE}: health check grace period`],
    calls: [`UpdateService ${SERVICE}`],
  },
  ECS_ENABLE_EXECUTE_COMMAND: {
    values: fc.constantFrom("true", "false"),
    current: "true",
    fields: [`${SERVICE}: ECS Exec`],
    calls: [`UpdateService ${SERVICE}`],
  },
};

export const WAF: Record<string, Key> = {
  WAF_RATE_LIMIT: {
    values: int(10, 2_000_000_000),
    current: "2000",
    fields: ["startupwebapp-web-acl: rules"],
    calls: ["UpdateWebACL startupwebapp-web-acl"],
  },
  WAF_BLOCKED_COUNTRIES: {
    values: fc
      .subarray(["KP", "IR", "RU", "CN", "BY", "SY"], { minLength: 0 })
      .chain((codes) => fc.shuffledSubarray(codes, { minLength: codes.length }))
      .map((codes) => codes.join(",")),
    current: "",
    fields: ["startupwebapp-web-acl: rules"],
    calls: ["UpdateWebACL startupwebapp-web-acl"],
  },
};

/** The object a mutating call is about, by the name it carries. */
export function callName(input: Record<string, unknown>): string {
  if (typeof input.Port === "number") return `${input.Protocol}:${input.Port}`; // a listener
  const batch = input.ChangeBatch as { Changes?: { ResourceRecordSet?: { Name?: string } }[] } | undefined;
  if (batch) return String(batch.Changes?.[0]?.ResourceRecordSet?.Name ?? "").replace(/\.$/, "");
  if (Array.isArray(input.DashboardNames)) return input.DashboardNames.join(",");
  const named = [
    "PolicyName",
    "ResourceId",
    "AlarmName",
    "Name",
    "DashboardName",
    "family",
    "logGroupName",
    "Endpoint",
  ];
  const key = named.find((k) => input[k]);
  if (key) return String(input[key]);
  if (typeof input.service === "string") return input.service.split("/").at(-1) ?? input.service;
  const arn = String(input.TargetGroupArn ?? input.LoadBalancerArn ?? "");
  return arn.split("/").at(-2) ?? arn; // .../targetgroup/<name>/<id>, .../app/<name>/<id>
}

/** A finished stack: every resource made, the WAF, the database's alarms and the email too. */
export async function finishedStack(fake: AwsFake): Promise<string> {
  fake.route53.addZone("startupwebapp.com");
  const path = tempEnvFile(
    `${INPUTS}WAF_ENABLED="true"\nRDS_INSTANCE_ID="startupwebapp-multi-tenant-prod"\nALARM_EMAIL="ops@startupwebapp.com"\n`,
  );
  const created = await runCli(["create", "all", "--file", path], fake);
  if (created.code !== 0) throw new Error(`create all failed: ${created.stderr}`);
  return path;
}

/** Sets input keys in the env file, as a person editing it would. */
export function setKeys(path: string, values: Record<string, string>) {
  const doc = EnvDocument.parse(readText(path), path);
  for (const [key, value] of Object.entries(values)) doc.set(key, value);
  writeFileSync(path, doc.toString());
}
