// ListTasks answers 100 task ARNs a page and DescribeTasks takes 100 tasks a call (docs/aws-behaviours.md, "ECS",
// "Tasks"): a service with more tasks than that is read whole, by the deployment watch and by verify alike.
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { CLUSTER } from "../../src/sandbox/aws/ecs.js";
import { contextFor, runCli, useFake } from "../helpers.js";
import { createEcs, ecs, SERVICE, service, withAlb } from "./ecs-stack.js";

/** What auto scaling does: a new desired count; then the fake clock runs until that many tasks run. */
async function scaleTo(fake: AwsFake, count: number) {
  fake.ecs.setDesired(SERVICE, count);
  for (let i = 0; i < 400; i++) {
    fake.ecs.sync(); // the scheduler catches up with the clock
    const running = fake.ecs.tasks.filter((t) => t.service.serviceName === SERVICE && t.ran && !t.stoppedAt);
    if (running.length === count) return;
    await fake.clock.sleep(5_000);
  }
  throw new Error(`the service did not reach ${count} running tasks`);
}

const setExec = (enableExecuteCommand: boolean) =>
  ecs().send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, enableExecuteCommand }));

describe("ecs-service reads every page of the service's tasks", () => {
  const fake = useFake();

  it("names why a deployment's tasks stop even when more than 100 older tasks stopped in the last hour", async () => {
    // Given a service that scaled out to 110 tasks and back to 2: 108 stopped tasks, listed for an hour.
    const path = await withAlb(fake.current);
    await createEcs(fake.current, path);
    await scaleTo(fake.current, 110);
    await scaleTo(fake.current, 2);
    expect(fake.current.ecs.tasks.filter((t) => t.stoppedAt !== undefined)).toHaveLength(108);

    // When a deploy's image cannot be pulled,
    fake.current.ecr.push("startupwebapp", "missing");
    fake.current.ecs.failImage(":missing");
    const started = fake.current.clock.now();
    const result = await runCli(["deploy", "--image", ":missing", "--file", path], fake.current);

    // then the deploy fails at its first stopped task, with the reason ECS gave, not at the circuit breaker.
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/tasks cannot start: CannotPullContainerError/);
    // (The way back then drains the replaced tasks for the group's deregistration delay, 300 s, and their stop
    // timeout, 30 s, before ECS calls it COMPLETED.)
    expect(fake.current.clock.now() - started).toBeLessThan(5 * 60_000 + 330_000);
  });

  it("checks ECS Exec on all of the running tasks, past the first 100", async () => {
    // Given 130 running tasks: the first 100 started with ECS Exec on, the last 30 while it was off behind infra's back.
    const path = await withAlb(fake.current);
    await createEcs(fake.current, path);
    await scaleTo(fake.current, 100);
    await setExec(false);
    await scaleTo(fake.current, 130);
    await setExec(true);

    // When verify runs, then it sees the 30 tasks without ECS Exec.
    const checks = await service.verify(await contextFor(fake.current, path));
    const exec = checks.find((c) => c.name.startsWith("ECS Exec enabled on the running tasks"));
    expect(exec).toMatchObject({ status: "FAIL", detail: expect.stringMatching(/^100\/130 tasks/) });
  });
});
