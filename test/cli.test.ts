import { appendFileSync, writeFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { AwsFake } from "../src/sandbox/aws/aws-fake.js";
import { unmodeled } from "../src/sandbox/aws/errors.js";
import { APPENDED_LINE, INPUTS, readText, runCli, tempEnvFile, useFake } from "./helpers.js";

describe("the infra CLI", () => {
  const fake = useFake();

  describe("refuses bad input with exit 2, one line, no AWS call and the env file untouched", () => {
    const cases: [string, () => { argv: string[]; path?: string }, RegExp][] = [
      [
        "a missing env file",
        () => ({ argv: ["create", "alb", "--file", "/nonexistent/x.env"] }),
        /env file \/nonexistent\/x\.env not found/,
      ],
      [
        "a missing VPC_ID",
        () => {
          const path = tempEnvFile(INPUTS.replace(/^VPC_ID=.*\n/m, ""));
          return { argv: ["create", "alb", "--file", path], path };
        },
        /alb needs VPC_ID, which is not set in the env file/,
      ],
      [
        "an env file in another encoding than UTF-8 (a Latin-1 comment)",
        () => {
          const path = tempEnvFile(INPUTS);
          appendFileSync(path, Buffer.from("# caf\xe9\n", "latin1"));
          return { argv: ["create", "alb", "--file", path], path };
        },
        new RegExp(`is not UTF-8 \\(line ${INPUTS.split("\n").length}\\) - convert it`),
      ],
      [
        "a malformed line",
        () => {
          const path = tempEnvFile(`${INPUTS}oops no equals\n`);
          return { argv: ["create", "alb", "--file", path], path };
        },
        new RegExp(`aws-resources\\.env:${APPENDED_LINE}: not a KEY="value" line, a comment or a blank line`),
      ],
      [
        "an unterminated quote",
        () => {
          const path = tempEnvFile(`${INPUTS}ALB_ARN="arn:aws\n`);
          return { argv: ["create", "alb", "--file", path], path };
        },
        new RegExp(`aws-resources\\.env:${APPENDED_LINE}: unterminated double quote`),
      ],
      [
        "an unknown resource",
        () => {
          const path = tempEnvFile();
          return { argv: ["create", "alb", "albb", "--file", path], path };
        },
        /unknown resource albb - resources: all, alb/,
      ],
      [
        "an unknown option",
        () => {
          const path = tempEnvFile();
          return { argv: ["create", "alb", "--file", path, "--dry-run"], path };
        },
        /unknown option '--dry-run'/,
      ],
      [
        "an invalid subnet id",
        () => {
          const path = tempEnvFile(INPUTS.replace(/PUBLIC_SUBNET_2_ID=.*/, 'PUBLIC_SUBNET_2_ID="subnet-xyz"'));
          return { argv: ["create", "alb", "--file", path], path };
        },
        /PUBLIC_SUBNET_2_ID="subnet-xyz" is not a subnet-\.\.\. id/,
      ],
      [
        "a bad --timeout",
        () => {
          const path = tempEnvFile();
          return { argv: ["create", "alb", "--file", path, "--timeout", "soon"], path };
        },
        /--timeout soon is not a duration/,
      ],
      [
        "destroy without --yes when stdin is not a terminal",
        () => {
          const path = tempEnvFile();
          return { argv: ["destroy", "alb", "--file", path], path };
        },
        /destroy asks for confirmation, and stdin is not a terminal - pass --yes/,
      ],
    ];

    for (const [name, setup, message] of cases) {
      it(name, async () => {
        const { argv, path } = setup();
        const before = path ? readText(path) : undefined;
        const result = await runCli(argv, fake.current);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
        expect(result.stdout).toBe("");
        expect(fake.current.calls).toEqual([]);
        if (path) expect(readText(path)).toBe(before);
      });

      it(`${name}, under --json: one JSON document on stdout, NDJSON on stderr`, async () => {
        const { argv } = setup();
        const result = await runCli([...argv, "--json"], fake.current);
        expect(result.code).toBe(2);
        expect(JSON.parse(result.stdout)).toMatchObject({
          ok: false,
          exitCode: 2,
          error: expect.stringMatching(message),
        });
        // The message alone: "error: " starts a terminal line, not a JSON field.
        expect(JSON.parse(result.stdout).error).not.toMatch(/^error: /);
        for (const line of result.stderr.trimEnd().split("\n")) expect(() => JSON.parse(line), line).not.toThrow();
        expect(fake.current.calls).toEqual([]);
      });
    }
  });

  it("shows help when asked (--help, help, help <command>) with exit 0, a command's help with the global options; bare infra is a usage error", async () => {
    for (const argv of [["--help"], ["help"], ["help", "deploy"], ["deploy", "--help"]]) {
      const asked = await runCli(argv, fake.current);
      expect(asked.code, argv.join(" ")).toBe(0);
      expect(asked.stdout).toMatch(/^Usage: infra/m);
    }
    const deployHelp = await runCli(["help", "deploy"], fake.current);
    expect(deployHelp.stdout).toMatch(/^Global Options:$/m);
    expect(deployHelp.stdout).toMatch(/^ {2}-f, --file <path>/m);
    expect((await runCli([], fake.current)).code).toBe(2);
    expect(fake.current.calls).toEqual([]);
  });

  it("creates, verifies and destroys alb, printing progress on stderr and checks on stdout", async () => {
    const path = tempEnvFile();
    const created = await runCli(["create", "alb", "--file", path], fake.current);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain("+ alb: load balancer startupwebapp-alb");
    expect(created.stderr).toContain("waiting for load balancer startupwebapp-alb active (provisioning");

    // Without a certificate the HTTPS listener cannot be made yet: verify says so, and what makes it.
    const verified = await runCli(["verify", "alb", "--file", path], fake.current);
    expect(verified.stdout).toMatch(/^\[OK {2}\] alb: security group startupwebapp-alb-sg \(sg-/m);
    expect(verified.stdout).toMatch(
      /^\[FAIL\] alb: listener HTTPS:443 \(missing: made once acm-certificate has run\)$/m,
    );
    expect(verified.code).toBe(1);

    const destroyed = await runCli(["destroy", "all", "--yes", "--file", path], fake.current);
    expect(destroyed.code).toBe(0);
    expect(readText(path)).toContain('ALB_ARN=""');
  });

  it("creates the whole stack with create all, changes nothing the second time, and destroy all removes it", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    const created = await runCli(["create", "all", "--file", path], fake.current);
    expect(created.stderr).not.toMatch(/error/);
    expect(created.code).toBe(0);
    for (const key of [
      "ALB_ARN",
      "HTTPS_LISTENER_ARN",
      "ACM_CERTIFICATE_ARN",
      "HOSTED_ZONE_ID",
      "ECS_SERVICE_TASK_DEFINITION_ARN",
      "ECS_SERVICE_ARN",
    ]) {
      expect(readText(path)).toMatch(new RegExp(`^${key}="[^"]+"$`, "m"));
    }
    const verified = await runCli(["verify", "all", "--file", path], fake.current);
    expect(verified.stdout).not.toMatch(/^\[FAIL\]/m);
    expect(verified.code).toBe(0);

    const before = fake.current.calls.length;
    expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);
    expect(fake.current.mutatingCalls(before)).toEqual([]);

    const status = JSON.parse((await runCli(["status", "--json", "--file", path], fake.current)).stdout);
    expect(
      status.resources.map(
        (r: { resource: string; exists: string; changes: number; healthy: boolean }) =>
          `${r.resource} ${r.exists} ${r.changes} ${r.healthy}`,
      ),
    ).toEqual([
      "alb yes 0 true",
      "acm-certificate yes 0 true",
      "route53-records yes 0 true",
      "ecs-service-task-definition yes 0 true",
      "ecs-service yes 0 true",
      "ecs-autoscaling yes 0 true",
      "monitoring yes 0 true",
    ]);
    // ECS keeps deregistered task definition revisions (INACTIVE), still tagged: not something left to delete.
    // Nor is a deleted service ECS still describes (DRAINING, INACTIVE).
    const stack = () =>
      fake.current.tagging
        .tagged()
        .filter((r) => !r.arn.includes(":task-definition/"))
        .filter(
          (r) =>
            !r.arn.includes(":service/") || fake.current.ecs.serviceNamed("startupwebapp-service")?.status === "ACTIVE",
        );
    const tagged = stack().length;
    expect(tagged).toBeGreaterThan(10);

    const destroyed = await runCli(["destroy", "all", "--yes", "--file", path], fake.current);
    expect(destroyed.code).toBe(0);
    expect(stack()).toEqual([]);
    expect(fake.current.elbv2.liveLoadBalancers()).toEqual([]);
    expect(
      [...fake.current.acm.certificates.values()].filter(
        (c) => fake.current.acm.statusOf(c.CertificateArn) === "ISSUED",
      ),
    ).toEqual([]);
    expect(fake.current.ecs.serviceNamed("startupwebapp-service")?.status ?? "MISSING").not.toBe("ACTIVE");
    expect(readText(path)).toMatch(/^ECS_SERVICE_ARN=""$/m);
    expect(destroyed.stderr).toMatch(/nothing tagged Project=startupwebapp, ManagedBy=infra is left in us-east-1/);

    // And once more: the stack comes back whole, and goes away again.
    expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);
    expect(stack()).toHaveLength(tagged);
    expect((await runCli(["destroy", "all", "--yes", "--file", path], fake.current)).code).toBe(0);
    expect(stack()).toEqual([]);
  });

  it("lets independent steps finish when one fails, exits 3 with what to run next, and a re-run finishes the job", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    fake.current.inject({
      op: "CreateTargetGroup",
      nth: 1,
      error: () => Object.assign(new Error("Rate exceeded for good"), { name: "LimitExceeded", $metadata: {} }),
    });
    const failed = await runCli(["create", "all", "--file", path], fake.current);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toMatch(
      /done: acm-certificate, ecs-service-task-definition; failed: alb; not started: route53-records, ecs-service, ecs-autoscaling, monitoring\. Fix the cause, then run `infra create all -f \S+` again/,
    );
    expect(failed.stderr.trimEnd().split("\n").at(-1)).toMatch(
      /^error: create target group startupwebapp-tg: LimitExceeded: Rate exceeded for good$/,
    );
    expect(readText(path)).toMatch(/^ACM_CERTIFICATE_ARN="arn:/m);
    expect(fake.current.calls.some((c) => c.op === "CreateService")).toBe(false);

    fake.current.clearFaults();
    const resumed = await runCli(["create", "all", "--file", path], fake.current);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(fake.current.calls.filter((c) => c.op === "RequestCertificate")).toHaveLength(1);
    expect((await runCli(["verify", "all", "--file", path], fake.current)).code).toBe(0);
  });

  it("lists what destroy will delete before asking", async () => {
    const path = tempEnvFile();
    await runCli(["create", "alb", "--file", path], fake.current);
    let prompt = "";
    const result = await runCli(["destroy", "alb", "--file", path], fake.current, {
      stdinIsTTY: true,
      ask: async (q) => {
        prompt = q;
        return "yes";
      },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /This deletes, in us-east-1:\nalb\n {2}- listener HTTP:80\n {2}- security group rule tcp 8000 from startupwebapp-alb-sg on sg-\w+\n {2}- load balancer startupwebapp-alb\n {2}- target group startupwebapp-tg\n {2}- security group startupwebapp-alb-sg\n/,
    );
    expect(prompt).toMatch(/^Destroy alb recorded in .*\? Type yes to go on: $/);
    expect(fake.current.elbv2.liveLoadBalancers()).toEqual([]);
  });

  it("asks before destroying on a terminal, and changes nothing on anything but yes", async () => {
    const path = tempEnvFile();
    let asked = "";
    const result = await runCli(["destroy", "alb", "--file", path], fake.current, {
      stdinIsTTY: true,
      ask: async (q) => {
        asked = q;
        return "no";
      },
    });
    expect(asked).toContain("Destroy alb recorded in");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/destroy cancelled/);
    expect(fake.current.mutatingCalls()).toEqual([]);
  });

  it("exits 1 when a verify check fails", async () => {
    const path = tempEnvFile();
    const result = await runCli(["verify", "alb", "--file", path], fake.current);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^\[FAIL\] alb: security group startupwebapp-alb-sg \(missing: create makes it\)$/m);
  });

  it("exits 3 when AWS refuses, naming the step, the resource and AWS's code, without a stack trace", async () => {
    const path = tempEnvFile();
    fake.current.inject({
      op: "CreateLoadBalancer",
      nth: 1,
      error: () =>
        Object.assign(new Error("User is not authorized to perform: elasticloadbalancing:CreateLoadBalancer"), {
          name: "AccessDenied",
          $metadata: {},
        }),
    });
    const result = await runCli(["create", "alb", "--file", path], fake.current);
    expect(result.code).toBe(3);
    const lastLine = result.stderr.trimEnd().split("\n").at(-1);
    expect(lastLine).toBe(
      "error: create load balancer startupwebapp-alb: AccessDenied: User is not authorized to perform: elasticloadbalancing:CreateLoadBalancer - the credentials lack a permission this step needs (named in the message)",
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const verbose = await runCli(["create", "alb", "--file", path, "--verbose"], fake.current);
    expect(verbose.code).toBe(0);
  });

  it("prints one JSON document on stdout and NDJSON events on stderr with --json", async () => {
    const path = tempEnvFile();
    const result = await runCli(["create", "alb", "--file", path, "--json"], fake.current);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.events.some((e: { kind: string; message: string }) => e.kind === "created")).toBe(true);
    const events = result.stderr
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.some((e) => e.kind === "waiting" && e.state === "provisioning" && e.elapsedMs >= 0)).toBe(true);
  });

  it("prints exactly one JSON document on stdout, and only NDJSON on stderr, when a step fails under --json", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    fake.current.inject({
      op: "CreateService",
      nth: 1,
      error: () => Object.assign(new Error("not authorized"), { name: "AccessDenied", $metadata: {} }),
    });

    const result = await runCli(["create", "all", "--json", "--file", tempEnvFile()], fake.current);

    expect(result.code).toBe(3);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      ok: false,
      exitCode: 3,
      error: expect.stringMatching(/create service .*AccessDenied/),
    });
    expect(doc.steps).toContainEqual({ name: "ecs-service", status: "failed" });
    const lines = result.stderr.trimEnd().split("\n");
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ kind: "error", exitCode: 3 }));
  });

  it("shows status: recorded ids, exists and healthy", async () => {
    const path = tempEnvFile();
    await runCli(["create", "alb", "--file", path], fake.current);
    const result = await runCli(["status", "--file", path, "--json"], fake.current);
    expect(result.code).toBe(0);
    const [alb] = JSON.parse(result.stdout).resources;
    // Everything but the HTTPS listener, which waits for the certificate.
    expect(alb).toMatchObject({ resource: "alb", exists: "partly", changes: 1, healthy: false });
    expect(alb.problems).toEqual(["listener HTTPS:443 (missing: made once acm-certificate has run)"]);
    expect(alb.recorded.ALB_ARN).toMatch(/^arn:aws:elasticloadbalancing:/);
    const table = await runCli(["status", "--file", path], fake.current);
    expect(table.stdout.split("\n")[0]).toMatch(/^RESOURCE\s+EXISTS\s+CHANGES\s+HEALTHY\s+RECORDED ID\s+PROBLEMS$/);
    expect(table.stdout.split("\n")[1]).toMatch(
      /^alb\s+partly\s+1\s+no\s+startupwebapp-alb\/\w+\s+listener HTTPS:443 \(missing: made once acm-certificate has run\)$/,
    );
  });

  /** A stack with its ALB made, on an account whose caller may not list ACM certificates (three tries). */
  async function albWithCertificatesDenied(): Promise<string> {
    const path = tempEnvFile();
    await runCli(["create", "alb", "--file", path], fake.current);
    for (let nth = 1; nth <= 3; nth++)
      fake.current.inject({
        op: "ListCertificates",
        nth,
        error: () => unmodeled("AccessDenied", "not authorized to perform: acm:ListCertificates", 403),
      });
    return path;
  }

  it("shows status of every resource when AWS refuses to show one, and exits 3 naming it", async () => {
    const path = await albWithCertificatesDenied();

    const result = await runCli(["status", "--file", path, "--json"], fake.current);

    expect(result.code).toBe(3);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      ok: false,
      exitCode: 3,
      error: expect.stringMatching(/status: 1 resource\(s\) could not be read: list certificates/),
    });
    const rows = new Map(doc.resources.map((r: { resource: string }) => [r.resource, r]));
    expect(rows.get("acm-certificate")).toMatchObject({
      exists: "?",
      healthy: false,
      problems: [expect.stringMatching(/AccessDenied: not authorized to perform: acm:ListCertificates/)],
    });
    expect(rows.get("alb")).toMatchObject({ exists: "partly" });
    expect([...rows.keys()]).toEqual([
      "alb",
      "acm-certificate",
      "route53-records",
      "ecs-service-task-definition",
      "ecs-service",
      "ecs-autoscaling",
      "monitoring",
    ]);
  });

  it("verifies every resource when AWS refuses to show one: a FAIL line for it, the others' checks, exit 3", async () => {
    const path = await albWithCertificatesDenied();

    const result = await runCli(["verify", "alb", "acm-certificate", "--file", path], fake.current);

    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^\[FAIL\] acm-certificate: read from AWS .*AccessDenied: not authorized/m);
    expect(result.stdout).toMatch(/^\[OK {2}\] alb: /m);
    expect(result.stderr).toMatch(/^error: verify: 1 resource\(s\) could not be read: list certificates/m);
  });

  it("plans from the example env file, saying what exists and what it costs", async () => {
    const result = await runCli(["plan", "all", "--file", "aws-resources.env.example"], fake.current);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^alb\n {2}\+ security group startupwebapp-alb-sg\n {6}name: startupwebapp-alb-sg$/m);
    expect(result.stdout).toMatch(
      /^ {2}\+ listener HTTP:80\n {6}protocol: HTTP\n {6}port: 80\n {6}action: redirect to HTTPS:443 \(301\)$/m,
    );
    expect(result.stdout).toMatch(/^ {6}certificate: \(known after acm-certificate\)$/m);
    expect(result.stdout).toMatch(/^Plan: \d+ to create, 0 to update, 0 to replace, 0 to adopt, 0 to delete\.$/m);
    expect(result.stdout).toMatch(/^Total\s+\d+\.\d\d$/m);
    expect(result.stdout).toMatch(/^WAF \(opt-in, WAF_ENABLED=true\) would add \$16\.00\/month: WAF web ACL/m);
    expect(fake.current.mutatingCalls()).toEqual([]);
  });

  it("refuses destroy all without --yes when stdin is not a terminal, deleting nothing", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);
    const before = fake.current.calls.length;
    const result = await runCli(["destroy", "all", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/destroy asks for confirmation, and stdin is not a terminal - pass --yes/);
    expect(fake.current.calls.slice(before)).toEqual([]);
  });

  it("plans nothing to do on a finished stack, and names what differs after a change by hand", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);
    const tg = [...fake.current.elbv2.targetGroups.values()][0];
    if (tg) tg.HealthCheckPath = "/";
    const before = fake.current.calls.length;
    const plan = await runCli(["plan", "all", "--file", path, "--json", "--exit-code"], fake.current);
    const doc = JSON.parse(plan.stdout);
    const changed = doc.resources.flatMap((r: { resource: string; changes: { action: string }[] }) =>
      r.changes.filter((c) => c.action !== "keep" && c.action !== "use").map((c) => ({ resource: r.resource, ...c })),
    );
    expect(changed).toEqual([
      {
        resource: "alb",
        action: "update",
        kind: "target group",
        name: "startupwebapp-tg",
        id: expect.stringMatching(/:targetgroup\/startupwebapp-tg\//),
        fields: [
          {
            field: "health check",
            from: "HTTP / on the traffic port",
            to: "HTTP /order/products on the traffic port",
          },
        ],
      },
    ]);
    expect(doc.changes).toEqual({ create: 0, update: 1, replace: 0, adopt: 0, delete: 0 });
    expect(plan.code).toBe(1); // --exit-code: there are changes
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    if (tg) tg.HealthCheckPath = "/order/products";
    const clean = await runCli(["plan", "all", "--file", path, "--exit-code"], fake.current);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^alb: no changes$/m);
  });

  it("reads the region from the env file, and --region wins over it", async () => {
    const path = tempEnvFile(INPUTS.replace('AWS_REGION="us-east-1"', 'AWS_REGION="eu-west-1"'));
    const bad = await runCli(["create", "alb", "--file", path, "--region", "moon-1"], fake.current);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/region moon-1 is not an AWS region name/);
    writeFileSync(path, INPUTS.replace(/^AWS_REGION=.*\n/m, ""));
    const none = await runCli(["create", "alb", "--file", path], fake.current);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/alb needs AWS_REGION, which is not set in the env file/);
    expect(fake.current.calls).toEqual([]);
  });
});

describe("infra plan with no AWS account", () => {
  it("refuses a region that is not one, exit 2 with or without --exit-code, rather than plan against nothing", async () => {
    for (const extra of [[], ["--exit-code"]]) {
      const fake = new AwsFake();
      const result = await runCli(
        ["plan", "all", "--file", "aws-resources.env.example", "--region", "nonsense", ...extra],
        fake,
      );

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: region nonsense is not an AWS region name/m);
      expect(result.stdout).toBe("");
      expect(fake.calls).toEqual([]);
    }
  });

  it("still plans, with costs, and says it could not compare with what exists", async () => {
    vi.stubEnv("AWS_PROFILE", "infra-test-no-such-profile");
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "");
    try {
      const result = await runCli(["plan", "all", "--file", "aws-resources.env.example"], new AwsFake());
      expect(result.code).toBe(0);
      expect(result.stdout.match(/Not compared with what exists/g)).toHaveLength(1);
      expect(result.stdout).toMatch(
        /^Not compared with what exists \(no AWS credentials.*\): the whole stack is shown as created\.$/m,
      );
      expect(result.stdout).toMatch(/^Total\s+\d+\.\d\d$/m);

      // --exit-code promises an answer to "would create change anything?": uncompared, there is none.
      const asked = await runCli(["plan", "all", "--file", "aws-resources.env.example", "--exit-code"], new AwsFake());
      expect(asked.code).toBe(3);
      expect(asked.stderr).toMatch(/plan --exit-code: not compared with what exists \(no AWS credentials.*unknown/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
