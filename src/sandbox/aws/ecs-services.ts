// CreateService and UpdateService, checked as AWS checks them: the cluster, the task definition and its launch
// type, awsvpc network configuration, target groups that a listener forwards to (retried by callers for a while,
// docs/aws-behaviours.md, "ECS"), clientToken, and idempotency: the same request with the same token returns the
// ACTIVE service; anything else while the name is ACTIVE or DRAINING is "not idempotent".
import {
  type CreateServiceRequest,
  type DeploymentConfiguration,
  InvalidParameterException,
  type LoadBalancer,
  type NetworkConfiguration,
  type UpdateServiceRequest,
} from "@aws-sdk/client-ecs";
import type { EcsModel } from "./ecs.js";
import type { Service } from "./ecs-state.js";
import type { TaskDefinitionRecord } from "./ecs-task-definitions.js";
import { modeled } from "./errors.js";

/** What AWS shows when deploymentConfiguration was not sent (strategy: inferred from current API output). */
const DEPLOYMENT_DEFAULTS: DeploymentConfiguration = {
  deploymentCircuitBreaker: { enable: false, rollback: false },
  maximumPercent: 200,
  minimumHealthyPercent: 100,
  strategy: "ROLLING",
};

const invalid = (message: string) => modeled(InvalidParameterException, message);

/** JSON with sorted keys: two requests with the same parameters compare equal. */
const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );

export class ServiceRequests {
  constructor(private readonly ecs: EcsModel) {}

  isFargate(svc: Pick<Service, "launchType" | "capacityProviderStrategy">): boolean {
    return svc.launchType === "FARGATE" || !!svc.capacityProviderStrategy?.length;
  }

  create(input: CreateServiceRequest) {
    const clusterArn = this.ecs.clusterArn(input.cluster);
    const name = input.serviceName ?? "";
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) throw invalid("Service name is not valid.");
    if (input.clientToken !== undefined && !/^[\x20-\x7e]{1,36}$/.test(input.clientToken))
      throw invalid("clientToken must be at most 36 ASCII characters.");
    const td = this.ecs.mustFindTaskDefinition(input.taskDefinition ?? "");
    const strategy = input.capacityProviderStrategy?.length ? input.capacityProviderStrategy : undefined;
    if (strategy && input.launchType)
      throw invalid(
        "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
      );
    for (const item of strategy ?? [])
      if (!["FARGATE", "FARGATE_SPOT"].includes(item.capacityProvider ?? ""))
        throw invalid(
          "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.",
        );
    // Neither launch type nor strategy: the cluster has no default strategy, so EC2 (which it cannot place).
    const launchType = strategy ? undefined : (input.launchType ?? "EC2");
    this.checkLaunchType(td, launchType, strategy !== undefined);
    const networkConfiguration = this.network(input.networkConfiguration, td);
    const loadBalancers = input.loadBalancers ?? [];
    this.checkLoadBalancers(loadBalancers, td);
    if (input.healthCheckGracePeriodSeconds !== undefined && loadBalancers.length === 0)
      throw invalid("Health check grace period is only valid for services configured to use load balancers");

    const existing = this.ecs.findService(name);
    if (existing && this.ecs.statusOf(existing) !== "INACTIVE") {
      const same =
        this.ecs.statusOf(existing) === "ACTIVE" &&
        input.clientToken !== undefined &&
        existing.clientToken === input.clientToken &&
        existing.createRequest === stable(input);
      if (same) return { service: this.ecs.render(existing) };
      throw invalid("Creation of service was not idempotent.");
    }
    const now = this.ecs.fake.clock.now();
    const ecs = this.ecs;
    const svc: Service = {
      arn: `${clusterArn.replace(":cluster/", ":service/")}/${name}`,
      serviceName: name,
      clusterArn,
      createdAt: now,
      createRequest: stable(input),
      ...(input.clientToken !== undefined ? { clientToken: input.clientToken } : {}),
      desiredCount: input.desiredCount ?? 0,
      taskDefinition: td.arn,
      ...(launchType ? { launchType } : {}),
      ...(strategy ? { capacityProviderStrategy: strategy } : {}),
      ...(launchType === "FARGATE" || strategy ? { platformVersion: input.platformVersion ?? "LATEST" } : {}),
      ...(networkConfiguration ? { networkConfiguration } : {}),
      loadBalancers,
      // With a load balancer AWS shows a grace period of 0 when none was sent.
      ...(loadBalancers.length ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? 0 } : {}),
      deploymentConfiguration: { ...DEPLOYMENT_DEFAULTS, ...input.deploymentConfiguration },
      deploymentController: { type: input.deploymentController?.type ?? "ECS" },
      enableExecuteCommand: input.enableExecuteCommand ?? false,
      enableECSManagedTags: input.enableECSManagedTags ?? false,
      propagateTags: input.propagateTags ?? "NONE",
      tags: input.tags ?? [],
      deployments: [],
      events: [],
      at: now,
      steady: false,
      get status() {
        return ecs.statusOf(this);
      },
    };
    this.ecs.services.set(name, svc);
    this.ecs.scheduler.deploy(svc, now);
    this.ecs.scheduler.settle(svc, now);
    return { service: this.ecs.render(svc) };
  }

  /**
   * Only the fields given change. A new task definition, network configuration, load balancers, platform version
   * or forceNewDeployment starts a deployment; a desired count alone scales the current one.
   */
  update(input: UpdateServiceRequest) {
    const svc = this.ecs.activeService(input.cluster, input.service ?? "");
    const td = input.taskDefinition
      ? this.ecs.mustFindTaskDefinition(input.taskDefinition)
      : this.ecs.definitions.find(svc.taskDefinition);
    if (!td) throw invalid("TaskDefinition not found.");
    const networkConfiguration = input.networkConfiguration
      ? this.network(input.networkConfiguration, td)
      : svc.networkConfiguration;
    const loadBalancers = input.loadBalancers ?? svc.loadBalancers;
    const platformVersion = input.platformVersion ?? svc.platformVersion;
    if (input.taskDefinition || input.loadBalancers) this.checkLoadBalancers(loadBalancers, td);
    if (input.healthCheckGracePeriodSeconds !== undefined && loadBalancers.length === 0)
      throw invalid("Health check grace period is only valid for services configured to use load balancers");
    if (input.desiredCount !== undefined && input.desiredCount < 0) throw invalid("desiredCount must be >= 0.");

    const redeploy =
      input.forceNewDeployment === true ||
      td.arn !== svc.taskDefinition ||
      stable(networkConfiguration) !== stable(svc.networkConfiguration) ||
      stable(loadBalancers) !== stable(svc.loadBalancers) ||
      platformVersion !== svc.platformVersion;
    svc.taskDefinition = td.arn;
    if (networkConfiguration) svc.networkConfiguration = networkConfiguration;
    svc.loadBalancers = loadBalancers;
    if (platformVersion !== undefined) svc.platformVersion = platformVersion;
    if (input.healthCheckGracePeriodSeconds !== undefined)
      svc.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
    if (input.deploymentConfiguration)
      svc.deploymentConfiguration = { ...svc.deploymentConfiguration, ...input.deploymentConfiguration };
    // ECS Exec reaches only tasks launched after the change (the tasks keep what they started with).
    if (input.enableExecuteCommand !== undefined) svc.enableExecuteCommand = input.enableExecuteCommand;
    if (input.deploymentController?.type) svc.deploymentController = { type: input.deploymentController.type };
    if (input.propagateTags !== undefined) svc.propagateTags = input.propagateTags;
    if (input.desiredCount !== undefined) {
      svc.desiredCount = input.desiredCount;
      const primary = svc.deployments[0];
      if (primary) primary.desiredCount = input.desiredCount;
    }
    const now = this.ecs.fake.clock.now();
    if (redeploy) this.ecs.scheduler.deploy(svc, now);
    this.ecs.scheduler.settle(svc, now);
    return { service: this.ecs.render(svc) };
  }

  private checkLaunchType(td: TaskDefinitionRecord, launchType: string | undefined, strategy: boolean) {
    if ((launchType === "FARGATE" || strategy) && !td.compatibilities?.includes("FARGATE"))
      throw invalid("Task definition does not support launch_type FARGATE.");
    const required = td.requiresCompatibilities ?? [];
    if (launchType === "EC2" && required.length > 0 && !required.includes("EC2"))
      throw invalid("Task definition does not support launch_type EC2.");
  }

  /** awsvpc needs subnets; AWS fills in assignPublicIp DISABLED. */
  private network(nc: NetworkConfiguration | undefined, td: TaskDefinitionRecord): NetworkConfiguration | undefined {
    const a = nc?.awsvpcConfiguration;
    if (td.networkMode !== "awsvpc") {
      if (a) throw invalid("Network Configuration is not valid for the given networkMode of this task definition.");
      return undefined;
    }
    if (!a?.subnets?.length)
      throw invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    for (const s of a.subnets)
      if (!/^subnet-[0-9a-f]{8,17}$/.test(s)) throw invalid(`Error retrieving subnet information for [${s}].`);
    return {
      awsvpcConfiguration: {
        subnets: [...a.subnets],
        ...(a.securityGroups ? { securityGroups: [...a.securityGroups] } : {}),
        assignPublicIp: a.assignPublicIp ?? "DISABLED",
      },
    };
  }

  private checkLoadBalancers(loadBalancers: LoadBalancer[], td: TaskDefinitionRecord) {
    for (const lb of loadBalancers) {
      const arn = lb.targetGroupArn ?? "";
      // A target group no listener forwards to: ECS refuses it (callers retry a while after CreateListener).
      if (!this.ecs.fake.elbv2.hasListenerFor(arn))
        throw invalid(`The target group with targetGroupArn ${arn} does not have an associated load balancer.`);
      const targetType = this.ecs.fake.elbv2.targetGroups.get(arn)?.TargetType;
      if (td.networkMode === "awsvpc" && targetType !== "ip")
        throw invalid(
          `The provided target group ${arn} has target type ${targetType}, which is incompatible with the awsvpc network mode specified in the task definition.`,
        );
      const container = td.containerDefinitions?.find((c) => c.name === lb.containerName);
      if (!container?.portMappings?.some((p) => p.containerPort === lb.containerPort))
        throw invalid(`The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`);
    }
  }
}
