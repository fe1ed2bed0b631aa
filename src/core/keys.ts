// Every key `infra` reads from the env file, with what its value must look like. readInputs validates each key it
// reads against this table (a key missing here is a bug, caught by the tests), so no value reaches AWS unchecked;
// aws-resources.env.example documents the same keys (a test keeps the two in step).
import { COUNTRY_CODES } from "./countries.js";
import { InputError } from "./errors.js";
import * as v from "./validators.js";

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const retention: v.Validator = (key, value) => {
  if (!RETENTION_DAYS.includes(Number(value)) || !/^\d+$/.test(value))
    throw new InputError(
      `${v.setting(key, value)} is not a retention CloudWatch offers (${RETENTION_DAYS.join(", ")})`,
    );
};

/** A WAF rate-based rule's limit: 10 to 2,000,000,000 requests per 5 minutes. */
const wafRateLimit: v.Validator = (key, value) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 10 || n > 2_000_000_000)
    throw new InputError(
      `${v.setting(key, value)} is not a rate limit AWS accepts (10 to 2,000,000,000 requests per 5 minutes)`,
    );
};

const countries: v.Validator = (key, value) => {
  const unknown = value
    .split(/[\s,]+/)
    .filter(Boolean)
    .filter((c) => !COUNTRY_CODES.has(c.toUpperCase()));
  if (unknown.length) throw new InputError(`${key} has codes that are not ISO 3166 countries: ${unknown.join(", ")}`);
};

/**
 * A key's rule, and its default when the env file has no value: where the earlier scripts set one, their value
 * (docs/earlier-scripts.md).
 */
export interface KeySpec {
  rule: v.Validator;
  default?: string | ((get: (key: string) => string | undefined) => string | undefined);
}

const defaults: Readonly<Record<string, KeySpec["default"]>> = {
  ENVIRONMENT: "production",
  CONTAINER_PORT: "8000",
  HEALTH_CHECK_PATH: "/order/products",
  DNS_PROVIDER: "route53",
  IMAGE_TAG: "latest",
  TASK_CPU: "512",
  TASK_MEMORY: "1024",
  DJANGO_SETTINGS_MODULE: "StartupWebApp.settings_production",
  GUNICORN_WORKERS: "3",
  LOG_RETENTION_DAYS: "7",
  DESIRED_COUNT: "2",
  HEALTH_CHECK_GRACE_PERIOD: "120",
  TARGET_DEREGISTRATION_DELAY: "300",
  ALB_DELETION_PROTECTION: "false",
  ALB_NAME: (get) => `${get("PROJECT_NAME")}-alb`,
  TARGET_GROUP_NAME: (get) => `${get("PROJECT_NAME")}-tg`,
  ALB_SECURITY_GROUP_NAME: (get) => `${get("PROJECT_NAME")}-alb-sg`,
  ECS_SERVICE_NAME: (get) => `${get("PROJECT_NAME")}-service`,
  DATABASE_NAME: (get) => `${get("PROJECT_NAME")}_prod`,
  // The address of the site the API serves: the frontend's own domain once its setup recorded it, else the one the
  // scripts' values make of these keys (https://startupwebapp.mosaicmeshai.com from startupwebapp, mosaicmeshai.com).
  ENVIRONMENT_DOMAIN: (get) => {
    const frontend = get("FRONTEND_CUSTOM_DOMAIN");
    if (frontend) return `https://${frontend}`;
    const [project, domain] = [get("PROJECT_NAME"), get("DOMAIN_NAME")];
    return project && domain ? `https://${project}.${domain}` : undefined;
  },
  ECS_ENABLE_EXECUTE_COMMAND: "true",
  AUTOSCALING_MIN_CAPACITY: "1",
  AUTOSCALING_MAX_CAPACITY: "4",
  AUTOSCALING_CPU_TARGET: "70",
  AUTOSCALING_MEMORY_TARGET: "80",
  AUTOSCALING_SCALE_OUT_COOLDOWN: "60",
  AUTOSCALING_SCALE_IN_COOLDOWN: "300",
  ALARM_LATENCY_P95_SECONDS: "1",
  ALARM_5XX_COUNT: "10",
  ALARM_CPU_PERCENT: "80",
  ALARM_MEMORY_PERCENT: "85",
  CLOUDWATCH_DASHBOARD_NAME: "StartupWebApp-RDS-MultiTenant",
  WAF_ENABLED: "false",
  WAF_RATE_LIMIT: "2000",
  // The recovery targets (a usable database within 4 hours, at most a day of data lost), how old the last good drill
  // may be (the user's own recovery document schedules drills monthly at most), the PostgreSQL client image the
  // drill's check runs in (Docker's official image, from ECR Public: reached through the NAT without Docker Hub's
  // pull limits), and what a rehearsed cutover runs to prove the app starts (it reads the database's migrations).
  DR_RTO_TARGET: "4h",
  DR_RPO_TARGET: "24h",
  DR_MAX_AGE: "35d",
  DR_CHECK_IMAGE: "public.ecr.aws/docker/library/postgres:16-alpine",
  DR_CUTOVER_COMMAND: "python manage.py migrate --check",
  // What `deploy --migrate` runs: the migration command of the user's deploy workflow.
  MIGRATE_COMMAND: "python manage.py migrate",
};

const DURATION = v.pattern(/^\d+(\.\d+)?\s*(m|h|d)$/, "a duration like 90m, 4h or 1d");
const IDENTIFIER = "[A-Za-z_][A-Za-z0-9_$]*";
const CHECK_TABLE = `(${IDENTIFIER}:)?(${IDENTIFIER}\\.)?${IDENTIFIER}`;
const DRILL_RECORD = v.pattern(/^\S+Z( [a-z-]+=\S+)+$/, "a drill record as infra dr-drill writes it");

const RULES: Readonly<Record<string, v.Validator>> = {
  // Inputs: the prerequisites infra builds on (docs/earlier-scripts.md)
  AWS_REGION: v.region,
  PROJECT_NAME: v.projectName,
  ENVIRONMENT: v.tagValue,
  VPC_ID: v.awsId("vpc"),
  PUBLIC_SUBNET_1_ID: v.awsId("subnet"),
  PUBLIC_SUBNET_2_ID: v.awsId("subnet"),
  PRIVATE_SUBNET_1_ID: v.awsId("subnet"),
  PRIVATE_SUBNET_2_ID: v.awsId("subnet"),
  BACKEND_SECURITY_GROUP_ID: v.awsId("sg"),
  DOMAIN_NAME: v.domainName,
  API_DOMAIN_NAME: v.domainName,
  ECS_CLUSTER_NAME: v.ecsName,
  ECR_REPOSITORY_URI: v.imageRepository,
  ECS_TASK_EXECUTION_ROLE_ARN: v.roleArn,
  ECS_TASK_ROLE_ARN: v.roleArn,
  DB_SECRET_NAME: v.secretName,
  DB_SECRET_ARN: v.secretArn,
  DATABASE_NAME: v.databaseName,
  FRONTEND_CUSTOM_DOMAIN: v.domainName,
  RDS_INSTANCE_ID: v.dbInstanceId,
  RDS_KMS_KEY_ARN: v.pattern(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[0-9a-f-]{32,36}$/,
    "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>, not an alias)",
  ),
  // Optional inputs
  CONTAINER_PORT: v.port,
  HEALTH_CHECK_PATH: v.urlPath,
  HEALTH_CHECK_URL: v.httpUrl,
  HOSTED_ZONE_ID: v.hostedZoneId,
  DNS_PROVIDER: v.oneOf("route53", "external"),
  IMAGE_TAG: v.imageTag,
  TASK_CPU: v.positiveInt,
  TASK_MEMORY: v.positiveInt,
  DJANGO_SETTINGS_MODULE: v.pythonModule,
  ENVIRONMENT_DOMAIN: v.httpUrl,
  GUNICORN_WORKERS: v.positiveInt,
  LOG_RETENTION_DAYS: retention,
  CONTAINER_DEFINITION_FILE: v.filePath,
  DESIRED_COUNT: v.positiveInt,
  // ECS: 0 to 2,147,483,647 seconds (healthCheckGracePeriodSeconds).
  HEALTH_CHECK_GRACE_PERIOD: v.nonNegativeInt,
  ECS_ENABLE_EXECUTE_COMMAND: v.boolean,
  ALB_NAME: v.elbName,
  TARGET_GROUP_NAME: v.elbName,
  ALB_SECURITY_GROUP_NAME: v.securityGroupName,
  TARGET_DEREGISTRATION_DELAY: v.pattern(
    /^([0-9]|[1-9]\d{1,2}|[1-2]\d{3}|3[0-5]\d{2}|3600)$/,
    "a number of seconds (0-3600)",
  ),
  ALB_DELETION_PROTECTION: v.boolean,
  ALB_ACCESS_LOGS_BUCKET: v.pattern(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name"),
  ALB_ACCESS_LOGS_PREFIX: v.pattern(/^[A-Za-z0-9!_.*'()/-]{0,200}$/, "an S3 key prefix"),
  ECS_SERVICE_NAME: v.ecsName,
  ECS_TASK_DEFINITION_FAMILY: v.ecsName,
  MIGRATE_COMMAND: v.pattern(/^.{1,4096}$/, "a command (words, or a JSON array of strings)"),
  AUTOSCALING_MIN_CAPACITY: v.positiveInt,
  AUTOSCALING_MAX_CAPACITY: v.positiveInt,
  AUTOSCALING_CPU_TARGET: v.percent,
  AUTOSCALING_MEMORY_TARGET: v.percent,
  AUTOSCALING_SCALE_OUT_COOLDOWN: v.seconds,
  AUTOSCALING_SCALE_IN_COOLDOWN: v.seconds,
  ALARM_EMAIL: v.email,
  ALARM_LATENCY_P95_SECONDS: v.positiveNumber,
  ALARM_5XX_COUNT: v.positiveNumber,
  ALARM_CPU_PERCENT: v.positiveNumber,
  ALARM_MEMORY_PERCENT: v.positiveNumber,
  CLOUDWATCH_DASHBOARD_NAME: v.pattern(/^[A-Za-z0-9_-]{1,255}$/, "a dashboard name"),
  WAF_ENABLED: v.boolean,
  WAF_RATE_LIMIT: wafRateLimit,
  WAF_BLOCKED_COUNTRIES: countries,
  DR_RTO_TARGET: DURATION,
  DR_RPO_TARGET: DURATION,
  DR_MAX_AGE: DURATION,
  DR_CHECK_COMMAND: v.pattern(/^.{1,4096}$/, "a command (words, or a JSON array of strings)"),
  DR_CUTOVER_COMMAND: v.pattern(/^.{1,4096}$/, "a command (words, or a JSON array of strings)"),
  DR_CHECK_IMAGE: v.pattern(
    /^[a-z0-9][a-z0-9.-]*(:\d+)?(\/[a-z0-9][a-z0-9._-]*)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})?$/,
    "an image reference (registry/repository:tag)",
  ),
  DR_CHECK_TABLES: v.pattern(
    new RegExp(`^${CHECK_TABLE}([ ,]+${CHECK_TABLE})*$`),
    "tables as [database:][schema.]table, separated by commas",
  ),
  DR_FRESHNESS_QUERY: v.pattern(
    /^\s*(select|with)\s[^;]{1,4000};?\s*$/i,
    "one SELECT whose one value is the time of the newest row (no ;)",
  ),
  RUNBOOK_CONTACTS: v.pattern(/^[^;]{1,500}(;[^;]{1,500}){0,19}$/, "contacts separated by ;"),
  DR_DRILL_INSTANCE_CLASS: v.pattern(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "a DB instance class (like db.t4g.micro)"),
  // Recorded by one resource, read by others
  ALB_ARN: v.loadBalancerArn,
  ALB_DNS_NAME: v.domainName,
  ALB_SECURITY_GROUP_ID: v.awsId("sg"),
  TARGET_GROUP_ARN: v.targetGroupArn,
  HTTP_LISTENER_ARN: v.listenerArn,
  HTTPS_LISTENER_ARN: v.listenerArn,
  ACM_CERTIFICATE_ARN: v.certificateArn,
  HOSTED_ZONE_CREATED_BY_INFRA: v.boolean,
  API_ALIAS_RECORD: v.pattern(
    /^[a-z0-9.-]{1,253}( [a-z0-9.-]{1,253})*$/i,
    "the names of the alias records infra made, separated by spaces",
  ),
  ECS_SERVICE_TASK_DEFINITION_FAMILY: v.ecsName,
  ECS_SERVICE_TASK_DEFINITION_ARN: v.taskDefinitionArn,
  ECS_SERVICE_TASK_DEFINITION_REVISION: v.positiveInt,
  ECS_SERVICE_LOG_GROUP: v.pattern(/^[\w\-/.#]{1,512}$/, "a log group name"),
  ECS_SERVICE_ARN: v.serviceArn,
  AUTOSCALING_CPU_POLICY: v.pattern(/^\S{1,256}$/, "a scaling policy name"),
  AUTOSCALING_MEMORY_POLICY: v.pattern(/^\S{1,256}$/, "a scaling policy name"),
  SNS_TOPIC_ARN: v.topicArn,
  SERVICE_ALERTS_TOPIC_ARN: v.topicArn,
  SERVICE_DASHBOARD_NAME: v.pattern(/^[A-Za-z0-9_-]{1,255}$/, "a dashboard name"),
  WAF_WEB_ACL_ARN: v.webAclArn,
  DR_LAST_DRILL: DRILL_RECORD,
  DR_LAST_SUCCESSFUL_DRILL: DRILL_RECORD,
  // Where the stack's record and claim are kept (src/store/location.ts checks it in full)
  INFRA_STATE: v.pattern(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/, "an s3://<bucket>/<key> URL"),
};

export const KEYS: Readonly<Record<string, KeySpec>> = Object.fromEntries(
  Object.entries(RULES).map(([key, rule]) => [key, { rule, ...(defaults[key] ? { default: defaults[key] } : {}) }]),
);

/** A key's rule and default; a key missing from the table is a bug in infra, not in the env file. */
export function specOf(key: string): KeySpec {
  const spec = KEYS[key];
  if (!spec) throw new Error(`${key} is read but not listed in src/core/keys.ts`);
  return spec;
}

/** The default of a key the env file leaves empty, if it has one. */
export function defaultOf(key: string, get: (key: string) => string | undefined): string | undefined {
  const d = specOf(key).default;
  return typeof d === "function" ? d(get) : d;
}

/** No value may carry a control character: it would end up in a request, a tag or a container's environment. */
export function rejectControlCharacters(key: string, value: string, where: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
  const bad = /[\x00-\x1f\x7f]/.exec(value);
  if (bad)
    throw new InputError(
      `${where}: the value of ${key} has a control character (U+${bad[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()})`,
    );
}
