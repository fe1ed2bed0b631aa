// What makes two task definitions "the same": AWS fills in defaults on registration (cpu 0, essential true,
// protocol tcp, hostPort = containerPort under awsvpc, empty lists) and environment order carries no meaning.
// Comparing without normalising registers a new revision on every run (aws-behaviours.md, pitfall 10).
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput, TaskDefinition } from "@aws-sdk/client-ecs";

type Comparable = Pick<
  RegisterTaskDefinitionCommandInput,
  | "family"
  | "taskRoleArn"
  | "executionRoleArn"
  | "networkMode"
  | "requiresCompatibilities"
  | "cpu"
  | "memory"
  | "containerDefinitions"
>;

export function normalizeTaskDefinition(t: Comparable | TaskDefinition): unknown {
  return canonical({
    family: t.family,
    taskRoleArn: t.taskRoleArn,
    executionRoleArn: t.executionRoleArn,
    networkMode: t.networkMode,
    requiresCompatibilities: [...(t.requiresCompatibilities ?? [])].sort(),
    cpu: t.cpu,
    memory: t.memory,
    containerDefinitions: (t.containerDefinitions ?? []).map((c) => normalizeContainer(c, t.networkMode)),
  });
}

export function sameTaskDefinition(a: Comparable | TaskDefinition, b: Comparable | TaskDefinition): boolean {
  return JSON.stringify(normalizeTaskDefinition(a)) === JSON.stringify(normalizeTaskDefinition(b));
}

function normalizeContainer(c: ContainerDefinition, networkMode: string | undefined) {
  const byName = <T extends { name?: string }>(list: T[] | undefined) =>
    [...(list ?? [])].sort((x, y) => (x.name ?? "").localeCompare(y.name ?? ""));
  return {
    ...c,
    cpu: c.cpu || undefined,
    essential: c.essential ?? true,
    portMappings: (c.portMappings ?? []).map((p) => ({
      ...p,
      protocol: p.protocol ?? "tcp",
      hostPort: p.hostPort ?? (networkMode === "awsvpc" ? p.containerPort : undefined),
    })),
    environment: byName(c.environment),
    secrets: byName(c.secrets),
  };
}

/** Drops undefined, empty lists and empty objects, and sorts keys, so equal meanings serialise equally. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, canonical(v)] as const)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value;
}
