// `deploy --migrate` migrates the stack's database, whatever the newest revision of the migration family runs: the
// user's admin workflow registers revisions of that family that run createsuperuser or collectstatic against other
// databases, with the superuser's credentials in plain environment variables.
import { ECSClient, RegisterTaskDefinitionCommand, type RunTaskCommandInput } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { AwsFake } from "../src/sandbox/aws/aws-fake.js";
import { readText, runCli, useFake } from "./helpers.js";
import { REPO, revisionOf, stack } from "./support/deploy-stack.js";

const MIGRATION = "startupwebapp-migration-task";
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds/startupwebapp/multi-tenant/master-AbCdEf";
const PASSWORD = "correct-horse-battery-staple";

/** A revision of the migration family: the scripts' definition, with this command and these variables. */
const registerMigration = (command: string[], environment: { name: string; value: string }[]) =>
  new ECSClient({ region: "us-east-1" }).send(
    new RegisterTaskDefinitionCommand({
      family: MIGRATION,
      executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "migration",
          image: `${REPO}:latest`,
          command,
          environment: [{ name: "DJANGO_SETTINGS_MODULE", value: "StartupWebApp.settings_production" }, ...environment],
          secrets: [{ name: "DATABASE_PASSWORD", valueFrom: `${SECRET}:password::` }],
        },
      ],
    }),
  );

/** The family as the user's workflows leave it: a migration of production, then createsuperuser on an experiment. */
async function afterTheAdminWorkflow() {
  await registerMigration(["python", "manage.py", "migrate"], [{ name: "DATABASE_NAME", value: "startupwebapp_prod" }]);
  await registerMigration(
    ["/bin/sh", "-c", "python manage.py createsuperuser --noinput"],
    [
      { name: "DATABASE_NAME", value: "startupwebapp_experiment_1" },
      { name: "DJANGO_SUPERUSER_USERNAME", value: "admin" },
      { name: "DJANGO_SUPERUSER_PASSWORD", value: PASSWORD },
    ],
  );
}

const runTaskInputs = (fake: AwsFake) =>
  fake.calls.filter((c) => c.op === "RunTask").map((c) => c.input as RunTaskCommandInput);

describe("deploy --migrate", () => {
  const fake = useFake();

  it("given the newest migration revision runs createsuperuser against another database, when deploying with --migrate, then it migrates DATABASE_NAME and says so before the task starts", async () => {
    const path = await stack(
      fake.current,
      `ECS_TASK_DEFINITION_FAMILY="${MIGRATION}"\nDATABASE_NAME="startupwebapp_prod"\n`,
    );
    await afterTheAdminWorkflow();
    fake.current.ecr.push("startupwebapp", "v2");

    const result = await runCli(["deploy", "--image", ":v2", "--migrate", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const [task] = fake.current.ecs.oneOff.tasks;
    expect(task?.command).toEqual(["python", "manage.py", "migrate"]);
    expect(task?.environment.find((e) => e.name === "DATABASE_NAME")?.value).toBe("startupwebapp_prod");
    const said = result.stderr.indexOf("migration: python manage.py migrate on database startupwebapp_prod");
    expect(said, result.stderr).toBeGreaterThan(-1);
    expect(said).toBeLessThan(result.stderr.search(/migration task \S+ \(.*\) started/));
    expect(revisionOf(fake.current)).toBe("2");
  });

  it("passes only the command and the database name at RunTask: DescribeTasks shows overrides, so no secret goes there", async () => {
    const path = await stack(
      fake.current,
      `ECS_TASK_DEFINITION_FAMILY="${MIGRATION}"\nDATABASE_NAME="startupwebapp_prod"\n`,
    );
    await afterTheAdminWorkflow();
    fake.current.ecr.push("startupwebapp", "v2");

    expect((await runCli(["deploy", "--image", ":v2", "--migrate", "--file", path], fake.current)).code).toBe(0);

    expect(runTaskInputs(fake.current).map((i) => i.overrides)).toEqual([
      {
        containerOverrides: [
          {
            name: "migration",
            command: ["python", "manage.py", "migrate"],
            environment: [{ name: "DATABASE_NAME", value: "startupwebapp_prod" }],
          },
        ],
      },
    ]);
  });

  it("given MIGRATE_COMMAND, when deploying with --migrate, then the task runs that command", async () => {
    const path = await stack(
      fake.current,
      `ECS_TASK_DEFINITION_FAMILY="${MIGRATION}"\nMIGRATE_COMMAND='["python", "manage.py", "migrate", "--noinput"]'\n`,
    );
    await afterTheAdminWorkflow();
    fake.current.ecr.push("startupwebapp", "v2");

    const result = await runCli(["deploy", "--image", ":v2", "--migrate", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(fake.current.ecs.oneOff.tasks[0]?.command).toEqual(["python", "manage.py", "migrate", "--noinput"]);
    // DATABASE_NAME as the env file has it (INPUTS: "startupwebapp").
    expect(fake.current.ecs.oneOff.tasks[0]?.environment.find((e) => e.name === "DATABASE_NAME")?.value).toBe(
      "startupwebapp",
    );
  });

  it("given a migration revision that takes DATABASE_NAME from a secret, when deploying with --migrate, then it runs a revision without that secret, DATABASE_NAME set at RunTask", async () => {
    // Given a revision whose DATABASE_NAME is a secret (ECS refuses an override of the same name),
    const path = await stack(
      fake.current,
      `ECS_TASK_DEFINITION_FAMILY="${MIGRATION}"\nDATABASE_NAME="startupwebapp_prod"\n`,
    );
    fake.current.ecr.push("startupwebapp", "v2");
    const ecs = new ECSClient({ region: "us-east-1" });
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: MIGRATION,
        executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [
          {
            name: "migration",
            image: `${REPO}:v2`,
            command: ["python", "manage.py", "migrate"],
            secrets: [
              { name: "DATABASE_NAME", valueFrom: `${SECRET}:dbname::` },
              { name: "DATABASE_PASSWORD", valueFrom: `${SECRET}:password::` },
            ],
          },
        ],
      }),
    );

    // when deploying with --migrate,
    const result = await runCli(["deploy", "--image", ":v2", "--migrate", "--file", path], fake.current);

    // then the migration ran from a new revision that keeps the other secrets, on the env file's database.
    expect(result.code, result.stderr).toBe(0);
    const [task] = fake.current.ecs.oneOff.tasks;
    expect(task?.taskDefinitionArn.split("/").at(-1)).toBe(`${MIGRATION}:2`);
    expect(task?.environment).toEqual([{ name: "DATABASE_NAME", value: "startupwebapp_prod" }]);
    const registered = fake.current.ecs.taskDefinitions.find((t) => t.family === MIGRATION && t.revision === 2);
    expect(registered?.containerDefinitions?.[0]?.secrets?.map((s) => s.name)).toEqual(["DATABASE_PASSWORD"]);
  });

  it("given a MIGRATE_COMMAND with shell syntax, when deploying with --migrate, then it refuses with exit 2 before any AWS call", async () => {
    const path = await stack(fake.current, `ECS_TASK_DEFINITION_FAMILY="${MIGRATION}"\n`);
    const text = `${readText(path)}MIGRATE_COMMAND="python manage.py migrate && echo done"\n`;
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path, text);
    const before = fake.current.calls.length;

    const result = await runCli(["deploy", "--image", ":v2", "--migrate", "--file", path], fake.current);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/MIGRATE_COMMAND .* has shell syntax, but it runs without a shell/);
    expect(fake.current.calls.length).toBe(before);
    expect(readText(path)).toBe(text);
  });
});
