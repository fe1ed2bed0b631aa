// The `ecs-autoscaling` resource's model: observe, the handlers of its two kinds of object, what it records, and
// the one check that is not state: each policy has the alarms Application Auto Scaling makes for it.
import type { ScalingPolicy } from "@aws-sdk/client-application-auto-scaling";
import { checklist, type ResourceModel } from "../resource.js";
import type { AutoScalingConfig } from "./config.js";
import { outlivedAlarmHandlers, scalableTargetHandlers, scalingPolicyHandlers } from "./handlers.js";
import { observeAutoScaling } from "./observe.js";

export const autoScalingModel: ResourceModel<AutoScalingConfig> = {
  observe: observeAutoScaling,
  handlers: {
    "scalable target": scalableTargetHandlers,
    "scaling policy": scalingPolicyHandlers,
    "target tracking alarm": outlivedAlarmHandlers,
  },
  recorded(objects, c) {
    return {
      AUTOSCALING_CPU_POLICY: objects.has("policy:cpu") ? c.cpuPolicy : "",
      AUTOSCALING_MEMORY_POLICY: objects.has("policy:memory") ? c.memoryPolicy : "",
    };
  },
  async checks(_ctx, _c, objects) {
    const { checks, check } = checklist("ecs-autoscaling");
    for (const key of ["policy:cpu", "policy:memory"]) {
      const p = objects.get(key);
      if (!p) continue;
      // Made by AWS with the policy (TargetTracking-...): without them the policy never scales.
      const alarms = ((p.raw as ScalingPolicy | undefined)?.Alarms ?? []).map((a) => a.AlarmName);
      check(`policy ${p.name} has its target tracking alarms`, alarms.length > 0, alarms.join(", ") || "none");
    }
    return checks;
  },
};
