// The cost inputs, from the env file as `create` would read it (same defaults, same validation).
import { type EnvReader, readInputs } from "../core/inputs.js";
import { SMALLEST_CLASSES } from "../recovery/config.js";
import { LAST_DRILL_KEY, parseRecord } from "../recovery/record.js";
import type { DrillInput } from "./drill.js";
import { type CostInput, monitoringAlarmCount } from "./estimate.js";

export function costInputFrom(env: EnvReader, regionOverride?: string): CostInput {
  const input = readInputs(env, "cost");
  const region = regionOverride ?? input.orDefault("AWS_REGION", "us-east-1");
  const taskCpu = Number(input.orDefault("TASK_CPU", "512"));
  const taskMemoryMiB = Number(input.orDefault("TASK_MEMORY", "1024"));
  const desiredCount = Number(input.orDefault("DESIRED_COUNT", "2"));
  const autoscalingMax = Number(input.orDefault("AUTOSCALING_MAX_CAPACITY", "4"));
  const logRetentionDays = Number(input.orDefault("LOG_RETENTION_DAYS", "7"));
  input.done();
  return {
    region,
    taskCpu,
    taskMemoryMiB,
    desiredCount,
    autoscalingMax,
    alarms: monitoringAlarmCount(Boolean(env.get("RDS_INSTANCE_ID"))),
    wafEnabled: env.get("WAF_ENABLED") === "true",
    hostedZones: env.get("DNS_PROVIDER") === "external" ? 0 : 1,
    logRetentionDays,
    ...(env.get("RDS_INSTANCE_ID") ? { drill: drillInput(env) } : {}),
  };
}

/** The last drill's class, storage and billed time when one is recorded, else the smallest class, 20 GB, 1 hour. */
function drillInput(env: EnvReader): DrillInput {
  const last = parseRecord(env.get(LAST_DRILL_KEY));
  return {
    instanceClass: env.get("DR_DRILL_INSTANCE_CLASS") ?? last?.instanceClass ?? SMALLEST_CLASSES[0],
    storageGb: last?.storageGb || 20,
    hours: last?.billedMs ? last.billedMs / 3_600_000 : 1,
    basis: last?.billedMs ? "last drill" : "assumed",
  };
}
