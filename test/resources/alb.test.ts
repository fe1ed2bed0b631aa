import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Context } from "../../src/core/context.js";
import { albResource } from "../../src/resources/alb/config.js";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { BACKEND_SG } from "../../src/sandbox/aws/ec2.js";
import { INTERFACES_LINGER_MS } from "../../src/sandbox/aws/elbv2.js";
import { contextFor, INPUTS, lifecycleOf, readText, tempEnvFile, useFake } from "../helpers.js";
import { expectConvergesAfterAnyFault } from "../support/faults.js";

const RECORDED = ["ALB_ARN", "ALB_DNS_NAME", "ALB_SECURITY_GROUP_ID", "TARGET_GROUP_ARN", "HTTP_LISTENER_ARN"];

const { create, destroy, verify, plan } = lifecycleOf(albResource);

/** What AWS holds for the stack, without the ids that differ from run to run. */
function stackState(fake: AwsFake) {
  const albGroups = [...fake.ec2.groups.values()].filter((g) => g.GroupId !== BACKEND_SG);
  const nameOf = (id?: string) => (id ? (fake.ec2.groups.get(id)?.GroupName ?? id) : undefined);
  return {
    securityGroups: albGroups.map((g) => ({
      name: g.GroupName,
      tags: g.Tags.map((t) => `${t.Key}=${t.Value}`).sort(),
      ingress: g.rules.map((r) => `${r.protocol} ${r.from}-${r.to} from ${r.cidr ?? nameOf(r.groupId)}`).sort(),
    })),
    backendIngress: fake.ec2.ingressOf(BACKEND_SG).map((r) => `${r.protocol} ${r.from} from ${nameOf(r.groupId)}`),
    loadBalancers: fake.elbv2.liveLoadBalancers().map((lb) => ({
      name: lb.name,
      securityGroups: lb.securityGroups.map(nameOf),
      subnets: lb.subnets,
    })),
    targetGroups: [...fake.elbv2.targetGroups.values()].map((t) => ({
      name: t.TargetGroupName,
      port: t.Port,
      healthCheck: `${t.HealthCheckPath} ${t.HealthCheckIntervalSeconds}/${t.HealthCheckTimeoutSeconds} ${t.HealthyThresholdCount}/${t.UnhealthyThresholdCount} ${t.Matcher.HttpCode}`,
      delay: t.attributes["deregistration_delay.timeout_seconds"],
    })),
    listeners: [...fake.elbv2.listeners.values()]
      .map((l) => `${l.Protocol}:${l.Port} ${l.DefaultActions[0]?.Type} ${l.SslPolicy ?? ""}`.trim())
      .sort(),
  };
}

const EXPECTED_STACK = {
  securityGroups: [
    {
      name: "startupwebapp-alb-sg",
      tags: ["Environment=production", "ManagedBy=infra", "Name=startupwebapp-alb-sg", "Project=startupwebapp"],
      ingress: ["tcp 443-443 from 0.0.0.0/0", "tcp 80-80 from 0.0.0.0/0"],
    },
  ],
  backendIngress: ["tcp 8000 from startupwebapp-alb-sg"],
  loadBalancers: [
    {
      name: "startupwebapp-alb",
      securityGroups: ["startupwebapp-alb-sg"],
      subnets: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    },
  ],
  targetGroups: [{ name: "startupwebapp-tg", port: 8000, healthCheck: "/order/products 30/5 2/3 200", delay: "300" }],
  listeners: ["HTTP:80 redirect"],
};

const WITH_HTTPS = {
  ...EXPECTED_STACK,
  listeners: ["HTTP:80 redirect", "HTTPS:443 forward ELBSecurityPolicy-TLS13-1-2-2021-06"],
};

const EMPTY_STACK = { securityGroups: [], backendIngress: [], loadBalancers: [], targetGroups: [], listeners: [] };

/** The env file's records point at what exists: nothing recorded is missing, nothing existing is unrecorded. */
function expectRecordsMatch(fake: AwsFake, ctx: Context) {
  const lb = fake.elbv2.liveLoadBalancers()[0];
  const tg = [...fake.elbv2.targetGroups.values()][0];
  const sg = [...fake.ec2.groups.values()].find((g) => g.GroupId !== BACKEND_SG);
  const http = [...fake.elbv2.listeners.values()].find((l) => l.Port === 80);
  const https = [...fake.elbv2.listeners.values()].find((l) => l.Port === 443);
  expect({
    ALB_ARN: ctx.env.get("ALB_ARN"),
    ALB_SECURITY_GROUP_ID: ctx.env.get("ALB_SECURITY_GROUP_ID"),
    TARGET_GROUP_ARN: ctx.env.get("TARGET_GROUP_ARN"),
    HTTP_LISTENER_ARN: ctx.env.get("HTTP_LISTENER_ARN"),
    HTTPS_LISTENER_ARN: ctx.env.get("HTTPS_LISTENER_ARN"),
  }).toEqual({
    ALB_ARN: lb?.arn,
    ALB_SECURITY_GROUP_ID: sg?.GroupId,
    TARGET_GROUP_ARN: tg?.TargetGroupArn,
    HTTP_LISTENER_ARN: http?.ListenerArn,
    HTTPS_LISTENER_ARN: https?.ListenerArn,
  });
  expect(ctx.env.get("ALB_DNS_NAME")).toMatch(/^startupwebapp-alb-.*\.elb\.amazonaws\.com$/);
}

describe("alb against the AWS fake", () => {
  const fake = useFake();

  it("goes create -> verify -> destroy -> recreate -> destroy, leaving one of each and then nothing", async () => {
    const path = tempEnvFile();
    const ctx = await contextFor(fake.current, path);

    await create(ctx);
    expect(stackState(fake.current)).toEqual(EXPECTED_STACK);
    expectRecordsMatch(fake.current, ctx);
    const checks = await verify(ctx);
    expect(checks.filter((c) => c.status === "FAIL").map((c) => c.name)).toEqual(["listener HTTPS:443"]);
    expect(checks.filter((c) => c.status === "OK").length).toBeGreaterThanOrEqual(6);

    await destroy(ctx);
    expect(stackState(fake.current)).toEqual(EMPTY_STACK);
    expect(fake.current.ec2.liveInterfaces()).toEqual([]);
    for (const key of RECORDED) expect(ctx.env.get(key)).toBeUndefined();

    await create(ctx);
    expect(stackState(fake.current)).toEqual(EXPECTED_STACK);
    expectRecordsMatch(fake.current, ctx);
    await destroy(ctx);
    expect(stackState(fake.current)).toEqual(EMPTY_STACK);
    // The inputs are untouched; the records are emptied, not removed.
    expect(readText(path).startsWith(INPUTS)).toBe(true);
    expect(readText(path)).toContain('ALB_ARN=""');
  });

  it("goes through the same loop when AWS spells its errors as wire codes", async () => {
    fake.current.spelling = "wire";
    const ctx = await contextFor(fake.current, tempEnvFile());
    for (let i = 0; i < 2; i++) {
      await create(ctx);
      expect(stackState(fake.current)).toEqual(EXPECTED_STACK);
      await destroy(ctx);
      expect(stackState(fake.current)).toEqual(EMPTY_STACK);
    }
    expect(fake.current.calls.some((c) => c.op === "DeleteTargetGroup")).toBe(true);
  });

  it("makes no mutating call when run again on a finished stack", async () => {
    const ctx = await contextFor(fake.current, tempEnvFile());
    await create(ctx);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(ctx.events.log.slice(-6).map((e) => e.kind)).not.toContain("created");
    expect((await plan(ctx)).changes.filter((c) => c.action !== "keep").map((c) => c.action)).toEqual(["create"]);
  });

  it("finds nothing and succeeds when destroy runs twice", async () => {
    const ctx = await contextFor(fake.current, tempEnvFile());
    await create(ctx);
    await destroy(ctx);
    const before = fake.current.calls.length;
    await destroy(ctx);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(stackState(fake.current)).toEqual(EMPTY_STACK);
  });

  it("waits for the load balancer to become active, and for its network interfaces to let the group go", async () => {
    const ctx = await contextFor(fake.current, tempEnvFile());
    await create(ctx);
    const lb = fake.current.elbv2.liveLoadBalancers()[0];
    expect(fake.current.clock.now()).toBeGreaterThanOrEqual((lb?.createdAt ?? 0) + 90_000);
    const waitedFor = ctx.events.log.filter((e) => e.kind === "waiting").map((e) => e.state);
    expect(waitedFor).toContain("provisioning");

    const deleteStarted = fake.current.clock.now();
    await destroy(ctx);
    // The group could only go once the interfaces were released, INTERFACES_LINGER_MS after the ALB.
    const deleted = fake.current.calls.filter((c) => c.op === "DeleteSecurityGroup");
    expect(deleted.at(-1)?.at).toBeGreaterThanOrEqual(deleteStarted + INTERFACES_LINGER_MS);
  });

  it("retries a target group still in use and a security group still held, when it does not wait for the ALB", async () => {
    const arn = fake.current.acm.add("startupwebapp.com", "ISSUED"); // so HTTPS:443 forwards to the target group
    const path = tempEnvFile(`${INPUTS}ACM_CERTIFICATE_ARN="${arn}"\n`);
    await create(await contextFor(fake.current, path));
    const ctx = await contextFor(fake.current, path, { wait: false });
    await destroy(ctx);
    expect(stackState(fake.current)).toEqual(EMPTY_STACK);
    const states = ctx.events.log.filter((e) => e.kind === "waiting").map((e) => e.state);
    expect(states).toContain("ResourceInUseException");
    expect(states).toContain("DependencyViolation");
  });

  it("attaches the HTTPS listener when ACM_CERTIFICATE_ARN names an issued certificate, and not before", async () => {
    const arn = fake.current.acm.add("startupwebapp.com", "PENDING_VALIDATION");
    const path = tempEnvFile(`${INPUTS}ACM_CERTIFICATE_ARN="${arn}"\n`);
    let ctx = await contextFor(fake.current, path);
    await create(ctx);
    expect(stackState(fake.current).listeners).toEqual(["HTTP:80 redirect"]);
    expect(ctx.events.log.some((e) => e.kind === "skipped" && e.message.includes("PENDING_VALIDATION"))).toBe(true);
    expect(fake.current.calls.filter((c) => c.op === "CreateListener")).toHaveLength(1);

    (fake.current.acm.certificates.get(arn) as { Status: string }).Status = "ISSUED";
    ctx = await contextFor(fake.current, path);
    await create(ctx);
    expect(stackState(fake.current).listeners).toEqual([
      "HTTP:80 redirect",
      "HTTPS:443 forward ELBSecurityPolicy-TLS13-1-2-2021-06",
    ]);
    const https = [...fake.current.elbv2.listeners.values()].find((l) => l.Port === 443);
    expect(https?.Certificates).toEqual([{ CertificateArn: arn }]);
    expect(ctx.env.get("HTTPS_LISTENER_ARN")).toBe(https?.ListenerArn);
    expect((await verify(ctx)).filter((c) => c.status !== "OK")).toEqual([]);
  });

  it("gives the same end state whether the certificate was issued before or after the ALB", async () => {
    const arn = fake.current.acm.add("startupwebapp.com", "ISSUED");
    const ctx = await contextFor(fake.current, tempEnvFile(`${INPUTS}ACM_CERTIFICATE_ARN="${arn}"\n`));
    await create(ctx);
    expect(stackState(fake.current)).toEqual(WITH_HTTPS);
  });

  it("puts back what drifted: a lost ingress rule, a changed health check, the default deregistration delay", async () => {
    const ctx = await contextFor(fake.current, tempEnvFile());
    await create(ctx);
    const sg = [...fake.current.ec2.groups.values()].find((g) => g.GroupName === "startupwebapp-alb-sg");
    if (sg) sg.rules = sg.rules.filter((r) => r.from !== 443);
    const tg = [...fake.current.elbv2.targetGroups.values()][0];
    if (tg) {
      tg.HealthCheckPath = "/";
      tg.attributes["deregistration_delay.timeout_seconds"] = "60";
    }
    const failing = (await verify(ctx)).filter((c) => c.status === "FAIL");
    expect(failing.map((c) => [c.name, c.detail])).toEqual([
      [
        "security group startupwebapp-alb-sg: ingress",
        "[tcp 80 from 0.0.0.0/0], want [tcp 443 from 0.0.0.0/0, tcp 80 from 0.0.0.0/0]",
      ],
      [
        "target group startupwebapp-tg: health check",
        "HTTP / on the traffic port, want HTTP /order/products on the traffic port",
      ],
      ["target group startupwebapp-tg: deregistration delay", "60, want 300"],
      ["listener HTTPS:443", "missing: made once acm-certificate has run"],
    ]);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual([
      "AuthorizeSecurityGroupIngress",
      "ModifyTargetGroup",
      "ModifyTargetGroupAttributes",
    ]);
    expect(stackState(fake.current)).toEqual(EXPECTED_STACK);
  });

  it("leaves a same-named target group that infra did not make", async () => {
    const path = tempEnvFile();
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    const tg = [...fake.current.elbv2.targetGroups.values()][0];
    fake.current.elbv2.tags.set(tg?.TargetGroupArn as string, []); // as if the user's own scripts had made it
    await destroy(ctx);
    expect(stackState(fake.current).targetGroups.map((t) => t.name)).toEqual(["startupwebapp-tg"]);
    expect(ctx.events.log.some((e) => e.kind === "skipped" && e.message.includes("not made by infra"))).toBe(true);
    expect(stackState(fake.current).loadBalancers).toEqual([]);
  });

  it("keeps polling through throttling while it waits", async () => {
    const ctx = await contextFor(fake.current, tempEnvFile());
    // The 3rd and 4th DescribeLoadBalancers are polls of the wait for `active`.
    fake.current.inject({ op: "DescribeLoadBalancers", nth: 3, error: throttlingError });
    fake.current.inject({ op: "DescribeLoadBalancers", nth: 4, error: throttlingError });
    await create(ctx);
    expect(stackState(fake.current)).toEqual(EXPECTED_STACK);
    expect(ctx.events.log.some((e) => e.state === "throttled")).toBe(true);
  });

  it("ends a wait at --timeout with what to do next", async () => {
    const ctx = await contextFor(fake.current, tempEnvFile(), { timeoutMs: 30_000 });
    await expect(create(ctx)).rejects.toThrow(
      /timed out after 30 s waiting for load balancer startupwebapp-alb active/,
    );
    // The ARN is recorded, so the next run picks the same load balancer up.
    expect(ctx.env.get("ALB_ARN")).toBe(fake.current.elbv2.liveLoadBalancers()[0]?.arn);
  });

  it("returns without waiting under --no-wait, and a later run finishes the job", async () => {
    const path = tempEnvFile();
    await create(await contextFor(fake.current, path, { wait: false }));
    expect(fake.current.clock.slept).toBeLessThan(90_000);
    const ctx = await contextFor(fake.current, path);
    const waiting = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => [c.name, c.detail]);
    expect(waiting).toContainEqual(["load balancer startupwebapp-alb: state", "provisioning, want active"]);
    await create(ctx);
    expect(stackState(fake.current)).toEqual(EXPECTED_STACK);
    expect((await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => c.name)).toEqual(["listener HTTPS:443"]);
  });
});

function throttlingError() {
  return Object.assign(new Error("Rate exceeded"), { name: "Throttling", $retryable: { throttling: true } });
}

/** The two shapes of the stack: before the certificate (HTTP only), and with an issued one (HTTPS too). */
const SETUPS = [
  { name: "without a certificate", expected: EXPECTED_STACK, envFor: (_fake: AwsFake) => tempEnvFile() },
  {
    name: "with an issued certificate",
    expected: WITH_HTTPS,
    envFor: (fake: AwsFake) =>
      tempEnvFile(`${INPUTS}ACM_CERTIFICATE_ARN="${fake.acm.add("startupwebapp.com", "ISSUED")}"\n`),
  },
];

describe.each(SETUPS)("alb, $name, converges after a failure at any mutating call", ({ expected, envFor }) => {
  it("of create, whether the call failed or only its response was lost", () =>
    expectConvergesAfterAnyFault({
      setup: async (fake) => envFor(fake),
      run: async (fake, path) => {
        const ctx = await contextFor(fake, path);
        await create(ctx);
        return ctx;
      },
      calls: [
        "CreateSecurityGroup",
        "AuthorizeSecurityGroupIngress", // 80 and 443 from anywhere
        "CreateTargetGroup",
        "CreateLoadBalancer",
        "ModifyLoadBalancerAttributes",
        "AuthorizeSecurityGroupIngress", // the backend's group, from the load balancer's
        ...expected.listeners.map(() => "CreateListener"),
      ],
      converged: (fake, _path, label, ctx) => {
        expect(stackState(fake), label).toEqual(expected);
        expectRecordsMatch(fake, ctx);
      },
    }));

  it("of destroy, whether the call failed or only its response was lost", () =>
    expectConvergesAfterAnyFault({
      setup: async (fake) => {
        const path = envFor(fake);
        await create(await contextFor(fake, path));
        return path;
      },
      run: async (fake, path) => {
        const ctx = await contextFor(fake, path);
        await destroy(ctx);
        return ctx;
      },
      calls: [
        ...expected.listeners.map(() => "DeleteListener"),
        "RevokeSecurityGroupIngress",
        "DeleteLoadBalancer",
        "DeleteTargetGroup",
        "DeleteSecurityGroup",
      ],
      converged: (fake, _path, label, ctx) => {
        expect(stackState(fake), label).toEqual(EMPTY_STACK);
        for (const key of [...RECORDED, "HTTPS_LISTENER_ARN"]) expect(ctx.env.get(key), label).toBeUndefined();
      },
    }));
});

describe("alb: one desired state for plan, verify and create", () => {
  const fake = useFake();

  it("shows a changed input field by field in plan, fails verify on it, and create changes exactly that", async () => {
    const path = tempEnvFile();
    await create(await contextFor(fake.current, path));
    writeFileSync(path, `${readText(path)}HEALTH_CHECK_PATH="/health"\nALB_DELETION_PROTECTION="true"\n`);
    const ctx = await contextFor(fake.current, path);

    const planned = (await plan(ctx)).changes.filter((c) => c.action === "update");
    const failing = (await verify(ctx)).filter((c) => c.status === "FAIL" && c.name !== "listener HTTPS:443");
    const before = fake.current.calls.length;
    await create(ctx);

    expect(planned.map((c) => [c.desired.name, c.fields.map((f) => `${f.field}: ${f.from} -> ${f.to}`)])).toEqual([
      [
        "startupwebapp-tg",
        ["health check: HTTP /order/products on the traffic port -> HTTP /health on the traffic port"],
      ],
      ["startupwebapp-alb", ["deletion protection: false -> true"]],
    ]);
    expect(failing.map((c) => c.name)).toEqual([
      "target group startupwebapp-tg: health check",
      "load balancer startupwebapp-alb: deletion protection",
    ]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual([
      "ModifyTargetGroup",
      "ModifyLoadBalancerAttributes",
    ]);
    expect((await plan(ctx)).changes.filter((c) => c.action === "update")).toEqual([]);
    const again = fake.current.calls.length;
    await create(ctx);
    expect(fake.current.mutatingCalls(again)).toEqual([]);
  });

  it("refuses to destroy a load balancer with deletion protection on, changing nothing", async () => {
    const path = tempEnvFile(`${INPUTS}ALB_DELETION_PROTECTION="true"\n`);
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    const before = fake.current.calls.length;

    await expect(destroy(ctx)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/deletion protection/),
    });
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });

  it("drops invalid header fields on the load balancer it makes", async () => {
    await create(await contextFor(fake.current, tempEnvFile()));
    const lb = fake.current.elbv2.liveLoadBalancers()[0];
    expect(lb?.attributes["routing.http.drop_invalid_header_fields.enabled"]).toBe("true");
    expect(lb?.attributes["deletion_protection.enabled"]).toBe("false");
  });

  it("fails verify when the backend group takes traffic from the internet, on any port, IPv4 or IPv6", async () => {
    const ctx = await contextFor(fake.current, tempEnvFile());
    await create(ctx);
    const backend = fake.current.ec2.groups.get(BACKEND_SG);
    backend?.rules.push({ protocol: "tcp", from: 22, to: 22, cidrIpv6: "::/0" });

    const posture = (await verify(ctx)).find((c) => c.name.startsWith(`backend ${BACKEND_SG}`));

    expect(posture).toMatchObject({ status: "FAIL", detail: "tcp 22 from ::/0" });
  });

  it("adopts what the user's scripts made (untagged, same names): tags it and records it, changing nothing else", async () => {
    const path = tempEnvFile(`${INPUTS}ALB_DELETION_PROTECTION="false"\n`);
    await create(await contextFor(fake.current, path));
    // As the earlier scripts left it (docs/earlier-scripts.md): its own tags, not ours; the attributes AWS defaults to; nothing recorded.
    for (const [arn] of fake.current.elbv2.tags)
      fake.current.elbv2.tags.set(arn, [{ Key: "ManagedBy", Value: "InfrastructureAsCode" }]);
    for (const g of fake.current.ec2.groups.values()) if (g.GroupId !== BACKEND_SG) g.Tags = [];
    const lb = fake.current.elbv2.liveLoadBalancers()[0];
    if (lb) lb.attributes["routing.http.drop_invalid_header_fields.enabled"] = "false";
    writeFileSync(path, INPUTS);
    const ctx = await contextFor(fake.current, path);

    const planned = (await plan(ctx)).changes.map((c) => `${c.action} ${"desired" in c ? c.desired.name : ""}`);
    const before = fake.current.calls.length;
    await create(ctx);

    expect(planned).toEqual([
      "adopt startupwebapp-alb-sg",
      "adopt startupwebapp-tg",
      "adopt startupwebapp-alb",
      `adopt tcp 8000 from startupwebapp-alb-sg on ${BACKEND_SG}`,
      "adopt HTTP:80",
      "create HTTPS:443",
    ]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual([
      "CreateTags",
      "AddTags",
      "AddTags",
      "ModifyLoadBalancerAttributes",
      "AddTags",
    ]);
    expect(stackState(fake.current)).toEqual(EXPECTED_STACK);
    expectRecordsMatch(fake.current, ctx);
    await destroy(ctx);
    expect(stackState(fake.current)).toEqual(EMPTY_STACK);
  });
});

describe("alb: what infra did not make", () => {
  const fake = useFake();

  it("is never deleted to be replaced: a same-named target group on another port is refused, exit 2, nothing changed", async () => {
    const path = tempEnvFile();
    await create(await contextFor(fake.current, path));
    // The user's own target group of that name: not tagged, on another port.
    const tg = [...fake.current.elbv2.targetGroups.values()][0];
    if (tg) {
      fake.current.elbv2.tags.set(tg.TargetGroupArn, []);
      tg.Port = 8080;
      fake.current.elbv2.listeners.clear();
    }
    writeFileSync(path, INPUTS);
    const before = fake.current.calls.length;

    await expect(create(await contextFor(fake.current, path))).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(
        /target group startupwebapp-tg was made outside infra and would have to be replaced/,
      ),
    });
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });
});
