// What RegisterScalableTarget and PutScalingPolicy are sent, and the one projection of each into the fields plan,
// verify and status show. DescribeScalableTargets and DescribeScalingPolicies answer under the same names, so the
// same projections read what exists. Pure (type imports only): `plan` builds them with no SDK loaded.
import type {
  PutScalingPolicyCommandInput,
  RegisterScalableTargetCommandInput,
} from "@aws-sdk/client-application-auto-scaling";
import type { Fields } from "../../state/model.js";

export type ScalableTargetInput = Omit<RegisterScalableTargetCommandInput, "Tags" | "RoleARN">;
export type ScalingPolicyInput = PutScalingPolicyCommandInput;

/** Nothing suspended: what the scalable target wants, and what a resume sends. */
export const NOT_SUSPENDED = {
  DynamicScalingInSuspended: false,
  DynamicScalingOutSuspended: false,
  ScheduledScalingSuspended: false,
};

export function scalableTargetFields(t: ScalableTargetInput): Fields {
  const s = t.SuspendedState;
  const which = [
    s?.DynamicScalingInSuspended ? "dynamic scale-in" : "",
    s?.DynamicScalingOutSuspended ? "dynamic scale-out" : "",
    s?.ScheduledScalingSuspended ? "scheduled scaling" : "",
  ].filter(Boolean);
  return {
    "min capacity": t.MinCapacity,
    "max capacity": t.MaxCapacity,
    "scaling suspended": which.length ? which.join(", ") : "none",
  };
}

export function scalingPolicyFields(p: ScalingPolicyInput): Fields {
  const t = p.TargetTrackingScalingPolicyConfiguration;
  const metric = t?.PredefinedMetricSpecification?.PredefinedMetricType ?? t?.CustomizedMetricSpecification?.MetricName;
  return {
    type: p.PolicyType === "TargetTrackingScaling" ? "target tracking" : p.PolicyType,
    metric: metric ?? (t ? "none" : undefined),
    "target value": t?.TargetValue,
    "scale-out cooldown": t?.ScaleOutCooldown,
    "scale-in cooldown": t?.ScaleInCooldown,
    // Unset is AWS's default: scale-in on.
    "scale-in": t?.DisableScaleIn ? "disabled" : "enabled",
  };
}
