// How long a rolling deployment of the service may take at the stack's settings, from what AWS documents
// (docs/aws-behaviours.md, "How long a deployment takes"): the default limit of each wait of `deploy` and `rollback`,
// long enough for a deployment that succeeds (its old tasks drained) and for one that fails (the circuit breaker
// tripped), so that running out of time means something is wrong.

/** The target group's health check, as `alb` makes it (the scripts' settings). */
export const TARGET_HEALTH_CHECK = {
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
} as const;

/** A Fargate task's start: its network interface, the image pull, the container. AWS promises no figure: ours. */
export const TASK_START_SECONDS = 180;
/** From SIGTERM to SIGKILL: the container's stopTimeout, 30 s on Fargate unless the definition sets it. */
export const STOP_TIMEOUT_SECONDS = 30;
/** ECS's own lag in calling a deployment COMPLETED or FAILED, and infra's poll interval: an allowance. */
export const SETTLE_SECONDS = 60;

/** The failed tasks that trip the circuit breaker: half the desired count, at least 3 and at most 200. */
export const circuitBreakerThreshold = (desiredCount: number) =>
  Math.min(200, Math.max(3, Math.ceil(desiredCount / 2)));

export interface RolloutSettings {
  /** The target group's deregistration delay (TARGET_DEREGISTRATION_DELAY). */
  deregistrationDelaySeconds: number;
  /** The service's health check grace period (HEALTH_CHECK_GRACE_PERIOD). */
  gracePeriodSeconds: number;
  /** The fewest tasks the service may run when a deployment starts (auto scaling's minimum, or DESIRED_COUNT). */
  fewestTasks: number;
}

export interface RolloutTime {
  /** A deployment that succeeds: new tasks started and healthy, the old ones drained and stopped. */
  succeedsSeconds: number;
  /** A deployment whose tasks all fail their health checks, until the circuit breaker calls it FAILED. */
  failsSeconds: number;
  /** Both covered, in whole minutes. */
  limitMs: number;
}

export function rolloutTime(s: RolloutSettings): RolloutTime {
  const hc = TARGET_HEALTH_CHECK;
  // A newly registered target is healthy after one passing check; the healthy threshold applies to a recovery.
  const healthy = TASK_START_SECONDS + hc.intervalSeconds + hc.timeoutSeconds;
  const succeedsSeconds = healthy + s.deregistrationDelaySeconds + STOP_TIMEOUT_SECONDS + SETTLE_SECONDS;
  // A failing task's checks are ignored for the grace period; it is unhealthy after the threshold's checks, then
  // stopped and replaced. Maximum 200 % starts a full set of new tasks at once, so the threshold takes
  // ceil(threshold / tasks) such rounds.
  const failingTask =
    TASK_START_SECONDS +
    Math.max(s.gracePeriodSeconds, hc.unhealthyThreshold * hc.intervalSeconds) +
    STOP_TIMEOUT_SECONDS;
  const tasks = Math.max(1, s.fewestTasks);
  const rounds = Math.ceil(circuitBreakerThreshold(tasks) / tasks);
  const failsSeconds = rounds * failingTask + SETTLE_SECONDS;
  const limitMs = Math.ceil(Math.max(succeedsSeconds, failsSeconds) / 60) * 60_000;
  return { succeedsSeconds, failsSeconds, limitMs };
}
