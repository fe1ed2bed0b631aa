// ECS task definitions as AWS keeps them: every RegisterTaskDefinition is a new revision, and what comes back is
// not what was sent. AWS fills in defaults (cpu 0, essential, tcp, hostPort = containerPort under awsvpc, empty
// lists) and adds fields of its own, so a naive comparison with the wanted definition always differs
// (docs/aws-behaviours.md, "ECS"). Fargate's network mode and cpu/memory pairs are checked as AWS does.
import { ClientException, type ContainerDefinition, type Tag, type TaskDefinition } from "@aws-sdk/client-ecs";
import { ACCOUNT } from "./ec2.js";
import { modeled } from "./errors.js";

export const TASK_DEFINITION_PREFIX = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/`;

/** What DescribeTaskDefinition returns (the registered input with AWS's defaults filled in), plus its tags. */
export type TaskDefinitionRecord = TaskDefinition & {
  arn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE";
  tags: Tag[];
};

type RegisterInput = Omit<TaskDefinition, "revision" | "status" | "taskDefinitionArn"> & { tags?: Tag[] };

/** The cpu/memory pairs Fargate offers (cpu units -> memory MiB). */
const FARGATE_MEMORY: Record<string, number[]> = {
  "256": [512, 1024, 2048],
  "512": [1024, 2048, 3072, 4096],
  "1024": range(2048, 8192, 1024),
  "2048": range(4096, 16384, 1024),
  "4096": range(8192, 30720, 1024),
  "8192": range(16384, 61440, 4096),
  "16384": range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let m = from; m <= to; m += step) out.push(m);
  return out;
}

/** AWS stores "1 vCPU" as "1024" and "2 GB" as "2048". */
function units(value: string | undefined, unit: RegExp): string | undefined {
  if (value === undefined) return undefined;
  const m = value.trim().match(new RegExp(`^([0-9.]+)\\s*${unit.source}$`, "i"));
  return m ? String(Math.round(Number(m[1]) * 1024)) : value.trim();
}

const fail = (message: string) => modeled(ClientException, message);

/** A name may be an environment variable or a secret of a container, not both (RunTask's overrides included). */
export function checkSecretNames(c: Pick<ContainerDefinition, "environment" | "secrets">): void {
  const environment = new Set((c.environment ?? []).map((e) => e.name));
  const shared = (c.secrets ?? []).find((s) => environment.has(s.name));
  if (shared)
    throw fail(
      `The secret name must be unique and not shared with any new or existing environment variables set on the container, such as '${shared.name}'.`,
    );
}

export class TaskDefinitions {
  readonly all: TaskDefinitionRecord[] = [];

  constructor(private readonly now: () => number) {}

  /**
   * family, family:revision or ARN. A family alone means its latest ACTIVE revision; AWS keeps deregistered
   * (INACTIVE) revisions discoverable, so a family with none ACTIVE is described as its latest INACTIVE one (the
   * least convenient reading of DescribeTaskDefinition: callers must look at `status`).
   */
  find(ref: string): TaskDefinitionRecord | undefined {
    const name = ref.startsWith(TASK_DEFINITION_PREFIX) ? ref.slice(TASK_DEFINITION_PREFIX.length) : ref;
    const [family, rev] = name.split(":");
    if (rev !== undefined) return this.all.find((t) => t.family === family && String(t.revision) === rev);
    const revisions = this.all.filter((t) => t.family === family);
    return revisions.filter((t) => t.status === "ACTIVE").at(-1) ?? revisions.at(-1);
  }

  register(input: RegisterInput) {
    const { tags, ...sent } = structuredClone(input);
    const family = sent.family ?? "";
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(family))
      throw fail("Family contains invalid characters or is longer than 255 characters.");
    if (!sent.containerDefinitions?.length)
      throw fail("TaskDefinition must contain at least one container definition.");
    for (const c of sent.containerDefinitions) checkSecretNames(c);
    const cpu = units(sent.cpu, /vcpu/);
    const memory = units(sent.memory, /gb/);
    const awsvpc = sent.networkMode === "awsvpc";
    const containers = sent.containerDefinitions.map((c) => this.fill(c, awsvpc));
    if (sent.requiresCompatibilities?.includes("FARGATE")) this.checkFargate(sent, cpu, memory, containers);
    const fargateReady = awsvpc && cpu !== undefined && FARGATE_MEMORY[cpu]?.includes(Number(memory));
    const revision = this.all.filter((t) => t.family === family).length + 1;
    const arn = `${TASK_DEFINITION_PREFIX}${family}:${revision}`;
    const record: TaskDefinitionRecord = {
      ...sent,
      arn,
      taskDefinitionArn: arn,
      containerDefinitions: containers,
      family,
      revision,
      volumes: sent.volumes ?? [],
      status: "ACTIVE",
      requiresAttributes: requiredAttributes(sent, containers),
      placementConstraints: sent.placementConstraints ?? [],
      compatibilities: fargateReady ? ["EC2", "FARGATE"] : ["EC2"],
      ...(cpu !== undefined ? { cpu } : {}),
      ...(memory !== undefined ? { memory } : {}),
      registeredAt: new Date(this.now()),
      registeredBy: `arn:aws:iam::${ACCOUNT}:user/infra`,
      tags: tags ?? [],
    };
    this.all.push(record);
    return { taskDefinition: this.render(record), tags: record.tags };
  }

  describe(input: { taskDefinition: string; include?: string[] }) {
    const record = this.find(input.taskDefinition);
    if (!record) throw fail("Unable to describe task definition.");
    return {
      taskDefinition: this.render(record),
      ...(input.include?.includes("TAGS") ? { tags: record.tags } : {}),
    };
  }

  list(input: { familyPrefix?: string; status?: string; sort?: string; nextToken?: string; maxResults?: number }) {
    const status = input.status ?? "ACTIVE";
    const sorted = this.all
      // familyPrefix is the full family name, despite its name (ECS API reference).
      .filter((t) => t.status === status && (input.familyPrefix === undefined || t.family === input.familyPrefix))
      .sort((a, b) => (a.family === b.family ? a.revision - b.revision : a.family < b.family ? -1 : 1));
    if (input.sort === "DESC") sorted.reverse();
    const max = input.maxResults ?? 100;
    if (max < 1 || max > 100) throw fail("maxResults must be between 1 and 100.");
    const from = input.nextToken ? Number(Buffer.from(input.nextToken, "base64").toString()) : 0;
    if (!Number.isInteger(from) || from < 0) throw fail("Invalid nextToken.");
    return {
      taskDefinitionArns: sorted.slice(from, from + max).map((t) => t.arn),
      ...(from + max < sorted.length ? { nextToken: Buffer.from(String(from + max)).toString("base64") } : {}),
    };
  }

  /** Deregistering an INACTIVE revision again is accepted; an unknown one is a ClientException. */
  deregister(input: { taskDefinition: string }) {
    // A family alone is not enough here: DeregisterTaskDefinition needs family:revision or an ARN.
    if (!input.taskDefinition.includes(":")) throw fail(`Invalid revision number. Number: ${input.taskDefinition}`);
    const record = this.find(input.taskDefinition);
    if (!record) throw fail("The specified task definition does not exist.");
    record.status = "INACTIVE";
    record.deregisteredAt = new Date(this.now());
    return { taskDefinition: this.render(record) };
  }

  render(record: TaskDefinitionRecord): TaskDefinition {
    const { arn: _arn, tags: _tags, ...definition } = structuredClone(record);
    return definition;
  }

  /** The defaults AWS writes into each container definition. */
  private fill(c: ContainerDefinition, awsvpc: boolean): ContainerDefinition {
    if (!c.name) throw fail("Container.name should not be null or empty.");
    if (!c.image) throw fail("Container.image should not be null or empty.");
    const portMappings = (c.portMappings ?? []).map((p) => {
      if (awsvpc && p.hostPort !== undefined && p.hostPort !== p.containerPort)
        throw fail("When networkMode=awsvpc, the host ports and container ports in port mappings must match.");
      return { ...p, ...(awsvpc ? { hostPort: p.containerPort } : {}), protocol: p.protocol ?? "tcp" };
    });
    return {
      ...c,
      cpu: c.cpu ?? 0,
      portMappings,
      essential: c.essential ?? true,
      environment: c.environment ?? [],
      mountPoints: c.mountPoints ?? [],
      volumesFrom: c.volumesFrom ?? [],
      systemControls: c.systemControls ?? [],
    };
  }

  private checkFargate(sent: RegisterInput, cpu?: string, memory?: string, containers: ContainerDefinition[] = []) {
    if (sent.networkMode !== "awsvpc") throw fail("Fargate only supports network mode \u2018awsvpc\u2019.");
    if (cpu === undefined) throw fail("Fargate requires that 'cpu' be defined at the task level.");
    if (memory === undefined) throw fail("Fargate requires that 'memory' be defined at the task level.");
    if (!FARGATE_MEMORY[cpu]?.includes(Number(memory)))
      throw fail(
        `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`,
      );
    if (!sent.executionRoleArn && containers.some((c) => c.logConfiguration?.logDriver === "awslogs"))
      throw fail("Fargate requires task definition to have execution role ARN to support log driver awslogs.");
  }
}

/** The capabilities AWS derives from a definition and lists in requiresAttributes. */
function requiredAttributes(sent: RegisterInput, containers: ContainerDefinition[]) {
  const names = new Set<string>();
  if (containers.some((c) => c.logConfiguration?.logDriver === "awslogs")) {
    names.add("com.amazonaws.ecs.capability.logging-driver.awslogs");
    names.add("com.amazonaws.ecs.capability.docker-remote-api.1.19");
    if (sent.executionRoleArn) names.add("ecs.capability.execution-role-awslogs");
  }
  if (sent.taskRoleArn) names.add("com.amazonaws.ecs.capability.task-iam-role");
  if (containers.some((c) => c.healthCheck)) names.add("ecs.capability.container-health-check");
  if (containers.some((c) => c.secrets?.length)) names.add("ecs.capability.secrets.asm.environment-variables");
  if (sent.networkMode === "awsvpc") {
    names.add("com.amazonaws.ecs.capability.docker-remote-api.1.18");
    names.add("ecs.capability.task-eni");
  }
  return [...names].map((name) => ({ name }));
}
