// What `infra dr-drill` reads from the env file and its options, all checked before any AWS call (each key's value
// by readInputs, against src/core/keys.ts; here, what the values become).

import { parseCommand } from "../core/command.js";
import { InputError } from "../core/errors.js";
import { type EnvReader, readInputs } from "../core/inputs.js";

/** The tag that marks an instance as a drill of the database it names: how a rerun finds a killed run's. */
export const DRILL_TAG = "infra:dr-drill-of";
/** Set on a drill instance kept with --keep: a rerun leaves it alone. */
export const KEPT_TAG = "infra:dr-drill-kept";

export interface DrillConfig {
  project: string;
  environment: string;
  /** The database to restore (RDS_INSTANCE_ID). */
  instanceId: string;
  /** The migration task definition family the check runs from, and the family its check revisions go in. */
  family: string;
  checkFamily: string;
  cluster: string;
  subnets: string[];
  securityGroup: string;
  /** The database secret: the check logs in with its `username` and `password`. */
  secretArn: string;
  /** The app's database (DATABASE_NAME): the freshness query runs there, and it must be readable. */
  databaseName: string;
  check: CheckPlan;
  /** DR_DRILL_INSTANCE_CLASS: that class, single-AZ; else production's class and Multi-AZ. */
  instanceClass: string | undefined;
  targets: { rtoMs: number; rpoMs: number };
  pointInTime: boolean;
  keep: boolean;
  /** --rehearse-cutover: the app started once against a copy of the secret pointed at the restored instance. */
  cutover: CutoverPlan | undefined;
  /** Where rehearsals register their revisions (known once the service's task definition is recorded). */
  cutoverFamily: string | undefined;
}

/**
 * How the restored data is checked: by default a PostgreSQL client image that connects to the restored instance
 * itself (check-script.ts); with --check-command or DR_CHECK_COMMAND, that command in the migration task's
 * container, which must take its host from DATABASE_HOST (and print "dr-check connected <host> <port>" to say so).
 */
export type CheckPlan =
  | { kind: "psql"; image: string; tables: string[]; freshnessQuery: string | undefined }
  | { kind: "command"; command: string[] };

export interface CutoverPlan {
  /** The service's task definition (the recorded revision, else its family). */
  serviceTaskDefinition: string;
  family: string;
  command: string[];
  /** The secret's name, when the app finds the secret by DB_SECRET_NAME (the earlier scripts' settings do). */
  secretName: string | undefined;
}

export interface DrillFlags {
  checkCommand?: string;
  pointInTime?: string;
  keep?: boolean;
  rehearseCutover?: boolean;
}

export function drillConfig(env: EnvReader, flags: DrillFlags): DrillConfig {
  const input = readInputs(env, "dr-drill");
  const project = input.need("PROJECT_NAME");
  const environment = input.need("ENVIRONMENT");
  const instanceId = input.need("RDS_INSTANCE_ID");
  const migration = input.need("ECS_TASK_DEFINITION_FAMILY");
  const cluster = input.need("ECS_CLUSTER_NAME");
  const subnets = [input.need("PRIVATE_SUBNET_1_ID"), input.need("PRIVATE_SUBNET_2_ID")];
  const securityGroup = input.need("BACKEND_SECURITY_GROUP_ID");
  const secretArn = input.need("DB_SECRET_ARN");
  const databaseName = input.need("DATABASE_NAME");
  const command = flags.checkCommand ?? input.maybe("DR_CHECK_COMMAND");
  const image = input.need("DR_CHECK_IMAGE");
  const tables = input.maybe("DR_CHECK_TABLES");
  const freshness = input.maybe("DR_FRESHNESS_QUERY");
  const klass = input.maybe("DR_DRILL_INSTANCE_CLASS");
  const rto = input.need("DR_RTO_TARGET");
  const rpo = input.need("DR_RPO_TARGET");
  const serviceTd = input.maybe("ECS_SERVICE_TASK_DEFINITION_ARN") ?? input.maybe("ECS_SERVICE_TASK_DEFINITION_FAMILY");
  const cutover = flags.rehearseCutover
    ? {
        serviceTaskDefinition: serviceTd ?? input.need("ECS_SERVICE_TASK_DEFINITION_FAMILY"),
        command: input.need("DR_CUTOVER_COMMAND"),
        secretName: input.maybe("DB_SECRET_NAME"),
      }
    : undefined;
  input.done();
  if (migration.length > 255 - "-dr-drill".length)
    throw new InputError(
      `ECS_TASK_DEFINITION_FAMILY="${migration}" is too long for its drill family (${migration}-dr-drill)`,
    );
  if (flags.pointInTime !== undefined && flags.pointInTime !== "latest")
    throw new InputError(
      `--point-in-time ${flags.pointInTime}: a drill restores to the latest restorable time (--point-in-time latest)`,
      "to restore to an earlier time, follow `infra runbook`",
    );
  const check: CheckPlan =
    command !== undefined
      ? {
          kind: "command",
          command: parseCommand(
            flags.checkCommand !== undefined ? "--check-command" : "DR_CHECK_COMMAND",
            command,
            EXAMPLE_COMMAND,
          ),
        }
      : {
          kind: "psql",
          image,
          tables: checkTables(tables, databaseName),
          freshnessQuery: freshness?.trim().replace(/;+$/, ""),
        };
  return {
    project,
    environment,
    instanceId: instanceId.toLowerCase(),
    family: migration,
    checkFamily: `${migration}-dr-drill`,
    cluster,
    subnets,
    securityGroup,
    secretArn,
    databaseName,
    check,
    instanceClass: klass,
    targets: { rtoMs: parseTarget("DR_RTO_TARGET", rto), rpoMs: parseTarget("DR_RPO_TARGET", rpo) },
    pointInTime: flags.pointInTime === "latest",
    keep: Boolean(flags.keep),
    cutoverFamily: serviceTd && `${familyOf(serviceTd)}-dr-cutover`,
    cutover: cutover && {
      serviceTaskDefinition: cutover.serviceTaskDefinition,
      family: `${familyOf(cutover.serviceTaskDefinition)}-dr-cutover`,
      command: parseCommand("DR_CUTOVER_COMMAND", cutover.command, EXAMPLE_COMMAND),
      secretName: cutover.secretName,
    },
  };
}

/** A family from a revision's ARN, family:revision, or a family. */
const familyOf = (ref: string) => (ref.split("/").at(-1) ?? ref).replace(/:\d+$/, "");

/**
 * DR_CHECK_TABLES: tables as `[database:][schema.]table`, separated by commas or spaces; a table without a database
 * is in DATABASE_NAME, one without a schema in public. The check counts these only, each as database:schema.table.
 */
export function checkTables(text: string | undefined, databaseName: string): string[] {
  return (text ?? "")
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const [db, table] = entry.includes(":") ? (entry.split(":") as [string, string]) : [databaseName, entry];
      return `${db}:${table.includes(".") ? table : `public.${table}`}`;
    });
}

const EXAMPLE_COMMAND = "python manage.py migrate --check";

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A target such as 4h, 90m or 1d. */
export function parseTarget(key: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : 0;
  if (!m || ms <= 0) throw new InputError(`${key}="${text}" is not a duration like 90m, 4h or 1d`);
  return ms;
}

/**
 * `<id>-drill-YYYYMMDD`, and `-2`, `-3`... for a second and third drill the same day; the id shortened (and any
 * hyphen it then ends with dropped) so the whole stays within RDS's 63 characters and its pattern.
 */
export function drillInstanceId(instanceId: string, now: number, n = 1): string {
  const day = new Date(now).toISOString().slice(0, 10).replaceAll("-", "");
  const suffix = `-drill-${day}${n > 1 ? `-${n}` : ""}`;
  return `${instanceId.slice(0, 63 - suffix.length).replace(/-+$/, "")}${suffix}`;
}

/** The first of this day's drill names that no instance holds. */
export function freeDrillInstanceId(instanceId: string, now: number, taken: ReadonlySet<string>): string {
  let n = 1;
  while (taken.has(drillInstanceId(instanceId, now, n))) n++;
  return drillInstanceId(instanceId, now, n);
}

/** Whether a name is one that drillInstanceId gives for this database, on any day and with any counter. */
export function isDrillInstanceName(instanceId: string, name: string): boolean {
  const m = /-drill-(\d{4})(\d{2})(\d{2})(?:-(\d+))?$/.exec(name);
  if (!m) return false;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const n = m[4] === undefined ? 1 : Number(m[4]);
  if (Number.isNaN(day) || (n < 2 && m[4] !== undefined)) return false;
  return drillInstanceId(instanceId, day, n) === name;
}
