// What a single change on a finished stack shows, pinned in the words people read. The input keys themselves, drift
// and the changes AWS would refuse are generated-value properties in test/input-properties.test.ts; what is left
// here has no value to generate: a destroy's check reads no input, and the cross-step case pins the plan's and
// the question's words for a revision another step makes (any change of the task definition reads the same,
// and which values change it is generated there).

import { describe, expect, it } from "vitest";
import { runCli, useFake } from "./helpers.js";
import { finishedStack, setKeys } from "./support/input-keys.js";

describe("a change that reaches another step", () => {
  const fake = useFake();

  it("shows in plan and in create's question the service's move to the revision the task definition step makes", async () => {
    const path = await finishedStack(fake.current);
    setKeys(path, { TASK_CPU: "256" });

    const plan = await runCli(["plan", "all", "--file", path], fake.current);
    const asked = await runCli(["create", "all", "--file", path], fake.current);
    const before = fake.current.calls.length;
    const created = await runCli(["create", "all", "--yes", "--file", path], fake.current);

    expect(plan.stdout).toMatch(
      /^ecs-service-task-definition\n {2}~ task definition startupwebapp-service-task\n {6}cpu: 512 -> 256$/m,
    );
    expect(plan.stdout).toMatch(
      /^ecs-service\n {2}~ service startupwebapp-service\n {6}task definition: task-definition\/startupwebapp-service-task:1 -> \(known after ecs-service-task-definition\)$/m,
    );
    expect(plan.stdout).toMatch(/^Plan: 0 to create, 2 to update, 0 to replace, 0 to adopt, 0 to delete\.$/m);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toMatch(/create would change what exists: ecs-service-task-definition, ecs-service/);
    expect(created.code, created.stderr).toBe(0);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual([
      "RegisterTaskDefinition",
      "UpdateService",
      "TagResource", // known good once its deployment completed with every target healthy
    ]);
    expect((await runCli(["plan", "all", "--exit-code", "--file", path], fake.current)).code).toBe(0);
  });
});

describe("a destroy of several resources", () => {
  const fake = useFake();

  it("checks every resource a destroy names before deleting anything", async () => {
    const path = await finishedStack(fake.current);
    const before = fake.current.calls.length;

    const result = await runCli(
      ["destroy", "route53-records", "acm-certificate", "--yes", "--file", path],
      fake.current,
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/certificate \*\.startupwebapp\.com is in use by a listener/);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });
});
