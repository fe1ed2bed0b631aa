// Taking over the running stack the user's scripts built: their calls, their values, their tags (never ours), and
// their env file. plan shows adoptions (and what the scripts never made), create makes only tagging calls beside
// those, verify passes, and destroy removes everything, the scripts' certificate and alarms included.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EnvDocument } from "../src/core/env-document.js";
import { withPendingRecords } from "../src/core/inputs.js";
import { RESOURCES } from "../src/resources/registry.js";
import { BACKEND_SG, SUBNETS, VPC_ID } from "../src/sandbox/aws/ec2.js";
import { readText, runCli, tempEnvFile, useFake } from "./helpers.js";
import { scriptsStack } from "./support/scripts-stack.js";

const TEMPLATE = readFileSync(new URL("./fixtures/aws-resources.env.template", import.meta.url), "utf8");

/** The user's env file: the template, filled with `sed` with the prerequisites' ids and what the scripts made. */
function usersEnvFile(scriptsRecords: string, extra: Record<string, string>): string {
  const doc = EnvDocument.parse(TEMPLATE, "template");
  const earlier = {
    VPC_ID,
    PUBLIC_SUBNET_1_ID: SUBNETS[0] as string,
    PUBLIC_SUBNET_2_ID: SUBNETS[1] as string,
    PRIVATE_SUBNET_1_ID: "subnet-0c1c2c3c4c5c60001",
    PRIVATE_SUBNET_2_ID: "subnet-0c1c2c3c4c5c60002",
    BACKEND_SECURITY_GROUP_ID: BACKEND_SG,
    DB_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds/startupwebapp/multi-tenant/master-AbCdEf",
    ECR_REPOSITORY_URI: "123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp",
    ECR_REPOSITORY_NAME: "startupwebapp",
    ECS_CLUSTER_NAME: "startupwebapp-cluster",
    ECS_TASK_EXECUTION_ROLE_ARN: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    ECS_TASK_ROLE_ARN: "arn:aws:iam::123456789012:role/startupwebapp-task-role",
    AWS_ACCOUNT_ID: "123456789012",
  };
  const records = Object.fromEntries(
    scriptsRecords
      .trim()
      .split("\n")
      .map((line) => {
        const [key, ...rest] = line.split("=");
        return [key as string, rest.join("=").replace(/^"|"$/g, "")];
      }),
  );
  for (const [key, value] of Object.entries({ ...earlier, ...records, ...extra })) doc.set(key, value);
  return doc.toString();
}

describe("taking over the stack the user's scripts built", () => {
  const fake = useFake();

  it("plans adoptions, makes only tagging calls beside what the scripts never made, verifies, and destroys it all", async () => {
    const records = await scriptsStack(fake.current);
    // The domain keys the template lacks; the domain's DNS is at the registrar, as the scripts left it.
    const path = tempEnvFile(
      usersEnvFile(records, {
        DOMAIN_NAME: "startupwebapp.com",
        API_DOMAIN_NAME: "api.startupwebapp.com",
        DNS_PROVIDER: "external",
      }),
    );

    const plan = await runCli(["plan", "all", "--json", "--file", path], fake.current);
    expect(plan.code, plan.stderr).toBe(0);
    const changes = JSON.parse(plan.stdout).resources.flatMap(
      (r: {
        resource: string;
        changes: { action: string; kind: string; name: string; fields?: { field: string }[] }[];
      }) =>
        r.changes.map(
          (c) =>
            `${r.resource}: ${c.action} ${c.kind} ${c.name}${c.action !== "create" && c.fields?.length ? ` (${c.fields.map((f) => f.field).join(", ")})` : ""}`,
        ),
    );
    const SERVICE_ALARMS = [
      "alb-5xx",
      "target-5xx",
      "latency-p95",
      "unhealthy-hosts",
      "no-healthy-hosts",
      "ecs-cpu-high",
      "ecs-memory-high",
    ];
    expect(changes).toEqual([
      "alb: adopt security group startupwebapp-alb-sg",
      "alb: adopt target group startupwebapp-tg",
      // The scripts left AWS's default: invalid header fields passed to the app. infra drops them.
      "alb: adopt load balancer startupwebapp-alb (drop invalid header fields)",
      `alb: adopt security group rule tcp 8000 from startupwebapp-alb-sg on ${BACKEND_SG}`,
      "alb: adopt listener HTTP:80",
      "alb: adopt listener HTTPS:443",
      "acm-certificate: adopt certificate *.startupwebapp.com",
      "ecs-service-task-definition: adopt log group /ecs/startupwebapp-service",
      // Their revision, image :<sha> and all: no new revision, no deploy undone.
      "ecs-service-task-definition: adopt task definition startupwebapp-service-task",
      "ecs-service: adopt service startupwebapp-service",
      "ecs-autoscaling: adopt scalable target service/startupwebapp-cluster/startupwebapp-service",
      "ecs-autoscaling: adopt scaling policy startupwebapp-cpu-scaling",
      "ecs-autoscaling: adopt scaling policy startupwebapp-memory-scaling",
      "monitoring: adopt topic startupwebapp-rds-alerts",
      // The scripts made RDS alarms only: the service's are added beside them.
      ...SERVICE_ALARMS.map((a) => `monitoring: create alarm startupwebapp-${a}`),
      "monitoring: adopt alarm startupwebapp-rds-cpu-high",
      "monitoring: adopt alarm startupwebapp-rds-connections-high",
      "monitoring: adopt alarm startupwebapp-rds-storage-low",
      "monitoring: adopt alarm startupwebapp-rds-memory-low",
      // One dashboard: theirs, with the service's rows added to their six RDS widgets.
      "monitoring: adopt dashboard StartupWebApp-RDS-MultiTenant (widgets, body)",
    ]);

    const before = fake.current.calls.length;
    const created = await runCli(["create", "all", "--yes", "--file", path], fake.current);
    expect(created.code, created.stderr).toBe(0);
    const TAGGING = ["CreateTags", "AddTags", "AddTagsToCertificate", "TagResource"];
    const calls = fake.current.mutatingCalls(before).map((c) => c.op);
    expect(calls.filter((op) => !TAGGING.includes(op)).sort()).toEqual([
      "ModifyLoadBalancerAttributes",
      "PutDashboard",
      ...SERVICE_ALARMS.map(() => "PutMetricAlarm"),
    ]);
    // One tagging call per adopted object that carries tags (a rule and the policies are held by their group and target).
    expect(calls.filter((op) => TAGGING.includes(op))).toHaveLength(16);

    const verified = await runCli(["verify", "all", "--file", path], fake.current);
    expect(verified.code, verified.stdout).toBe(0);
    const again = fake.current.calls.length;
    expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);
    expect(fake.current.mutatingCalls(again)).toEqual([]);

    const destroyed = await runCli(["destroy", "all", "--yes", "--file", path], fake.current);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    const f = fake.current;
    expect({
      securityGroups: f.ec2.visibleGroups().map((g) => g.GroupId),
      backendRules: f.ec2.ingressOf(BACKEND_SG),
      loadBalancers: f.elbv2.liveLoadBalancers(),
      targetGroups: [...f.elbv2.targetGroups.keys()],
      certificates: [...f.acm.certificates.keys()],
      services: [...f.ecs.services.values()].filter((s) => f.ecs.statusOf(s) === "ACTIVE"),
      activeRevisions: f.ecs.taskDefinitions.filter((t) => t.status === "ACTIVE"),
      logGroups: [...f.logs.groups.keys()],
      scalableTargets: [...f.autoscaling.targets.keys()],
      alarms: [...f.cloudwatch.alarms.keys()],
      dashboards: [...f.cloudwatch.dashboardStore.all.keys()],
      topics: [...f.sns.topics.keys()],
    }).toEqual({
      securityGroups: [BACKEND_SG],
      backendRules: [],
      loadBalancers: [],
      targetGroups: [],
      certificates: [],
      services: [],
      activeRevisions: [],
      logGroups: [],
      scalableTargets: [],
      alarms: [],
      dashboards: [],
      topics: [],
    });
    // The user's own lines stay as they were: only the keys infra records changed.
    expect(readText(path)).toContain("# AWS Resource IDs for StartupWebApp Infrastructure");
  });
});

describe("the user's env file as it is", () => {
  const fake = useFake();
  const DOMAIN_KEYS = { DOMAIN_NAME: "startupwebapp.com", API_DOMAIN_NAME: "api.startupwebapp.com" };

  it("creates the whole stack from the template plus the ids and the domain keys it lacks alone", async () => {
    const zone = fake.current.route53.addZone("startupwebapp.com").replace("/hostedzone/", "");
    const path = tempEnvFile(usersEnvFile("", { ...DOMAIN_KEYS, HOSTED_ZONE_ID: zone }));

    const created = await runCli(["create", "all", "--file", path], fake.current);
    const verified = await runCli(["verify", "all", "--file", path], fake.current);

    expect(created.code, created.stderr).toBe(0);
    expect(verified.code, verified.stdout).toBe(0);
    // No DATABASE_NAME line: the scripts' database, startupwebapp_prod.
    const container = fake.current.ecs.taskDefinitions[0]?.containerDefinitions?.[0];
    expect(container?.environment).toContainEqual({ name: "DATABASE_NAME", value: "startupwebapp_prod" });
  });

  it("wants, field by field, what the user's scripts built", async () => {
    const env = EnvDocument.parse(usersEnvFile("", { ...DOMAIN_KEYS, DNS_PROVIDER: "external" }), "template");
    const reader = { get: (k: string) => env.get(k) || undefined };
    const wanted = Object.fromEntries(
      RESOURCES.filter((r) => r.inAll?.(reader) ?? true).flatMap((r) =>
        r
          .desired(
            r.config(
              withPendingRecords(
                reader,
                RESOURCES.filter((o) => o !== r),
              ),
              "plan",
            ),
          )
          .map((d) => [`${r.name} ${d.kind} ${d.name}`, d.fields]),
      ),
    );

    // The load balancer (docs/earlier-scripts.md lists what each script made)
    expect(wanted["alb security group startupwebapp-alb-sg"]).toMatchObject({
      ingress: ["tcp 443 from 0.0.0.0/0", "tcp 80 from 0.0.0.0/0"],
    });
    expect(wanted["alb target group startupwebapp-tg"]).toEqual({
      name: "startupwebapp-tg",
      protocol: "HTTP",
      port: 8000,
      vpc: VPC_ID,
      "target type": "ip",
      "health check": "HTTP /order/products on the traffic port",
      "health check interval": 30,
      "health check timeout": 5,
      "healthy threshold": 2,
      "unhealthy threshold": 3,
      "success codes": "200",
      "deregistration delay": 300,
    });
    expect(wanted["alb load balancer startupwebapp-alb"]).toMatchObject({
      scheme: "internet-facing",
      type: "application",
      subnets: [...SUBNETS].sort(),
      "deletion protection": false,
      "access logs": "off",
    });
    expect(wanted["alb listener HTTP:80"]).toMatchObject({ port: 80, action: "redirect to HTTPS:443 (301)" });
    expect(wanted["alb listener HTTPS:443"]).toMatchObject({ "TLS policy": "ELBSecurityPolicy-TLS13-1-2-2021-06" });
    // The certificate
    expect(wanted["acm-certificate certificate *.startupwebapp.com"]).toMatchObject({
      names: ["*.startupwebapp.com", "startupwebapp.com"],
      validation: "DNS",
    });
    // Auto scaling
    const scaling = Object.entries(wanted).filter(([k]) => k.startsWith("ecs-autoscaling"));
    const policy = (metric: string, target: number) => ({
      type: "target tracking",
      metric,
      "target value": target,
      "scale-out cooldown": 60,
      "scale-in cooldown": 300,
      "scale-in": "enabled",
    });
    expect(scaling.map(([, fields]) => fields)).toEqual([
      { "min capacity": 1, "max capacity": 4, "scaling suspended": "none" },
      policy("ECSServiceAverageCPUUtilization", 70),
      policy("ECSServiceAverageMemoryUtilization", 80),
    ]);
    // Monitoring: the scripts' topic, four RDS alarms and dashboard (the service's rows added to it)
    expect(Object.keys(wanted).filter((k) => k.startsWith("monitoring"))).toEqual(
      expect.arrayContaining([
        "monitoring topic startupwebapp-rds-alerts",
        "monitoring alarm startupwebapp-rds-cpu-high",
        "monitoring alarm startupwebapp-rds-connections-high",
        "monitoring alarm startupwebapp-rds-storage-low",
        "monitoring alarm startupwebapp-rds-memory-low",
        "monitoring dashboard StartupWebApp-RDS-MultiTenant",
      ]),
    );
    expect(wanted["monitoring alarm startupwebapp-rds-storage-low"]).toMatchObject({ threshold: 2147483648 });
  });
});
