// Which parts of the stack a load test can sample, from the ids the env file recorded; what is missing is said
// once, and the load test runs without it.
import { type EnvReader, readInputs } from "../core/inputs.js";

export interface ServiceKeys {
  cluster: string;
  name: string;
}

export interface AlbKeys {
  /** CloudWatch dimension values: app/<name>/<id> and targetgroup/<name>/<id>. */
  loadBalancer: string;
  targetGroup: string;
}

export interface StackKeys {
  service?: ServiceKeys;
  alb?: AlbKeys;
  /** Alarm name prefixes: the monitoring resource's, and the target tracking policies'. */
  alarmPrefixes: string[];
}

/** The stack's ids from the env file; what is missing is said in `notes`. */
export function stackKeys(env: EnvReader, notes: string[]): StackKeys {
  // Each value is checked as everywhere else (a malformed one is exit 2 before anything is sent).
  const input = readInputs(env, "load-test");
  const cluster = input.maybe("ECS_CLUSTER_NAME");
  const name = input.maybe("ECS_SERVICE_NAME") ?? input.maybe("ECS_SERVICE_ARN")?.split("/").at(-1);
  const albArn = input.maybe("ALB_ARN");
  const tgArn = input.maybe("TARGET_GROUP_ARN");
  const project = input.maybe("PROJECT_NAME");
  const service = cluster && name ? { cluster, name } : undefined;
  if (!service)
    notes.push(
      "no ECS service recorded (ECS_CLUSTER_NAME, ECS_SERVICE_NAME): task counts and auto scaling not sampled",
    );
  const alb =
    albArn?.includes(":loadbalancer/") && tgArn?.includes(":targetgroup/")
      ? { loadBalancer: albArn.split(":loadbalancer/")[1] as string, targetGroup: tgArn.split(":").at(-1) as string }
      : undefined;
  if (!alb) notes.push("no load balancer recorded (ALB_ARN, TARGET_GROUP_ARN): ALB metrics not sampled");
  if (!project) notes.push("no PROJECT_NAME: the stack's alarms not sampled");
  const alarmPrefixes = [
    ...(project ? [`${project}-`] : []),
    ...(service ? [`TargetTracking-service/${service.cluster}/${service.name}-`] : []),
  ];
  return { ...(service ? { service } : {}), ...(alb ? { alb } : {}), alarmPrefixes };
}
