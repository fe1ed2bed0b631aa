// A stack with a database to drill: the production instance with automated snapshots, the migration task
// definition (its DATABASE_HOST a secret, as in the earlier scripts' task definition), its log group, and an env file naming them.
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { DB_SECRET_ARN } from "../../src/sandbox/aws/secrets.js";
import { INPUTS, readText, tempEnvFile } from "../helpers.js";

export const DB = "startupwebapp-multi-tenant-prod";
export const MIGRATION = "startupwebapp-migration-task";
export const CHECK_FAMILY = `${MIGRATION}-dr-drill`;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp";

export async function drillStack(fake: AwsFake, extra = "", snapshotsAgoMs = [27 * HOUR, 3 * HOUR]): Promise<string> {
  fake.rds.addDatabase({ id: DB, snapshotsAgoMs });
  await new CloudWatchLogsClient({ region: "us-east-1" }).send(
    new CreateLogGroupCommand({ logGroupName: "/ecs/startupwebapp-migrations" }),
  );
  await new ECSClient({ region: "us-east-1" }).send(
    new RegisterTaskDefinitionCommand({
      family: MIGRATION,
      executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "migrate",
          image: `${REPO}:latest`,
          command: ["python", "manage.py", "migrate"],
          environment: [{ name: "DJANGO_SETTINGS_MODULE", value: "StartupWebApp.settings_production" }],
          secrets: [
            { name: "DATABASE_HOST", valueFrom: `${DB_SECRET_ARN}:host::` },
            { name: "DATABASE_PASSWORD", valueFrom: `${DB_SECRET_ARN}:password::` },
          ],
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": "/ecs/startupwebapp-migrations",
              "awslogs-region": "us-east-1",
              "awslogs-stream-prefix": "migration",
            },
          },
        },
      ],
    }),
  );
  return tempEnvFile(`${INPUTS}RDS_INSTANCE_ID="${DB}"\nECS_TASK_DEFINITION_FAMILY="${MIGRATION}"\n${extra}`);
}

export const recorded = (path: string, key: string) => readText(path).match(new RegExp(`^${key}="([^"]*)"`, "m"))?.[1];

/** What a drill may leave: instances other than the production one, and ACTIVE check revisions. */
export function leftovers(fake: AwsFake) {
  return {
    instances: fake.rds
      .live()
      .filter((i) => i.id !== DB)
      .map((i) => i.id),
    checkRevisions: fake.ecs.taskDefinitions
      .filter((t) => t.family === CHECK_FAMILY && t.status === "ACTIVE")
      .map((t) => t.revision),
  };
}

export const NOTHING_LEFT = { instances: [], checkRevisions: [] };
