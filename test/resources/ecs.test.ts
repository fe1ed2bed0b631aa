import { writeFileSync } from "node:fs";
import { DeregisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { BACKEND_SG } from "../../src/sandbox/aws/ec2.js";
import { contextFor, INPUTS, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { expectConvergesAfterAnyFault } from "../support/faults.js";
import { scriptsTaskDefinition } from "../support/scripts-stack.js";
import {
  createEcs,
  destroyEcs,
  ecs,
  ecsState,
  FAMILY,
  NOTHING,
  REPO,
  RUNNING,
  SERVICE,
  service,
  taskDefinition,
  withAlb,
} from "./ecs-stack.js";

/** The container the earlier scripts registered, setting by setting, with this env file's DATABASE_NAME. */
const scripts = scriptsTaskDefinition(`${REPO}:latest`).containerDefinitions?.[0];
const SCRIPTS_CONTAINER = {
  ...scripts,
  environment: scripts?.environment?.map((e) => (e.name === "DATABASE_NAME" ? { ...e, value: "startupwebapp" } : e)),
};

const STACK_TAGS = (name: string) => [
  { key: "Name", value: name },
  { key: "Project", value: "startupwebapp" },
  { key: "Environment", value: "production" },
  { key: "ManagedBy", value: "infra" },
];

describe("ecs-service-task-definition and ecs-service against the AWS fake", () => {
  const fake = useFake();

  it("go create -> verify -> destroy -> recreate, waiting out the old service's DRAINING, and leave nothing", async () => {
    const path = await withAlb(fake.current);
    let ctx = await createEcs(fake.current, path);
    expect(ecsState(fake.current)).toEqual(RUNNING);
    const checks = [...(await taskDefinition.verify(ctx)), ...(await service.verify(ctx))];
    expect(checks.filter((c) => c.status !== "OK")).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "running == desired",
        "targets healthy",
        "ECS Exec enabled on the running tasks (ECS_ENABLE_EXECUTE_COMMAND=true)",
      ]),
    );

    // Destroy without waiting: the service is left DRAINING, and the recreate must wait for it.
    ctx = await contextFor(fake.current, path, { wait: false });
    await service.destroy(ctx);
    expect(ecsState(fake.current).services).toEqual([`${SERVICE} DRAINING ${FAMILY}:1 0`]);
    ctx = await createEcs(fake.current, path);
    expect(ecsState(fake.current)).toEqual(RUNNING);
    expect(
      ctx.events.log.some((e) => e.kind === "waiting" && e.message.includes("old service to finish draining")),
    ).toBe(true);

    await destroyEcs(fake.current, path);
    expect(ecsState(fake.current)).toEqual(NOTHING);
    expect(readText(path)).toContain('ECS_SERVICE_ARN=""');
    expect(readText(path)).toContain('ECS_SERVICE_TASK_DEFINITION_ARN=""');

    // The family's only revision is INACTIVE now: create registers a new one, and the service runs that.
    await createEcs(fake.current, path);
    expect(ecsState(fake.current)).toEqual({
      ...RUNNING,
      services: [`${SERVICE} ACTIVE ${FAMILY}:2 2`],
      activeRevisions: [`${FAMILY}:2`],
    });
  });

  it("builds what the user's scripts built, field by field, with the stack's tags", async () => {
    const path = await withAlb(fake.current);
    const ctx = await createEcs(fake.current, path);
    const [td] = fake.current.ecs.taskDefinitions;
    expect(td).toMatchObject({
      family: FAMILY,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "512",
      memory: "1024",
      executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
      taskRoleArn: "arn:aws:iam::123456789012:role/startupwebapp-task-role",
      // The stack's tags, and once its first deployment completed with every target healthy, KnownGood.
      tags: [...STACK_TAGS(FAMILY), { key: "KnownGood", value: expect.any(String) }],
    });
    expect(td?.runtimePlatform).toBeUndefined();
    const registered = fake.current.calls.find((c) => c.op === "RegisterTaskDefinition")?.input as {
      containerDefinitions: unknown[];
    };
    expect(registered.containerDefinitions).toEqual([SCRIPTS_CONTAINER]);

    const svc = fake.current.ecs.serviceNamed(SERVICE);
    expect(svc).toMatchObject({
      desiredCount: 2,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-0c1c2c3c4c5c60001", "subnet-0c1c2c3c4c5c60002"],
          securityGroups: [BACKEND_SG],
          assignPublicIp: "DISABLED",
        },
      },
      loadBalancers: [{ targetGroupArn: ctx.env.get("TARGET_GROUP_ARN"), containerName: "web", containerPort: 8000 }],
      healthCheckGracePeriodSeconds: 120,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        minimumHealthyPercent: 100,
        maximumPercent: 200,
      },
      deploymentController: { type: "ECS" },
      enableExecuteCommand: true,
      propagateTags: "NONE",
      tags: STACK_TAGS(SERVICE),
    });
    const create = fake.current.calls.find((c) => c.op === "CreateService")?.input;
    expect(create).toMatchObject({ schedulingStrategy: "REPLICA" });
    expect(fake.current.logs.groups.get("/ecs/startupwebapp-service")?.tags).toEqual({
      Name: "startupwebapp-service-logs",
      Project: "startupwebapp",
      Environment: "production",
      ManagedBy: "infra",
    });
    expect({
      family: ctx.env.get("ECS_SERVICE_TASK_DEFINITION_FAMILY"),
      arn: ctx.env.get("ECS_SERVICE_TASK_DEFINITION_ARN"),
      revision: ctx.env.get("ECS_SERVICE_TASK_DEFINITION_REVISION"),
      logs: ctx.env.get("ECS_SERVICE_LOG_GROUP"),
      service: ctx.env.get("ECS_SERVICE_NAME"),
      serviceArn: ctx.env.get("ECS_SERVICE_ARN"),
    }).toEqual({
      family: FAMILY,
      arn: td?.arn,
      revision: "1",
      logs: "/ecs/startupwebapp-service",
      service: SERVICE,
      serviceArn: svc?.arn,
    });
  });

  it("makes no mutating call and registers no revision when run again, and plans nothing", async () => {
    const path = await withAlb(fake.current);
    await createEcs(fake.current, path);
    const before = fake.current.calls.length;
    const ctx = await createEcs(fake.current, path);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(ecsState(fake.current)).toEqual(RUNNING);
    const planned = [...(await taskDefinition.plan(ctx)).changes, ...(await service.plan(ctx)).changes];
    expect(planned.map((c) => c.action)).toEqual(["keep", "keep", "keep"]);
  });

  it("finds nothing and succeeds when destroy runs twice", async () => {
    const path = await withAlb(fake.current);
    await createEcs(fake.current, path);
    await destroyEcs(fake.current, path);
    const before = fake.current.calls.length;
    await destroyEcs(fake.current, path);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(ecsState(fake.current)).toEqual(NOTHING);
  });

  it("fails fast, with the stopped reason, when the image cannot be pulled", async () => {
    const path = await withAlb(fake.current, `${INPUTS}IMAGE_TAG="missing"\n`);
    fake.current.ecs.failImage(":missing");
    await taskDefinition.create(await contextFor(fake.current, path));
    const started = fake.current.clock.now();
    const result = await runCli(["create", "ecs-service", "--file", path], fake.current);
    expect(result.code).toBe(3); // AWS failed the step: exit 1 is for a deploy that was rolled back
    expect(result.stderr).toMatch(
      /deployment ecs-svc\/\d+ of startupwebapp-service (tasks cannot start|FAILED).*CannotPullContainerError/,
    );
    expect(fake.current.clock.now() - started).toBeLessThan(5 * 60_000);
    // The ARN is recorded before the wait: the next run finds the service rather than making another.
    expect(readText(path)).toMatch(/^ECS_SERVICE_ARN="arn:aws:ecs:.*startupwebapp-service"$/m);
  });

  it("does not make the service while no listener forwards to the target group, and says which step does", async () => {
    const path = tempEnvFile();
    await runCli(["create", "alb", "--file", path], fake.current); // no certificate: HTTP:80 only
    await taskDefinition.create(await contextFor(fake.current, path));
    const result = await runCli(["create", "ecs-service", "--file", path], fake.current);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/target group startupwebapp-tg is not attached to a listener yet/);
    expect(fake.current.calls.filter((c) => c.op === "CreateService")).toEqual([]);
    const verified = await runCli(["verify", "ecs-service", "--file", path], fake.current);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/FAIL.*service startupwebapp-service.*missing: create makes it/);
  });

  it("refuses to deregister the task definition while a service runs it, changing nothing (exit 2)", async () => {
    const path = await withAlb(fake.current);
    await createEcs(fake.current, path);
    const before = fake.current.calls.length;
    const result = await runCli(["destroy", "ecs-service-task-definition", "--yes", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /service startupwebapp-service \(ACTIVE\) still runs task definition startupwebapp-service-task - run `infra destroy ecs-service -f \S+` first/,
    );
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(ecsState(fake.current)).toEqual(RUNNING);
  });

  it("keeps the log group with --keep-logs", async () => {
    const path = tempEnvFile();
    await taskDefinition.create(await contextFor(fake.current, path));
    const result = await runCli(
      ["destroy", "ecs-service-task-definition", "--yes", "--keep-logs", "--file", path],
      fake.current,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/log group \/ecs\/startupwebapp-service: kept, with the logs in it \(--keep-logs\)/);
    expect(ecsState(fake.current)).toEqual({ ...NOTHING, logGroups: ["/ecs/startupwebapp-service 7"] });
  });

  it("never uses an INACTIVE revision: one deregistered behind the service's back is replaced by a new one", async () => {
    const path = await withAlb(fake.current);
    await createEcs(fake.current, path);
    await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${FAMILY}:1` }));
    const ctx = await contextFor(fake.current, path);
    const planned = (await taskDefinition.plan(ctx)).changes.map((c) => c.action);
    expect(planned).toEqual(["keep", "create"]);
    const before = fake.current.calls.length;
    await createEcs(fake.current, path);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual([
      "RegisterTaskDefinition",
      "UpdateService",
      "TagResource", // known good once its deployment completed with every target healthy
    ]);
    expect(ecsState(fake.current).services).toEqual([`${SERVICE} ACTIVE ${FAMILY}:2 2`]);
    const again = fake.current.calls.length;
    await createEcs(fake.current, path);
    expect(fake.current.mutatingCalls(again)).toEqual([]);
  });
});

describe("ECS inputs are checked before any change", () => {
  const fake = useFake();
  const cases: [string, string, RegExp][] = [
    ["a non-numeric cpu", 'TASK_CPU="half"', /TASK_CPU="half" is not a whole number/],
    [
      "a cpu/memory pair Fargate does not offer",
      'TASK_CPU="512"\nTASK_MEMORY="512"',
      /TASK_CPU=512 with TASK_MEMORY=512 is not a Fargate size/,
    ],
    ["a container port out of range", 'CONTAINER_PORT="70000"', /CONTAINER_PORT="70000" is not a port/],
    [
      "an image repository with a tag",
      'ECR_REPOSITORY_URI="123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1"',
      /is not an image repository URI/,
    ],
    [
      "a role that is not an ARN",
      'ECS_TASK_ROLE_ARN="task-role"',
      /ECS_TASK_ROLE_ARN="task-role" is not an IAM role ARN/,
    ],
    [
      "an environment domain that is not a URL",
      'ENVIRONMENT_DOMAIN="example.com"',
      /ENVIRONMENT_DOMAIN="example\.com" is not an http\(s\) URL/,
    ],
  ];
  for (const [name, lines, message] of cases) {
    it(`rejects ${name} with exit 2 and no AWS call`, async () => {
      const text = `${INPUTS}${lines}\n`;
      const path = tempEnvFile(text);
      const result = await runCli(["create", "ecs-service-task-definition", "--file", path], fake.current);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(fake.current.calls).toEqual([]);
      expect(readText(path)).toBe(text);
    });
  }

  it("rejects an ECS Exec setting that is not true or false, with exit 2 and no AWS call", async () => {
    const path = tempEnvFile(`${INPUTS}ECS_ENABLE_EXECUTE_COMMAND="yes"\n`);
    const result = await runCli(["plan", "ecs-service", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ECS_ENABLE_EXECUTE_COMMAND="yes" must be true or false/);
    expect(fake.current.calls).toEqual([]);
  });

  it("takes ENVIRONMENT_DOMAIN from the frontend's domain when it is recorded, else from the project and domain", async () => {
    const domainOf = async (text: string) => {
      const ctx = await contextFor(fake.current, tempEnvFile(text));
      const fields = (await taskDefinition.plan(ctx)).desired.find((d) => d.key === "task-definition")?.fields;
      return ((fields?.environment ?? []) as string[]).find((e) => e.startsWith("ENVIRONMENT_DOMAIN="));
    };
    expect(await domainOf(INPUTS)).toBe("ENVIRONMENT_DOMAIN=https://startupwebapp.startupwebapp.com");
    expect(await domainOf(`${INPUTS}FRONTEND_CUSTOM_DOMAIN="www.startupwebapp.com"\n`)).toBe(
      "ENVIRONMENT_DOMAIN=https://www.startupwebapp.com",
    );
    expect(await domainOf(`${INPUTS}ENVIRONMENT_DOMAIN="https://shop.example.com"\n`)).toBe(
      "ENVIRONMENT_DOMAIN=https://shop.example.com",
    );
  });

  it("rejects a malformed container definition file with exit 2 and no AWS call", async () => {
    const file = tempEnvFile("{ not json", "container.json");
    const path = tempEnvFile(`${INPUTS}CONTAINER_DEFINITION_FILE="${file}"\n`);
    const result = await runCli(["create", "ecs-service-task-definition", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/CONTAINER_DEFINITION_FILE .*container\.json is not valid JSON \(line 1, column 3\)/);
    expect(fake.current.calls).toEqual([]);
  });

  it("takes a user's own container definition from a file, and owns every setting in it", async () => {
    const file = tempEnvFile(
      JSON.stringify({
        name: "web",
        image: "public.ecr.aws/nginx/nginx:1.27",
        portMappings: [{ containerPort: 8000 }],
        ulimits: [{ name: "nofile", softLimit: 1024, hardLimit: 4096 }],
      }),
      "container.json",
    );
    const path = tempEnvFile(`${INPUTS}CONTAINER_DEFINITION_FILE="${file}"\n`);
    await taskDefinition.create(await contextFor(fake.current, path));
    const [registered] = fake.current.ecs.taskDefinitions;
    expect(registered?.containerDefinitions?.[0]).toMatchObject({
      name: "web",
      image: "public.ecr.aws/nginx/nginx:1.27",
      logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/startupwebapp-service" } },
      ulimits: [{ name: "nofile", softLimit: 1024, hardLimit: 4096 }],
    });
    const before = fake.current.calls.length;
    await taskDefinition.create(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(before)).toEqual([]);

    writeFileSync(
      file,
      JSON.stringify({
        name: "web",
        image: "public.ecr.aws/nginx/nginx:1.27",
        portMappings: [{ containerPort: 8000 }],
      }),
    );
    const ctx = await contextFor(fake.current, path);
    const changed = (await taskDefinition.plan(ctx)).changes.flatMap((c) => ("fields" in c ? c.fields : []));
    expect(changed.map((f) => [f.field, f.to])).toEqual([["other container settings", "none"]]);
  });
});

describe("ecs converges after a failure at any mutating call", () => {
  it("of create, whether the call failed or only its response was lost", () =>
    expectConvergesAfterAnyFault({
      setup: (fake) => withAlb(fake),
      run: (fake, path) => createEcs(fake, path),
      calls: [
        "CreateLogGroup",
        "PutRetentionPolicy",
        "RegisterTaskDefinition",
        "CreateService",
        "TagResource", // KnownGood, once the first deployment completed with every target healthy
      ],
      converged: (fake, _path, label, ctx) => {
        expect(ecsState(fake), label).toEqual(RUNNING);
        expect(ctx.env.get("ECS_SERVICE_ARN"), label).toBe(fake.ecs.serviceNamed(SERVICE)?.arn);
        expect(ctx.env.get("ECS_SERVICE_TASK_DEFINITION_ARN"), label).toBe(fake.ecs.taskDefinitions[0]?.arn);
      },
    }));

  it("of destroy, whether the call failed or only its response was lost", () =>
    expectConvergesAfterAnyFault({
      setup: async (fake) => {
        const path = await withAlb(fake);
        await createEcs(fake, path);
        return path;
      },
      run: (fake, path) => destroyEcs(fake, path),
      calls: ["UpdateService", "DeleteService", "DeregisterTaskDefinition", "DeleteLogGroup"],
      converged: (fake, _path, label, ctx) => {
        expect(ecsState(fake), label).toEqual(NOTHING);
        for (const key of ["ECS_SERVICE_ARN", "ECS_SERVICE_TASK_DEFINITION_ARN", "ECS_SERVICE_LOG_GROUP"])
          expect(ctx.env.get(key), label).toBeUndefined();
      },
    }));
});
