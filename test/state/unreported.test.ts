// A field the endpoint does not report although AWS always does (moto leaves out an ECS service's deployment
// configuration, grace period and ECS Exec): unknown, not different. Create has nothing to change there (it sent
// the value already), plan and status show nothing, and verify fails on it saying the endpoint did not report it.
import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { observedFields } from "../../src/resources/ecs-service/observe.js";
import { diff } from "../../src/state/diff.js";
import { type DesiredObject, type ObservedObject, UNREPORTED } from "../../src/state/model.js";
import { planLines, unreportedChecks } from "../../src/state/render.js";

const desired: DesiredObject = {
  key: "service",
  kind: "service",
  name: "web",
  fields: { "minimum healthy percent": 100, "desired count": 2 },
};

const observed = (fields: ObservedObject["fields"]): ObservedObject => ({
  key: "service",
  kind: "service",
  name: "web",
  id: "arn:aws:ecs:us-east-1:123456789012:service/c/web",
  fields,
  managed: true,
});

describe("a field the endpoint did not report", () => {
  it("is no change: create, plan and status see the object as it should be", () => {
    const observation = new Map([["service", observed({ "minimum healthy percent": UNREPORTED, "desired count": 2 })]]);

    const changes = diff([desired], observation);

    expect(changes.map((c) => c.action)).toEqual(["keep"]);
    expect(planLines(changes, [desired])).toEqual(["  1 unchanged: service web"]);
  });

  it("still lets a field the endpoint reported differ", () => {
    const observation = new Map([["service", observed({ "minimum healthy percent": UNREPORTED, "desired count": 1 })]]);

    const [change] = diff([desired], observation);

    expect(change).toMatchObject({ action: "update", fields: [{ field: "desired count", from: 1, to: 2 }] });
  });

  it("fails verify, saying the endpoint did not report it and what is wanted", () => {
    const observation = new Map([["service", observed({ "minimum healthy percent": UNREPORTED, "desired count": 2 })]]);

    expect(unreportedChecks("ecs-service", [desired], observation)).toEqual([
      {
        resource: "ecs-service",
        status: "FAIL",
        name: "service web: minimum healthy percent",
        detail: "not reported by this endpoint, want 100; AWS always reports it",
      },
    ]);
  });

  it("is how an ECS service described without its deployment configuration, grace period and ECS Exec reads", () => {
    // What moto answers DescribeServices with: none of the three
    const svc: Service = { serviceName: "web", status: "ACTIVE", desiredCount: 2, runningCount: 2 };

    const fields = observedFields(svc);

    expect(fields).toMatchObject({
      "health check grace period": UNREPORTED,
      "minimum healthy percent": UNREPORTED,
      "maximum percent": UNREPORTED,
      "circuit breaker": UNREPORTED,
      "ECS Exec": UNREPORTED,
    });
    // What AWS answers: every one reported, the grace period as 0 when none was set
    expect(
      observedFields({
        ...svc,
        healthCheckGracePeriodSeconds: 0,
        enableExecuteCommand: false,
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
      }),
    ).toMatchObject({
      "health check grace period": 0,
      "minimum healthy percent": 100,
      "maximum percent": 200,
      "circuit breaker": "off",
      "ECS Exec": false,
    });
  });
});
