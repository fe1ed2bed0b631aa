// The web container as the user's scripts registered it, setting by setting: gunicorn on the container port with a
// 30 s worker timeout and both logs to stdout, the Django settings in the environment (in the scripts' order), the
// database credentials as Secrets Manager references (never values), logs to CloudWatch, and a health check on the
// path. A user whose app is not this one brings their own container in a file (CONTAINER_DEFINITION_FILE).
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { InputError } from "../../core/errors.js";
import { KIB, readRegularFile } from "../../core/user-file.js";
import { WEB } from "../common/task-definition.js";

export type { ContainerDefinition };

/** ECS takes a task definition of at most 64 KiB (Amazon ECS service quotas): one container's file holds less. */
const MAX_TASK_DEFINITION_BYTES = 64 * KIB;

export interface ContainerOptions {
  image: string;
  containerPort: number;
  healthCheckPath: string;
  settingsModule: string;
  databaseName: string;
  region: string;
  secretName: string;
  secretArn: string;
  environmentDomain: string;
  workers: number;
  logs: { group: string; region: string };
}

/** Environment variable <- JSON key of the database secret (the keys RDS writes in its managed secrets). */
export const SECRET_KEYS = {
  DATABASE_PASSWORD: "password",
  DATABASE_USER: "username",
  DATABASE_HOST: "host",
  DATABASE_PORT: "port",
};

const awslogs = (logs: { group: string; region: string }) => ({
  logDriver: "awslogs" as const,
  options: { "awslogs-group": logs.group, "awslogs-region": logs.region, "awslogs-stream-prefix": WEB },
});

export function buildContainer(o: ContainerOptions): ContainerDefinition {
  // ECS runs CMD-SHELL through a shell: the port is a number and the path passed the urlPath rule
  // (src/core/validators.ts), which admits no character a shell would read.
  const probe = `curl -f http://localhost:${o.containerPort}${o.healthCheckPath} || exit 1`;
  return {
    name: WEB,
    image: o.image,
    essential: true,
    command: [
      "gunicorn",
      "StartupWebApp.wsgi:application",
      "--bind",
      `0.0.0.0:${o.containerPort}`,
      "--workers",
      String(o.workers),
      "--timeout",
      "30",
      "--access-logfile",
      "-",
      "--error-logfile",
      "-",
    ],
    portMappings: [{ containerPort: o.containerPort, hostPort: o.containerPort, protocol: "tcp" }],
    environment: [
      { name: "DJANGO_SETTINGS_MODULE", value: o.settingsModule },
      { name: "AWS_REGION", value: o.region },
      { name: "DB_SECRET_NAME", value: o.secretName },
      { name: "DATABASE_NAME", value: o.databaseName },
      { name: "ENVIRONMENT_DOMAIN", value: o.environmentDomain },
    ],
    secrets: Object.entries(SECRET_KEYS).map(([name, key]) => ({ name, valueFrom: `${o.secretArn}:${key}::` })),
    logConfiguration: awslogs(o.logs),
    healthCheck: { command: ["CMD-SHELL", probe], interval: 30, timeout: 5, retries: 3, startPeriod: 60 },
  };
}

/** A user's own container definition from a file; the image and the logs default to the stack's. */
export function containerFromFile(
  path: string,
  defaults: { image: string; logs: { group: string; region: string }; containerPort: number },
): ContainerDefinition {
  let text: string;
  try {
    text = readRegularFile(path, "CONTAINER_DEFINITION_FILE", MAX_TASK_DEFINITION_BYTES).toString("utf8");
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      `CONTAINER_DEFINITION_FILE ${path}: ${(err as NodeJS.ErrnoException).code ?? "cannot be read"}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the text around the mistake: the file may not be the one meant (CONTAINER_DEFINITION_FILE=
    // /etc/shadow), so only where the mistake is, when it says.
    const at = /at position (\d+)/.exec((err as Error).message)?.[1];
    const before = text.slice(0, Number(at)).split("\n");
    const where = at === undefined ? "" : ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
    throw new InputError(
      `CONTAINER_DEFINITION_FILE ${path} is not valid JSON${where}: it must hold one container definition`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InputError(`CONTAINER_DEFINITION_FILE ${path}: not a JSON object (one container definition)`);
  }
  const c = parsed as ContainerDefinition;
  if (c.name !== undefined && c.name !== WEB)
    throw new InputError(
      `CONTAINER_DEFINITION_FILE ${path}: the container must be named "${WEB}" (the service routes to it)`,
    );
  if (!(c.portMappings ?? []).some((p) => p.containerPort === defaults.containerPort)) {
    throw new InputError(
      `CONTAINER_DEFINITION_FILE ${path}: no portMappings entry for CONTAINER_PORT ${defaults.containerPort}`,
    );
  }
  return {
    ...c,
    name: WEB,
    image: c.image ?? defaults.image,
    logConfiguration: c.logConfiguration ?? awslogs(defaults.logs),
  };
}
