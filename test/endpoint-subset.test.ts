// An endpoint that implements a subset of AWS (an emulator, docs/endpoints/moto.md): the fake made to answer chosen
// operations as AWS answers an operation it does not know, in process and over the wire. What is not essential to
// an object (the tags of a dashboard or a scalable target) degrades to one warning per run, and ownership falls back
// to the env file's record; what is essential still stops the step, in the endpoint's own words.
import { ResourceNotFound } from "@aws-sdk/client-cloudwatch";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AwsFake } from "../src/sandbox/aws/aws-fake.js";
import { modeled } from "../src/sandbox/aws/errors.js";
import { INPUTS, readText, runCli, tempEnvFile } from "./helpers.js";
import { installInProcess } from "./support/in-process.js";
import {
  ALB_RECORDS,
  DASHBOARD,
  RESOURCE_ID,
  registerTarget,
  runningService,
  scriptsMonitoring,
} from "./support/scripts-stack.js";
import { DUMMY_CREDENTIALS, openWire } from "./support/wire.js";

const isDashboard = (input: unknown) => String((input as { ResourceARN?: string }).ResourceARN).includes(":dashboard/");

/** Tags of scalable targets and dashboards: what moto does not give (docs/endpoints/moto.md). */
function lackTags(fake: AwsFake) {
  fake.lack({ service: "ApplicationAutoScaling", op: "ListTagsForResource" });
  fake.lack({ service: "ApplicationAutoScaling", op: "TagResource" });
  fake.lack({ service: "CloudWatch", op: "ListTagsForResource", input: isDashboard });
  fake.lack({ service: "CloudWatch", op: "TagResource", input: isDashboard });
}

const warnings = (stderr: string, operation: string) =>
  stderr.split("\n").filter((l) => l.includes(`this endpoint does not support ${operation}`));

for (const adapter of ["in process", "over the wire"] as const) {
  describe(`an endpoint that lacks some calls, ${adapter}`, () => {
    let fake: AwsFake;
    let endpoint: string[] = [];
    let close = async () => {};
    beforeEach(async () => {
      if (adapter === "in process") {
        const installed = installInProcess(new AwsFake());
        fake = installed;
        endpoint = [];
        close = async () => installed.restore();
      } else {
        vi.stubEnv("AWS_ACCESS_KEY_ID", DUMMY_CREDENTIALS.accessKeyId);
        vi.stubEnv("AWS_SECRET_ACCESS_KEY", DUMMY_CREDENTIALS.secretAccessKey);
        const wire = await openWire();
        // The tests' own SDK calls (the scripts' stack) reach the same endpoint.
        vi.stubEnv("AWS_ENDPOINT_URL", wire.server.url);
        fake = wire.fake;
        endpoint = ["--endpoint-url", wire.server.url];
        close = async () => {
          vi.unstubAllEnvs();
          await wire.server.close();
        };
      }
      fake.route53.addZone("startupwebapp.com");
    });
    afterEach(() => close());

    const cli = (args: string[], path: string) => runCli([...args, "--file", path, ...endpoint], fake);

    it("runs the whole lifecycle when the tags of scalable targets and dashboards cannot be read or written: one warning per run, ownership from the env file", async () => {
      // Given an endpoint that knows neither Application Auto Scaling's tag calls nor CloudWatch's for dashboards
      lackTags(fake);
      const path = tempEnvFile();

      // When the stack is made, made again, verified, reported and destroyed
      const created = await cli(["create", "all"], path);
      const recorded = readText(path);
      const before = fake.calls.length;
      const again = await cli(["create", "all"], path);
      const againCalls = fake.mutatingCalls(before);
      const verified = await cli(["verify", "all"], path);
      const status = await cli(["status"], path);
      const destroyed = await cli(["destroy", "all", "--yes"], path);

      // Then every command succeeds, the second create changes nothing, and each says once what it did without
      for (const [name, r] of Object.entries({ created, again, verified, status, destroyed }))
        expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(againCalls).toEqual([]);
      expect(warnings(created.stderr, "cloudwatch TagResource (dashboards)")).toHaveLength(1);
      expect(warnings(again.stderr, "application-autoscaling ListTagsForResource")).toHaveLength(1);
      expect(warnings(verified.stdout + verified.stderr, "application-autoscaling ListTagsForResource")).toHaveLength(
        1,
      );
      expect(recorded).toMatch(/^SERVICE_DASHBOARD_NAME="StartupWebApp-RDS-MultiTenant"$/m);
      expect(recorded).toMatch(/^AUTOSCALING_CPU_POLICY="startupwebapp-cpu-scaling"$/m);
      // And destroy found both as the stack's own, by the record, and left nothing
      expect([...fake.autoscaling.targets.keys()]).toEqual([]);
      expect([...fake.autoscaling.policies.values()]).toEqual([]);
      expect([...fake.cloudwatch.alarms.keys()]).toEqual([]);
      expect([...fake.cloudwatch.dashboards.keys()]).toEqual([]);
    });

    it("adopts the earlier scripts' scaling target and dashboard where they cannot be tagged, and destroy removes them", async () => {
      // Given the scripts' running service, its scalable target and monitoring, on an endpoint without those tags
      await runningService();
      await registerTarget();
      const scripts = await scriptsMonitoring();
      lackTags(fake);
      const path = tempEnvFile(`${INPUTS}${ALB_RECORDS}${scripts.envLines}`);

      // When auto scaling and monitoring are created, then created again
      const created = await cli(["create", "ecs-autoscaling", "monitoring", "--yes"], path);
      const before = fake.calls.length;
      const again = await cli(["create", "ecs-autoscaling", "monitoring"], path);

      // Then the target and the dashboard are the stack's by the record: nothing more to do the second time
      expect(created.code, created.stderr).toBe(0);
      expect(warnings(created.stderr, "application-autoscaling TagResource")).toHaveLength(1);
      expect(again.code, again.stderr).toBe(0);
      expect(fake.mutatingCalls(before)).toEqual([]);
      expect(readText(path)).toMatch(/^AUTOSCALING_CPU_POLICY="startupwebapp-cpu-scaling"$/m);
      expect(readText(path)).toMatch(new RegExp(`^SERVICE_DASHBOARD_NAME="${DASHBOARD}"$`, "m"));

      // And destroy removes them
      expect((await cli(["destroy", "ecs-autoscaling", "monitoring", "--yes"], path)).code).toBe(0);
      expect(fake.autoscaling.targets.has(RESOURCE_ID)).toBe(false);
      expect(fake.cloudwatch.dashboards.has(DASHBOARD)).toBe(false);
    });

    it("takes ResourceNotFound for a dashboard it has just read as an endpoint that does not tag dashboards", async () => {
      // Given the scripts' untagged dashboard, on an endpoint that answers TagResource on a dashboard as if the
      // dashboard did not exist (moto does)
      const scripts = await scriptsMonitoring();
      fake.inject({ op: "TagResource", input: isDashboard, nth: 1, error: () => modeled(ResourceNotFound, "Unknown") });
      const path = tempEnvFile(`${INPUTS}${ALB_RECORDS}${scripts.envLines}`);

      // When monitoring is created (adopting that dashboard), then created again
      const created = await cli(["create", "monitoring", "--yes"], path);
      const before = fake.calls.length;
      const again = await cli(["create", "monitoring"], path);

      // Then the dashboard is recorded as the stack's, with one warning that says why it carries no tags
      expect(created.code, created.stderr).toBe(0);
      expect(warnings(created.stderr, "cloudwatch TagResource (dashboards)")).toHaveLength(1);
      expect(created.stderr).toMatch(/it answered ResourceNotFound/);
      expect(readText(path)).toMatch(new RegExp(`^SERVICE_DASHBOARD_NAME="${DASHBOARD}"$`, "m"));
      expect(again.code, again.stderr).toBe(0);
      expect(fake.mutatingCalls(before)).toEqual([]);
    });

    it("skips a posture check whose reads the endpoint does not support, saying why", async () => {
      // Given a stack made on an endpoint that, from then on, cannot list an ECS service's tasks
      const path = tempEnvFile();
      expect((await cli(["create", "all"], path)).code).toBe(0);
      fake.lack({ op: "ListTasks" });

      // When it is verified
      const verified = await cli(["verify", "all"], path);

      // Then the ECS Exec check is skipped with the reason, every other check runs, and verify passes
      expect(verified.code, verified.stdout).toBe(0);
      expect(verified.stdout).toMatch(
        /^\[SKIP\] ecs-service: ECS Exec on the running tasks \(this endpoint cannot list the service's tasks\)$/m,
      );
      expect(verified.stdout).toMatch(/^\[OK {2}\] ecs-service: targets healthy/m);
      expect(warnings(verified.stderr, "ecs ListTasks, DescribeTasks")).toHaveLength(1);
    });

    it("stops the step in the endpoint's own words when an essential call is unknown to it", async () => {
      // Given an endpoint that does not know DescribeScalableTargets, which auto scaling cannot do without
      fake.lack({ op: "DescribeScalableTargets" });
      const path = tempEnvFile();

      // When the stack is made
      const created = await cli(["create", "all"], path);

      // Then auto scaling fails with the endpoint's code and message, exit 3, and what does not need it is made
      expect(created.code).toBe(3);
      expect(created.stderr).toMatch(
        /list scalable targets ecs: UnknownOperationException: DescribeScalableTargets is not an operation this endpoint supports/,
      );
      expect(fake.cloudwatch.dashboards.size).toBe(1);
    });
  });
}
