// The seed's container: gunicorn on the container port, Django settings in the environment, database
// credentials as Secrets Manager references (never values), logs to CloudWatch, a health check on the path.
import type { ContainerDefinition } from "@aws-sdk/client-ecs";

export type { ContainerDefinition };

export interface ContainerOptions {
  image: string;
  containerPort: number;
  healthCheckPath: string;
  settingsModule: string;
  databaseName: string;
  region: string;
  secretName: string;
  secretArn: string;
  workers: number;
  logs: { group: string; region: string };
}

/** Environment variable <- JSON key of the database secret (the keys RDS writes in its managed secrets). */
export const SECRET_KEYS = {
  DATABASE_USER: "username",
  DATABASE_PASSWORD: "password",
  DATABASE_HOST: "host",
  DATABASE_PORT: "port",
};

export function buildContainer(o: ContainerOptions): ContainerDefinition {
  // The check the user's scripts registered. ECS runs CMD-SHELL through a shell: the port is a number and the path
  // passed the urlPath rule (src/core/validators.ts), which admits no character a shell would read.
  const probe = `curl -f http://localhost:${o.containerPort}${o.healthCheckPath} || exit 1`;
  return {
    name: "web",
    image: o.image,
    essential: true,
    command: [
      "gunicorn",
      "StartupWebApp.wsgi:application",
      "--bind",
      `0.0.0.0:${o.containerPort}`,
      "--workers",
      String(o.workers),
    ],
    portMappings: [{ containerPort: o.containerPort, protocol: "tcp" }],
    environment: [
      { name: "DJANGO_SETTINGS_MODULE", value: o.settingsModule },
      { name: "DATABASE_NAME", value: o.databaseName },
      { name: "AWS_REGION", value: o.region },
      { name: "DB_SECRET_NAME", value: o.secretName },
    ],
    secrets: Object.entries(SECRET_KEYS).map(([name, key]) => ({ name, valueFrom: `${o.secretArn}:${key}::` })),
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": o.logs.group, "awslogs-region": o.logs.region, "awslogs-stream-prefix": "web" },
    },
    healthCheck: {
      command: ["CMD-SHELL", probe],
      interval: 30,
      timeout: 5,
      retries: 3,
      startPeriod: 60,
    },
  };
}
