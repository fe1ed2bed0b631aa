// A stack with a database to drill: the production instance with automated snapshots and a history of rows, the
// migration task definition (its DATABASE_HOST a secret, as in the earlier scripts' task definition), its log group,
// and an env file naming them.
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
export const APP_DATABASE = "startupwebapp_prod";
const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp";

/**
 * The production database's history, by hours before the drill: orders on both sides of the newest snapshot (3 h
 * ago), members, and a table made after it. A copy restored from that snapshot holds 3 orders, 2 members and no
 * refunds; production holds 5, 2 and 1.
 */
export const HISTORY = {
  orders: [30, 20, 4, 2, 1],
  members: [40, 26],
  refunds: [1],
};

export async function drillStack(fake: AwsFake, extra = "", snapshotsAgoMs = [27 * HOUR, 3 * HOUR]): Promise<string> {
  fake.rds.addDatabase({ id: DB, snapshotsAgoMs });
  const now = fake.clock.now();
  const at = (hours: number[]) => hours.map((h) => now - h * HOUR);
  fake.rds.write(DB, APP_DATABASE, "order_order", at(HISTORY.orders));
  fake.rds.write(DB, APP_DATABASE, "user_member", at(HISTORY.members));
  fake.rds.write(DB, APP_DATABASE, "order_refund", at(HISTORY.refunds));
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
          environment: [
            { name: "DJANGO_SETTINGS_MODULE", value: "StartupWebApp.settings_production" },
            { name: "DB_SECRET_NAME", value: "rds/startupwebapp/multi-tenant/master" },
          ],
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
  const inputs = INPUTS.replace(/^DATABASE_NAME=.*$/m, `DATABASE_NAME="${APP_DATABASE}"`);
  return tempEnvFile(`${inputs}RDS_INSTANCE_ID="${DB}"\nECS_TASK_DEFINITION_FAMILY="${MIGRATION}"\n${extra}`);
}

export const recorded = (path: string, key: string) => readText(path).match(new RegExp(`^${key}="([^"]*)"`, "m"))?.[1];

/**
 * What a drill may leave: instances other than the production one that RDS is not deleting (deleting is not billed),
 * and ACTIVE drill revisions.
 */
export function leftovers(fake: AwsFake) {
  return {
    instances: fake.rds
      .live()
      .filter((i) => i.id !== DB && i.deletingSince === undefined)
      .map((i) => i.id),
    checkRevisions: fake.ecs.taskDefinitions
      .filter((t) => /-dr-(drill|cutover)$/.test(t.family ?? "") && t.status === "ACTIVE")
      .map((t) => `${t.family}:${t.revision}`),
  };
}

export const NOTHING_LEFT = { instances: [], checkRevisions: [] };

/** One-off tasks that have not stopped, by what ECS says of them now. */
export function runningTasks(fake: AwsFake): string[] {
  return fake.ecs.oneOff.tasks
    .map((t) => fake.ecs.oneOff.render(t))
    .filter((t) => t.lastStatus !== "STOPPED" && t.desiredStatus !== "STOPPED")
    .map((t) => t.taskArn);
}
