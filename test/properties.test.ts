// One desired state behind plan, verify and create, checked for every input key each resource reads: on a finished
// stack, the key changed to another valid value shows in plan as a change of the field it sets, fails verify on
// it, and create changes it (at least one mutating call), after which plan shows nothing, verify passes and a second
// create makes no mutating call. The same for drift made behind infra's back. Keys this cannot apply to are listed
// in one place below, each with why.

import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EnvDocument } from "../src/core/env-document.js";
import type { AwsFake } from "../src/sandbox/aws/aws-fake.js";
import { INPUTS, readText, runCli, tempEnvFile, useFake } from "./helpers.js";

/** Another valid value for each input key a resource reads, and the field of the plan it must change. */
const CHANGES: Record<string, Record<string, { value: string; field: string }>> = {
  alb: {
    HEALTH_CHECK_PATH: { value: "/health", field: "health check" },
    TARGET_DEREGISTRATION_DELAY: { value: "60", field: "deregistration delay" },
    ALB_DELETION_PROTECTION: { value: "true", field: "deletion protection" },
    ALB_ACCESS_LOGS_BUCKET: { value: "startupwebapp-logs", field: "access logs" },
    ALB_NAME: { value: "startupwebapp-alb2", field: "name" },
  },
  "route53-records": {
    // The record is named by it: the new one made, the old one deleted.
    API_DOMAIN_NAME: { value: "www.startupwebapp.com", field: "(made)" },
  },
  "ecs-service-task-definition": {
    TASK_CPU: { value: "256", field: "cpu" },
    TASK_MEMORY: { value: "2048", field: "memory" },
    ECS_TASK_EXECUTION_ROLE_ARN: { value: "arn:aws:iam::123456789012:role/other-execution", field: "execution role" },
    ECS_TASK_ROLE_ARN: { value: "arn:aws:iam::123456789012:role/other-task", field: "task role" },
    DB_SECRET_ARN: {
      value: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds/other-XyZ123",
      field: "secrets",
    },
    DB_SECRET_NAME: { value: "rds/other", field: "environment" },
    DATABASE_NAME: { value: "other_db", field: "environment" },
    ENVIRONMENT_DOMAIN: { value: "https://app.example.com", field: "environment" },
    FRONTEND_CUSTOM_DOMAIN: { value: "app.startupwebapp.com", field: "environment" },
    HEALTH_CHECK_PATH: { value: "/health", field: "health check" },
    DJANGO_SETTINGS_MODULE: { value: "StartupWebApp.settings_staging", field: "environment" },
    GUNICORN_WORKERS: { value: "5", field: "command" },
    LOG_RETENTION_DAYS: { value: "14", field: "retention" },
  },
  "ecs-service": {
    HEALTH_CHECK_GRACE_PERIOD: { value: "300", field: "health check grace period" },
    ECS_ENABLE_EXECUTE_COMMAND: { value: "false", field: "ECS Exec" },
  },
  "ecs-autoscaling": {
    AUTOSCALING_MIN_CAPACITY: { value: "2", field: "min capacity" },
    AUTOSCALING_MAX_CAPACITY: { value: "6", field: "max capacity" },
    AUTOSCALING_CPU_TARGET: { value: "60", field: "target value" },
    AUTOSCALING_MEMORY_TARGET: { value: "70", field: "target value" },
    AUTOSCALING_SCALE_OUT_COOLDOWN: { value: "120", field: "scale-out cooldown" },
    AUTOSCALING_SCALE_IN_COOLDOWN: { value: "600", field: "scale-in cooldown" },
  },
  monitoring: {
    ALARM_EMAIL: { value: "oncall@startupwebapp.com", field: "email subscription" },
    ALARM_LATENCY_P95_SECONDS: { value: "2", field: "threshold" },
    ALARM_5XX_COUNT: { value: "20", field: "threshold" },
    ALARM_CPU_PERCENT: { value: "90", field: "threshold" },
    ALARM_MEMORY_PERCENT: { value: "90", field: "threshold" },
    RDS_INSTANCE_ID: { value: "startupwebapp-replica", field: "dimensions" },
    CLOUDWATCH_DASHBOARD_NAME: { value: "StartupWebApp-Service", field: "name" },
  },
  waf: {
    WAF_RATE_LIMIT: { value: "1000", field: "rules" },
    WAF_BLOCKED_COUNTRIES: { value: "KP", field: "rules" },
  },
};

/**
 * Keys a resource reads that this test does not change, and why. Each reaches AWS (or decides what does) in a way
 * a one-key change on a finished stack cannot show on its own; where another test covers it, it says which.
 */
const NOT_CHANGED_HERE: Record<string, string> = {
  PROJECT_NAME: "the prefix of every name: a new stack beside the old one; each name has its own key, changed here",
  ENVIRONMENT: "only the Environment tag, written when infra makes or adopts an object (tags are not desired fields)",
  AWS_REGION: "another region is another stack: there is nothing there to compare with",
  VPC_ID: "the fake's account has one VPC; the security group and target group replace on it (vpc field)",
  PUBLIC_SUBNET_1_ID: "the fake's VPC has two public subnets, both in use; SetSubnets is covered in alb.test.ts",
  PUBLIC_SUBNET_2_ID: "as PUBLIC_SUBNET_1_ID",
  PRIVATE_SUBNET_1_ID: "the fake's VPC has two private subnets, both in use",
  PRIVATE_SUBNET_2_ID: "as PRIVATE_SUBNET_1_ID",
  BACKEND_SECURITY_GROUP_ID: "the fake's account has one backend group (a prerequisite)",
  ECS_CLUSTER_NAME: "the fake's account has one cluster (a prerequisite); the service replaces on it (cluster field)",
  CONTAINER_PORT: "a replace AWS refuses while the listener uses the target group: refused up front (below)",
  TARGET_GROUP_NAME: "as CONTAINER_PORT: refused up front (below)",
  ALB_SECURITY_GROUP_NAME: "a replace AWS refuses while the load balancer uses the group: refused up front (below)",
  DOMAIN_NAME:
    "a new certificate beside the old one, deleted once alb has moved the listener (a second create): dns-stack.test.ts",
  DNS_PROVIDER: "hands the records to another DNS provider: external DNS is covered in acm-certificate.test.ts",
  ECR_REPOSITORY_URI:
    "the image belongs to deploy once the service runs: create never undoes a deploy (ecs-owners.test.ts)",
  IMAGE_TAG: "as ECR_REPOSITORY_URI",
  CONTAINER_DEFINITION_FILE: "a whole container definition from a file: covered in ecs.test.ts",
  DESIRED_COUNT: "used when the service is created; then the count belongs to auto scaling (ecs-owners.test.ts)",
};

/** A finished stack: every resource made, the WAF, the database's alarms and the email too. */
async function finishedStack(fake: AwsFake): Promise<string> {
  fake.route53.addZone("startupwebapp.com");
  // The other secret DB_SECRET_ARN is changed to exists too: create checks it before registering a revision.
  const other = CHANGES["ecs-service-task-definition"]?.DB_SECRET_ARN?.value as string;
  const name = other.replace(/^.*:secret:(.*)-\w{6}$/, "$1");
  fake.secrets.secrets.set(other, { arn: other, name, value: "{}", tags: [], createdAt: 0 });
  const path = tempEnvFile(
    `${INPUTS}WAF_ENABLED="true"\nRDS_INSTANCE_ID="startupwebapp-multi-tenant-prod"\nALARM_EMAIL="ops@startupwebapp.com"\n`,
  );
  const created = await runCli(["create", "all", "--file", path], fake);
  if (created.code !== 0) throw new Error(`create all failed: ${created.stderr}`);
  return path;
}

function setKey(path: string, key: string, value: string) {
  const doc = EnvDocument.parse(readText(path), path);
  doc.set(key, value);
  writeFileSync(path, doc.toString());
}

interface PlannedChange {
  action: string;
  kind: string;
  name: string;
  fields?: { field: string; from: string; to: string }[];
}

async function plannedChanges(fake: AwsFake, path: string, resource: string): Promise<PlannedChange[]> {
  const plan = await runCli(["plan", resource, "--json", "--file", path], fake);
  const [r] = JSON.parse(plan.stdout).resources as { changes: PlannedChange[] }[];
  return (r?.changes ?? []).filter((c) => c.action !== "keep" && c.action !== "use");
}

/** After the change is applied: plan shows nothing, verify passes, a second create makes no mutating call. */
async function expectConverged(fake: AwsFake, path: string, resource: string) {
  expect(await plannedChanges(fake, path, resource)).toEqual([]);
  const verified = await runCli(["verify", resource, "--file", path], fake);
  expect(verified.code, verified.stdout).toBe(0);
  const before = fake.calls.length;
  expect((await runCli(["create", resource, "--yes", "--file", path], fake)).code).toBe(0);
  expect(fake.mutatingCalls(before)).toEqual([]);
}

describe("an input changed on a finished stack", () => {
  const fake = useFake();
  const cases = Object.entries(CHANGES).flatMap(([resource, keys]) =>
    Object.entries(keys).map(([key, change]) => ({ resource, key, ...change })),
  );

  it.each(cases)("$resource: $key shows in plan as $field, fails verify, and create changes it", async (c) => {
    const path = await finishedStack(fake.current);
    setKey(path, c.key, c.value);

    const planned = await plannedChanges(fake.current, path, c.resource);
    const verified = await runCli(["verify", c.resource, "--file", path], fake.current);
    const before = fake.current.calls.length;
    const created = await runCli(["create", c.resource, "--yes", "--file", path], fake.current);

    const fields = planned.flatMap((p) => (p.action === "create" ? ["(made)"] : (p.fields ?? []).map((f) => f.field)));
    expect(fields, JSON.stringify(planned)).toContain(c.field);
    expect(verified.code).toBe(1);
    expect(created.code, created.stderr).toBe(0);
    expect(fake.current.mutatingCalls(before).length).toBeGreaterThan(0);
    await expectConverged(fake.current, path, c.resource);
  });

  it("leaves out only the keys listed, with why: every key a resource reads is changed above or listed", async () => {
    const { RESOURCES } = await import("../src/resources/registry.js");
    const example = EnvDocument.parse(INPUTS, "inputs");
    const unaccounted = RESOURCES.flatMap((r) => {
      const read = new Set<string>();
      try {
        const recording = (k: string) => {
          read.add(k);
          return example.get(k) || undefined;
        };
        r.config({ get: recording }, "create");
      } catch {
        // keys recorded by other resources are not set here: still read
      }
      const recordedByOthers = RESOURCES.filter((o) => o !== r).flatMap((o) => o.records);
      return [...read]
        .filter((k) => !r.records.includes(k) && !recordedByOthers.includes(k))
        .filter(
          (k) =>
            !(CHANGES[r.name]?.[k] || NOT_CHANGED_HERE[k] || (r.name !== "route53-records" && k === "API_DOMAIN_NAME")),
        )
        .map((k) => `${r.name}: ${k}`);
    });
    expect(unaccounted).toEqual([]);
  });
});

/** Drift: AWS changed behind infra's back, as a console click or another tool would. */
const DRIFTS: { name: string; resource: string; field: string; drift: (fake: AwsFake) => void }[] = [
  {
    name: "the HTTPS listener's TLS policy",
    resource: "alb",
    field: "TLS policy",
    drift: (fake) => {
      const https = [...fake.elbv2.listeners.values()].find((l) => l.Port === 443);
      if (https) https.SslPolicy = "ELBSecurityPolicy-2016-08";
    },
  },
  {
    name: "an alarm's threshold",
    resource: "monitoring",
    field: "threshold",
    drift: (fake) => {
      const alarm = fake.cloudwatch.alarms.get("startupwebapp-ecs-cpu-high");
      if (alarm) alarm.Threshold = 99;
    },
  },
  {
    name: "the scalable target's maximum",
    resource: "ecs-autoscaling",
    field: "max capacity",
    drift: (fake) => {
      const target = [...fake.autoscaling.targets.values()][0];
      if (target) target.MaxCapacity = 10;
    },
  },
];

describe("drift made behind infra's back", () => {
  const fake = useFake();

  it.each(DRIFTS)("$name: plan, verify, status and create agree on it", async (d) => {
    const path = await finishedStack(fake.current);
    d.drift(fake.current);
    const status = async () =>
      (
        JSON.parse((await runCli(["status", "--json", "--file", path], fake.current)).stdout).resources as {
          resource: string;
          changes: number;
        }[]
      ).find((r) => r.resource === d.resource)?.changes;

    const planned = await plannedChanges(fake.current, path, d.resource);
    const verified = await runCli(["verify", d.resource, "--file", path], fake.current);
    const changes = await status();
    const before = fake.current.calls.length;
    const created = await runCli(["create", d.resource, "--yes", "--file", path], fake.current);

    expect(planned.flatMap((p) => (p.fields ?? []).map((f) => f.field))).toEqual([d.field]);
    expect(verified.stdout).toMatch(new RegExp(`^\\[FAIL\\] ${d.resource}: .*: ${d.field} `, "m"));
    expect(changes).toBe(1);
    expect(created.code, created.stderr).toBe(0);
    expect(fake.current.mutatingCalls(before)).toHaveLength(1);
    await expectConverged(fake.current, path, d.resource);
    expect(await status()).toBe(0);
  });
});

describe("a change that reaches another step", () => {
  const fake = useFake();

  it("shows in plan and in create's question the service's move to the revision the task definition step makes", async () => {
    const path = await finishedStack(fake.current);
    setKey(path, "TASK_CPU", "256");

    const plan = await runCli(["plan", "all", "--file", path], fake.current);
    const asked = await runCli(["create", "all", "--file", path], fake.current);
    const before = fake.current.calls.length;
    const created = await runCli(["create", "all", "--yes", "--file", path], fake.current);

    expect(plan.stdout).toMatch(
      /^ecs-service-task-definition\n {2}~ task definition startupwebapp-service-task\n {6}cpu: 512 -> 256$/m,
    );
    expect(plan.stdout).toMatch(
      /^ecs-service\n {2}~ service startupwebapp-service\n {6}task definition: task-definition\/startupwebapp-service-task:1 -> \(known after ecs-service-task-definition\)$/m,
    );
    expect(plan.stdout).toMatch(/^Plan: 0 to create, 2 to update, 0 to replace, 0 to adopt, 0 to delete\.$/m);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toMatch(/create would change what exists: ecs-service-task-definition, ecs-service/);
    expect(created.code, created.stderr).toBe(0);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual([
      "RegisterTaskDefinition",
      "UpdateService",
      "TagResource", // known good once its deployment completed with every target healthy
    ]);
    expect((await runCli(["plan", "all", "--exit-code", "--file", path], fake.current)).code).toBe(0);
  });
});

describe("a change AWS would refuse whatever the wait", () => {
  const fake = useFake();

  it.each([
    [
      "CONTAINER_PORT",
      "9000",
      /target group startupwebapp-tg would have to be replaced \(a target group's port is fixed\), but a listener forwards to it/,
    ],
    [
      "TARGET_GROUP_NAME",
      "startupwebapp-tg2",
      /target group startupwebapp-tg would have to be replaced .*a listener forwards to it/,
    ],
    [
      "ALB_SECURITY_GROUP_NAME",
      "startupwebapp-alb-sg2",
      /security group startupwebapp-alb-sg would have to be replaced .*the load balancer uses it/,
    ],
  ])(
    "%s: refused with exit 2 before any change, instead of waiting on a delete AWS refuses",
    async (key, value, message) => {
      const path = await finishedStack(fake.current);
      setKey(path, key, value);
      const before = fake.current.calls.length;

      const result = await runCli(["create", "all", "--yes", "--file", path], fake.current);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(fake.current.mutatingCalls(before)).toEqual([]);
    },
  );

  it("checks every resource a destroy names before deleting anything", async () => {
    const path = await finishedStack(fake.current);
    const before = fake.current.calls.length;

    const result = await runCli(
      ["destroy", "route53-records", "acm-certificate", "--yes", "--file", path],
      fake.current,
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/certificate \*\.startupwebapp\.com is in use by a listener/);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });
});
