// The stack's record and claim in S3 (INFRA_STATE): `infra state init` makes the bucket and the stack's object, and
// from then on two env files on two machines, sharing nothing but the store, see each other's records and never
// act on the stack at once. Against the in-memory AWS, through the CLI.
import { appendFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { unmodeled } from "../../src/sandbox/aws/errors.js";
import { INPUTS, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { stack } from "../support/deploy-stack.js";

const fake = useFake();
const BUCKET = "infra-state-123456789012-us-east-1";
const URL = `s3://${BUCKET}/stacks/startupwebapp.json`;
const recordIn = (path: string, key: string) => readText(path).match(new RegExp(`^${key}="([^"]*)"`, "m"))?.[1];
const stored = () => {
  const v = fake.current.s3.current(BUCKET, "stacks/startupwebapp.json");
  return v && JSON.parse(Buffer.from(v.body).toString());
};
const s3Calls = (since: number) =>
  fake.current.calls
    .slice(since)
    .filter((c) => c.service === "S3")
    .map((c) => c.op);

/** A second machine: its own env file with the same inputs, and the line that turns the store on. */
const secondMachine = () => tempEnvFile(`${INPUTS}INFRA_STATE="${URL}"\n`);

describe("infra state init", () => {
  it("makes a versioned, encrypted, private, TLS-only, tagged bucket and the stack's record from the env file", async () => {
    const path = await stack(fake.current);

    const result = await runCli(["state", "init", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^INFRA_STATE="${URL}"\n`));
    expect(recordIn(path, "INFRA_STATE")).toBe(URL);
    const bucket = fake.current.s3.buckets.get(BUCKET);
    expect(bucket?.versioning).toBe("Enabled");
    expect(bucket?.encryption.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe("AES256");
    expect(bucket?.publicAccessBlock).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.parse(bucket?.policy ?? "{}").Statement).toEqual([
      {
        Sid: "InfraDenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    expect(bucket?.tags).toEqual(expect.arrayContaining([{ Key: "ManagedBy", Value: "infra" }]));
    expect(stored()).toMatchObject({
      format: 1,
      stack: { project: "startupwebapp", region: "us-east-1" },
      claim: null,
      record: { ALB_ARN: recordIn(path, "ALB_ARN"), ECS_SERVICE_TASK_DEFINITION_REVISION: "1", WAF_WEB_ACL_ARN: "" },
      inputs: { VPC_ID: recordIn(path, "VPC_ID"), ECR_REPOSITORY_URI: recordIn(path, "ECR_REPOSITORY_URI") },
    });
  });

  it("sets no TLS-only policy through a plain-HTTP endpoint (an emulator), which it would lock out, and says so", async () => {
    const path = tempEnvFile(INPUTS);

    const result = await runCli(
      ["state", "init", "--endpoint-url", "http://127.0.0.1:5000", "--file", path],
      fake.current,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(fake.current.s3.buckets.get(BUCKET)?.policy).toBeUndefined();
    expect(result.stderr).toMatch(
      /! state: bucket infra-state-123456789012-us-east-1: no TLS-only policy, since http:\/\/127\.0\.0\.1:5000 is plain HTTP/,
    );
  });

  it("encrypts a bucket that answers it has no encryption at all (made before 2023, or an emulator's)", async () => {
    const path = tempEnvFile(INPUTS);
    const none = () =>
      unmodeled(
        "ServerSideEncryptionConfigurationNotFoundError",
        "The server side encryption configuration was not found",
        404,
      );
    fake.current.inject({ op: "GetBucketEncryption", nth: 1, error: none });

    const result = await runCli(["state", "init", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(fake.current.calls.some((c) => c.op === "PutBucketEncryption")).toBe(true);
    expect(result.stderr).toMatch(/~ state: bucket .*: encrypted at rest \(SSE-S3\)/);
  });

  it("changes nothing when run again: every setting is read first, and the record is already there", async () => {
    const path = await stack(fake.current);
    await runCli(["state", "init", "--file", path], fake.current);
    const since = fake.current.calls.length;

    const again = await runCli(["state", "init", "--file", path], fake.current);

    expect(again.code, again.stderr).toBe(0);
    expect(fake.current.mutatingCalls(since).filter((c) => c.op !== "PutObject")).toEqual([]);
    expect(again.stderr).toMatch(/= state: the stack's record in s3:.* made earlier/);
  });

  it("on another machine, takes the record another machine made into this env file instead of replacing it", async () => {
    const first = await stack(fake.current);
    await runCli(["state", "init", "--file", first], fake.current);
    const other = tempEnvFile(INPUTS);

    const result = await runCli(["state", "init", "--file", other], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(recordIn(other, "ALB_ARN")).toBe(recordIn(first, "ALB_ARN"));
    expect(stored().record.ALB_ARN).toBe(recordIn(first, "ALB_ARN"));
  });

  it("stops at a bucket of that name another account holds (exit 3), and records no INFRA_STATE", async () => {
    fake.current.s3.addForeignBucket(BUCKET);
    const path = tempEnvFile(INPUTS);

    const result = await runCli(["state", "init", "--file", path], fake.current);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/bucket infra-state-123456789012-us-east-1 exists and is not this account's/);
    expect(recordIn(path, "INFRA_STATE")).toBeUndefined();
  });
});

describe("infra state pull", () => {
  it("takes the stack's record into an env file that holds no ids, and prints the keys asked for, with one read", async () => {
    const first = await stack(fake.current);
    await runCli(["state", "init", "--file", first], fake.current);
    const names = INPUTS.split("\n")
      .filter((l) => !/_ID=|_ARN=|_URI=/.test(l))
      .join("\n");
    const ci = tempEnvFile(`${names}INFRA_STATE="${URL}"\n`);
    const since = fake.current.calls.length;

    const pulled = await runCli(["state", "pull", "ECR_REPOSITORY_URI", "ECS_SERVICE_ARN", "--file", ci], fake.current);

    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toBe(`${recordIn(first, "ECR_REPOSITORY_URI")}\n${recordIn(first, "ECS_SERVICE_ARN")}\n`);
    expect(recordIn(ci, "ECS_SERVICE_ARN")).toBe(recordIn(first, "ECS_SERVICE_ARN"));
    expect(fake.current.calls.slice(since).map((c) => c.op)).toEqual(["GetObject"]);
  });

  it("refuses a key infra does not know, and an env file with no store, before any call (exit 2)", async () => {
    const first = await stack(fake.current);
    const since = fake.current.calls.length;

    const unknown = await runCli(["state", "pull", "ECR_REPO", "--file", first], fake.current);
    const noStore = await runCli(["state", "pull", "ECR_REPOSITORY_URI", "--file", first], fake.current);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/ECR_REPO: not a key infra reads or records/);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toMatch(/no store to pull from: .* has no INFRA_STATE line/);
    expect(fake.current.calls.slice(since)).toEqual([]);
  });
});

describe("two machines sharing the store", () => {
  it("a reading command takes what the other machine recorded into its env file, and says so once", async () => {
    const first = await stack(fake.current);
    await runCli(["state", "init", "--file", first], fake.current);
    const second = secondMachine();

    const status = await runCli(["status", "--file", second], fake.current);

    expect(status.code, status.stderr).toBe(0);
    expect(recordIn(second, "ECS_SERVICE_ARN")).toBe(recordIn(first, "ECS_SERVICE_ARN"));
    expect(status.stderr.match(/state: the stack's record is kept in/g)).toHaveLength(1);
    expect(status.stderr).toMatch(
      new RegExp(
        `· state: the stack's record is kept in ${URL} \\(read only\\); \\d+ key\\(s\\) differed here and were taken from it: `,
      ),
    );
  });

  it("a deploy from one machine is recorded in the store, and the other machine's next run starts from it", async () => {
    const first = await stack(fake.current);
    await runCli(["state", "init", "--file", first], fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    const second = secondMachine();

    const deployed = await runCli(["deploy", "--image", ":v2", "--file", second], fake.current);
    const verify = await runCli(["verify", "ecs-service-task-definition", "--file", first], fake.current);

    expect(deployed.code, deployed.stderr).toBe(0);
    expect(stored().record.ECS_SERVICE_TASK_DEFINITION_REVISION).toBe("2");
    expect(stored().claim).toBeNull();
    expect(verify.code, verify.stdout).toBe(0);
    expect(recordIn(first, "ECS_SERVICE_TASK_DEFINITION_REVISION")).toBe("2");
    const keys = (p: string) =>
      readText(p)
        .match(/^(ALB|TARGET|ECS|HTTP|ACM)\w*=.*$/gm)
        ?.sort();
    expect(keys(first)).toEqual(keys(second));
  });

  it("refuses a second run while the first holds the stack, naming it, and lets it queue with --wait-for-claim", async () => {
    const first = await stack(fake.current);
    await runCli(["state", "init", "--file", first], fake.current);
    const second = secondMachine();
    // The other machine's run, alive: its claim in the store, its lease live.
    const object = stored();
    const now = fake.current.clock.now();
    object.claim = {
      id: "c1a1m0ld",
      command: "create all",
      host: "laptop",
      pid: 4242,
      takenAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 300_000).toISOString(),
    };
    await putObject(JSON.stringify(object, null, 2));

    const refused = await runCli(["deploy", "--image", ":latest", "--file", second], fake.current);
    const queued = await runCli(
      ["deploy", "--image", ":latest", "--wait-for-claim", "10m", "--file", second],
      fake.current,
    );

    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^error: the stack is claimed by infra create all \\(process 4242 on laptop\\), claim c1a1m0ld taken 2026-01-01T.*, its lease renewed until .* \\(${URL}\\) - `,
        "m",
      ),
    );
    // Nobody renews it: the queued run waits until the lease runs out, then takes it over, saying whose it was.
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stderr).toMatch(
      /… claim: waiting for the stack's claim, held by infra create all \(process 4242 on laptop\)/,
    );
    expect(queued.stderr).toMatch(
      /! env file: took over the stack's claim of infra create all \(process 4242 on laptop\), claim c1a1m0ld taken .*: its lease ran out at /,
    );
  });

  it("writes only from what it read: a write that lost the race (412, or 409 in flight) reads again and is not lost", async () => {
    const first = await stack(fake.current);
    await runCli(["state", "init", "--file", first], fake.current);
    const second = secondMachine();
    fake.current.inject({
      op: "PutObject",
      nth: 1,
      error: () =>
        unmodeled(
          "ConditionalRequestConflict",
          "A conflicting conditional operation is currently in progress against this resource.",
          409,
        ),
    });
    fake.current.inject({
      op: "PutObject",
      nth: 2,
      error: () =>
        unmodeled("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412),
    });

    const result = await runCli(["create", "alb", "--file", second], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(stored().claim).toBeNull();
    expect(stored().record.ALB_ARN).toBe(recordIn(first, "ALB_ARN"));
  });

  it("refuses a store that holds another stack's record, and one that holds none, before anything else (exit 2)", async () => {
    const first = await stack(fake.current);
    await runCli(["state", "init", "--file", first], fake.current);
    const staging = tempEnvFile(
      `${INPUTS.replace('PROJECT_NAME="startupwebapp"', 'PROJECT_NAME="startupwebapp-staging"')}INFRA_STATE="${URL}"\n`,
    );
    const nowhere = tempEnvFile(`${INPUTS}INFRA_STATE="s3://${BUCKET}/stacks/nobody.json"\n`);

    const wrong = await runCli(["create", "alb", "--file", staging], fake.current);
    const none = await runCli(["status", "--file", nowhere], fake.current);

    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /holds the record of stack startupwebapp in us-east-1, and this env file is stack startupwebapp-staging in us-east-1/,
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /holds no record of this stack - run `infra state init -f \S+aws-resources\.env` from the machine whose env file/,
    );
  });
});

describe("the calls the store adds", () => {
  it("none for plan and cost: they work offline from the env file", async () => {
    const path = await stack(fake.current);
    await runCli(["state", "init", "--file", path], fake.current);
    const since = fake.current.calls.length;

    const plan = await runCli(["plan", "all", "--file", path], fake.current);
    const cost = await runCli(["cost", "--file", path], fake.current);

    expect([plan.code, cost.code]).toEqual([0, 0]);
    expect(s3Calls(since)).toEqual([]);
  });

  it("two for a command that records from the machine that wrote last, three from another, one to read", async () => {
    const first = await stack(fake.current);
    await runCli(["state", "init", "--file", first], fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    const second = secondMachine();

    let since = fake.current.calls.length;
    await runCli(["deploy", "--image", ":v2", "--file", second], fake.current);
    const fromAnother = s3Calls(since);
    since = fake.current.calls.length;
    await runCli(["deploy", "--image", ":latest", "--file", second], fake.current);
    const fromTheLast = s3Calls(since);
    since = fake.current.calls.length;
    await runCli(["deploy", "--image", ":v2", "--file", first], fake.current);
    const fromAStaleOne = s3Calls(since);
    since = fake.current.calls.length;
    await runCli(["status", "--file", second], fake.current);
    const reading = s3Calls(since);

    // Another machine (CI, no record in its file): read, claim, write back. The machine that wrote last knows the
    // store's ETag from its own file: claim, write back. One whose file is stale guesses wrong (412), then reads.
    expect(fromAnother).toEqual(["GetObject", "PutObject", "PutObject"]);
    expect(fromTheLast).toEqual(["PutObject", "PutObject"]);
    expect(fromAStaleOne).toEqual(["PutObject", "GetObject", "PutObject", "PutObject"]);
    expect(reading).toEqual(["GetObject"]);
  });
});

describe("an env file without ids, as CI keeps one", () => {
  it("deploys with the ids the store holds and the names the file gives", async () => {
    const first = await stack(fake.current);
    await runCli(["state", "init", "--file", first], fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    // Only what is neither secret nor an id: names, the region, the domain.
    const names = INPUTS.split("\n")
      .filter((l) => !/_ID=|_ARN=|_URI=/.test(l))
      .join("\n");
    const ci = tempEnvFile(`${names}INFRA_STATE="${URL}"\n`);
    appendFileSync(ci, "");

    const deployed = await runCli(["deploy", "--image", ":v2", "--file", ci], fake.current);

    expect(deployed.code, deployed.stderr).toBe(0);
    expect(stored().record.ECS_SERVICE_TASK_DEFINITION_REVISION).toBe("2");
    expect(recordIn(ci, "ECR_REPOSITORY_URI")).toBe(recordIn(first, "ECR_REPOSITORY_URI"));
  });
});

async function putObject(body: string) {
  const { PutObjectCommand, S3Client } = await import("@aws-sdk/client-s3");
  await new S3Client({ region: "us-east-1", forcePathStyle: true }).send(
    new PutObjectCommand({ Bucket: BUCKET, Key: "stacks/startupwebapp.json", Body: body }),
  );
}
