// Fargate's task sizes (docs/aws-behaviours.md, "ECS", "Fargate's sizes"): every cpu/memory pair Fargate offers is
// accepted and registered as is; any other pair is refused before any AWS call, saying what that cpu takes.
import { describe, expect, it } from "vitest";
import { INPUTS, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { FAMILY } from "./ecs-stack.js";

describe("TASK_CPU and TASK_MEMORY take Fargate's sizes", () => {
  const fake = useFake();
  const valid: [string, string][] = [
    ["256", "2048"],
    ["4096", "30720"],
    ["8192", "16384"],
    ["8192", "36864"],
    ["8192", "61440"],
    ["16384", "32768"],
    ["16384", "73728"],
    ["16384", "122880"],
  ];
  for (const [cpu, memory] of valid) {
    it(`registers a task definition of ${cpu} cpu units and ${memory} MiB`, async () => {
      const path = tempEnvFile(`${INPUTS}TASK_CPU="${cpu}"\nTASK_MEMORY="${memory}"\n`);
      const result = await runCli(["create", "ecs-service-task-definition", "--file", path], fake.current);
      expect(result.code, result.stderr).toBe(0);
      const registered = fake.current.ecs.taskDefinitions.filter((t) => t.family === FAMILY);
      expect(registered.map((t) => [t.cpu, t.memory, t.status])).toEqual([[cpu, memory, "ACTIVE"]]);
      expect(readText(path)).toMatch(new RegExp(`^ECS_SERVICE_TASK_DEFINITION_ARN=".*${FAMILY}:1"$`, "m"));
    });
  }

  const invalid: [string, string, RegExp][] = [
    ["8192", "18432", /8192 cpu units take 16384 to 61440 MiB in steps of 4096/],
    ["8192", "65536", /8192 cpu units take 16384 to 61440 MiB in steps of 4096/],
    ["8192", "12288", /8192 cpu units take 16384 to 61440 MiB in steps of 4096/],
    ["16384", "36864", /16384 cpu units take 32768 to 122880 MiB in steps of 8192/],
    ["16384", "131072", /16384 cpu units take 32768 to 122880 MiB in steps of 8192/],
    ["4096", "31744", /4096 cpu units take 8192 to 30720 MiB in steps of 1024/],
    ["256", "1536", /256 cpu units take 512, 1024 or 2048 MiB/],
    ["32768", "131072", /Fargate's cpu sizes are 256, 512, 1024, 2048, 4096, 8192 and 16384 units/],
  ];
  for (const [cpu, memory, says] of invalid) {
    it(`refuses ${cpu} cpu units with ${memory} MiB, exit 2, before any AWS call`, async () => {
      const text = `${INPUTS}TASK_CPU="${cpu}"\nTASK_MEMORY="${memory}"\n`;
      const path = tempEnvFile(text);
      const result = await runCli(["create", "ecs-service-task-definition", "--file", path], fake.current);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`TASK_CPU=${cpu} with TASK_MEMORY=${memory} is not a Fargate size`));
      expect(result.stderr).toMatch(says);
      expect(fake.current.calls).toEqual([]);
      expect(readText(path)).toBe(text);
    });
  }
});
