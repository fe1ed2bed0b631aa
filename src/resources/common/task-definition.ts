// How a task definition reads field by field, for what is wanted (built from the inputs) and for what exists (from
// DescribeTaskDefinition) alike, so the two compare field by field. AWS fills in defaults on registration (container
// cpu 0, essential, protocol tcp, hostPort = containerPort under awsvpc, empty lists, the health check's timings) and
// promises no order for environment variables or secrets: each field is written in one canonical form, so a
// definition equal in meaning reads the same and no run registers a revision that changes nothing.
// Pure (type imports only): `plan` builds the wanted fields with no SDK loaded.
import type { ContainerDefinition, KeyValuePair, TaskDefinition } from "@aws-sdk/client-ecs";
import type { Scalar } from "../../state/model.js";

/** What a task definition is made of, as sent to RegisterTaskDefinition and as DescribeTaskDefinition returns it. */
export type Definition = Pick<
  TaskDefinition,
  | "family"
  | "taskRoleArn"
  | "executionRoleArn"
  | "networkMode"
  | "requiresCompatibilities"
  | "cpu"
  | "memory"
  | "runtimePlatform"
  | "containerDefinitions"
>;

/** The container the service routes to and `deploy` changes the image of. */
export const WEB = "web";

/** `web`, else the first essential container, else the first. */
export function mainContainer(td: Pick<TaskDefinition, "containerDefinitions">): ContainerDefinition | undefined {
  const containers = td.containerDefinitions ?? [];
  return containers.find((c) => c.name === WEB) ?? containers.find((c) => c.essential !== false) ?? containers[0];
}

/** AWS's health check timings when a definition leaves them out (ECS HealthCheck: 30 s, 5 s, 3 retries, no grace). */
const HEALTH_DEFAULTS = { interval: 30, timeout: 5, retries: 3, startPeriod: 0 };

/** The container keys that have a field of their own; every other setting goes to "other container settings". */
const OWN_FIELDS = new Set([
  "name",
  "image",
  "essential",
  "command",
  "portMappings",
  "environment",
  "secrets",
  "logConfiguration",
  "healthCheck",
  "cpu",
]);

const arg = (a: string) => (a === "" || /[\s"']/.test(a) ? JSON.stringify(a) : a);

const sorted = (xs: string[]) => [...xs].sort();

/** The task definition's fields, as `plan` and `verify` show them. */
export function definitionFields(td: Definition): Record<string, Scalar | Scalar[]> {
  const web = mainContainer(td);
  const awsvpc = td.networkMode === "awsvpc";
  const platform = td.runtimePlatform;
  return {
    family: td.family ?? "",
    "launch type": sorted(td.requiresCompatibilities ?? []).join(", ") || "none",
    "network mode": td.networkMode ?? "bridge",
    cpu: Number(td.cpu ?? 0),
    memory: Number(td.memory ?? 0),
    "runtime platform":
      platform?.operatingSystemFamily || platform?.cpuArchitecture
        ? `${platform.operatingSystemFamily ?? "LINUX"}/${platform.cpuArchitecture ?? "X86_64"}`
        : "default",
    "execution role": td.executionRoleArn ?? "none",
    "task role": td.taskRoleArn ?? "none",
    containers: sorted((td.containerDefinitions ?? []).map((c) => c.name ?? "")),
    image: web?.image ?? "none",
    essential: web?.essential ?? true,
    command: (web?.command ?? []).map(arg).join(" ") || "image default",
    "port mappings": (web?.portMappings ?? []).map((p) => {
      const host =
        p.hostPort === undefined || (awsvpc && p.hostPort === p.containerPort) ? "" : ` on host ${p.hostPort}`;
      return `${p.containerPort}/${p.protocol ?? "tcp"}${host}`;
    }),
    environment: sorted(pairs(web?.environment)),
    secrets: sorted((web?.secrets ?? []).map((s) => `${s.name}=${s.valueFrom}`)),
    logging: web?.logConfiguration
      ? [
          web.logConfiguration.logDriver,
          ...sorted(Object.entries(web.logConfiguration.options ?? {}).map(([k, v]) => `${k}=${v}`)),
        ].join(" ")
      : "none",
    "health check": healthCheck(web),
    "other container settings": otherSettings(web),
  };
}

/** Whether two definitions differ in nothing but their image: what a deploy (or a rollback) changes. */
export function sameButImage(a: Definition, b: Definition): boolean {
  const { image: _a, ...x } = definitionFields(a);
  const { image: _b, ...y } = definitionFields(b);
  return JSON.stringify(x) === JSON.stringify(y);
}

/**
 * Whether `candidate` is a definition change the service has not picked up yet: a newer ACTIVE revision of the
 * family the service runs that differs from the running one in more than its image. A newer one that differs in its
 * image only is a deploy that did not stick (or a rollback's starting point); an older one is history, or what a
 * stale env file still records: neither is a change to roll out.
 */
export function isPendingChange(
  candidate: Definition & Pick<TaskDefinition, "revision" | "status">,
  running: Definition & Pick<TaskDefinition, "revision">,
): boolean {
  return (
    candidate.status === "ACTIVE" &&
    candidate.family === running.family &&
    (candidate.revision ?? 0) > (running.revision ?? 0) &&
    !sameButImage(candidate, running)
  );
}

const pairs = (kv: KeyValuePair[] | undefined) => (kv ?? []).map((e) => `${e.name}=${e.value ?? ""}`);

function healthCheck(c: ContainerDefinition | undefined): string {
  const h = c?.healthCheck;
  if (!h?.command?.length) return "none";
  const t = { ...HEALTH_DEFAULTS, ...Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) };
  return `${h.command.join(" ")}; every ${t.interval} s, timeout ${t.timeout} s, ${t.retries} retries, start period ${t.startPeriod} s`;
}

/** The rest of the container, without what AWS fills in when nothing was given: "none", or canonical JSON. */
function otherSettings(c: ContainerDefinition | undefined): string {
  const rest = canonical(Object.fromEntries(Object.entries(c ?? {}).filter(([k]) => !OWN_FIELDS.has(k))));
  const cpu = c?.cpu ? { cpu: c.cpu } : {};
  const all = { ...cpu, ...((rest as object | undefined) ?? {}) };
  return Object.keys(all).length ? JSON.stringify(canonical(all)) : "none";
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
