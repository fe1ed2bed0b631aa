// ECS as `infra` uses it: one Fargate cluster, task definitions (ecs-task-definitions.ts), services created and
// updated as AWS checks them (ecs-services.ts) whose deployments play out on the fake clock (ecs-deployments.ts,
// state and timings in ecs-state.ts), their tasks (ecs-tasks.ts) and tags.
// Behaviours from docs/aws-behaviours.md, "ECS": a deleted service is DRAINING, then INACTIVE, then MISSING;
// creating it again while it drains is "not idempotent"; DescribeServices answers MISSING in `failures`.
import {
  ClientException,
  ClusterNotFoundException,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  ResourceNotFoundException,
  RunTaskCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  StopTaskCommand,
  type Tag,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { parseEcrImage } from "./ecr.js";
import { Scheduler } from "./ecs-deployments.js";
import { OneOffTasks } from "./ecs-run-task.js";
import { ServiceRequests } from "./ecs-services.js";
import {
  cannotPull,
  type ImageFailure,
  PULL_FAILURE,
  PURGED_AFTER_INACTIVE_MS,
  type Pull,
  type Service,
  type Task,
} from "./ecs-state.js";
import { TaskDefinitions } from "./ecs-task-definitions.js";
import { TaskQueries } from "./ecs-tasks.js";
import { modeled } from "./errors.js";

export * from "./ecs-state.js";

export const CLUSTER = "startupwebapp-cluster";
export const ECS_PREFIX = `arn:aws:ecs:us-east-1:${ACCOUNT}`;
export const CLUSTER_ARN = `${ECS_PREFIX}:cluster/${CLUSTER}`;

export type ServiceStatus = "ACTIVE" | "DRAINING" | "INACTIVE" | "MISSING";

export class EcsModel {
  readonly name = "ECS";
  readonly client = ECSClient;
  /** Service name -> its latest incarnation (a purged one reads MISSING). */
  readonly services = new Map<string, Service>();
  readonly tasks: Task[] = [];
  readonly clusterTags: Tag[] = [];
  /** Images whose tasks fail (failImage, failHealthChecks). */
  readonly failures: ImageFailure[] = [];
  readonly definitions = new TaskDefinitions(() => this.now());
  readonly scheduler = new Scheduler({
    now: () => this.now(),
    latency: () => this.fake.latency,
    tasks: this.tasks,
    taskDefinition: (arn) => this.definitions.find(arn),
    resolveImage: (image) => this.resolveImage(image),
    failureFor: (images, kind) =>
      this.failures.find((f) => f.kind === kind && images.some((image) => image.includes(f.image))),
    registerTarget: (tg, task, port) =>
      this.fake.elbv2.registerTarget(tg, {
        Id: task.ip,
        Port: port,
        AvailabilityZone: task.availabilityZone,
        registeredAt: task.runsAt ?? this.now(),
        healthy: task.healthyAt !== undefined,
      }),
    deregisterTarget: (tg, task, at) => this.fake.elbv2.deregisterTarget(tg, task.ip, at),
    deregistrationDelayMs: (tg) => this.fake.elbv2.deregistrationDelayMs(tg),
  });
  private readonly requests = new ServiceRequests(this);
  private readonly queries = new TaskQueries(this);
  /** Tasks started by RunTask (migrations), outside any service. */
  readonly oneOff = new OneOffTasks(this);

  constructor(readonly fake: Fake) {}

  readonly handlers: ServiceModel["handlers"] = (
    [
      [DescribeClustersCommand, (i) => this.describeClusters(i)],
      [RegisterTaskDefinitionCommand, (i) => this.definitions.register(i)],
      [DescribeTaskDefinitionCommand, (i) => this.definitions.describe(i)],
      [ListTaskDefinitionsCommand, (i) => this.definitions.list(i)],
      [DeregisterTaskDefinitionCommand, (i) => this.definitions.deregister(i)],
      [CreateServiceCommand, (i) => this.requests.create(i)],
      [UpdateServiceCommand, (i) => this.requests.update(i)],
      [DeleteServiceCommand, (i) => this.deleteService(i)],
      [DescribeServicesCommand, (i) => this.describeServices(i)],
      [ListServicesCommand, (i) => this.listServices(i)],
      [ListTasksCommand, (i) => this.queries.list(i)],
      [DescribeTasksCommand, (i) => this.describeTasks(i)],
      [RunTaskCommand, (i) => this.oneOff.run(i)],
      [StopTaskCommand, (i) => this.oneOff.stop(i)],
      [TagResourceCommand, (i) => this.tagResource(i)],
      [UntagResourceCommand, (i) => this.untagResource(i)],
      [ListTagsForResourceCommand, (i) => ({ tags: this.tagsOf(i.resourceArn) })],
    ] as ServiceModel["handlers"]
  ).map(([command, handler]) => [
    command,
    (input: unknown) => {
      this.sync(); // the scheduler catches up with the clock before any call is answered
      return handler(input);
    },
  ]);

  private now = () => this.fake.clock.now();

  /**
   * What pulling the image finds in the fake's ECR, with this account's rights (the task execution role's: another
   * account's repository only when its policy shares it). An image in any other registry (Docker Hub,
   * public.ecr.aws) cannot be checked: it is taken as pullable, with no digest.
   */
  resolveImage(image: string): Pull {
    const ref = parseEcrImage(image);
    if (!ref) return undefined;
    const found = this.fake.ecr.pull(ref);
    return "digest" in found ? { imageDigest: found.digest } : { cannotPull: cannotPull(image, found.error) };
  }

  /** Service tasks and one-off tasks alike, at most 100 of them per call. */
  private describeTasks(input: { cluster?: string; tasks: string[] }) {
    this.clusterArn(input.cluster);
    if (input.tasks.length > 100) throw modeled(InvalidParameterException, "tasks can have at most 100 items.");
    const oneOff = input.tasks.flatMap((ref) => {
      const t = this.oneOff.find(ref);
      return t ? [this.oneOff.render(t)] : [];
    });
    const rest = input.tasks.filter((ref) => !this.oneOff.find(ref));
    const service = rest.length ? this.queries.describe({ ...input, tasks: rest }) : { tasks: [], failures: [] };
    return { tasks: [...oneOff, ...service.tasks], failures: service.failures };
  }

  /** A restored service reads its status from the clock again, as a new one does. */
  restored(): void {
    for (const svc of this.services.values()) {
      Object.defineProperty(svc, "status", { get: () => this.statusOf(svc), enumerable: true, configurable: true });
    }
  }

  get taskDefinitions() {
    return this.definitions.all;
  }

  /** Plays every service's deployments up to now (also called by ELBv2 before it reports target health). */
  sync(): void {
    for (const [name, svc] of this.services) {
      this.scheduler.advance(svc, this.now());
      if (this.statusOf(svc) === "MISSING") this.services.delete(name); // purged: AWS forgets it
    }
  }

  serviceNamed(name: string): Service | undefined {
    this.sync();
    return this.services.get(name);
  }

  statusOf(svc: Service): ServiceStatus {
    if (svc.deletedAt === undefined) return "ACTIVE";
    const since = this.now() - svc.deletedAt;
    const draining = this.fake.latency.serviceDrainingMs;
    return since < draining ? "DRAINING" : since < draining + PURGED_AFTER_INACTIVE_MS ? "INACTIVE" : "MISSING";
  }

  /** What application auto scaling does: a new desired count for the service, no new deployment. */
  setDesired(name: string, desiredCount: number): void {
    const svc = this.serviceNamed(name);
    if (!svc) throw new Error(`no ECS service ${name}`);
    svc.desiredCount = desiredCount;
    const primary = svc.deployments[0];
    if (primary) primary.desiredCount = desiredCount;
    this.scheduler.settle(svc, this.now());
  }

  /** Tasks of images containing `image` stop before they run (stopCode TaskFailedToStart). */
  failImage(image: string, reason = PULL_FAILURE): void {
    this.sync(); // tasks launched before now keep the fate they had
    this.failures.push({ image, kind: "pull", reason });
  }

  /** Tasks of images containing `image` run, fail their ELB health checks and are stopped by ECS. */
  failHealthChecks(image: string): void {
    this.sync();
    this.failures.push({ image, kind: "health", reason: "" });
  }

  /** The images are fine again (for the tasks launched from now on). */
  clearFailures(): void {
    this.sync();
    this.failures.length = 0;
  }

  clusterArn(ref: string | undefined): string {
    const name = (ref ?? "default").replace(`${ECS_PREFIX}:cluster/`, "");
    if (name !== CLUSTER) throw modeled(ClusterNotFoundException, "Cluster not found.");
    return CLUSTER_ARN;
  }

  /** A service by name or ARN that is not purged. */
  findService(ref: string): Service | undefined {
    const svc = this.services.get(ref.split("/").at(-1) ?? ref);
    return svc && this.statusOf(svc) !== "MISSING" ? svc : undefined;
  }

  /** UpdateService and DeleteService need an ACTIVE service. */
  activeService(cluster: string | undefined, ref: string): Service {
    this.clusterArn(cluster);
    const svc = this.findService(ref);
    if (!svc) throw modeled(ServiceNotFoundException, "Service not found.");
    if (this.statusOf(svc) !== "ACTIVE") throw modeled(ServiceNotActiveException, "Service was not ACTIVE.");
    return svc;
  }

  private describeClusters(input: { clusters?: string[]; include?: string[] }) {
    const refs = input.clusters?.length ? input.clusters : ["default"];
    const found: string[] = refs.filter((r) => r === CLUSTER || r === CLUSTER_ARN);
    const live = this.tasks.filter((t) => t.stoppedAt === undefined);
    const active = [...this.services.values()].filter((s) => this.statusOf(s) === "ACTIVE");
    return {
      clusters: found.map(() => ({
        clusterArn: CLUSTER_ARN,
        clusterName: CLUSTER,
        status: "ACTIVE",
        registeredContainerInstancesCount: 0,
        runningTasksCount: live.filter((t) => t.ran).length,
        pendingTasksCount: live.filter((t) => !t.ran).length,
        activeServicesCount: active.length,
        statistics: [],
        tags: input.include?.includes("TAGS") ? this.clusterTags : [],
        settings: [{ name: "containerInsights", value: "disabled" }],
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy: [],
      })),
      failures: refs
        .filter((r) => !found.includes(r))
        .map((r) => ({ arn: r.startsWith("arn:") ? r : `${ECS_PREFIX}:cluster/${r}`, reason: "MISSING" })),
    };
  }

  /** force, or a desired count of 0; then DRAINING now, INACTIVE after the draining time, MISSING later. */
  private deleteService(input: { cluster?: string; service: string; force?: boolean }) {
    const svc = this.activeService(input.cluster, input.service);
    if (!input.force && svc.desiredCount > 0)
      throw modeled(InvalidParameterException, "The service cannot be stopped while it is scaled above 0.");
    svc.desiredCount = 0;
    for (const d of svc.deployments) d.desiredCount = 0;
    this.scheduler.stopAll(svc, this.now());
    svc.deletedAt = this.now();
    return { service: this.render(svc) };
  }

  /** Unknown and purged services come back in `failures` as MISSING; INACTIVE ones are still described. */
  private describeServices(input: { cluster?: string; services: string[]; include?: string[] }) {
    const cluster = this.clusterArn(input.cluster);
    if (input.services.length > 10) throw modeled(InvalidParameterException, "services can have at most 10 items.");
    const found = input.services.map((ref) => ({ ref, svc: this.findService(ref) }));
    return {
      services: found.flatMap(({ svc }) => (svc ? [this.render(svc, input.include?.includes("TAGS"))] : [])),
      failures: found
        .filter(({ svc }) => !svc)
        .map(({ ref }) => ({
          arn: ref.startsWith("arn:") ? ref : `${ECS_PREFIX}:service/${cluster.split("/").at(-1)}/${ref}`,
          reason: "MISSING",
        })),
    };
  }

  private listServices(input: { cluster?: string; nextToken?: string; maxResults?: number }) {
    this.clusterArn(input.cluster);
    const arns = [...this.services.values()]
      .filter((s) => ["ACTIVE", "DRAINING"].includes(this.statusOf(s)))
      .map((s) => s.arn);
    const from = input.nextToken ? Number(Buffer.from(input.nextToken, "base64").toString()) : 0;
    const max = input.maxResults ?? 10;
    return {
      serviceArns: arns.slice(from, from + max),
      ...(from + max < arns.length ? { nextToken: Buffer.from(String(from + max)).toString("base64") } : {}),
    };
  }

  render(svc: Service, withTags = false) {
    const live = this.tasks.filter((t) => t.service === svc && t.stoppedAt === undefined);
    const fargate = this.requests.isFargate(svc);
    const status = this.statusOf(svc);
    return {
      serviceArn: svc.arn,
      serviceName: svc.serviceName,
      clusterArn: svc.clusterArn,
      loadBalancers: svc.loadBalancers,
      serviceRegistries: [],
      status,
      desiredCount: svc.desiredCount,
      runningCount: live.filter(isRunning).length,
      pendingCount: live.filter((t) => !t.ran).length,
      ...(svc.capacityProviderStrategy?.length
        ? { capacityProviderStrategy: svc.capacityProviderStrategy }
        : { launchType: svc.launchType }),
      ...(fargate ? { platformVersion: svc.platformVersion ?? "LATEST", platformFamily: "Linux" } : {}),
      taskDefinition: svc.taskDefinition,
      deploymentConfiguration: svc.deploymentConfiguration,
      deployments: svc.deployments.map((d) => {
        const mine = live.filter((t) => t.deploymentId === d.id);
        return {
          id: d.id,
          status: d.status,
          taskDefinition: d.taskDefinition,
          desiredCount: d.desiredCount,
          pendingCount: mine.filter((t) => !t.ran).length,
          runningCount: mine.filter(isRunning).length,
          failedTasks: d.failedTasks,
          createdAt: new Date(d.createdAt),
          updatedAt: new Date(d.updatedAt),
          ...(svc.capacityProviderStrategy?.length
            ? { capacityProviderStrategy: svc.capacityProviderStrategy }
            : { launchType: svc.launchType }),
          // A deployment shows the platform version LATEST resolved to.
          ...(fargate ? { platformVersion: resolvePlatform(svc.platformVersion), platformFamily: "Linux" } : {}),
          ...(d.networkConfiguration ? { networkConfiguration: d.networkConfiguration } : {}),
          rolloutState: d.rolloutState,
          rolloutStateReason: d.rolloutStateReason,
        };
      }),
      ...(svc.loadBalancers.length
        ? { roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS` }
        : {}),
      events: svc.events.map((e) => ({ id: e.id, createdAt: new Date(e.createdAt), message: e.message })),
      createdAt: new Date(svc.createdAt),
      placementConstraints: [],
      placementStrategy: [],
      ...(svc.networkConfiguration ? { networkConfiguration: svc.networkConfiguration } : {}),
      ...(svc.healthCheckGracePeriodSeconds !== undefined
        ? { healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds }
        : {}),
      schedulingStrategy: "REPLICA",
      deploymentController: svc.deploymentController,
      createdBy: `arn:aws:iam::${ACCOUNT}:user/infra`,
      enableECSManagedTags: svc.enableECSManagedTags,
      propagateTags: svc.propagateTags,
      enableExecuteCommand: svc.enableExecuteCommand,
      availabilityZoneRebalancing: "ENABLED",
      ...(withTags ? { tags: svc.tags } : {}),
    };
  }

  private tagsOf(arn: string): Tag[] {
    return this.tagHolder(arn).tags;
  }

  private tagHolder(arn: string): { tags: Tag[] } {
    if (arn === CLUSTER_ARN) return { tags: this.clusterTags };
    const svc = [...this.services.values()].find((s) => s.arn === arn && this.statusOf(s) !== "MISSING");
    if (svc) return svc;
    const td = this.definitions.all.find((t) => t.arn === arn);
    if (td) return td;
    throw modeled(ResourceNotFoundException, "The specified resource wasn't found.");
  }

  private tagResource(input: { resourceArn: string; tags: Tag[] }) {
    const holder = this.tagHolder(input.resourceArn);
    const kept = holder.tags.filter((t) => !input.tags.some((n) => n.key === t.key));
    holder.tags.splice(0, holder.tags.length, ...kept, ...input.tags);
    return {};
  }

  private untagResource(input: { resourceArn: string; tagKeys: string[] }) {
    const holder = this.tagHolder(input.resourceArn);
    const kept = holder.tags.filter((t) => !input.tagKeys.includes(t.key ?? ""));
    holder.tags.splice(0, holder.tags.length, ...kept);
    return {};
  }

  /** Task definition lookups for the other ECS files. */
  mustFindTaskDefinition(ref: string) {
    const td = this.definitions.find(ref);
    if (!td) throw modeled(ClientException, "TaskDefinition not found.");
    if (td.status === "INACTIVE") throw modeled(InvalidParameterException, "TaskDefinition is inactive");
    return td;
  }
}

/** RUNNING, as runningCount counts: a task deactivating (draining from its target groups) is no longer. */
const isRunning = (t: Task) => t.ran && t.draining === undefined;

export const resolvePlatform = (v: string | undefined) => (v === undefined || v === "LATEST" ? "1.4.0" : v);
