import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Context } from "../../src/core/context.js";
import * as acm from "../../src/resources/acm-certificate/actions.js";
import { acmConfig } from "../../src/resources/acm-certificate/config.js";
import * as alb from "../../src/resources/alb/actions.js";
import { albConfig } from "../../src/resources/alb/config.js";
import * as service from "../../src/resources/ecs-service/actions.js";
import { serviceConfig } from "../../src/resources/ecs-service/config.js";
import * as taskDefinition from "../../src/resources/ecs-service-task-definition/actions.js";
import { taskDefinitionConfig } from "../../src/resources/ecs-service-task-definition/config.js";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { contextFor, INPUTS, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { installInProcess } from "../support/in-process.js";

const step = {
  taskDefinition: (ctx: Context) => taskDefinition.create(ctx, taskDefinitionConfig(ctx.env, "create")),
  service: (ctx: Context) => service.create(ctx, serviceConfig(ctx.env, "create")),
};
const destroyEcs = async (ctx: Context) => {
  await service.destroy(ctx, serviceConfig(ctx.env, "destroy"));
  await taskDefinition.destroy(ctx, taskDefinitionConfig(ctx.env, "destroy"));
};

/** The ALB with its HTTPS listener, so the target group has a listener (as ECS requires). */
async function withListener(fake: AwsFake, path: string) {
  fake.route53.addZone("startupwebapp.com");
  await alb.create(await contextFor(fake, path), albConfig((await contextFor(fake, path)).env, "create"));
  const ctx = await contextFor(fake, path);
  await acm.create(ctx, acmConfig(ctx.env, "create"));
}

function ecsState(fake: AwsFake) {
  const live = [...fake.ecs.services.values()].filter((s) => s.status !== "INACTIVE");
  return {
    services: live.map((s) => `${s.serviceName} ${s.status} ${s.taskDefinition.split("/").at(-1)} ${s.desiredCount}`),
    activeRevisions: fake.ecs.taskDefinitions
      .filter((t) => t.status === "ACTIVE")
      .map((t) => `${t.family}:${t.revision}`),
    logGroups: [...fake.logs.groups.values()].map((g) => `${g.logGroupName} ${g.retentionInDays}`),
  };
}

const RUNNING = {
  services: ["startupwebapp-service ACTIVE startupwebapp-service-task:1 2"],
  activeRevisions: ["startupwebapp-service-task:1"],
  logGroups: ["/ecs/startupwebapp-service 7"],
};
const NOTHING = { services: [], activeRevisions: [], logGroups: [] };

describe("ecs-service-task-definition and ecs-service against the AWS fake", () => {
  const fake = useFake();

  it("go create -> verify -> destroy -> recreate, recreating while the old service still drains", async () => {
    const path = tempEnvFile();
    await withListener(fake.current, path);
    let ctx = await contextFor(fake.current, path);
    await step.taskDefinition(ctx);
    await step.service(ctx);
    expect(ecsState(fake.current)).toEqual(RUNNING);
    const checks = [
      ...(await taskDefinition.verify(ctx, taskDefinitionConfig(ctx.env, "verify"))),
      ...(await service.verify(ctx, serviceConfig(ctx.env, "verify"))),
    ];
    expect(checks.filter((c) => c.status !== "OK")).toEqual([]);

    // Destroy without waiting: the service is left DRAINING, and the recreate must wait for it.
    ctx = await contextFor(fake.current, path, { wait: false });
    await service.destroy(ctx, serviceConfig(ctx.env, "destroy"));
    expect(fake.current.ecs.serviceNamed("startupwebapp-service")?.status).toBe("DRAINING");
    ctx = await contextFor(fake.current, path);
    await step.taskDefinition(ctx);
    await step.service(ctx);
    expect(ecsState(fake.current)).toEqual(RUNNING);
    expect(
      ctx.events.log.some((e) => e.kind === "waiting" && e.message.includes("old service to finish draining")),
    ).toBe(true);

    await destroyEcs(await contextFor(fake.current, path));
    expect(ecsState(fake.current)).toEqual(NOTHING);
    expect(readText(path)).toContain('ECS_SERVICE_ARN=""');
  });

  it("makes no mutating call and registers no revision when run again", async () => {
    const path = tempEnvFile();
    await withListener(fake.current, path);
    for (const s of [step.taskDefinition, step.service]) await s(await contextFor(fake.current, path));
    const before = fake.current.calls.length;
    for (const s of [step.taskDefinition, step.service]) await s(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(ecsState(fake.current).activeRevisions).toEqual(["startupwebapp-service-task:1"]);
  });

  it("registers a new revision and rolls it out when the image tag changes, keeping auto scaling's count", async () => {
    const path = tempEnvFile();
    await withListener(fake.current, path);
    for (const s of [step.taskDefinition, step.service]) await s(await contextFor(fake.current, path));
    fake.current.ecs.setDesired("startupwebapp-service", 3); // what auto scaling chose
    writeFileSync(path, `${readText(path)}IMAGE_TAG="v2"\nAUTOSCALING_MIN_CAPACITY="1"\n`);
    for (const s of [step.taskDefinition, step.service]) await s(await contextFor(fake.current, path));
    expect(ecsState(fake.current).services).toEqual(["startupwebapp-service ACTIVE startupwebapp-service-task:2 3"]);
    const update = fake.current.calls.find((c) => c.op === "UpdateService");
    expect(update?.input).not.toHaveProperty("desiredCount");
  });

  it("fails fast, with the stopped reason, when the image cannot be pulled", async () => {
    const path = tempEnvFile(`${INPUTS}IMAGE_TAG="missing"\n`);
    await withListener(fake.current, path);
    fake.current.ecs.failImage(":missing");
    await step.taskDefinition(await contextFor(fake.current, path));
    const started = fake.current.clock.now();
    const result = await runCli(["create", "ecs-service", "--file", path], fake.current);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /deployment ecs-svc\/\d+ of startupwebapp-service (tasks cannot start|FAILED).*CannotPullContainerError/,
    );
    expect(fake.current.clock.now() - started).toBeLessThan(5 * 60_000);
  });

  it("refuses to create the service while no listener forwards to the target group, naming the step", async () => {
    const path = tempEnvFile();
    await alb.create(
      await contextFor(fake.current, path),
      albConfig((await contextFor(fake.current, path)).env, "create"),
    );
    await step.taskDefinition(await contextFor(fake.current, path));
    const result = await runCli(["create", "ecs-service", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /target group startupwebapp-tg is not attached to a listener yet - run `infra create acm-certificate`/,
    );
    expect(fake.current.calls.filter((c) => c.op === "CreateService")).toEqual([]);
  });

  it("refuses to deregister the task definition while the service uses it", async () => {
    const path = tempEnvFile();
    await withListener(fake.current, path);
    for (const s of [step.taskDefinition, step.service]) await s(await contextFor(fake.current, path));
    const result = await runCli(["destroy", "ecs-service-task-definition", "--yes", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /service startupwebapp-service \(ACTIVE\) still uses task definition startupwebapp-service-task - run `infra destroy ecs-service` first/,
    );
    expect(ecsState(fake.current).activeRevisions).toEqual(["startupwebapp-service-task:1"]);
  });

  it("keeps the log group with --keep-logs", async () => {
    const path = tempEnvFile();
    await step.taskDefinition(await contextFor(fake.current, path));
    const result = await runCli(
      ["destroy", "ecs-service-task-definition", "--yes", "--keep-logs", "--file", path],
      fake.current,
    );
    expect(result.code).toBe(0);
    expect(ecsState(fake.current)).toEqual({ ...NOTHING, logGroups: ["/ecs/startupwebapp-service 7"] });
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

  it("rejects a malformed container definition file with exit 2 and no AWS call", async () => {
    const file = tempEnvFile("{ not json", "container.json");
    const text = `${INPUTS}CONTAINER_DEFINITION_FILE="${file}"\n`;
    const path = tempEnvFile(text);
    const result = await runCli(["create", "ecs-service-task-definition", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/CONTAINER_DEFINITION_FILE .*container\.json: .*JSON/);
    expect(fake.current.calls).toEqual([]);
  });

  it("takes a user's own container definition from a file", async () => {
    const file = tempEnvFile(
      JSON.stringify({
        name: "web",
        image: "public.ecr.aws/nginx/nginx:1.27",
        portMappings: [{ containerPort: 8000 }],
      }),
      "container.json",
    );
    const path = tempEnvFile(`${INPUTS}CONTAINER_DEFINITION_FILE="${file}"\n`);
    const ctx = await contextFor(fake.current, path);
    await step.taskDefinition(ctx);
    const [registered] = fake.current.ecs.taskDefinitions;
    expect(registered?.containerDefinitions?.[0]).toMatchObject({
      name: "web",
      image: "public.ecr.aws/nginx/nginx:1.27",
      logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/startupwebapp-service" } },
    });
    const before = fake.current.calls.length;
    await step.taskDefinition(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });
});

describe("ecs converges after a failure at any mutating call", () => {
  async function withStack<T>(body: (fake: AwsFake, path: string) => Promise<T>): Promise<T> {
    const fake = installInProcess(new AwsFake());
    try {
      const path = tempEnvFile();
      await withListener(fake, path);
      return await body(fake, path);
    } finally {
      fake.restore();
    }
  }
  const createEcs = async (fake: AwsFake, path: string) => {
    await step.taskDefinition(await contextFor(fake, path));
    await step.service(await contextFor(fake, path));
  };

  it("of create, whether the call failed or only its response was lost", async () => {
    const calls = await withStack(async (fake, path) => {
      const before = fake.calls.length;
      await createEcs(fake, path);
      return fake.acceptedMutations(before);
    });
    expect(calls.map((c) => c.op)).toEqual([
      "CreateLogGroup",
      "PutRetentionPolicy",
      "RegisterTaskDefinition",
      "CreateService",
    ]);
    for (const when of ["before", "after"] as const) {
      for (const { nth, op } of calls) {
        await withStack(async (fake, path) => {
          fake.inject({ mutating: true, nth, when });
          await expect(createEcs(fake, path), `${when} ${op}`).rejects.toThrow();
          fake.clearFaults();
          fake.clock.advance(60_000);
          await createEcs(fake, path);
          expect(ecsState(fake), `${when} ${op}`).toEqual(RUNNING);
        });
      }
    }
  });

  it("of destroy, whether the call failed or only its response was lost", async () => {
    const calls = await withStack(async (fake, path) => {
      await createEcs(fake, path);
      const before = fake.calls.length;
      await destroyEcs(await contextFor(fake, path));
      return fake.acceptedMutations(before);
    });
    expect(calls.map((c) => c.op)).toEqual([
      "UpdateService",
      "DeleteService",
      "DeregisterTaskDefinition",
      "DeleteLogGroup",
    ]);
    for (const when of ["before", "after"] as const) {
      for (const { nth, op } of calls) {
        await withStack(async (fake, path) => {
          await createEcs(fake, path);
          fake.inject({ mutating: true, nth, when });
          await expect(destroyEcs(await contextFor(fake, path)), `${when} ${op}`).rejects.toThrow();
          fake.clearFaults();
          fake.clock.advance(60_000);
          await destroyEcs(await contextFor(fake, path));
          expect(ecsState(fake), `${when} ${op}`).toEqual(NOTHING);
        });
      }
    }
  });
});
