import {
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { Context } from "../../src/core/context.js";
import type { Check } from "../../src/resources/resource.js";
import { CLUSTER } from "../../src/sandbox/aws/ecs.js";
import type { Change } from "../../src/state/model.js";
import { contextFor, INPUTS, runCli, useFake } from "../helpers.js";
import { scriptsLogGroup, scriptsService, scriptsTaskDefinition } from "../support/scripts-stack.js";
import {
  append,
  createEcs,
  deployElsewhere,
  destroyEcs,
  ecs,
  ecsState,
  FAMILY,
  REPO,
  RUNNING,
  SERVICE,
  service,
  settled,
  taskDefinition,
  withAlb,
} from "./ecs-stack.js";

/** The changed fields of a plan, by object: what `plan` shows. */
const changedFields = (changes: Change[]) =>
  changes.flatMap((c) => ("fields" in c && c.fields.length ? [[c.desired.name, c.fields.map((f) => f.field)]] : []));

const failing = (checks: Check[]) => checks.filter((c) => c.status === "FAIL").map((c) => c.name);

async function planBoth(ctx: Context) {
  return [...(await taskDefinition.plan(ctx)).changes, ...(await service.plan(ctx)).changes];
}

describe("ecs: whoever owns a value, create leaves it to them", () => {
  const fake = useFake();

  it("never undoes a deploy made elsewhere: the image the service runs stays, even with a stale env file", async () => {
    const path = await withAlb(fake.current);
    await createEcs(fake.current, path);
    const deployed = await deployElsewhere(fake.current, `${REPO}:abc1234`);
    expect((await contextFor(fake.current, path)).env.get("ECS_SERVICE_TASK_DEFINITION_ARN")).toMatch(/:1$/);

    const ctx = await contextFor(fake.current, path);
    const plan = await taskDefinition.plan(ctx);
    expect(plan.desired.find((d) => d.key === "task-definition")?.fields.image).toBe(`${REPO}:abc1234`);
    expect((await planBoth(ctx)).map((c) => c.action)).toEqual(["keep", "keep", "keep"]);
    const before = fake.current.calls.length;
    await service.create(ctx); // alone, with the env file's revision 1
    await createEcs(fake.current, path);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(ecsState(fake.current).services).toEqual([`${SERVICE} ACTIVE ${FAMILY}:2 2`]);
    expect((await contextFor(fake.current, path)).env.get("ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(deployed);
  });

  it("takes a newer revision that differs in its image only (a deploy that did not stick) for what it is", async () => {
    const path = await withAlb(fake.current);
    await createEcs(fake.current, path);
    const td = fake.current.ecs.taskDefinitions[0];
    await ecs().send(
      new RegisterTaskDefinitionCommand({
        ...(td as RegisterTaskDefinitionCommandInput),
        containerDefinitions: td?.containerDefinitions?.map((c) => ({ ...c, image: `${REPO}:broken` })),
      }),
    );
    const before = fake.current.calls.length;
    const ctx = await createEcs(fake.current, path);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(ctx.env.get("ECS_SERVICE_TASK_DEFINITION_ARN")).toMatch(/:1$/);
  });

  it("registers a definition change with the image the service runs, and moves the service, not its count", async () => {
    const path = await withAlb(fake.current);
    await createEcs(fake.current, path);
    await deployElsewhere(fake.current, `${REPO}:abc1234`);
    fake.current.ecs.setDesired(SERVICE, 3); // what auto scaling chose
    append(path, 'TASK_MEMORY="2048"');
    const ctx = await contextFor(fake.current, path);
    expect(changedFields(await planBoth(ctx))).toEqual([[FAMILY, ["memory"]]]);
    const before = fake.current.calls.length;
    await taskDefinition.create(ctx);
    // Until the service has moved, the registered revision is the definition: a second run registers no other.
    await taskDefinition.create(await contextFor(fake.current, path));
    await service.create(await contextFor(fake.current, path));
    const calls = fake.current.mutatingCalls(before);
    // Once the old tasks drained and the deployment completed with every target healthy, the revision is known good.
    expect(calls.map((c) => c.op)).toEqual(["RegisterTaskDefinition", "UpdateService", "TagResource"]);
    const registered = calls[0]?.input as RegisterTaskDefinitionCommandInput;
    expect([registered.memory, registered.containerDefinitions?.[0]?.image]).toEqual(["2048", `${REPO}:abc1234`]);
    expect(calls[1]?.input).toEqual({
      cluster: CLUSTER,
      service: expect.any(String),
      taskDefinition: expect.stringMatching(/:3$/),
    });
    expect(ecsState(fake.current).services).toEqual([`${SERVICE} ACTIVE ${FAMILY}:3 3`]);
    const again = fake.current.calls.length;
    await createEcs(fake.current, path);
    expect(fake.current.mutatingCalls(again)).toEqual([]);
  });

  it("sets the desired count at creation only: then it is auto scaling's, and DESIRED_COUNT is not compared", async () => {
    const fresh = await withAlb(fake.current);
    await taskDefinition.create(await contextFor(fake.current, fresh));
    const shown = (await service.plan(await contextFor(fake.current, fresh))).changes[0];
    expect(shown?.action === "create" && shown.desired.fields["desired count (at creation)"]).toBe(2);

    await createEcs(fake.current, fresh);
    fake.current.ecs.setDesired(SERVICE, 3);
    await fake.current.clock.sleep(120_000); // the third task starts
    // Auto scaling's keys, even malformed, are none of ecs-service's business.
    append(fresh, 'DESIRED_COUNT="4"\nAUTOSCALING_MIN_CAPACITY="lots"');
    const ctx = await contextFor(fake.current, fresh);
    expect((await service.plan(ctx)).changes.map((c) => c.action)).toEqual(["keep"]);
    const before = fake.current.calls.length;
    await service.create(ctx);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    const checks = await service.verify(ctx);
    expect(checks.find((c) => c.name === "running == desired")).toMatchObject({ status: "OK", detail: "3/3 running" });
    expect((await runCli(["plan", "ecs-service", "--file", fresh], fake.current)).code).toBe(0);
  });

  it("runs IMAGE_TAG until the service exists; from then on the image is deploy's", async () => {
    const path = await withAlb(fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    await taskDefinition.create(await contextFor(fake.current, path));
    append(path, 'IMAGE_TAG="v2"');
    let ctx = await contextFor(fake.current, path);
    const planned = (await taskDefinition.plan(ctx)).changes.flatMap((c) => ("fields" in c ? c.fields : []));
    expect(planned).toEqual([{ field: "image", from: `${REPO}:latest`, to: `${REPO}:v2` }]);
    expect(failing(await taskDefinition.verify(ctx))).toEqual([`task definition ${FAMILY}: image`]);
    let before = fake.current.calls.length;
    await taskDefinition.create(ctx);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["RegisterTaskDefinition"]);

    await service.create(await contextFor(fake.current, path));
    append(path, 'IMAGE_TAG="v3"');
    ctx = await contextFor(fake.current, path);
    expect((await planBoth(ctx)).map((c) => c.action)).toEqual(["keep", "keep", "keep"]);
    before = fake.current.calls.length;
    await createEcs(fake.current, path);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(fake.current.ecs.taskDefinitions.at(-1)?.containerDefinitions?.[0]?.image).toBe(`${REPO}:v2`);
  });
});

describe("ecs: drift behind infra's back, where plan, verify and create agree", () => {
  const fake = useFake();

  it("puts back the grace period, ECS Exec and the container's environment: a new revision, one UpdateService", async () => {
    const path = await withAlb(fake.current);
    await createEcs(fake.current, path);
    const svc = fake.current.ecs.serviceNamed(SERVICE);
    if (svc) svc.healthCheckGracePeriodSeconds = 60;
    await ecs().send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: SERVICE,
        enableExecuteCommand: false,
        forceNewDeployment: true,
      }),
    );
    await settled(fake.current);
    // Edited in the console: a new revision with another DATABASE_NAME, and the service moved to it.
    await deployElsewhere(fake.current, `${REPO}:latest`, (td) => ({
      ...td,
      containerDefinitions: td.containerDefinitions?.map((c) => ({
        ...c,
        environment: c.environment?.map((e) => (e.name === "DATABASE_NAME" ? { ...e, value: "scratch" } : e)),
      })),
    }));
    const ctx = await contextFor(fake.current, path);

    const planned = await planBoth(ctx);
    const checks = [...(await taskDefinition.verify(ctx)), ...(await service.verify(ctx))];
    expect(changedFields(planned)).toEqual([
      [FAMILY, ["environment"]],
      [SERVICE, ["health check grace period", "ECS Exec"]],
    ]);
    const env = planned.find((c) => c.action === "update" && c.desired.key === "task-definition");
    expect(env && "fields" in env && env.fields[0]?.to).toContain("DATABASE_NAME=startupwebapp");
    expect(failing(checks)).toEqual([
      `task definition ${FAMILY}: environment`,
      `service ${SERVICE}: health check grace period`,
      `service ${SERVICE}: ECS Exec`,
      "ECS Exec enabled on the running tasks (ECS_ENABLE_EXECUTE_COMMAND=true)",
    ]);

    const before = fake.current.calls.length;
    await taskDefinition.create(ctx);
    // The revision create registered is recorded: the service's plan now shows the move to it too.
    const moves = (await service.plan(ctx)).changes.flatMap((c) => ("fields" in c ? c.fields : []));
    expect(moves.map((f) => [f.field, String(f.from).split(":").at(-1), String(f.to).split(":").at(-1)])).toEqual([
      ["task definition", "2", "3"],
      ["health check grace period", "60", "120"],
      ["ECS Exec", "false", "true"],
    ]);
    await service.create(ctx);
    const calls = fake.current.mutatingCalls(before);
    expect(calls.map((c) => c.op)).toEqual(["RegisterTaskDefinition", "UpdateService", "TagResource"]);
    expect(calls[1]?.input).toEqual({
      cluster: CLUSTER,
      service: expect.any(String),
      taskDefinition: expect.stringMatching(/:3$/),
      healthCheckGracePeriodSeconds: 120,
      enableExecuteCommand: true,
      forceNewDeployment: true,
    });
    const after = await contextFor(fake.current, path);
    expect(failing([...(await taskDefinition.verify(after)), ...(await service.verify(after))])).toEqual([]);
    const again = fake.current.calls.length;
    await createEcs(fake.current, path);
    expect(fake.current.mutatingCalls(again)).toEqual([]);
  });
});

/** A changed input, what plan shows for it (by object), and the calls create makes for it. */
const INPUT_CASES: { lines: string; fields: [string, string[]][]; ops: string[] }[] = [
  {
    lines: 'LOG_RETENTION_DAYS="14"',
    fields: [["/ecs/startupwebapp-service", ["retention"]]],
    ops: ["PutRetentionPolicy"],
  },
  ...(
    [
      ['TASK_CPU="1024"\nTASK_MEMORY="2048"', ["cpu", "memory"]],
      ['ECS_TASK_EXECUTION_ROLE_ARN="arn:aws:iam::123456789012:role/otherExecutionRole"', ["execution role"]],
      ['ECS_TASK_ROLE_ARN="arn:aws:iam::123456789012:role/other-task-role"', ["task role"]],
      ['DB_SECRET_ARN="arn:aws:secretsmanager:us-east-1:123456789012:secret:rds/other-XyZ123"', ["secrets"]],
      ['DB_SECRET_NAME="rds/other"', ["environment"]],
      ['DATABASE_NAME="other"', ["environment"]],
      ['DJANGO_SETTINGS_MODULE="StartupWebApp.settings_other"', ["environment"]],
      ['ENVIRONMENT_DOMAIN="https://www.startupwebapp.com"', ["environment"]],
      ['GUNICORN_WORKERS="5"', ["command"]],
      ['HEALTH_CHECK_PATH="/health"', ["health check"]],
    ] as const
  ).map(([lines, fields]) => ({
    lines,
    fields: [[FAMILY, [...fields]]] as [string, string[]][],
    // The new revision's deployment completes with every target healthy: it is marked known good.
    ops: ["RegisterTaskDefinition", "UpdateService", "TagResource"],
  })),
  ...(
    [
      ['HEALTH_CHECK_GRACE_PERIOD="60"', ["health check grace period"]],
      ['ECS_ENABLE_EXECUTE_COMMAND="false"', ["ECS Exec"]],
      ['PRIVATE_SUBNET_2_ID="subnet-0c1c2c3c4c5c60003"', ["subnets"]],
      ['BACKEND_SECURITY_GROUP_ID="sg-0c0c0c0c0c0c0c0c0"', ["security groups"]],
    ] as const
  ).map(([lines, fields]) => ({
    lines,
    fields: [[SERVICE, [...fields]]] as [string, string[]][],
    ops: ["UpdateService"],
  })),
];

describe("ecs: a changed input shows in plan by its field, fails verify on it, and create changes just that", () => {
  const fake = useFake();

  it.each(INPUT_CASES)("$lines", async ({ lines, fields, ops }) => {
    const path = await withAlb(fake.current);
    await createEcs(fake.current, path);
    append(path, lines);
    const ctx = await contextFor(fake.current, path);
    expect(changedFields(await planBoth(ctx))).toEqual(fields);
    const failed = failing([...(await taskDefinition.verify(ctx)), ...(await service.verify(ctx))]);
    const kinds: Record<string, string> = {
      [FAMILY]: "task definition",
      [SERVICE]: "service",
      "/ecs/startupwebapp-service": "log group",
    };
    const expected = fields.flatMap(([name, fs]) => fs.map((f) => `${kinds[name]} ${name}: ${f}`));
    expect(failed.filter((n) => !n.startsWith("ECS Exec"))).toEqual(expected);

    const before = fake.current.calls.length;
    await taskDefinition.create(ctx);
    if (ops.includes("RegisterTaskDefinition")) {
      // The new revision is recorded: now the service's plan shows its move, and its create makes it.
      expect(changedFields((await service.plan(ctx)).changes)).toEqual([[SERVICE, ["task definition"]]]);
    }
    await service.create(ctx);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(ops);
    expect(changedFields(await planBoth(await contextFor(fake.current, path)))).toEqual([]);
    const again = fake.current.calls.length;
    await createEcs(fake.current, path);
    expect(fake.current.mutatingCalls(again)).toEqual([]);
    expect(ecsState(fake.current).services).toHaveLength(1);
  });
});

describe("ecs: adopting what the user's scripts built", () => {
  const fake = useFake();

  it("tags their log group, their running revision (image :<sha>) and their service, and changes nothing else", async () => {
    // The env file as the scripts left it: no DATABASE_NAME line (their default, <project>_prod), their records.
    const inputs = INPUTS.replace(/^DATABASE_NAME=.*\n/m, "");
    const path = await withAlb(fake.current, inputs);
    const group = "/ecs/startupwebapp-service";
    await scriptsLogGroup();
    const first = (await ecs().send(new RegisterTaskDefinitionCommand(scriptsTaskDefinition(`${REPO}:latest`))))
      .taskDefinition;
    const ctxBefore = await contextFor(fake.current, path);
    await ecs().send(
      new CreateServiceCommand(scriptsService(first?.taskDefinitionArn, ctxBefore.env.get("TARGET_GROUP_ARN"))),
    );
    // Their deploy workflow: the commit's image pushed, the same definition with it, then the service moved to it.
    fake.current.ecr.push("startupwebapp", "3f9c2ab");
    const sha = (await ecs().send(new RegisterTaskDefinitionCommand(scriptsTaskDefinition(`${REPO}:3f9c2ab`))))
      .taskDefinition;
    await ecs().send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: sha?.taskDefinitionArn }),
    );
    await settled(fake.current);
    append(
      path,
      [
        `ECS_SERVICE_TASK_DEFINITION_FAMILY="${FAMILY}"`,
        `ECS_SERVICE_TASK_DEFINITION_ARN="${first?.taskDefinitionArn}"`,
        'ECS_SERVICE_TASK_DEFINITION_REVISION="1"',
        `ECS_SERVICE_LOG_GROUP="${group}"`,
        `ECS_SERVICE_NAME="${SERVICE}"`,
        `ECS_SERVICE_ARN="${fake.current.ecs.serviceNamed(SERVICE)?.arn}"`,
      ].join("\n"),
    );

    const ctx = await contextFor(fake.current, path);
    const planned = await planBoth(ctx);
    expect(planned.map((c) => `${c.action} ${"desired" in c ? c.desired.name : ""}`)).toEqual([
      `adopt ${group}`,
      `adopt ${FAMILY}`,
      `adopt ${SERVICE}`,
    ]);
    expect(changedFields(planned)).toEqual([]);
    const before = fake.current.calls.length;
    await createEcs(fake.current, path);
    const calls = fake.current.mutatingCalls(before);
    expect(
      calls.map(
        (c) =>
          `${c.service} ${c.op} ${(c.input as { resourceArn: string }).resourceArn.split(/[:/]/).slice(-2).join("/")}`,
      ),
    ).toEqual([
      "CloudWatchLogs TagResource ecs/startupwebapp-service",
      `ECS TagResource ${FAMILY}/2`,
      `ECS TagResource ${CLUSTER}/${SERVICE}`,
    ]);
    expect(ecsState(fake.current)).toEqual({
      ...RUNNING,
      services: [`${SERVICE} ACTIVE ${FAMILY}:2 2`],
      activeRevisions: [`${FAMILY}:1`, `${FAMILY}:2`],
    });
    const recorded = (await contextFor(fake.current, path)).env.get("ECS_SERVICE_TASK_DEFINITION_ARN");
    expect(recorded).toBe(sha?.taskDefinitionArn);
    const again = fake.current.calls.length;
    await createEcs(fake.current, path);
    expect(fake.current.mutatingCalls(again)).toEqual([]);
    expect(
      (await runCli(["verify", "ecs-service-task-definition", "ecs-service", "--file", path], fake.current)).code,
    ).toBe(0);

    await destroyEcs(fake.current, path);
    expect(ecsState(fake.current)).toEqual({ services: [], activeRevisions: [], logGroups: [] });
  });
});
