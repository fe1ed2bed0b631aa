// `deploy` checks the image in the ECR registry and region its URI names, not in the stack's.
import { describe, expect, it } from "vitest";
import { readText, runCli, useFake } from "./helpers.js";
import { revisionOf, stack } from "./support/deploy-stack.js";

const OTHER_ACCOUNT = "210987654321";
const IRELAND = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web";
const SHARED = `${OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shared`;

describe("infra deploy with an image outside the stack's ECR repository", () => {
  const fake = useFake();

  it("given a repository in another region, when deploying its tag, then the image is checked there and deployed", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("web", "v1", { region: "eu-west-1" });
    const before = fake.current.calls.length;
    const result = await runCli(["deploy", "--image", `${IRELAND}:v1`, "--file", path], fake.current);
    expect(result.code, result.stderr).toBe(0);
    expect(revisionOf(fake.current)).toBe("2");
    const checks = fake.current.calls.slice(before).filter((c) => c.op === "DescribeImages");
    expect(checks.map((c) => c.region)).toContain("eu-west-1");
  });

  it("given a repository in another region, when deploying a tag it lacks, then exit 2 says the image is not in ECR", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("web", "v1", { region: "eu-west-1" });
    const text = readText(path);
    const before = fake.current.calls.length;
    const result = await runCli(["deploy", "--image", `${IRELAND}:v2`, "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/image .*eu-west-1.*\/web:v2 is not in ECR - push it first/);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(readText(path)).toBe(text);
  });

  it("given another account's repository that this account may pull from but not describe, when deploying, then it warns it could not check and deploys", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("shared", "v1", { registryId: OTHER_ACCOUNT });
    fake.current.ecr.share("shared", { registryId: OTHER_ACCOUNT }, { pullOnly: true });
    const result = await runCli(["deploy", "--image", `${SHARED}:v1`, "--file", path], fake.current);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/not in ECR|does not exist/);
    expect(result.stderr).toMatch(
      new RegExp(`could not check image ${SHARED}:v1 in ECR \\(AccessDeniedException: .*ecr:DescribeImages`),
    );
    expect(revisionOf(fake.current)).toBe("2");
  });

  it("given another account's repository shared with this account, when deploying a tag it lacks, then exit 2 says so", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("shared", "v1", { registryId: OTHER_ACCOUNT });
    fake.current.ecr.share("shared", { registryId: OTHER_ACCOUNT });
    const before = fake.current.calls.length;
    const missing = await runCli(["deploy", "--image", `${SHARED}:v2`, "--file", path], fake.current);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/image .*\/shared:v2 is not in ECR - push it first/);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    const present = await runCli(["deploy", "--image", `${SHARED}:v1`, "--file", path], fake.current);
    expect(present.code, present.stderr).toBe(0);
    expect(present.stderr).not.toMatch(/could not check/);
  });
});
