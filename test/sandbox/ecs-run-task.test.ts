// RunTask's container overrides in the ECS fake, as AWS documents them (docs/aws-behaviours.md, "One-off tasks"):
// checked with real SDK clients.
import {
  ClientException,
  type ContainerOverride,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { BACKEND_SG, SUBNETS } from "../../src/sandbox/aws/ec2.js";
import { CLUSTER } from "../../src/sandbox/aws/ecs.js";
import { OVERRIDES_MAX_CHARS } from "../../src/sandbox/aws/ecs-run-task.js";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const ecs = () => new ECSClient({ region: "us-east-1" });
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1";
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds-AbCdEf";

beforeEach(async () => {
  fake.current.ecr.push("web", "v1");
  await ecs().send(
    new RegisterTaskDefinitionCommand({
      family: "admin",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
      containerDefinitions: [
        {
          name: "migration",
          image: IMAGE,
          command: ["/bin/sh", "-c", "python manage.py createsuperuser --noinput"],
          environment: [
            { name: "DATABASE_NAME", value: "experiment_1" },
            { name: "DJANGO_SETTINGS_MODULE", value: "StartupWebApp.settings_production" },
          ],
          secrets: [{ name: "DATABASE_PASSWORD", valueFrom: `${SECRET}:password::` }],
        },
      ],
    }),
  );
});

const runTask = (containerOverrides?: ContainerOverride[]) =>
  ecs().send(
    new RunTaskCommand({
      cluster: CLUSTER,
      taskDefinition: "admin",
      launchType: "FARGATE",
      networkConfiguration: { awsvpcConfiguration: { subnets: SUBNETS, securityGroups: [BACKEND_SG] } },
      ...(containerOverrides ? { overrides: { containerOverrides } } : {}),
    }),
  );

describe("ECS fake: RunTask's container overrides", () => {
  it("given a command and a variable in the overrides, the container runs that command with the variable replaced, and DescribeTasks shows the overrides", async () => {
    // Given a definition that runs createsuperuser against an experiment database,
    const override = {
      name: "migration",
      command: ["python", "manage.py", "migrate"],
      environment: [{ name: "DATABASE_NAME", value: "startupwebapp_prod" }],
    };

    // when a task is run with overrides of its command and its DATABASE_NAME,
    const arn = (await runTask([override])).tasks?.[0]?.taskArn as string;

    // then the container runs the override's command, the override's DATABASE_NAME and the definition's other
    // variables, and DescribeTasks answers the overrides as they were given.
    const [ran] = fake.current.ecs.oneOff.tasks;
    expect(ran?.command).toEqual(["python", "manage.py", "migrate"]);
    expect(ran?.environment).toEqual([
      { name: "DJANGO_SETTINGS_MODULE", value: "StartupWebApp.settings_production" },
      { name: "DATABASE_NAME", value: "startupwebapp_prod" },
    ]);
    const described = await ecs().send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }));
    expect(described.tasks?.[0]?.overrides?.containerOverrides).toEqual([override]);
  });

  it("given no overrides, the container runs the definition's command and environment", async () => {
    await runTask();
    const [ran] = fake.current.ecs.oneOff.tasks;
    expect(ran?.command).toEqual(["/bin/sh", "-c", "python manage.py createsuperuser --noinput"]);
    expect(ran?.environment.find((e) => e.name === "DATABASE_NAME")?.value).toBe("experiment_1");
  });

  it("refuses overrides of a container the definition lacks, longer than 8192 characters, or naming a secret as a variable, and runs nothing", async () => {
    const refusals: [ContainerOverride[], string, RegExp][] = [
      [[{ name: "web", command: ["true"] }], InvalidParameterException.name, /not a container in the TaskDefinition/],
      [
        [{ name: "migration", environment: [{ name: "X", value: "x".repeat(OVERRIDES_MAX_CHARS) }] }],
        InvalidParameterException.name,
        /at most 8192/,
      ],
      [
        [{ name: "migration", environment: [{ name: "DATABASE_PASSWORD", value: "hunter2" }] }],
        ClientException.name,
        /secret name must be unique.*'DATABASE_PASSWORD'/,
      ],
    ];
    for (const [overrides, name, message] of refusals)
      await expect(runTask(overrides)).rejects.toMatchObject({ name, message: expect.stringMatching(message) });
    expect(fake.current.ecs.oneOff.tasks).toEqual([]);
  });

  it("counts the overrides' JSON formatting toward the 8192 characters", async () => {
    // A value that fits alone but not with the structure around it.
    const value = "x".repeat(OVERRIDES_MAX_CHARS - 40);
    await expect(runTask([{ name: "migration", environment: [{ name: "X", value }] }])).rejects.toMatchObject({
      name: InvalidParameterException.name,
    });
    const fits = "x".repeat(OVERRIDES_MAX_CHARS - 120);
    await expect(runTask([{ name: "migration", environment: [{ name: "X", value: fits }] }])).resolves.toBeDefined();
  });
});
