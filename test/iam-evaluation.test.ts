// The IAM policy, tested by evaluation: every call the AWS fake receives while a command runs is authorized the way
// AWS authorizes it (the action, the resource ARN, the request's tags and condition keys: src/sandbox/aws/
// authorization/), and each of those is evaluated, offline, against the policy `infra iam-policy <that command>`
// printed beforehand from the same env file. Any implicit deny fails the test. Then the other way round: what is
// not the stack's (the production database, another stack's service, an untagged load balancer, another hosted
// zone) is denied.
import { ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import type { PolicyDocument } from "../src/iam/policy.js";
import { authorize } from "../src/sandbox/aws/authorization/index.js";
import type { AwsFake } from "../src/sandbox/aws/aws-fake.js";
import { BACKEND_SG, SUBNETS } from "../src/sandbox/aws/ec2.js";
import { INPUTS, readText, runCli, tempEnvFile, useFake } from "./helpers.js";
import { startServer } from "./load/server.js";
import { DB, drillStack, MIGRATION } from "./recovery/support.js";
import { stack } from "./support/deploy-stack.js";
import { decide, deniedOf } from "./support/iam-evaluation.js";
import { scriptsStack } from "./support/scripts-stack.js";

const RESOURCES = [
  "alb",
  "acm-certificate",
  "alb",
  "route53-records",
  "ecs-service-task-definition",
  "ecs-service",
  "ecs-autoscaling",
  "monitoring",
  "waf",
];
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** The policy documents `infra iam-policy <what>` prints for the env file as it is now. */
async function policyOf(fake: AwsFake, path: string, what: string): Promise<PolicyDocument[]> {
  const printed = await runCli(["iam-policy", what, "--json", "-f", path], fake);
  expect(printed.code, printed.stderr).toBe(0);
  return JSON.parse(printed.stdout).documents;
}

/** Runs the command under the policy printed for `forms` first, and returns what each form does not allow of it. */
async function underPolicy(fake: AwsFake, path: string, forms: string[], args: string[], deps = {}) {
  const policies = await Promise.all(forms.map((f) => policyOf(fake, path, f)));
  const since = fake.calls.length;
  const run = await runCli([...args, "-f", path], fake, {}, deps);
  expect(run.code, run.stderr).toBe(0);
  const calls = fake.calls.slice(since);
  const denied = Object.fromEntries(
    await Promise.all(forms.map(async (f, n) => [f, await deniedOf(policies[n] as PolicyDocument[], calls)])),
  );
  return { denied, calls, run };
}

const nothingDenied = (forms: string[]) => Object.fromEntries(forms.map((f) => [f, []]));

describe("the IAM policy, evaluated on every call a command makes", () => {
  const fake = useFake();

  it("lets each resource be created, verified and destroyed under its own form, and under all", async () => {
    const zone = fake.current.route53.addZone("startupwebapp.com");
    fake.current.rds.addDatabase({ id: DB });
    const path = tempEnvFile(
      `${INPUTS}HOSTED_ZONE_ID="${zone.replace("/hostedzone/", "")}"\nWAF_ENABLED="true"\n` +
        `ALARM_EMAIL="ops@startupwebapp.com"\nRDS_INSTANCE_ID="${DB}"\n`,
    );

    // The HTTPS listener (alb) waits for the certificate: the ALB's second run makes it.
    for (const resource of RESOURCES) {
      const { denied } = await underPolicy(fake.current, path, [resource, "all"], ["create", resource]);
      expect(denied, `create ${resource}`).toEqual(nothingDenied([resource, "all"]));
    }
    const verified = await underPolicy(fake.current, path, ["all"], ["verify", "all"]);
    expect(verified.denied).toEqual(nothingDenied(["all"]));
    // The certificate goes once no listener uses it.
    for (const resource of [...RESOURCES.slice(3).reverse(), "alb", "acm-certificate"]) {
      const { denied } = await underPolicy(fake.current, path, [resource, "all"], ["destroy", resource, "--yes"]);
      expect(denied, `destroy ${resource}`).toEqual(nothingDenied([resource, "all"]));
    }
  });

  it("lets deploy, deploy --migrate and rollback run under their forms and under ci", async () => {
    const path = await stack(fake.current, `ECS_TASK_DEFINITION_FAMILY="${MIGRATION}"\n`);
    await registerMigration();
    fake.current.ecr.push("startupwebapp", "v2");
    fake.current.ecr.push("startupwebapp", "v3");

    const deployed = await underPolicy(fake.current, path, ["deploy", "ci"], ["deploy", "--image", ":v2"]);
    const migrated = await underPolicy(fake.current, path, ["deploy", "ci"], ["deploy", "--image", ":v3", "--migrate"]);
    const rolledBack = await underPolicy(fake.current, path, ["rollback", "ci"], ["rollback"]);

    expect(deployed.denied).toEqual(nothingDenied(["deploy", "ci"]));
    expect(migrated.calls.map((c) => c.op)).toContain("RunTask");
    expect(migrated.denied).toEqual(nothingDenied(["deploy", "ci"]));
    expect(rolledBack.calls.map((c) => c.op)).toContain("UpdateService");
    expect(rolledBack.denied).toEqual(nothingDenied(["rollback", "ci"]));
  });

  it("lets state init make the store under its form, then a deploy and a status read and write the stack's record under theirs", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    const init = await underPolicy(fake.current, path, ["state-init"], ["state", "init"]);
    // INFRA_STATE is set now: every form includes the store's reads and writes, on its bucket and object only.
    const deployed = await underPolicy(fake.current, path, ["deploy", "ci"], ["deploy", "--image", ":v2"]);
    const status = await underPolicy(fake.current, path, ["runbook"], ["status"]);

    expect(init.calls.map((c) => c.op)).toEqual(
      expect.arrayContaining(["CreateBucket", "PutBucketPolicy", "PutObject"]),
    );
    expect(init.denied).toEqual(nothingDenied(["state-init"]));
    expect(deployed.calls.filter((c) => c.service === "S3").map((c) => c.op)).toEqual(["PutObject", "PutObject"]);
    expect(deployed.denied).toEqual(nothingDenied(["deploy", "ci"]));
    expect(status.calls.filter((c) => c.service === "S3").map((c) => c.op)).toEqual(["GetObject"]);
    expect(status.denied.runbook.filter((d: { action: string }) => d.action.startsWith("s3:"))).toEqual([]);
  });

  it("lets the example CI workflows' commands run under ci: state pull (one read of the store), deploy --migrate, rollback", async () => {
    const path = await stack(fake.current, `ECS_TASK_DEFINITION_FAMILY="${MIGRATION}"\n`);
    await registerMigration();
    fake.current.ecr.push("startupwebapp", "v2");
    expect((await runCli(["state", "init", "-f", path], fake.current)).code).toBe(0);
    const pulled = await underPolicy(fake.current, path, ["ci"], ["state", "pull", "ECR_REPOSITORY_URI"]);
    const deployed = await underPolicy(fake.current, path, ["ci"], ["deploy", "--image", ":v2", "--migrate"]);
    const rolledBack = await underPolicy(fake.current, path, ["ci"], ["rollback"]);

    expect(pulled.run.stdout).toBe(`${readText(path).match(/^ECR_REPOSITORY_URI="([^"]+)"/m)?.[1]}\n`);
    expect(pulled.calls.map((c) => c.op)).toEqual(["GetObject"]);
    expect(pulled.denied).toEqual(nothingDenied(["ci"]));
    expect(deployed.denied).toEqual(nothingDenied(["ci"]));
    expect(rolledBack.denied).toEqual(nothingDenied(["ci"]));
  });

  it("lets dr-drill restore from a snapshot, and to a point in time from a database with its own KMS key", async () => {
    const path = await drillStack(fake.current);
    const fromSnapshot = await underPolicy(fake.current, path, ["dr-drill"], ["dr-drill"]);
    expect(fromSnapshot.calls.map((c) => c.op)).toContain("RestoreDBInstanceFromDBSnapshot");
    expect(fromSnapshot.denied).toEqual(nothingDenied(["dr-drill"]));

    const encrypted = "startupwebapp-encrypted";
    fake.current.rds.addDatabase({ id: encrypted, kmsKeyId: KEY });
    const keyed = tempEnvFile(`${readText(path)}RDS_INSTANCE_ID="${encrypted}"\nRDS_KMS_KEY_ARN="${KEY}"\n`);
    const pointInTime = await underPolicy(fake.current, keyed, ["dr-drill"], ["dr-drill", "--point-in-time", "latest"]);
    const authorized = pointInTime.calls.flatMap((c) => c.authorization ?? []).map((a) => a.action);
    expect(authorized).toEqual(expect.arrayContaining(["rds:RestoreDBInstanceToPointInTime", "kms:CreateGrant"]));
    expect(pointInTime.denied).toEqual(nothingDenied(["dr-drill"]));
  });

  it("lets runbook read what it reports under its read-only form", async () => {
    const path = await drillStack(fake.current);
    expect((await runCli(["create", "all", "-f", path], fake.current)).code).toBe(0);

    const { denied, calls } = await underPolicy(fake.current, path, ["runbook"], ["runbook"]);

    expect(calls.length).toBeGreaterThan(3);
    expect(denied).toEqual(nothingDenied(["runbook"]));
  });

  it("lets load-test sample the stack under its form", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    expect((await runCli(["create", "all", "-f", path], fake.current)).code).toBe(0);
    const server = await startServer();
    try {
      const args = [
        "load-test",
        "--target",
        server.origin,
        "--outside-stack",
        "--yes",
        "--rate",
        "20",
        "--duration",
        "1s",
      ];
      const { denied, calls } = await underPolicy(fake.current, path, ["load-test"], args, { sampleEveryMs: 100 });

      expect(calls.map((c) => c.op)).toEqual(expect.arrayContaining(["GetMetricData", "DescribeServices"]));
      expect(denied).toEqual(nothingDenied(["load-test"]));
    } finally {
      await server.close();
    }
  });

  it("lets create take over the stack the earlier scripts built, and destroy remove it, under all", async () => {
    const records = await scriptsStack(fake.current);
    const path = tempEnvFile(`${INPUTS}${records}\nDNS_PROVIDER="external"\n`);

    const created = await underPolicy(fake.current, path, ["all"], ["create", "all", "--yes"]);
    const destroyed = await underPolicy(fake.current, path, ["all"], ["destroy", "all", "--yes"]);

    expect(created.calls.map((c) => c.op)).toContain("AddTags");
    expect(created.denied).toEqual(nothingDenied(["all"]));
    expect(destroyed.calls.map((c) => c.op)).toContain("DeleteLoadBalancer");
    expect(destroyed.denied).toEqual(nothingDenied(["all"]));
  });

  async function registerMigration() {
    await new ECSClient({ region: "us-east-1" }).send(
      new RegisterTaskDefinitionCommand({
        family: MIGRATION,
        executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [
          {
            name: "migrate",
            image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp:latest",
            command: ["python", "manage.py", "migrate"],
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": "/ecs/startupwebapp-migrations",
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "migrate",
              },
            },
          },
        ],
      }),
    );
  }
});

describe("the IAM policy, evaluated on what is not the stack's", () => {
  const fake = useFake();

  /** AWS's decision, under `iam-policy all`, on each authorization of a call made as infra would. */
  async function decisions(documents: PolicyDocument[], service: string, op: string, input: object) {
    const requests = authorize(fake.current, service, op, input, "us-east-1") ?? [];
    expect(requests.length, `${service}:${op}`).toBeGreaterThan(0);
    return Promise.all(requests.map(async (a) => `${a.action} ${a.resource}: ${await decide(documents, a)}`));
  }

  it("denies deleting or restoring over the production database, and restores into a name not the drill's", async () => {
    const path = await drillStack(fake.current);
    const all = await policyOf(fake.current, path, "all");

    const deleted = await decisions(all, "RDS", "DeleteDBInstance", { DBInstanceIdentifier: DB });
    const drillDeleted = await decisions(all, "RDS", "DeleteDBInstance", { DBInstanceIdentifier: `${DB}-drill-1` });
    const elsewhere = await decisions(all, "RDS", "RestoreDBInstanceToPointInTime", {
      SourceDBInstanceIdentifier: DB,
      TargetDBInstanceIdentifier: "copy-of-prod",
    });

    expect(deleted).toEqual([
      expect.stringMatching(/rds:DeleteDBInstance .*:db:startupwebapp-multi-tenant-prod: ImplicitlyDenied/),
    ]);
    expect(drillDeleted).toEqual([expect.stringMatching(/: Allowed$/)]);
    expect(elsewhere).toContainEqual(expect.stringMatching(/:db:copy-of-prod: ImplicitlyDenied$/));
  });

  it("denies changing another stack's service, and the cluster's others", async () => {
    const path = tempEnvFile();
    const all = await policyOf(fake.current, path, "all");
    const other = { cluster: "startupwebapp-cluster", service: "otherproj-service" };

    expect(await decisions(all, "ECS", "DeleteService", other)).toEqual([expect.stringMatching(/ImplicitlyDenied$/)]);
    expect(await decisions(all, "ECS", "UpdateService", { ...other, desiredCount: 0 })).toEqual([
      expect.stringMatching(/ImplicitlyDenied$/),
    ]);
    expect(
      await decisions(all, "ECS", "UpdateService", {
        cluster: "startupwebapp-cluster",
        service: "startupwebapp-service",
      }),
    ).toEqual([expect.stringMatching(/: Allowed$/)]);
  });

  it("denies deleting a load balancer of the stack's name that is not tagged as the stack's, or another stack's", async () => {
    const elb = new ElasticLoadBalancingV2Client({ region: "us-east-1" });
    const make = async (Name: string, Tags?: { Key: string; Value: string }[]) =>
      (await elb.send(new CreateLoadBalancerCommand({ Name, Subnets: SUBNETS, ...(Tags ? { Tags } : {}) })))
        .LoadBalancers?.[0]?.LoadBalancerArn as string;
    const stranger = await make("startupwebapp-alb");
    const others = await make("otherproj-alb", [
      { Key: "ManagedBy", Value: "infra" },
      { Key: "Project", Value: "otherproj" },
    ]);
    const all = await policyOf(fake.current, tempEnvFile(), "all");

    const strangerDeleted = await decisions(all, "ELBv2", "DeleteLoadBalancer", { LoadBalancerArn: stranger });
    const othersDeleted = await decisions(all, "ELBv2", "DeleteLoadBalancer", { LoadBalancerArn: others });
    const backendDeleted = await decisions(all, "EC2", "DeleteSecurityGroup", { GroupId: BACKEND_SG });

    expect(strangerDeleted).toEqual([expect.stringMatching(/ImplicitlyDenied$/)]);
    expect(othersDeleted).toEqual([expect.stringMatching(/ImplicitlyDenied$/)]);
    expect(backendDeleted).toEqual([expect.stringMatching(/ImplicitlyDenied$/)]);
  });

  it("denies changing records in a hosted zone other than the stack's, and names other than the stack's in its own", async () => {
    const zone = fake.current.route53.addZone("startupwebapp.com").replace("/hostedzone/", "");
    const other = fake.current.route53.addZone("example.org").replace("/hostedzone/", "");
    const all = await policyOf(fake.current, tempEnvFile(`${INPUTS}HOSTED_ZONE_ID="${zone}"\n`), "all");
    const change = (HostedZoneId: string, Name: string) => ({
      HostedZoneId,
      ChangeBatch: { Changes: [{ Action: "UPSERT", ResourceRecordSet: { Name, Type: "A" } }] },
    });

    const api = await decisions(all, "Route53", "ChangeResourceRecordSets", change(zone, "api.startupwebapp.com."));
    const www = await decisions(all, "Route53", "ChangeResourceRecordSets", change(zone, "www.startupwebapp.com."));
    const elsewhere = await decisions(all, "Route53", "ChangeResourceRecordSets", change(other, "api.example.org."));
    const zoneDeleted = await decisions(all, "Route53", "DeleteHostedZone", { Id: other });

    expect(api).toEqual([expect.stringMatching(/: Allowed$/)]);
    expect(www).toEqual([expect.stringMatching(/ImplicitlyDenied$/)]);
    expect(elsewhere).toEqual([expect.stringMatching(/ImplicitlyDenied$/)]);
    expect(zoneDeleted).toEqual([expect.stringMatching(/ImplicitlyDenied$/)]);
  });
});
