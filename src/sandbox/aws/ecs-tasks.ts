// ListTasks and DescribeTasks: the tasks the scheduler launched (ecs-deployments.ts), PENDING, RUNNING,
// DEACTIVATING while they drain from their target groups (desired STOPPED from then on) or STOPPED with AWS's stop
// codes and reasons, each with its ENI in one of the service's subnets. Stopped tasks
// stay visible for an hour, as in AWS. ListTasks answers in pages of at most 100 (maxResults 1 to 100, default
// 100) with a nextToken; DescribeTasks takes at most 100 tasks (docs/aws-behaviours.md, "ECS").
import { InvalidParameterException, ServiceNotFoundException } from "@aws-sdk/client-ecs";
import type { EcsModel } from "./ecs.js";
import { idOf, STOPPED_TASK_VISIBLE_MS, type Task, uuid } from "./ecs-state.js";
import { modeled } from "./errors.js";

export class TaskQueries {
  constructor(private readonly ecs: EcsModel) {}

  private visible(task: Task): boolean {
    return task.stoppedAt === undefined || this.ecs.fake.clock.now() < task.stoppedAt + STOPPED_TASK_VISIBLE_MS;
  }

  list(input: {
    cluster?: string;
    serviceName?: string;
    desiredStatus?: string;
    family?: string;
    startedBy?: string;
    maxResults?: number;
    nextToken?: string;
  }) {
    this.ecs.clusterArn(input.cluster);
    const max = input.maxResults ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 100)
      throw modeled(InvalidParameterException, "maxResults must be between 1 and 100.");
    if (input.serviceName !== undefined && !this.ecs.findService(input.serviceName))
      throw modeled(ServiceNotFoundException, "Service not found.");
    const wanted = input.desiredStatus ?? "RUNNING";
    const arns = this.ecs.tasks
      .filter((t) => this.visible(t))
      .filter((t) => input.serviceName === undefined || t.service.serviceName === input.serviceName.split("/").at(-1))
      .filter((t) => input.startedBy === undefined || t.deploymentId === input.startedBy)
      .filter(
        (t) => input.family === undefined || this.ecs.definitions.find(t.taskDefinitionArn)?.family === input.family,
      )
      .filter((t) => (wanted === "PENDING" ? !t.ran && !t.stoppedAt : desiredStatus(t) === wanted))
      .map((t) => t.arn);
    const from = input.nextToken ? Number(Buffer.from(input.nextToken, "base64").toString()) : 0;
    return {
      taskArns: arns.slice(from, from + max),
      ...(from + max < arns.length ? { nextToken: Buffer.from(String(from + max)).toString("base64") } : {}),
    };
  }

  describe(input: { cluster?: string; tasks: string[] }) {
    const clusterArn = this.ecs.clusterArn(input.cluster);
    const found = input.tasks.map((ref) => ({
      ref,
      task: this.ecs.tasks.find((t) => (t.arn === ref || idOf(t) === ref) && this.visible(t)),
    }));
    return {
      tasks: found.flatMap(({ task }) => (task ? [this.render(task, clusterArn)] : [])),
      failures: found
        .filter(({ task }) => !task)
        .map(({ ref }) => ({
          arn: ref.startsWith("arn:") ? ref : `${clusterArn.replace(":cluster/", ":task/")}/${ref}`,
          reason: "MISSING",
        })),
    };
  }

  private render(task: Task, clusterArn: string) {
    const td = this.ecs.definitions.find(task.taskDefinitionArn); // a record is the definition itself
    const stopped = task.stoppedAt !== undefined;
    const lastStatus = stopped ? "STOPPED" : task.draining ? "DEACTIVATING" : task.ran ? "RUNNING" : "PENDING";
    const svc = task.service;
    const at = (t: number | undefined) => (t === undefined ? undefined : new Date(t));
    const dates = Object.fromEntries(
      Object.entries({
        createdAt: at(task.launchedAt),
        connectivityAt: at(task.launchedAt),
        pullStartedAt: task.ran ? at(task.launchedAt + 5_000) : undefined,
        pullStoppedAt: task.ran ? at((task.runsAt ?? 0) - 5_000) : undefined,
        startedAt: task.ran ? at(task.runsAt) : undefined,
        stoppingAt: at(task.draining?.since ?? task.stoppedAt),
        executionStoppedAt: at(task.stoppedAt),
        stoppedAt: at(task.stoppedAt),
      }).filter(([, v]) => v !== undefined),
    );
    return {
      taskArn: task.arn,
      clusterArn,
      taskDefinitionArn: task.taskDefinitionArn,
      group: `service:${svc.serviceName}`,
      startedBy: task.deploymentId,
      lastStatus,
      desiredStatus: desiredStatus(task),
      ...(svc.capacityProviderStrategy?.length
        ? { capacityProviderName: svc.capacityProviderStrategy[0]?.capacityProvider }
        : {}),
      launchType: svc.launchType ?? "FARGATE",
      platformVersion: "1.4.0",
      platformFamily: "Linux",
      cpu: td?.cpu,
      memory: td?.memory,
      availabilityZone: task.availabilityZone,
      connectivity: "CONNECTED",
      ...dates,
      ...(stopped ? { stopCode: task.stopCode, stoppedReason: task.stoppedReason } : {}),
      healthStatus: "UNKNOWN",
      enableExecuteCommand: task.enableExecuteCommand,
      version: stopped ? 4 : task.ran ? 3 : 1,
      containers: (td?.containerDefinitions ?? []).map((c) => ({
        containerArn: `${clusterArn.replace(":cluster/", ":container/")}/${idOf(task)}/${uuid(`${task.arn}/${c.name}`)}`,
        taskArn: task.arn,
        name: c.name,
        image: c.image,
        // The digest it pulled, once it has: the one its deployment resolved the tag to.
        ...(digestOf(task, c.name) ? { imageDigest: digestOf(task, c.name) } : {}),
        lastStatus,
        ...(task.containerReason ? { reason: task.containerReason } : {}),
        ...(stopped && task.exitCode !== undefined ? { exitCode: task.exitCode } : {}),
        networkInterfaces: [{ attachmentId: task.attachmentId, privateIpv4Address: task.ip }],
        healthStatus: "UNKNOWN",
        cpu: String(c.cpu ?? 0),
      })),
      attachments: [
        {
          id: task.attachmentId,
          type: "ElasticNetworkInterface",
          status: stopped ? "DELETED" : task.ran ? "ATTACHED" : "PRECREATED",
          details: [
            { name: "subnetId", value: task.subnet },
            { name: "networkInterfaceId", value: task.eniId },
            { name: "privateDnsName", value: `ip-${task.ip.replaceAll(".", "-")}.ec2.internal` },
            { name: "privateIPv4Address", value: task.ip },
          ],
        },
      ],
      tags: [],
    };
  }
}

const digestOf = (task: Task, container: string | undefined) =>
  task.ran ? task.images.find((i) => i.containerName === container)?.imageDigest : undefined;

/** Once ECS has decided to stop a task (it drains, or has stopped), its desired status is STOPPED. */
const desiredStatus = (task: Task) => (task.stoppedAt !== undefined || task.draining ? "STOPPED" : "RUNNING");
