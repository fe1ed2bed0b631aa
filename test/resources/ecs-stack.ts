// What the ECS tests share: the ALB in front (its HTTPS listener forwards to the target group, as ECS requires),
// the two ECS resources' lifecycles, and the fake's ECS state without the ids that differ from run to run.
import { appendFileSync } from "node:fs";
import {
  ECSClient,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { albResource } from "../../src/resources/alb/config.js";
import { serviceResource } from "../../src/resources/ecs-service/config.js";
import { taskDefinitionResource } from "../../src/resources/ecs-service-task-definition/config.js";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { CLUSTER } from "../../src/sandbox/aws/ecs.js";
import { contextFor, INPUTS, lifecycleOf, tempEnvFile } from "../helpers.js";

export const taskDefinition = lifecycleOf(taskDefinitionResource);
export const service = lifecycleOf(serviceResource);
const alb = lifecycleOf(albResource);

export const FAMILY = "startupwebapp-service-task";
export const SERVICE = "startupwebapp-service";
export const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp";

/** An env file with the inputs and an issued certificate, and the ALB made from it (HTTPS:443 included). */
export async function withAlb(fake: AwsFake, text = INPUTS): Promise<string> {
  const path = tempEnvFile(`${text}ACM_CERTIFICATE_ARN="${fake.acm.add("startupwebapp.com", "ISSUED")}"\n`);
  await alb.create(await contextFor(fake, path));
  return path;
}

/** `infra create ecs-service-task-definition ecs-service`, in the order `create all` runs them. */
export async function createEcs(fake: AwsFake, path: string, options = {}) {
  const ctx = await contextFor(fake, path, options);
  await taskDefinition.create(ctx);
  await service.create(ctx);
  return ctx;
}

/** `infra destroy ecs-service ecs-service-task-definition`, in the order `destroy all` runs them. */
export async function destroyEcs(fake: AwsFake, path: string, options = {}) {
  const ctx = await contextFor(fake, path, options);
  await service.destroy(ctx);
  await taskDefinition.destroy(ctx);
  return ctx;
}

export const append = (path: string, lines: string) => appendFileSync(path, `${lines}\n`);

export function ecsState(fake: AwsFake) {
  const live = [...fake.ecs.services.values()].filter((s) => s.status === "ACTIVE" || s.status === "DRAINING");
  return {
    services: live.map((s) => `${s.serviceName} ${s.status} ${s.taskDefinition.split("/").at(-1)} ${s.desiredCount}`),
    activeRevisions: fake.ecs.taskDefinitions
      .filter((t) => t.status === "ACTIVE")
      .map((t) => `${t.family}:${t.revision}`),
    logGroups: [...fake.logs.groups.values()].map((g) => `${g.logGroupName} ${g.retentionInDays}`),
  };
}

export const RUNNING = {
  services: [`${SERVICE} ACTIVE ${FAMILY}:1 2`],
  activeRevisions: [`${FAMILY}:1`],
  logGroups: ["/ecs/startupwebapp-service 7"],
};
export const NOTHING = { services: [], activeRevisions: [], logGroups: [] };

export const ecs = () => new ECSClient({ region: "us-east-1" });

/**
 * What a deploy from elsewhere (CI, another machine) does: pushes the image (to the stack's repository, when it is
 * there), then moves the service to a copy of the running revision with that image.
 */
export async function deployElsewhere(
  fake: AwsFake,
  image: string,
  change: (td: TaskDefinition) => TaskDefinition = (x) => x,
) {
  if (image.startsWith(`${REPO}:`)) fake.ecr.push("startupwebapp", image.slice(REPO.length + 1));
  const running = fake.ecs.serviceNamed(SERVICE)?.taskDefinition as string;
  const td = fake.ecs.definitions.find(running) as TaskDefinition & { tags: { key?: string; value?: string }[] };
  const copy = change({
    ...td,
    containerDefinitions: td.containerDefinitions?.map((c) => (c.name === "web" ? { ...c, image } : c)),
  });
  const out = await ecs().send(
    new RegisterTaskDefinitionCommand({
      family: copy.family,
      taskRoleArn: copy.taskRoleArn,
      executionRoleArn: copy.executionRoleArn,
      networkMode: copy.networkMode,
      requiresCompatibilities: copy.requiresCompatibilities,
      cpu: copy.cpu,
      memory: copy.memory,
      containerDefinitions: copy.containerDefinitions,
      tags: td.tags,
    }),
  );
  const arn = out.taskDefinition?.taskDefinitionArn as string;
  await ecs().send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: arn }));
  await settled(fake);
  return arn;
}

/** Lets the service's deployments play out on the fake clock. */
export async function settled(fake: AwsFake) {
  for (let i = 0; i < 200; i++) {
    const svc = fake.ecs.serviceNamed(SERVICE);
    if (svc?.deployments.length === 1 && svc.deployments[0]?.rolloutState !== "IN_PROGRESS") return;
    await fake.clock.sleep(5_000);
  }
  throw new Error("the service did not settle");
}
