// Every value in the env file is untrusted: it becomes an AWS name, a tag, a container's environment or a health
// check that ECS runs through a shell. Each must match what AWS documents for what it becomes; a control character
// anywhere is refused. All of it with exit 2 before any AWS call, the env file untouched.
import { describe, expect, it } from "vitest";
import { INPUTS, readText, runCli, tempEnvFile, useFake } from "../helpers.js";

const withValue = (key: string, raw: string) =>
  INPUTS.includes(`${key}=`)
    ? INPUTS.replace(new RegExp(`^${key}=.*$`, "m"), `${key}=${raw}`)
    : `${INPUTS}${key}=${raw}\n`;

describe("hostile values in the env file", () => {
  const fake = useFake();

  const refused: [string, string, string, RegExp][] = [
    [
      "a shell command in the health check path",
      "HEALTH_CHECK_PATH",
      `'/health"$(id>/tmp/x)"'`,
      /HEALTH_CHECK_PATH=.* is not a URL path/,
    ],
    ["a space in the health check path", "HEALTH_CHECK_PATH", `"/order products"`, /is not a URL path/],
    ["a command substitution in the cluster name", "ECS_CLUSTER_NAME", `"startupwebapp$(id)"`, /is not an ECS name/],
    [
      "a newline in the service name",
      "ECS_SERVICE_NAME",
      `"web\\nx"`,
      /value of ECS_SERVICE_NAME has a control character \(U\+000A\)/,
    ],
    ["a NUL in the security group name", "ALB_SECURITY_GROUP_NAME", `"alb\u0000sg"`, /control character \(U\+0000\)/],
    ["a security group name AWS reserves", "ALB_SECURITY_GROUP_NAME", `"sg-alb"`, /is not a security group name/],
    [
      "a command substitution in the secret name",
      "DB_SECRET_NAME",
      `"rds/$(id)"`,
      /is not a Secrets Manager secret name/,
    ],
    ["SQL in the database name", "DATABASE_NAME", `"prod;drop"`, /is not a database name/],
    [
      "a command substitution in the settings module",
      "DJANGO_SETTINGS_MODULE",
      `"app.$(id)"`,
      /is not a Python module path/,
    ],
    [
      "a project name 100,000 characters long (named in the error, not echoed in full)",
      "PROJECT_NAME",
      `"${"a".repeat(100_000)}"`,
      /^error: PROJECT_NAME="a{60}\.\.\." \(100000 characters\) is not .{0,200}$/m,
    ],
    [
      "a tab in a key infra does not read",
      "S3_FRONTEND_BUCKET",
      `"a\tb"`,
      /value of S3_FRONTEND_BUCKET has a control character \(U\+0009\)/,
    ],
  ];

  for (const [name, key, raw, message] of refused) {
    it(`refuses ${name}`, async () => {
      const path = tempEnvFile(withValue(key, raw));
      const before = readText(path);

      const result = await runCli(["create", "all", "--file", path, "--yes"], fake.current);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(fake.current.calls).toEqual([]);
      expect(readText(path)).toBe(before);
    });
  }

  it("refuses a certificate of another region than the stack's, before any change", async () => {
    const path = tempEnvFile(
      withValue(
        "ACM_CERTIFICATE_ARN",
        `"arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"`,
      ),
    );
    const before = readText(path);

    const result = await runCli(["create", "all", "--file", path], fake.current);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ACM_CERTIFICATE_ARN is a certificate in eu-west-1, but the stack is in us-east-1/);
    expect(fake.current.calls).toEqual([]);
    expect(readText(path)).toBe(before);
  });

  it("accepts a hosted zone id of any form the Route 53 API allows (32 characters, no Z promised)", async () => {
    const path = tempEnvFile(withValue("HOSTED_ZONE_ID", `"OQX8VL0LNEYO79CQSDZXKS"`));

    const result = await runCli(["plan", "route53-records", "--file", path], fake.current);

    expect(result.stderr).not.toMatch(/HOSTED_ZONE_ID/);
    expect(result.code).toBe(0);
  });
});
