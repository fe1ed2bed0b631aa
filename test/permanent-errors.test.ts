// Each place that retries an error AWS documents as passing (a target group still in use, a service-linked role
// not yet visible, a web ACL lock token gone stale) must retry that and nothing else: a permanent error at the same
// call ends the run at once, exit 3, with AWS's own message, instead of turning into a timeout.

import { ValidationException } from "@aws-sdk/client-application-auto-scaling";
import { InvalidParameterException } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { modeled, unmodeled } from "../src/sandbox/aws/errors.js";
import { INPUTS, runCli, tempEnvFile, useFake } from "./helpers.js";

const MINUTE = 60_000;

interface Site {
  op: string;
  /** The command that reaches the call, run on a finished stack (or an empty one for create). */
  argv: string[];
  /** On a finished stack, or with the resources before it made. */
  given: "finished" | "empty";
  error: () => Error;
  /** Which call of the op is the retried one, when the op is also called elsewhere. */
  input?: (input: unknown) => boolean;
}

const denied = (action: string) => () =>
  unmodeled("AccessDenied", `User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ${action}`, 403);

const sites: Site[] = [
  {
    op: "DeleteTargetGroup",
    argv: ["destroy", "ecs-service", "alb", "--yes"],
    given: "finished",
    error: denied("elasticloadbalancing:DeleteTargetGroup"),
  },
  {
    op: "DeleteSecurityGroup",
    argv: ["destroy", "ecs-service", "alb", "--yes"],
    given: "finished",
    error: denied("ec2:DeleteSecurityGroup"),
  },
  {
    op: "DeleteCertificate",
    argv: ["destroy", "all", "--yes"],
    given: "finished",
    error: denied("acm:DeleteCertificate"),
  },
  {
    op: "ChangeResourceRecordSets",
    argv: ["create", "all"],
    given: "empty",
    error: () => unmodeled("InvalidInput", "Invalid XML ; cvc-complex-type.2.4.a"),
  },
  {
    op: "CreateService",
    argv: ["create", "all"],
    given: "empty",
    error: () => modeled(InvalidParameterException, "The container web did not have a container port 9999 defined."),
  },
  {
    op: "RegisterScalableTarget",
    argv: ["create", "all"],
    given: "empty",
    error: () => modeled(ValidationException, "Maximum capacity cannot be less than minimum capacity"),
  },
  {
    op: "PutScalingPolicy",
    argv: ["create", "all"],
    given: "empty",
    error: denied("application-autoscaling:PutScalingPolicy"),
  },
  { op: "AssociateWebACL", argv: ["create", "all"], given: "empty", error: denied("wafv2:AssociateWebACL") },
  { op: "DeleteWebACL", argv: ["destroy", "all", "--yes"], given: "finished", error: denied("wafv2:DeleteWebACL") },
];

describe("a permanent error where a transient one is retried", () => {
  const fake = useFake();

  for (const site of sites) {
    it(`${site.op} fails at once with AWS's message, exit 3`, async () => {
      fake.current.route53.addZone("startupwebapp.com");
      const path = tempEnvFile(`${INPUTS}WAF_ENABLED="true"\n`);
      if (site.given === "finished")
        expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);
      const error = site.error();
      fake.current.inject({ op: site.op, nth: 1, error: () => error, ...(site.input ? { input: site.input } : {}) });
      const since = fake.current.calls.length;
      const started = fake.current.clock.now();

      const result = await runCli([...site.argv, "--file", path], fake.current);

      expect(result.code).toBe(3);
      expect(result.stderr).toContain(error.message);
      // Not retried: no call of the op was sent twice with the same input.
      const inputs = fake.current.calls
        .slice(since)
        .filter((c) => c.op === site.op)
        .map((c) => JSON.stringify(c.input));
      expect(inputs.length).toBeGreaterThan(0);
      expect(new Set(inputs).size).toBe(inputs.length);
      expect(result.stderr).not.toMatch(/timed out/);
      // Other steps of the run may still wait for AWS; none waited out the retry budget on this call.
      expect(fake.current.clock.now() - started).toBeLessThan(60 * MINUTE);
    });
  }
});
