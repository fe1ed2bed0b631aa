// A deploy that runs out of time, through the built binary against the sandbox: it exits 1, starts the way back,
// and the env file and the sandbox's AWS agree on the revision; the rollback it names follows the way back to its end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2e, openE2e } from "./support.js";

let e: E2e;
beforeAll(async () => {
  e = await openE2e();
});
afterAll(() => e.server.close());

const SERVICE = "startupwebapp-service";
const TASK = "startupwebapp-service-task";
const serviceOf = () => e.fake.ecs.serviceNamed(SERVICE);
const revisionOf = () => serviceOf()?.taskDefinition.split(":").at(-1);

/** The target group's deregistration delay, changed in the sandbox's AWS behind the env file's back. */
function drainFor(seconds: number) {
  for (const tg of e.fake.elbv2.targetGroups.values())
    tg.attributes["deregistration_delay.timeout_seconds"] = String(seconds);
}

describe("infra --sandbox deploy, out of time, through the built binary", { timeout: 180_000 }, () => {
  it("exits 1 on the way back to the old revision, the env file and AWS on it; rollback --to follows it to the end", async () => {
    // Given the stack, its target group draining for 1000 s (10 s on the sandbox's clock, AWS's times / 100),
    const created = await e.run(["create", "all"]);
    expect(created.code, created.stderr).toBe(0);
    expect(e.recorded("ECS_SERVICE_TASK_DEFINITION_REVISION")).toBe("1");
    drainFor(1000);

    // when v2 is deployed with 3 s for each wait,
    const deployed = await e.run(["deploy", "--image", ":v2", "--timeout", "3s"]);

    // then it ran out of time, went back to revision 1 and says that way back is still draining v2's tasks,
    expect(deployed.code, deployed.stderr).toBe(1);
    expect(deployed.stderr).toMatch(
      new RegExp(
        `error: timed out after 3 s waiting for deployment \\S+ of ${SERVICE} \\(--timeout\\): ${SERVICE} names ${TASK}:2 \\(deployment \\S+ IN_PROGRESS, (starting|draining): `,
      ),
    );
    expect(deployed.stderr).toMatch(
      new RegExp(
        `rolling back: ${SERVICE} names ${TASK}:1 .*not finished within --timeout; \`infra --sandbox rollback --to 1\``,
      ),
    );
    // and the env file and AWS agree: revision 1.
    expect(revisionOf()).toBe("1");
    expect(e.recorded("ECS_SERVICE_TASK_DEFINITION_REVISION")).toBe("1");
    expect(e.recorded("ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(serviceOf()?.taskDefinition);

    // When the rollback it names is run (its default limit, sized from the env file),
    const followed = await e.run(["rollback", "--to", "1"]);

    // then it follows the way back to COMPLETED and probes it, still on revision 1 in AWS and in the env file.
    expect(followed.code, followed.stderr).toBe(0);
    expect(serviceOf()?.deployments.map((d) => d.rolloutState)).toEqual(["COMPLETED"]);
    expect(revisionOf()).toBe("1");
    expect(e.recorded("ECS_SERVICE_TASK_DEFINITION_REVISION")).toBe("1");
  });
});
