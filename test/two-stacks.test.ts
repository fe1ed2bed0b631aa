// Two stacks in one account and region, staging and production: two env files, two project names, one VPC, cluster,
// repository, domain and state bucket. Neither sees or touches the other's objects, records or claims: both are
// built, staging is destroyed, and production still verifies clean.
import { describe, expect, it } from "vitest";
import { INPUTS, readText, runCli, tempEnvFile, useFake } from "./helpers.js";

const fake = useFake();
const BUCKET = "infra-state-123456789012-us-east-1";

const production = () => tempEnvFile(INPUTS, "production.env");
const STAGING = INPUTS.replace('PROJECT_NAME="startupwebapp"', 'PROJECT_NAME="startupwebapp-staging"')
  .replace('ENVIRONMENT="production"', 'ENVIRONMENT="staging"')
  .replace('API_DOMAIN_NAME="api.startupwebapp.com"', 'API_DOMAIN_NAME="api-staging.startupwebapp.com"')
  .replace('DATABASE_NAME="startupwebapp"', 'DATABASE_NAME="startupwebapp_staging"');
/** Staging's env file: its own names, and its own dashboard (the default is the earlier scripts' one dashboard). */
const staging = (dashboard = 'CLOUDWATCH_DASHBOARD_NAME="startupwebapp-staging"\n') =>
  tempEnvFile(`${STAGING}${dashboard}`, "staging.env");
const recorded = (path: string) =>
  readText(path)
    .split("\n")
    .filter((l) => /^[A-Z_0-9]+="[^"]+"$/.test(l))
    .sort();

describe("two stacks in one account and region", () => {
  it("refuses, before any change, a second stack that would take over the first's dashboard under the default name", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const prod = production();
    expect((await runCli(["create", "all", "--file", prod], fake.current)).code).toBe(0);
    const since = fake.current.calls.length;

    const refused = await runCli(["create", "all", "--yes", "--file", staging("")], fake.current);

    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: dashboard StartupWebApp-RDS-MultiTenant belongs to infra stack startupwebapp \(its Project tag\), and this stack changes nothing of another's: give this stack's dashboard a name of its own in the env file - nothing was changed/,
    );
    expect(fake.current.mutatingCalls(since)).toEqual([]);
    expect((await runCli(["verify", "monitoring", "--file", prod], fake.current)).code).toBe(0);
  });

  it("builds both, destroys staging, and production verifies clean with its record, its store object and its claim untouched", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const prod = production();
    const stage = staging();
    for (const path of [prod, stage]) {
      const created = await runCli(["create", "all", "--file", path], fake.current);
      expect(created.code, created.stderr).toBe(0);
      const init = await runCli(["state", "init", "--file", path], fake.current);
      expect(init.code, init.stderr).toBe(0);
    }
    const prodBefore = recorded(prod);
    const prodObject = fake.current.s3.current(BUCKET, "stacks/startupwebapp.json")?.etag;

    const destroyed = await runCli(["destroy", "all", "--yes", "--file", stage], fake.current);
    const verified = await runCli(["verify", "all", "--file", prod], fake.current);

    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.stderr).toMatch(/nothing tagged Project=startupwebapp-staging, ManagedBy=infra is left/);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).not.toMatch(/\[FAIL\]/);
    expect(recorded(prod)).toEqual(prodBefore);
    expect(fake.current.s3.current(BUCKET, "stacks/startupwebapp.json")?.etag).toBe(prodObject);
    expect(
      JSON.parse(
        Buffer.from(fake.current.s3.current(BUCKET, "stacks/startupwebapp-staging.json")?.body ?? []).toString(),
      ).record.ALB_ARN,
    ).toBe("");
  });
});
