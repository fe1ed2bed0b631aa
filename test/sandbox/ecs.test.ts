// The ECS fake behaves as AWS does (docs/aws-behaviours.md, "ECS"): checked with real SDK clients.
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  ClientException,
  ClusterNotFoundException,
  CreateServiceCommand,
  type CreateServiceRequest,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionRequest,
  RunTaskCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  TagResourceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { beforeEach, describe, expect, it } from "vitest";
import { BACKEND_SG, SUBNETS, VPC_ID } from "../../src/sandbox/aws/ec2.js";
import {
  CLUSTER,
  DRAINING_MS,
  PURGED_AFTER_INACTIVE_MS,
  STEADY_AFTER_MS,
  TARGET_HEALTH_CHECK_MS,
  TASK_STAGGER_MS,
  TASK_START_MS,
  TASK_STOP_MS,
} from "../../src/sandbox/aws/ecs.js";
import { RUN_TASK_STARTS_MS, RUN_TASK_STOPS_MS } from "../../src/sandbox/aws/ecs-run-task.js";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const ecs = () => new ECSClient({ region: "us-east-1" });
const elbv2 = () => new ElasticLoadBalancingV2Client({ region: "us-east-1" });
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web";
const OTHER_ACCOUNT = "210987654321";
// ECS pulls only what ECR holds: the tags these tests run are pushed first.
beforeEach(() => {
  for (const tag of ["v1", "v2", "v3"]) fake.current.ecr.push("web", tag);
});

const register = async (tag = "v1", input: Partial<RegisterTaskDefinitionRequest> = {}) =>
  (
    await ecs().send(
      new RegisterTaskDefinitionCommand({
        family: "web",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [
          {
            name: "web",
            image: `${IMAGE}:${tag}`,
            portMappings: [{ containerPort: 8000 }],
            environment: [
              { name: "B", value: "2" },
              { name: "A", value: "1" },
            ],
          },
        ],
        ...input,
      }),
    )
  ).taskDefinition;

const createService = (input: Partial<CreateServiceRequest> = {}) =>
  ecs().send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: "web",
      taskDefinition: "web",
      desiredCount: 2,
      launchType: "FARGATE",
      networkConfiguration: { awsvpcConfiguration: { subnets: SUBNETS, securityGroups: [BACKEND_SG] } },
      ...input,
    }),
  );
const describeServices = (...services: string[]) =>
  ecs().send(new DescribeServicesCommand({ cluster: CLUSTER, services: services.length ? services : ["web"] }));
const service = async () => (await describeServices()).services?.[0];
const update = (input: Record<string, unknown>) =>
  ecs().send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", ...input }));
const taskArns = async (desiredStatus: "RUNNING" | "STOPPED" = "RUNNING") =>
  (await ecs().send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web", desiredStatus }))).taskArns ?? [];
const describeTasks = async (tasks: string[]) =>
  (await ecs().send(new DescribeTasksCommand({ cluster: CLUSTER, tasks }))).tasks ?? [];

/** Sleeps in 5 s steps until the service matches, and says how long that took. */
async function until(check: (s: Awaited<ReturnType<typeof service>>) => boolean, maxMs = 30 * 60_000) {
  const start = fake.current.clock.now();
  while (!check(await service())) {
    if (fake.current.clock.now() - start > maxMs) throw new Error(`not within ${maxMs} ms`);
    await fake.current.clock.sleep(5_000);
  }
  return fake.current.clock.now() - start;
}
const completed = (s: Awaited<ReturnType<typeof service>>) =>
  s?.deployments?.length === 1 && s.deployments[0]?.rolloutState === "COMPLETED";

/** An ALB, an ip target group on port 8000 and (unless told otherwise) a listener forwarding to it. */
async function targetGroup(listener = true): Promise<string> {
  const lb = await elbv2().send(new CreateLoadBalancerCommand({ Name: "web", Subnets: SUBNETS }));
  const tg = await elbv2().send(
    new CreateTargetGroupCommand({ Name: "web", Protocol: "HTTP", Port: 8000, VpcId: VPC_ID, TargetType: "ip" }),
  );
  const arn = tg.TargetGroups?.[0]?.TargetGroupArn as string;
  if (listener)
    await elbv2().send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "forward", TargetGroupArn: arn }],
      }),
    );
  return arn;
}
const behind = (targetGroupArn: string) => ({
  loadBalancers: [{ targetGroupArn, containerName: "web", containerPort: 8000 }],
});
const targetStates = async (arn: string) =>
  ((await elbv2().send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions ?? []).map(
    (d) => d.TargetHealth?.State,
  );

describe("ECS fake: task definitions", () => {
  it("fills in the fields AWS adds to a registered task definition", async () => {
    const td = await register();
    expect(td?.containerDefinitions?.[0]).toEqual({
      name: "web",
      image: `${IMAGE}:v1`,
      cpu: 0,
      essential: true,
      portMappings: [{ containerPort: 8000, hostPort: 8000, protocol: "tcp" }],
      environment: [
        { name: "B", value: "2" },
        { name: "A", value: "1" },
      ],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
    });
    expect(td).toMatchObject({
      taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
      family: "web",
      revision: 1,
      status: "ACTIVE",
      compatibilities: ["EC2", "FARGATE"],
      volumes: [],
      placementConstraints: [],
      registeredAt: new Date(fake.current.clock.now()),
    });
    expect(td?.requiresAttributes).toContainEqual({ name: "ecs.capability.task-eni" });
    const described = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: "web" }));
    expect(described.taskDefinition).toEqual(td);
  });

  it("makes a new revision on every registration, even of the same definition", async () => {
    const arns = [(await register())?.taskDefinitionArn, (await register())?.taskDefinitionArn];
    expect(arns.map((a) => a?.split("/").at(-1))).toEqual(["web:1", "web:2"]);
  });

  it("rejects a Fargate cpu/memory pair AWS does not offer", async () => {
    await expect(register("v1", { cpu: "256", memory: "4096" })).rejects.toThrow(
      /No Fargate configuration exists for given values: 256 CPU, 4096 memory/,
    );
    await expect(register("v1", { cpu: "512", memory: "512" })).rejects.toBeInstanceOf(ClientException);
    await expect(register("v1", { cpu: "4096", memory: "32768" })).rejects.toBeInstanceOf(ClientException);
  });

  it("stores cpu and memory given in vCPU and GB as units and MiB", async () => {
    const td = await register("v1", { cpu: "1 vCPU", memory: "2 GB" });
    expect([td?.cpu, td?.memory]).toEqual(["1024", "2048"]);
  });

  it("refuses Fargate without awsvpc, and awslogs on Fargate without an execution role", async () => {
    await expect(register("v1", { networkMode: "bridge" })).rejects.toThrow(/Fargate only supports network mode/);
    const logged = {
      containerDefinitions: [
        { name: "web", image: `${IMAGE}:v1`, logConfiguration: { logDriver: "awslogs" as const, options: {} } },
      ],
    };
    await expect(register("v1", logged)).rejects.toThrow(/execution role ARN to support log driver awslogs/);
  });

  it("refuses a host port other than the container port under awsvpc", async () => {
    const containers = [{ name: "web", image: `${IMAGE}:v1`, portMappings: [{ containerPort: 8000, hostPort: 80 }] }];
    await expect(register("v1", { containerDefinitions: containers })).rejects.toBeInstanceOf(ClientException);
  });

  it("refuses a name that is both an environment variable and a secret of one container", async () => {
    const containers = [
      {
        name: "web",
        image: `${IMAGE}:v1`,
        environment: [{ name: "DATABASE_HOST", value: "db.example" }],
        secrets: [
          { name: "DATABASE_HOST", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:host::" },
        ],
      },
    ];
    await expect(register("v1", { containerDefinitions: containers })).rejects.toThrow(
      "The secret name must be unique and not shared with any new or existing environment variables set on the container, such as 'DATABASE_HOST'.",
    );
  });

  it("describes a family as its latest ACTIVE revision, an INACTIVE one by revision, a missing one as an error", async () => {
    await register("v1");
    await register("v2");
    await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:2" }));
    const latest = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: "web" }));
    expect(latest.taskDefinition?.revision).toBe(1);
    const old = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:2" }));
    expect(old.taskDefinition?.status).toBe("INACTIVE");
    const missing = ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: "nope" }));
    await expect(missing).rejects.toMatchObject({
      name: "ClientException",
      message: "Unable to describe task definition.",
    });
  });

  it("describes a family with no ACTIVE revision as its latest INACTIVE one, which no service may use", async () => {
    await register("v1");
    await register("v2");
    for (const r of ["web:1", "web:2"]) await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: r }));
    const described = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: "web" }));
    expect([described.taskDefinition?.revision, described.taskDefinition?.status]).toEqual([2, "INACTIVE"]);
    const listed = await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: "web" }));
    expect(listed.taskDefinitionArns).toEqual([]);
    await register("v3");
    const again = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: "web" }));
    expect([again.taskDefinition?.revision, again.taskDefinition?.status]).toEqual([3, "ACTIVE"]);
  });

  it("returns a task definition's tags only when asked", async () => {
    await register("v1", { tags: [{ key: "ManagedBy", value: "infra" }] });
    const plain = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: "web" }));
    expect(plain.tags).toBeUndefined();
    const tagged = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: "web", include: ["TAGS"] }));
    expect(tagged.tags).toEqual([{ key: "ManagedBy", value: "infra" }]);
  });

  it("lists one family's ACTIVE revisions in pages; familyPrefix is the whole family name", async () => {
    for (const tag of ["v1", "v2", "v3"]) await register(tag);
    await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:1" }));
    const list = (input: Record<string, unknown>) => ecs().send(new ListTaskDefinitionsCommand(input));
    const first = await list({ familyPrefix: "web", maxResults: 1 });
    expect(first.taskDefinitionArns?.map((a) => a.split("/").at(-1))).toEqual(["web:2"]);
    const second = await list({ familyPrefix: "web", maxResults: 1, nextToken: first.nextToken });
    expect(second.taskDefinitionArns?.map((a) => a.split("/").at(-1))).toEqual(["web:3"]);
    expect(second.nextToken).toBeUndefined();
    expect((await list({ familyPrefix: "web", sort: "DESC" })).taskDefinitionArns?.[0]).toMatch(/web:3$/);
    expect((await list({ familyPrefix: "web", status: "INACTIVE" })).taskDefinitionArns).toHaveLength(1);
    expect((await list({ familyPrefix: "we" })).taskDefinitionArns).toEqual([]);
  });

  it("deregisters an INACTIVE revision again without error, and refuses an unknown one", async () => {
    await register();
    await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:1" }));
    const again = await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:1" }));
    expect(again.taskDefinition?.status).toBe("INACTIVE");
    const unknown = ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:9" }));
    await expect(unknown).rejects.toBeInstanceOf(ClientException);
  });
});

describe("ECS fake: creating services", () => {
  it("creates a service with AWS's defaults filled in and one PRIMARY deployment IN_PROGRESS", async () => {
    await register();
    const created = (await createService()).service;
    expect(created).toMatchObject({
      serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/web`,
      status: "ACTIVE",
      desiredCount: 2,
      runningCount: 0,
      pendingCount: 2,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      platformFamily: "Linux",
      taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: false, rollback: false },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      deploymentController: { type: "ECS" },
      networkConfiguration: {
        awsvpcConfiguration: { subnets: SUBNETS, securityGroups: [BACKEND_SG], assignPublicIp: "DISABLED" },
      },
      propagateTags: "NONE",
      enableExecuteCommand: false,
    });
    expect(created?.deployments).toHaveLength(1);
    expect(created?.deployments?.[0]).toMatchObject({
      status: "PRIMARY",
      rolloutState: "IN_PROGRESS",
      desiredCount: 2,
      pendingCount: 2,
      runningCount: 0,
      failedTasks: 0,
      platformVersion: "1.4.0",
    });
    expect(created?.deployments?.[0]?.id).toMatch(/^ecs-svc\/\d{19}$/);
  });

  it("refuses to create a service whose target group has no listener", async () => {
    await register();
    const tg = await targetGroup(false);
    await expect(createService(behind(tg))).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: `The target group with targetGroupArn ${tg} does not have an associated load balancer.`,
    });
  });

  it("refuses an unknown cluster, a missing task definition and a clientToken over 36 characters", async () => {
    await expect(createService({ cluster: "nope" })).rejects.toBeInstanceOf(ClusterNotFoundException);
    await expect(createService()).rejects.toBeInstanceOf(ClientException);
    await register();
    await expect(createService({ clientToken: "x".repeat(37) })).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("refuses an awsvpc service without network configuration", async () => {
    await register();
    await expect(createService({ networkConfiguration: undefined })).rejects.toThrow(
      /Network Configuration must be provided when networkMode 'awsvpc' is specified/,
    );
  });

  it("returns the existing service for the same request with the same clientToken", async () => {
    await register();
    const first = (await createService({ clientToken: "token-1" })).service;
    const again = (await createService({ clientToken: "token-1" })).service;
    expect(again?.createdAt).toEqual(first?.createdAt);
    expect(again?.deployments?.map((d) => d.id)).toEqual(first?.deployments?.map((d) => d.id));
  });

  it("creation is not idempotent while the name is ACTIVE with other parameters, another token or none", async () => {
    await register();
    await createService({ clientToken: "token-1" });
    const notIdempotent = /Creation of service was not idempotent/;
    await expect(createService({ clientToken: "token-1", desiredCount: 3 })).rejects.toThrow(notIdempotent);
    await expect(createService({ clientToken: "token-2" })).rejects.toThrow(notIdempotent);
    await expect(createService()).rejects.toThrow(notIdempotent);
  });

  it("creation is not idempotent while the old service is DRAINING, and makes a new service once INACTIVE", async () => {
    await register();
    const old = (await createService({ clientToken: "token-1" })).service;
    await ecs().send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web", force: true }));
    await expect(createService({ clientToken: "token-1" })).rejects.toBeInstanceOf(InvalidParameterException);
    await fake.current.clock.sleep(DRAINING_MS);
    const fresh = (await createService({ clientToken: "token-1" })).service;
    expect(fresh?.status).toBe("ACTIVE");
    expect(fresh?.serviceArn).toBe(old?.serviceArn);
    expect(fresh?.createdAt).not.toEqual(old?.createdAt);
  });
});

describe("ECS fake: deployments", () => {
  it("a deployment goes IN_PROGRESS -> COMPLETED with running == desired", async () => {
    await register();
    await createService();
    await fake.current.clock.sleep(TASK_START_MS);
    expect(await service()).toMatchObject({ runningCount: 1, pendingCount: 1 });
    await fake.current.clock.sleep(TASK_STAGGER_MS);
    const running = await service();
    expect(running).toMatchObject({ runningCount: 2, pendingCount: 0 });
    expect(running?.deployments?.[0]?.rolloutState).toBe("IN_PROGRESS");
    await fake.current.clock.sleep(STEADY_AFTER_MS);
    const done = await service();
    expect(done?.deployments?.[0]).toMatchObject({ rolloutState: "COMPLETED", runningCount: 2, desiredCount: 2 });
    expect(done?.events?.[0]?.message).toBe("(service web) has reached a steady state.");
    expect(done?.events?.at(-1)?.message).toMatch(/^\(service web\) has started 2 tasks: \(task [0-9a-f]{32}\) /);
  });

  it("behind a load balancer, completes once the targets are healthy", async () => {
    await register();
    const tg = await targetGroup();
    await createService(behind(tg));
    await fake.current.clock.sleep(TASK_START_MS + TASK_STAGGER_MS);
    expect(await targetStates(tg)).toEqual(["initial", "initial"]);
    await fake.current.clock.sleep(TARGET_HEALTH_CHECK_MS);
    expect(await targetStates(tg)).toEqual(["healthy", "healthy"]);
    expect((await service())?.deployments?.[0]?.rolloutState).toBe("IN_PROGRESS");
    await fake.current.clock.sleep(STEADY_AFTER_MS);
    expect(completed(await service())).toBe(true);
  });

  it("runs tasks in the service's subnets and registers their IPs in the target group", async () => {
    await register();
    const tg = await targetGroup();
    await createService(behind(tg));
    await until(completed);
    const tasks = await describeTasks(await taskArns());
    expect(tasks.map((t) => t.lastStatus)).toEqual(["RUNNING", "RUNNING"]);
    const details = tasks.map((t) =>
      Object.fromEntries(t.attachments?.[0]?.details?.map((d) => [d.name, d.value]) ?? []),
    );
    for (const d of details) expect(SUBNETS).toContain(d.subnetId);
    const health = await elbv2().send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect(health.TargetHealthDescriptions?.map((d) => d.Target?.Id).sort()).toEqual(
      details.map((d) => d.privateIPv4Address).sort(),
    );
  });

  it("an update with a new task definition is COMPLETED only once the old tasks drained for the deregistration delay and stopped", async () => {
    // Given a service behind a target group (deregistration delay: AWS's 300 s) on its first revision,
    await register("v1");
    const tg = await targetGroup();
    await createService(behind(tg));
    await until(completed);

    // when it is updated to a second revision,
    const v2 = await register("v2");
    const updated = (await update({ taskDefinition: "web" })).service;
    expect(updated?.deployments?.map((d) => [d.status, d.taskDefinition?.split("/").at(-1)])).toEqual([
      ["PRIMARY", "web:2"],
      ["ACTIVE", "web:1"],
    ]);
    await fake.current.clock.sleep(TASK_START_MS + TASK_STAGGER_MS);
    expect((await service())?.runningCount).toBe(4);

    // then once the new tasks are healthy the old deployment goes to 0 and its tasks drain out of the group,
    await fake.current.clock.sleep(TARGET_HEALTH_CHECK_MS);
    const draining = await service();
    expect(draining?.deployments?.map((d) => [d.rolloutState, d.desiredCount, d.runningCount])).toEqual([
      ["IN_PROGRESS", 2, 2],
      ["COMPLETED", 0, 0],
    ]);
    expect(draining?.events?.map((e) => e.message)).toContain(
      "(service web) has begun draining connections on 2 tasks.",
    );
    expect((await targetStates(tg)).sort()).toEqual(["draining", "draining", "healthy", "healthy"]);
    const leaving = await describeTasks(await taskArns("STOPPED"));
    expect(leaving.map((t) => [t.lastStatus, t.desiredStatus])).toEqual([
      ["DEACTIVATING", "STOPPED"],
      ["DEACTIVATING", "STOPPED"],
    ]);
    // and the deployment stays IN_PROGRESS for the whole delay,
    await fake.current.clock.sleep(300_000 - 1_000);
    expect((await service())?.deployments?.[0]?.rolloutState).toBe("IN_PROGRESS");

    // and is COMPLETED once they stopped (the stop timeout after the delay), alone in the service.
    await fake.current.clock.sleep(1_000 + TASK_STOP_MS);
    const done = await service();
    expect(completed(done)).toBe(true);
    expect(done).toMatchObject({ runningCount: 2, taskDefinition: v2?.taskDefinitionArn });
    const stopped = await describeTasks(await taskArns("STOPPED"));
    expect(stopped.map((t) => [t.lastStatus, t.stoppedReason])).toEqual([
      ["STOPPED", `Scaling activity initiated by (deployment ${done?.deployments?.[0]?.id})`],
      ["STOPPED", `Scaling activity initiated by (deployment ${done?.deployments?.[0]?.id})`],
    ]);
    expect(await targetStates(tg)).toEqual(["healthy", "healthy"]);
  });

  it("with the target group's deregistration delay at 30 s, an update completes 30 s and the stop timeout after its tasks are healthy", async () => {
    await register("v1");
    const tg = await targetGroup();
    await elbv2().send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tg,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "30" }],
      }),
    );
    await createService(behind(tg));
    await until(completed);
    await register("v2");
    await update({ taskDefinition: "web" });
    const healthy = TASK_START_MS + TASK_STAGGER_MS + TARGET_HEALTH_CHECK_MS;
    const took = await until(completed);
    // until() looks every 5 s.
    expect(took).toBeGreaterThanOrEqual(healthy + 30_000 + TASK_STOP_MS);
    expect(took).toBeLessThan(healthy + 30_000 + TASK_STOP_MS + 5_000);
  });

  it("changing the desired count alone scales without a new deployment", async () => {
    await register();
    await createService();
    await until(completed);
    const scaled = (await update({ desiredCount: 3 })).service;
    expect(scaled?.deployments).toHaveLength(1);
    await until((s) => s?.runningCount === 3);
    fake.current.ecs.setDesired("web", 1);
    expect(await service()).toMatchObject({ desiredCount: 1, runningCount: 1 });
    expect((await service())?.deployments).toHaveLength(1);
  });

  it("turning ECS Exec on reaches only the tasks launched afterwards, such as a forced deployment's", async () => {
    await register();
    await createService();
    await until(completed);
    const execOf = async () => (await describeTasks(await taskArns())).map((t) => t.enableExecuteCommand);
    const on = (await update({ enableExecuteCommand: true })).service;
    expect([on?.enableExecuteCommand, on?.deployments?.length]).toEqual([true, 1]);
    expect(await execOf()).toEqual([false, false]);
    await update({ forceNewDeployment: true });
    await until(completed);
    expect(await execOf()).toEqual([true, true]);
  });

  it("resolves an ECR tag to its digest when a deployment starts: a tag pushed again runs only after a forced deployment", async () => {
    fake.current.ecr.push("web", "v1");
    const first = fake.current.ecr.digestOf("web", "v1");
    await register("v1");
    await createService();
    await until(completed);
    const digests = async () => (await describeTasks(await taskArns())).map((t) => t.containers?.[0]?.imageDigest);
    expect(await digests()).toEqual([first, first]);

    fake.current.ecr.push("web", "v1");
    const second = fake.current.ecr.digestOf("web", "v1");
    expect(second).not.toBe(first);
    // Scaling out starts tasks from the digest the deployment resolved, not from what the tag names now.
    await update({ desiredCount: 3 });
    await until((s) => s?.runningCount === 3);
    expect(await digests()).toEqual([first, first, first]);
    // A pending task has not pulled anything yet: it reports no digest.
    await update({ forceNewDeployment: true });
    const [pending] = (await describeTasks(await taskArns())).filter((t) => t.lastStatus === "PENDING");
    expect(pending?.containers?.[0]?.imageDigest).toBeUndefined();
    await until(completed);
    expect(await digests()).toEqual([second, second, second]);
  });

  it("with versionConsistency disabled, each task pulls what the tag names when it starts, not what it named at the deployment's start", async () => {
    fake.current.ecr.push("web", "v1");
    const first = fake.current.ecr.digestOf("web", "v1");
    const container = {
      name: "web",
      image: `${IMAGE}:v1`,
      portMappings: [{ containerPort: 8000 }],
      versionConsistency: "disabled" as const,
    };
    await register("v1", { containerDefinitions: [container] });
    await createService();
    await until(completed);
    fake.current.ecr.push("web", "v1");
    const second = fake.current.ecr.digestOf("web", "v1");
    await update({ desiredCount: 3 });
    await until((s) => s?.runningCount === 3);
    const digests = (await describeTasks(await taskArns())).map((t) => t.containers?.[0]?.imageDigest).sort();
    expect(digests).toEqual([first, first, second].sort());
  });

  it("a circuit breaker rollback returns to the digest the last completed deployment ran, not to the tag's new one", async () => {
    fake.current.ecr.push("web", "v1");
    const good = fake.current.ecr.digestOf("web", "v1");
    await register("v1");
    await createService({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } });
    await until(completed);
    fake.current.ecr.push("web", "v1");
    const bad = fake.current.ecr.digestOf("web", "v1") as string;
    fake.current.ecs.failImage(bad); // the image the tag names now cannot start
    await update({ forceNewDeployment: true });
    await until((s) => s?.deployments?.some((d) => d.rolloutState === "FAILED") ?? false);
    await until(completed);
    const tasks = await describeTasks(await taskArns());
    expect(tasks.map((t) => [t.lastStatus, t.containers?.[0]?.imageDigest])).toEqual([
      ["RUNNING", good],
      ["RUNNING", good],
    ]);
  });

  it("a deployment of an image that cannot be pulled fails with the circuit breaker and rolls back", async () => {
    const v1 = await register("v1");
    await createService({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } });
    await until(completed);
    fake.current.ecs.failImage(":v2");
    await register("v2");
    const failing = (await update({ taskDefinition: "web" })).service?.deployments?.[0]?.id;
    await fake.current.clock.sleep(TASK_START_MS);
    const [stopped] = await describeTasks(await taskArns("STOPPED"));
    expect(stopped).toMatchObject({ lastStatus: "STOPPED", stopCode: "TaskFailedToStart", startedBy: failing });
    expect(stopped?.stoppedReason).toMatch(/^CannotPullContainerError/);
    expect(stopped?.containers?.[0]?.reason).toMatch(/^CannotPullContainerError/);
    const failedAfter = await until((s) => s?.deployments?.some((d) => d.rolloutState === "FAILED") ?? false);
    expect(failedAfter).toBeLessThanOrEqual(2 * 60_000);
    const rolling = await service();
    const failed = rolling?.deployments?.find((d) => d.id === failing);
    expect(failed).toMatchObject({ status: "ACTIVE", rolloutState: "FAILED" });
    expect(failed?.failedTasks).toBeGreaterThanOrEqual(3);
    expect(rolling?.taskDefinition).toBe(v1?.taskDefinitionArn);
    expect(rolling?.deployments?.[0]).toMatchObject({ status: "PRIMARY", taskDefinition: v1?.taskDefinitionArn });
    expect(rolling?.deployments?.[0]?.rolloutStateReason).toMatch(/circuit breaker: rolling back to deploymentId/);
    await until(completed);
    const back = await service();
    expect(back).toMatchObject({ taskDefinition: v1?.taskDefinitionArn, runningCount: 2, desiredCount: 2 });
  });

  it("without the circuit breaker, a deployment of an image that cannot be pulled keeps failing", async () => {
    await register("v1");
    await createService();
    await until(completed);
    fake.current.ecs.failImage(":v2");
    await register("v2");
    await update({ taskDefinition: "web" });
    await fake.current.clock.sleep(30 * 60_000);
    const s = await service();
    expect(s?.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([
      ["PRIMARY", "IN_PROGRESS"],
      ["ACTIVE", "COMPLETED"],
    ]);
    expect(s?.deployments?.[0]?.failedTasks).toBeGreaterThan(10);
    expect(s?.runningCount).toBe(2);
    expect(s?.events?.some((e) => e.message?.includes("unable to consistently start tasks"))).toBe(true);
  });

  it("with the circuit breaker but no rollback, a failed deployment stops launching tasks", async () => {
    await register("v1");
    await createService({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } });
    await until(completed);
    fake.current.ecs.failImage(":v2");
    await register("v2");
    await update({ taskDefinition: "web" });
    await until((s) => s?.deployments?.[0]?.rolloutState === "FAILED");
    await fake.current.clock.sleep(TASK_START_MS + TASK_STAGGER_MS); // the tasks already launched fail too
    const failedTasks = (await service())?.deployments?.[0]?.failedTasks;
    await fake.current.clock.sleep(30 * 60_000);
    const s = await service();
    expect(s?.deployments?.map((d) => d.rolloutState)).toEqual(["FAILED", "COMPLETED"]);
    expect(s?.deployments?.[0]?.failedTasks).toBe(failedTasks);
    expect(s?.taskDefinition).toMatch(/web:2$/);
  });

  it("stops tasks that fail the ELB health checks once the grace period is over, naming the target group", async () => {
    await register("v1");
    const tg = await targetGroup();
    fake.current.ecs.failHealthChecks(":v1");
    await createService({ ...behind(tg), healthCheckGracePeriodSeconds: 120 });
    await fake.current.clock.sleep(TASK_START_MS + TASK_STAGGER_MS + TARGET_HEALTH_CHECK_MS);
    expect(await targetStates(tg)).toEqual(["unhealthy", "unhealthy"]);
    expect(await taskArns("STOPPED")).toEqual([]);
    await fake.current.clock.sleep(120_000 - TARGET_HEALTH_CHECK_MS);
    const stopped = await describeTasks(await taskArns("STOPPED"));
    expect(stopped).toHaveLength(2);
    expect(stopped[0]).toMatchObject({
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: `Task failed ELB health checks in (target-group ${tg})`,
    });
    expect(await targetStates(tg)).toEqual(["draining", "draining"]);
    expect((await service())?.deployments?.[0]?.failedTasks).toBe(2);
  });
});

describe("ECS fake: pulling images from ECR", () => {
  const failedToStart = async () =>
    (await describeTasks(await taskArns("STOPPED"))).filter((t) => t.stopCode === "TaskFailedToStart");
  const withImage = (image: string) =>
    register("v1", { containerDefinitions: [{ name: "web", image, portMappings: [{ containerPort: 8000 }] }] });

  it("a service task whose tag is not in the account's ECR stops with TaskFailedToStart and CannotPullContainerError, and the circuit breaker fails the deployment", async () => {
    // Given a task definition naming a tag nobody pushed,
    await register("nope");
    // when a service with the circuit breaker runs it,
    const created = await createService({
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    const deployment = created.service?.deployments?.[0]?.id;
    await fake.current.clock.sleep(TASK_START_MS);

    // then its tasks stop without running, naming the image ECS could not find,
    const [stopped] = await failedToStart();
    const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${IMAGE}:nope: not found`;
    expect(stopped).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "TaskFailedToStart",
      stoppedReason: reason,
      startedBy: deployment,
    });
    expect(stopped?.startedAt).toBeUndefined();
    expect(stopped?.containers?.[0]).toMatchObject({ reason });
    expect(stopped?.containers?.[0]?.exitCode).toBeUndefined();
    expect(stopped?.containers?.[0]?.imageDigest).toBeUndefined();

    // and after max(3, half the desired count) failed tasks the deployment is FAILED, with nothing to roll back to.
    await until((s) => s?.deployments?.[0]?.rolloutState === "FAILED");
    const s = await service();
    expect(s?.deployments?.[0]).toMatchObject({
      id: deployment,
      rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
    });
    expect(s?.deployments?.[0]?.failedTasks).toBeGreaterThanOrEqual(3);
    expect(s?.runningCount).toBe(0);
  });

  it.each([
    ["a repository that does not exist", `${IMAGE.replace("/web", "/nothing")}:v1`],
    ["a digest the repository does not hold", `${IMAGE}@sha256:${"0".repeat(64)}`],
    ["no tag, when the repository has no latest", IMAGE],
    ["a tag in the same repository of another region", IMAGE.replace("us-east-1", "eu-west-1").concat(":v1")],
  ])("an ECR image naming %s cannot be pulled either", async (_, image) => {
    await withImage(image);
    await createService();
    await fake.current.clock.sleep(TASK_START_MS);
    const stopped = await failedToStart();
    expect(stopped.map((t) => [t.stopCode, t.stoppedReason])).toEqual([
      [
        "TaskFailedToStart",
        `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: not found`,
      ],
    ]);
  });

  it("runs an image by a digest the repository holds, and images in registries other than ECR, which the fake cannot check", async () => {
    const digest = fake.current.ecr.digestOf("web", "v2") as string;
    for (const image of [`${IMAGE}@${digest}`, "nginx:1.27", "public.ecr.aws/docker/library/nginx:1.27"]) {
      await withImage(image);
      await (image.includes("@") ? createService() : update({ taskDefinition: "web" }));
      await until(completed);
      expect(await failedToStart()).toEqual([]);
    }
    expect((await service())?.taskDefinition).toMatch(/web:3$/);
  });

  it("pulls another account's repository only when its repository policy shares it with this account", async () => {
    // Given another account's repository holding :v1, not shared,
    fake.current.ecr.push("shared", "v1", { registryId: OTHER_ACCOUNT });
    const shared = `${OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shared:v1`;
    await withImage(shared);
    await createService();
    await fake.current.clock.sleep(TASK_START_MS);

    // then the registry refuses the pull (403),
    const [denied] = await failedToStart();
    expect(denied?.stoppedReason).toBe(
      `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${shared}: pulling from host ${OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests v1]: 403 Forbidden`,
    );

    // and once its policy lets this account pull (only: DescribeImages stays refused), a new deployment runs it.
    fake.current.ecr.share("shared", { registryId: OTHER_ACCOUNT }, { pullOnly: true });
    await update({ forceNewDeployment: true });
    await until(completed);
    const [task] = await describeTasks(await taskArns());
    expect(task?.containers?.[0]?.imageDigest).toBe(
      fake.current.ecr.digestOf("shared", "v1", { registryId: OTHER_ACCOUNT }),
    );
  });

  it("a deployment that could not resolve its tag keeps failing after the tag is pushed; a new deployment runs it", async () => {
    // Given a deployment started while :v9 was not in ECR (no circuit breaker),
    await register("v9");
    await createService();
    await fake.current.clock.sleep(TASK_START_MS + TASK_STAGGER_MS);
    expect(await failedToStart()).toHaveLength(2);

    // when :v9 is pushed, then the deployment's later tasks still fail: it resolved the tag when it started,
    fake.current.ecr.push("web", "v9");
    await fake.current.clock.sleep(10 * 60_000);
    const s = await service();
    expect(s?.runningCount).toBe(0);
    expect(s?.deployments?.[0]?.failedTasks).toBeGreaterThan(2);

    // and a forced deployment resolves it again and runs it.
    await update({ forceNewDeployment: true });
    await until(completed);
    expect((await service())?.runningCount).toBe(2);
  });
});

describe("ECS fake: updating, deleting and describing services", () => {
  it("a deleted service goes DRAINING -> INACTIVE -> MISSING", async () => {
    await register();
    await createService({ desiredCount: 0 });
    const deleted = await ecs().send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web" }));
    expect(deleted.service?.status).toBe("DRAINING");
    await fake.current.clock.sleep(DRAINING_MS);
    expect((await service())?.status).toBe("INACTIVE");
    await fake.current.clock.sleep(PURGED_AFTER_INACTIVE_MS);
    const gone = await describeServices();
    expect(gone.services).toEqual([]);
    expect(gone.failures).toEqual([
      { arn: `arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/web`, reason: "MISSING" },
    ]);
  });

  it("refuses to delete a service scaled above 0 without force", async () => {
    await register();
    await createService();
    const refused = ecs().send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web" }));
    await expect(refused).rejects.toThrow(/The service cannot be stopped while it is scaled above 0/);
    const forced = await ecs().send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web", force: true }));
    expect(forced.service).toMatchObject({ status: "DRAINING", desiredCount: 0, runningCount: 0 });
  });

  it("refuses to delete or update a service that never existed, and to update an INACTIVE one", async () => {
    const del = ecs().send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web" }));
    await expect(del).rejects.toBeInstanceOf(ServiceNotFoundException);
    await expect(update({ desiredCount: 1 })).rejects.toBeInstanceOf(ServiceNotFoundException);
    await register();
    await createService({ desiredCount: 0 });
    await ecs().send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web" }));
    await fake.current.clock.sleep(DRAINING_MS);
    await expect(update({ desiredCount: 1 })).rejects.toBeInstanceOf(ServiceNotActiveException);
  });

  it("describes unknown services as MISSING failures, and an unknown cluster as an error", async () => {
    const out = await describeServices("nope");
    expect(out.services).toEqual([]);
    expect(out.failures?.[0]?.reason).toBe("MISSING");
    const other = ecs().send(new DescribeServicesCommand({ cluster: "other", services: ["web"] }));
    await expect(other).rejects.toBeInstanceOf(ClusterNotFoundException);
    const clusters = await ecs().send(new DescribeClustersCommand({ clusters: [CLUSTER, "other"] }));
    expect(clusters.clusters?.map((c) => c.status)).toEqual(["ACTIVE"]);
    expect(clusters.failures?.map((f) => f.reason)).toEqual(["MISSING"]);
  });

  it("tags a service and shows the tags only when DescribeServices is asked for them", async () => {
    await register();
    const arn = (await createService({ tags: [{ key: "ManagedBy", value: "infra" }] })).service?.serviceArn;
    await ecs().send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "Env", value: "production" }] }));
    const listed = await ecs().send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(listed.tags).toEqual([
      { key: "ManagedBy", value: "infra" },
      { key: "Env", value: "production" },
    ]);
    expect((await service())?.tags).toBeUndefined();
    const tagged = await ecs().send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ["web"], include: ["TAGS"] }),
    );
    expect(tagged.services?.[0]?.tags).toHaveLength(2);
  });
});

describe("ECS fake: listing and describing tasks", () => {
  it("lists a service's tasks in pages of at most 100, and describes at most 100 tasks per call", async () => {
    await register();
    await createService({ desiredCount: 130 });
    await until((s) => s?.runningCount === 130);
    const list = (input: { maxResults?: number; nextToken?: string } = {}) =>
      ecs().send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web", ...input }));

    // Given 130 running tasks, when listed without maxResults, then the first page holds 100 and a token.
    const first = await list();
    expect([first.taskArns?.length, typeof first.nextToken]).toEqual([100, "string"]);
    const second = await list({ nextToken: first.nextToken });
    expect([second.taskArns?.length, second.nextToken]).toEqual([30, undefined]);
    expect(new Set([...(first.taskArns ?? []), ...(second.taskArns ?? [])]).size).toBe(130);
    const small = await list({ maxResults: 7 });
    expect([small.taskArns?.length, typeof small.nextToken]).toEqual([7, "string"]);

    // maxResults is 1 to 100; DescribeTasks takes at most 100 tasks.
    for (const maxResults of [0, 101]) await expect(list({ maxResults })).rejects.toThrow(InvalidParameterException);
    const all = [...(first.taskArns ?? []), ...(second.taskArns ?? [])];
    await expect(describeTasks(all.slice(0, 101))).rejects.toThrow(InvalidParameterException);
    expect(await describeTasks(all.slice(0, 100))).toHaveLength(100);
  });
});

describe("ECS fake: one-off tasks", () => {
  const runTask = (taskDefinition: string) =>
    ecs().send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets: SUBNETS, securityGroups: [BACKEND_SG] } },
      }),
    );

  it("a task whose image is not in ECR stays PENDING, then stops with TaskFailedToStart and no exit code, writing no log", async () => {
    // Given a task definition whose image tag is not in ECR, logging to a group that exists,
    await new CloudWatchLogsClient({ region: "us-east-1" }).send(
      new CreateLogGroupCommand({ logGroupName: "/ecs/web" }),
    );
    const logConfiguration = {
      logDriver: "awslogs" as const,
      options: { "awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "run" },
    };
    await register("nope", {
      executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
      containerDefinitions: [{ name: "web", image: `${IMAGE}:nope`, logConfiguration }],
    });

    // when it is run,
    const arn = (await runTask("web")).tasks?.[0]?.taskArn as string;
    expect((await describeTasks([arn]))[0]?.lastStatus).toBe("PENDING");
    await fake.current.clock.sleep(RUN_TASK_STARTS_MS);

    // then it stops where it would have started running: never ran, no exit code, ECS's reason, no log stream.
    const [task] = await describeTasks([arn]);
    const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${IMAGE}:nope: not found`;
    expect(task).toMatchObject({ lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: reason });
    expect(task?.containers?.[0]).toMatchObject({ lastStatus: "STOPPED", reason });
    expect(task?.containers?.[0]?.exitCode).toBeUndefined();
    expect([...fake.current.logs.streams.keys()]).toEqual([]);
  });

  it("a task whose image ECR holds runs and exits", async () => {
    await register("v2");
    const arn = (await runTask("web")).tasks?.[0]?.taskArn as string;
    await fake.current.clock.sleep(RUN_TASK_STOPS_MS);
    const [task] = await describeTasks([arn]);
    expect(task).toMatchObject({ lastStatus: "STOPPED", stopCode: "EssentialContainerExited" });
    expect(task?.containers?.[0]?.exitCode).toBe(0);
  });

  it("runs no task from an INACTIVE revision, named or as its family's only one, and runs an ACTIVE one", async () => {
    // Given a family whose only revision was deregistered,
    await register("v1");
    await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:1" }));

    // when a task is run from it by revision or by family, then ECS refuses, and nothing runs.
    for (const ref of ["web:1", "web"])
      await expect(runTask(ref)).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: "TaskDefinition is inactive",
      });
    expect(fake.current.ecs.oneOff.tasks).toEqual([]);

    // A new revision is ACTIVE: the family runs it.
    await register("v2");
    const ran = await runTask("web");
    expect(ran.tasks?.map((t) => t.taskDefinitionArn?.split("/").at(-1))).toEqual(["web:2"]);
  });
});
