// The state of the ECS fake's services, deployments and tasks, and the timings they follow on the fake clock
// (ecs-deployments.ts plays them). Timings are exported for tests.
import { createHash } from "node:crypto";
import type {
  CapacityProviderStrategyItem,
  DeploymentConfiguration,
  LoadBalancer,
  NetworkConfiguration,
  Tag,
} from "@aws-sdk/client-ecs";
import type { Latency } from "./aws-fake.js";
import type { TaskDefinitionRecord } from "./ecs-task-definitions.js";
import { TARGET_HEALTH_CHECK_MS } from "./elbv2.js";

/** A task is PENDING this long (ENI, image pull) before it is RUNNING, or before a failed pull stops it. */
export const TASK_START_MS = 30_000;
/** The n-th task of one launch starts n x this later, so running ramps up to desired. */
export const TASK_STAGGER_MS = 5_000;
/** The PRIMARY deployment is COMPLETED once running == desired (healthy, behind a load balancer) held this long. */
export const STEADY_AFTER_MS = 30_000;
/**
 * A task told to stop gets SIGTERM, and SIGKILL once its container's stopTimeout (30 s on Fargate unless set) has
 * passed: the fake takes the whole of it.
 */
export const TASK_STOP_MS = 30_000;
/** After a task failed, the scheduler waits this long before launching its replacement. */
export const RELAUNCH_AFTER_FAILURE_MS = 30_000;
/** The circuit breaker trips at max(3, ceil(desired / 2)) failed tasks (at most 200), as AWS documents. */
export const CIRCUIT_BREAKER_MIN_FAILURES = 3;
/** A deleted service is DRAINING this long, then INACTIVE... */
export const DRAINING_MS = 60_000;
/** ...and purged (MISSING) this long after it went INACTIVE. */
export const PURGED_AFTER_INACTIVE_MS = 600_000;
/** Stopped tasks stay listed and describable for an hour. */
export const STOPPED_TASK_VISIBLE_MS = 3_600_000;
export { TARGET_HEALTH_CHECK_MS };

export const PULL_FAILURE =
  "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref: not found";

/**
 * Why a task cannot pull an image in the fake's ECR: the repository, tag or digest does not exist ("not found"), or
 * the repository is another account's and its policy does not share it ("denied": the registry answers 403).
 */
export function cannotPull(image: string, why: "not found" | "denied"): string {
  const prefix = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}`;
  if (why === "not found") return `${prefix}: not found`;
  const host = image.split("/")[0];
  const at = image.indexOf("@");
  const reference = at !== -1 ? image.slice(at + 1) : (image.slice(image.lastIndexOf("/")).split(":")[1] ?? "latest");
  return `${prefix}: pulling from host ${host} failed with status code [manifests ${reference}]: 403 Forbidden`;
}

/** What pulling an image finds: the digest it names, why it cannot be pulled, or nothing (another registry). */
export type Pull = { imageDigest: string } | { cannotPull: string } | undefined;

export interface ImageFailure {
  image: string;
  kind: "pull" | "health";
  reason: string;
}

/**
 * A container's image as a deployment resolved it: ECS resolves a tag to the digest it names when the deployment
 * starts, and every task of the deployment runs that digest (no digest: not an image the fake's ECR holds).
 */
export interface ResolvedImage {
  containerName: string;
  image: string;
  imageDigest?: string;
  /**
   * Why the image could not be resolved: an image in the fake's ECR whose repository, tag or digest is missing, or
   * that this account may not pull. Every task of the deployment then fails to start, until a new deployment.
   */
  cannotPull?: string;
  /** versionConsistency "disabled": not resolved by the deployment, but by each task when it starts. */
  atLaunch?: true;
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface Deployment {
  id: string;
  status: "PRIMARY" | "ACTIVE";
  taskDefinition: string;
  desiredCount: number;
  failedTasks: number;
  rolloutState: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  rolloutStateReason: string;
  createdAt: number;
  updatedAt: number;
  /** The task definition's images, resolved to digests when the deployment started. */
  images: ResolvedImage[];
  networkConfiguration?: NetworkConfiguration;
  /** When the scheduler may launch again (after a failure). */
  nextLaunchAt: number;
  /** Since when running == desired has held (IN_PROGRESS only). */
  steadySince?: number;
  troubleNoted?: boolean;
}

export interface Service {
  arn: string;
  serviceName: string;
  clusterArn: string;
  /** ACTIVE, then DRAINING, INACTIVE and MISSING after DeleteService: read from the clock. */
  readonly status: "ACTIVE" | "DRAINING" | "INACTIVE" | "MISSING";
  createdAt: number;
  /** The CreateService request, for the idempotency check. */
  createRequest: string;
  clientToken?: string;
  desiredCount: number;
  taskDefinition: string;
  launchType?: string;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion?: string;
  networkConfiguration?: NetworkConfiguration;
  loadBalancers: LoadBalancer[];
  healthCheckGracePeriodSeconds?: number;
  deploymentConfiguration: DeploymentConfiguration;
  deploymentController: { type: string };
  enableExecuteCommand: boolean;
  enableECSManagedTags: boolean;
  propagateTags: string;
  tags: Tag[];
  deployments: Deployment[];
  events: ServiceEvent[];
  deletedAt?: number;
  /** How far the scheduler has played this service's events. */
  at: number;
  steady: boolean;
  unplaceableNoted?: boolean;
}

export interface Fate {
  at: number;
  kind: "pull" | "health";
  reason: string;
}

export interface Task {
  arn: string;
  service: Service;
  deploymentId: string;
  taskDefinitionArn: string;
  subnet: string;
  ip: string;
  eniId: string;
  attachmentId: string;
  availabilityZone: string;
  launchedAt: number;
  /** Its deployment's resolved images: what it pulls. */
  images: ResolvedImage[];
  /** When it reaches RUNNING (undefined: never, its image cannot be pulled). */
  runsAt?: number;
  /** When it counts as healthy: at RUNNING, or once its targets pass the health checks. */
  healthyAt?: number;
  /** When and why it will fail, decided at launch. */
  fate?: Fate;
  ran: boolean;
  /** ECS Exec as the service had it when the task was launched: a running task keeps it. */
  enableExecuteCommand: boolean;
  /**
   * Deregistered from its target groups (lastStatus DEACTIVATING, desired STOPPED) to be stopped at `stopsAt`, once
   * the groups' deregistration delay and its stop timeout have passed.
   */
  draining?: { since: number; stopsAt: number; by: string };
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  containerReason?: string;
  exitCode?: number;
}

export interface SchedulerContext {
  now(): number;
  /** How long AWS takes: tasks to start, health checks, steady state (the fake's latency). */
  latency(): Latency;
  tasks: Task[];
  taskDefinition(arn: string): TaskDefinitionRecord | undefined;
  /** What an image reference names now in ECR (a digest in it, or the tag looked up), or why it cannot be pulled. */
  resolveImage(image: string): Pull;
  failureFor(images: string[], kind: ImageFailure["kind"]): ImageFailure | undefined;
  registerTarget(targetGroupArn: string, task: Task, port: number): void;
  deregisterTarget(targetGroupArn: string, task: Task, at: number): void;
  /** How long a deregistered target of the group drains (its deregistration delay), on the fake's clock. */
  deregistrationDelayMs(targetGroupArn: string): number;
}

export const hexId = (seed: string, length = 32) => createHash("sha256").update(seed).digest("hex").slice(0, length);

export function uuid(seed: string): string {
  const h = hexId(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const idOf = (task: Task) => task.arn.split("/").at(-1);
