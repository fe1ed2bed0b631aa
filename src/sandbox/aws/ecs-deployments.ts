// How an ECS service's deployments play out on the fake clock: tasks start (PENDING -> RUNNING), register in
// their target groups and turn healthy; then the older deployments are scaled in: their tasks leave the target
// groups (draining for the groups' deregistration delay) and stop, and only once they are gone and running ==
// desired has held a while is the PRIMARY deployment COMPLETED. Tasks of an image that cannot be pulled (missing from the fake's
// ECR, not shared with this account, or failed by a test), or that fails the ELB health checks, stop and are
// replaced; the deployment circuit breaker marks such a deployment FAILED and, with
// rollback, deploys the last COMPLETED deployment's task definition again (docs/aws-behaviours.md, "ECS").
// The scheduler runs lazily: every read first replays the events due since the last one, in time order.
import { ACCOUNT, SUBNETS } from "./ec2.js";
import {
  CIRCUIT_BREAKER_MIN_FAILURES,
  type Deployment,
  type Fate,
  hexId,
  idOf,
  type ResolvedImage,
  type SchedulerContext,
  type Service,
  type Task,
  uuid,
} from "./ecs-state.js";

export class Scheduler {
  private seq = 0;

  constructor(private readonly ctx: SchedulerContext) {}

  live(svc: Service, d?: Deployment): Task[] {
    return this.ctx.tasks.filter(
      (t) => t.service === svc && t.stoppedAt === undefined && (!d || t.deploymentId === d.id),
    );
  }

  /** Plays the service's events up to `until`, one instant at a time. */
  advance(svc: Service, until: number): void {
    for (let guard = 0; ; guard++) {
      if (guard > 100_000) throw new Error(`the ECS fake's scheduler does not settle for ${svc.serviceName}`);
      const next = this.nextEvent(svc);
      if (next === undefined || next > until) break;
      this.settle(svc, Math.max(next, svc.at));
    }
    svc.at = Math.max(svc.at, until);
  }

  /**
   * Starts a new PRIMARY deployment of the service's task definition; the others become ACTIVE. Its images are
   * resolved to digests now (a rollback reuses those the deployment it returns to resolved).
   */
  deploy(svc: Service, at: number, reason?: string, images?: ResolvedImage[]): Deployment {
    for (const d of svc.deployments) d.status = "ACTIVE";
    const id = `ecs-svc/${(1_234_567_890_123_456_789n + BigInt(++this.seq) * 7_919_000_001n).toString()}`;
    const d: Deployment = {
      id,
      status: "PRIMARY",
      taskDefinition: svc.taskDefinition,
      desiredCount: svc.desiredCount,
      failedTasks: 0,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: reason ?? `ECS deployment ${id} in progress.`,
      createdAt: at,
      updatedAt: at,
      images: images ? structuredClone(images) : this.resolve(svc.taskDefinition),
      ...(svc.networkConfiguration ? { networkConfiguration: structuredClone(svc.networkConfiguration) } : {}),
      nextLaunchAt: at,
    };
    svc.deployments.unshift(d);
    svc.steady = false;
    return d;
  }

  /** A container whose versionConsistency is "disabled" is left unresolved: each task pulls the tag as it starts. */
  private resolve(taskDefinitionArn: string): ResolvedImage[] {
    return (this.ctx.taskDefinition(taskDefinitionArn)?.containerDefinitions ?? []).map((c) => {
      const image: ResolvedImage = { containerName: c.name ?? "", image: c.image ?? "" };
      return c.versionConsistency === "disabled" ? { ...image, atLaunch: true } : this.pin(image);
    });
  }

  private pin(image: ResolvedImage): ResolvedImage {
    return { ...image, ...this.ctx.resolveImage(image.image) };
  }

  /** Stops every task of the service at once (DeleteService). */
  stopAll(svc: Service, at: number): void {
    const by = svc.deployments[0]?.id ?? "";
    this.stop(svc, this.live(svc), at, "ServiceSchedulerInitiated", `Scaling activity initiated by (deployment ${by})`);
  }

  event(svc: Service, at: number, message: string): void {
    svc.events.unshift({
      id: uuid(`event:${++this.seq}`),
      createdAt: at,
      message: `(service ${svc.serviceName}) ${message}`,
    });
    svc.events.length = Math.min(svc.events.length, 100); // DescribeServices shows the last 100
  }

  private nextEvent(svc: Service): number | undefined {
    if (svc.deletedAt !== undefined) return undefined;
    const times: number[] = [];
    for (const t of this.live(svc)) {
      if (!t.ran && t.runsAt !== undefined) times.push(t.runsAt);
      if (t.fate) times.push(t.fate.at);
      if (t.draining) times.push(t.draining.stopsAt);
      if (t.healthyAt !== undefined && t.healthyAt > svc.at) times.push(t.healthyAt);
    }
    const p = svc.deployments[0];
    if (p && p.rolloutState !== "FAILED" && p.nextLaunchAt > svc.at && this.live(svc, p).length < p.desiredCount)
      times.push(p.nextLaunchAt);
    const completesAt =
      p?.steadySince === undefined ? undefined : p.steadySince + this.ctx.latency().deploymentSteadyMs;
    if (p?.rolloutState === "IN_PROGRESS" && completesAt !== undefined && completesAt > svc.at) times.push(completesAt);
    return times.length ? Math.min(...times) : undefined;
  }

  /** Everything due at instant t: tasks start or fail, then the scheduler launches, scales and completes. */
  settle(svc: Service, t: number): void {
    svc.at = t;
    if (svc.deletedAt !== undefined) return;
    for (const task of this.live(svc)) {
      if (task.ran || task.runsAt === undefined || task.runsAt > t) continue;
      task.ran = true;
      for (const lb of svc.loadBalancers) {
        if (!lb.targetGroupArn) continue;
        this.ctx.registerTarget(lb.targetGroupArn, task, lb.containerPort ?? 80);
        this.event(svc, task.runsAt, `registered 1 targets in (target-group ${lb.targetGroupArn})`);
      }
    }
    for (const task of this.live(svc)) if (task.fate && task.fate.at <= t) this.fail(svc, task, task.fate);
    for (const task of this.live(svc))
      if (task.draining && task.draining.stopsAt <= t)
        this.stop(svc, [task], task.draining.stopsAt, "ServiceSchedulerInitiated", scaledIn(task.draining.by));
    this.schedule(svc, t);
    this.checkSteady(svc, t);
  }

  private fail(svc: Service, task: Task, fate: Fate) {
    const d = svc.deployments.find((x) => x.id === task.deploymentId);
    if (fate.kind === "health") {
      for (const lb of svc.loadBalancers)
        this.event(
          svc,
          fate.at,
          `(port ${lb.containerPort}) is unhealthy in (target-group ${lb.targetGroupArn}) due to (reason Health checks failed with these codes: [502]).`,
        );
      this.stop(svc, [task], fate.at, "ServiceSchedulerInitiated", fate.reason, undefined, 143);
    } else {
      this.stop(svc, [task], fate.at, "TaskFailedToStart", fate.reason, fate.reason);
    }
    if (!d) return;
    d.failedTasks += 1;
    d.updatedAt = fate.at;
    d.nextLaunchAt = fate.at + this.ctx.latency().taskRelaunchMs;
    this.circuitBreaker(svc, d, fate);
  }

  /** A FAILED deployment stops launching; with rollback the last COMPLETED deployment is deployed again. */
  private circuitBreaker(svc: Service, d: Deployment, fate: Fate) {
    if (d !== svc.deployments[0] || d.rolloutState !== "IN_PROGRESS") return;
    const threshold = Math.min(200, Math.max(CIRCUIT_BREAKER_MIN_FAILURES, Math.ceil(d.desiredCount / 2)));
    if (d.failedTasks < threshold) return;
    const breaker = svc.deploymentConfiguration.deploymentCircuitBreaker;
    if (!breaker?.enable) {
      if (!d.troubleNoted)
        this.event(
          svc,
          fate.at,
          "is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
        );
      d.troubleNoted = true;
      return;
    }
    const why = fate.kind === "pull" ? "tasks failed to start" : "tasks failed ELB health checks";
    d.rolloutState = "FAILED";
    d.rolloutStateReason = `ECS deployment circuit breaker: ${why}.`;
    this.event(svc, fate.at, `(deployment ${d.id}) deployment failed: ${why}.`);
    const back = svc.deployments.find((x) => x !== d && x.rolloutState === "COMPLETED");
    if (!breaker.rollback || !back) return;
    this.event(svc, fate.at, `rolling back to deployment ${back.id}.`);
    svc.taskDefinition = back.taskDefinition;
    if (back.networkConfiguration) svc.networkConfiguration = structuredClone(back.networkConfiguration);
    // The rollback returns to the last successful deployment as it was, its resolved digests included.
    this.deploy(svc, fate.at, `ECS deployment circuit breaker: rolling back to deploymentId ${back.id}.`, back.images);
  }

  private schedule(svc: Service, t: number) {
    const p = svc.deployments[0];
    if (!p) return;
    const live = this.live(svc, p);
    if (live.length > p.desiredCount) {
      // Scale in: PENDING tasks first, then the newest.
      const extra = [...live]
        .sort((a, b) => Number(a.ran) - Number(b.ran) || b.launchedAt - a.launchedAt)
        .slice(0, live.length - p.desiredCount);
      this.stop(svc, extra, t, "ServiceSchedulerInitiated", `Scaling activity initiated by (deployment ${p.id})`);
      return;
    }
    if (live.length === p.desiredCount || p.rolloutState === "FAILED" || t < p.nextLaunchAt) return;
    if (!svc.capacityProviderStrategy?.length && svc.launchType === "EC2") {
      // The cluster has no container instances: EC2 tasks are never placed.
      if (!svc.unplaceableNoted)
        this.event(
          svc,
          t,
          "was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.",
        );
      svc.unplaceableNoted = true;
      return;
    }
    const started = Array.from({ length: p.desiredCount - live.length }, (_, i) => this.launch(svc, p, t, i));
    p.updatedAt = t;
    this.event(svc, t, `has started ${started.length} tasks: ${started.map((x) => `(task ${idOf(x)})`).join(" ")}.`);
  }

  private launch(svc: Service, d: Deployment, t: number, i: number): Task {
    const n = ++this.seq;
    const subnets = d.networkConfiguration?.awsvpcConfiguration?.subnets ?? SUBNETS;
    const subnet = subnets[n % subnets.length] ?? "";
    const k = Math.max(0, SUBNETS.indexOf(subnet));
    const resolved = d.images.map((i) => (i.atLaunch ? this.pin(i) : i));
    // A failure may be set for an image by reference (":v2") or by the digest a tag resolved to.
    const images = resolved.flatMap((i) => [i.image, ...(i.imageDigest ? [i.imageDigest] : [])]);
    const unpullable = resolved.find((i) => i.cannotPull)?.cannotPull;
    const pull = this.ctx.failureFor(images, "pull") ?? (unpullable ? { reason: unpullable } : undefined);
    const { taskStartMs, taskStaggerMs, targetHealthCheckMs } = this.ctx.latency();
    const runsAt = pull ? undefined : t + taskStartMs + i * taskStaggerMs;
    const health = svc.loadBalancers.length ? this.ctx.failureFor(images, "health") : undefined;
    const grace = (svc.healthCheckGracePeriodSeconds ?? 0) * this.ctx.latency().configuredSecondMs;
    let fate: Fate | undefined;
    if (pull) fate = { at: t + taskStartMs + i * taskStaggerMs, kind: "pull", reason: pull.reason };
    else if (health && runsAt !== undefined) {
      // ECS ignores failing ELB health checks during the grace period, then replaces the task.
      const at = Math.max(runsAt + targetHealthCheckMs, runsAt + grace);
      const reason = `Task failed ELB health checks in (target-group ${svc.loadBalancers[0]?.targetGroupArn})`;
      fate = { at, kind: "health", reason };
    }
    const healthyAt =
      runsAt === undefined || fate ? undefined : runsAt + (svc.loadBalancers.length ? targetHealthCheckMs : 0);
    const task: Task = {
      arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/${svc.clusterArn.split("/").at(-1)}/${hexId(`task:${n}`)}`,
      service: svc,
      deploymentId: d.id,
      taskDefinitionArn: d.taskDefinition,
      subnet,
      ip: `10.0.${k + 1}.${(n % 250) + 4}`,
      eniId: `eni-${hexId(`eni:${n}`, 17)}`,
      attachmentId: uuid(`attachment:${n}`),
      availabilityZone: `us-east-1${"abcdef"[k % 6]}`,
      launchedAt: t,
      images: structuredClone(resolved),
      ran: false,
      enableExecuteCommand: svc.enableExecuteCommand,
      ...(runsAt !== undefined ? { runsAt } : {}),
      ...(healthyAt !== undefined ? { healthyAt } : {}),
      ...(fate ? { fate } : {}),
    };
    this.ctx.tasks.push(task);
    return task;
  }

  private stop(
    svc: Service,
    tasks: Task[],
    at: number,
    stopCode: string,
    reason: string,
    containerReason?: string,
    exitCode?: number,
  ) {
    const wasRunning = tasks.filter((x) => x.ran);
    // A task that drained left its target groups when the draining began.
    const registered = wasRunning.filter((x) => !x.draining);
    for (const task of tasks) {
      Object.assign(task, { stoppedAt: at, stopCode, stoppedReason: reason });
      if (containerReason) task.containerReason = containerReason;
      if (task.ran) task.exitCode = exitCode ?? 0;
    }
    this.deregister(svc, registered, at);
    if (wasRunning.length === 0) return;
    const list = wasRunning.map((x) => `(task ${idOf(x)})`).join(" ");
    this.event(svc, at, `has stopped ${wasRunning.length} running tasks: ${list}.`);
  }

  private checkSteady(svc: Service, t: number) {
    const p = svc.deployments[0];
    if (!p) return;
    const live = this.live(svc, p);
    const healthy = live.filter((x) => x.ran && x.healthyAt !== undefined && x.healthyAt <= t);
    const steady = live.length === p.desiredCount && healthy.length === p.desiredCount;
    if (p.rolloutState === "IN_PROGRESS") {
      if (!steady) p.steadySince = undefined;
      else p.steadySince ??= t;
      if (p.steadySince === undefined) return;
      this.scaleInOlder(svc, p, t);
      const older = svc.deployments.filter((d) => d !== p).flatMap((d) => this.live(svc, d));
      if (older.length === 0 && t >= p.steadySince + this.ctx.latency().deploymentSteadyMs) this.complete(svc, p, t);
      return;
    }
    if (p.rolloutState === "COMPLETED" && steady && !svc.steady) this.event(svc, t, "has reached a steady state.");
    svc.steady = steady;
  }

  /**
   * The new tasks are healthy: the older deployments go to 0. Their running tasks leave the target groups and
   * stop once the groups' deregistration delay and their stop timeout have passed; tasks not yet running stop now.
   */
  private scaleInOlder(svc: Service, p: Deployment, t: number) {
    const older = svc.deployments.filter((d) => d !== p && d.desiredCount > 0);
    if (older.length === 0) return;
    for (const d of older) d.desiredCount = 0;
    const tasks = older.flatMap((d) => this.live(svc, d));
    const running = tasks.filter((x) => x.ran && svc.loadBalancers.length > 0);
    this.stop(
      svc,
      tasks.filter((x) => !running.includes(x)),
      t,
      "ServiceSchedulerInitiated",
      scaledIn(p.id),
    );
    if (running.length === 0) return;
    const delay = Math.max(...svc.loadBalancers.map((lb) => this.ctx.deregistrationDelayMs(lb.targetGroupArn ?? "")));
    const stopsAt = t + delay + this.ctx.latency().taskStopMs;
    for (const task of running) task.draining = { since: t, stopsAt, by: p.id };
    this.event(svc, t, `has begun draining connections on ${running.length} tasks.`);
    this.deregister(svc, running, t);
  }

  private deregister(svc: Service, tasks: Task[], at: number) {
    if (tasks.length === 0) return;
    for (const lb of svc.loadBalancers) {
      for (const task of tasks) this.ctx.deregisterTarget(lb.targetGroupArn ?? "", task, at);
      this.event(svc, at, `deregistered ${tasks.length} targets in (target-group ${lb.targetGroupArn})`);
    }
  }

  /** COMPLETED: the older deployments' tasks are gone, and so are they. */
  private complete(svc: Service, p: Deployment, t: number) {
    p.rolloutState = "COMPLETED";
    p.rolloutStateReason = `ECS deployment ${p.id} completed.`;
    p.updatedAt = t;
    p.steadySince = undefined;
    svc.deployments = [p];
    this.event(svc, t, `(deployment ${p.id}) deployment completed.`);
    this.event(svc, t, "has reached a steady state.");
    svc.steady = true;
  }
}

const scaledIn = (deploymentId: string) => `Scaling activity initiated by (deployment ${deploymentId})`;
