// The cost inputs, from the env file as `create` would read it (same defaults, same validation).
import { type EnvReader, flag, readInputs } from "../core/inputs.js";
import { LAST_DRILL_KEY, parseRecord } from "../recovery/record.js";
import type { DrillInput } from "./drill.js";
import { type CostInput, monitoringAlarmCount } from "./estimate.js";

export function costInputFrom(env: EnvReader, regionOverride?: string): CostInput {
  const input = readInputs(env, "cost");
  const region = regionOverride ?? input.need("AWS_REGION");
  const taskCpu = Number(input.need("TASK_CPU"));
  const taskMemoryMiB = Number(input.need("TASK_MEMORY"));
  const desiredCount = Number(input.need("DESIRED_COUNT"));
  const autoscalingMax = Number(input.need("AUTOSCALING_MAX_CAPACITY"));
  const logRetentionDays = Number(input.need("LOG_RETENTION_DAYS"));
  input.done();
  return {
    region,
    taskCpu,
    taskMemoryMiB,
    desiredCount,
    autoscalingMax,
    alarms: monitoringAlarmCount(Boolean(env.get("RDS_INSTANCE_ID"))),
    wafEnabled: flag(env, "WAF_ENABLED"),
    hostedZones: env.get("DNS_PROVIDER") === "external" ? 0 : 1,
    logRetentionDays,
    ...(env.get("RDS_INSTANCE_ID") ? { drill: drillInput(env) } : {}),
    ...(env.get("INFRA_STATE") ? { stateStore: true } : {}),
  };
}

/**
 * The last drill's shape, storage and billed time when one is recorded; else production's shape as far as the env
 * file can tell (a drill restores into production's): the earlier scripts' db.t4g.small and 20 GB, Multi-AZ (the
 * dearer reading: the scripts made it single-AZ, but it may have been changed since), for an hour. A class set in DR_DRILL_INSTANCE_CLASS is what
 * drills restore into, single-AZ.
 */
function drillInput(env: EnvReader): DrillInput {
  const last = parseRecord(env.get(LAST_DRILL_KEY));
  const klass = env.get("DR_DRILL_INSTANCE_CLASS");
  return {
    instanceClass: klass ?? last?.instanceClass ?? "db.t4g.small",
    multiAZ: klass ? false : (last?.multiAZ ?? true),
    storageGb: last?.storageGb || 20,
    hours: last?.billedMs ? last.billedMs / 3_600_000 : 1,
    basis: last?.billedMs ? "last drill" : "assumed",
  };
}
