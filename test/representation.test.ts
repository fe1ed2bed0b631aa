// One representation per kind: the desired object is what AWS is sent (its `input`), and its fields are projected
// from that input by the same function that reads what AWS describes. So a parameter that is sent but not modeled
// is a bug plan and verify cannot see. This pins both halves: every Create/Modify/Put/Register/Set/Authorize call a
// whole stack's create sends carries only parameters of the desired input of its object (or which object it is, or
// a deliberately unmodeled one, with why), and every parameter of every desired input shows in its fields.

import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { EnvFile } from "../src/core/env-file.js";
import type { EnvReader } from "../src/core/inputs.js";
import { certificateFields } from "../src/resources/acm-certificate/config.js";
import { validationRecordFields, zoneFields } from "../src/resources/acm-certificate/inputs.js";
import { albResource } from "../src/resources/alb/config.js";
import {
  backendRuleFields,
  listenerFields,
  loadBalancerFields,
  securityGroupFields,
  targetGroupFields,
} from "../src/resources/alb/inputs.js";
import { definitionFields } from "../src/resources/common/task-definition.js";
import { scalableTargetFields, scalingPolicyFields } from "../src/resources/ecs-autoscaling/inputs.js";
import { serviceFields } from "../src/resources/ecs-service/inputs.js";
import { logGroupFields } from "../src/resources/ecs-service-task-definition/config.js";
import { dashboardInputFields, topicFields } from "../src/resources/monitoring/config.js";
import { alarmFields } from "../src/resources/monitoring/inputs.js";
import { RESOURCES } from "../src/resources/registry.js";
import { aliasRecordFields } from "../src/resources/route53-records/inputs.js";
import { associationFields, webAclFields } from "../src/resources/waf/inputs.js";
import type { AwsFake, Call } from "../src/sandbox/aws/aws-fake.js";
import type { DesiredObject, Fields } from "../src/state/model.js";
import { contextFor, INPUTS, runCli, tempEnvFile, useFake } from "./helpers.js";

/** Each kind's one projection of its input into the fields people see. */
// biome-ignore lint/suspicious/noExplicitAny: each projection takes its own kind's input.
const PROJECTIONS: Record<string, (input: any) => Fields> = {
  "security group": securityGroupFields,
  "security group rule": backendRuleFields,
  "target group": targetGroupFields,
  "load balancer": loadBalancerFields,
  listener: listenerFields,
  service: serviceFields,
  "task definition": definitionFields,
  "log group": logGroupFields,
  certificate: certificateFields,
  "scalable target": scalableTargetFields,
  "scaling policy": scalingPolicyFields,
  topic: topicFields,
  alarm: alarmFields,
  dashboard: dashboardInputFields,
  "web ACL": webAclFields,
  "web ACL association": associationFields,
  "hosted zone": zoneFields,
  "validation record": validationRecordFields,
  "alias record": aliasRecordFields,
};

/** The kinds whose objects each mutating call (other than tags and deletes) changes. */
const KINDS_OF: Record<string, string[]> = {
  CreateSecurityGroup: ["security group"],
  AuthorizeSecurityGroupIngress: ["security group", "security group rule"],
  AuthorizeSecurityGroupEgress: ["security group"],
  CreateTargetGroup: ["target group"],
  ModifyTargetGroup: ["target group"],
  ModifyTargetGroupAttributes: ["target group"],
  CreateLoadBalancer: ["load balancer"],
  ModifyLoadBalancerAttributes: ["load balancer"],
  SetSubnets: ["load balancer"],
  SetSecurityGroups: ["load balancer"],
  SetIpAddressType: ["load balancer"],
  CreateListener: ["listener"],
  ModifyListener: ["listener"],
  CreateService: ["service"],
  UpdateService: ["service"],
  RegisterTaskDefinition: ["task definition"],
  CreateLogGroup: ["log group"],
  PutRetentionPolicy: ["log group"],
  RequestCertificate: ["certificate"],
  RegisterScalableTarget: ["scalable target"],
  PutScalingPolicy: ["scaling policy"],
  CreateTopic: ["topic"],
  Subscribe: ["topic"],
  PutMetricAlarm: ["alarm"],
  PutDashboard: ["dashboard"],
  CreateWebACL: ["web ACL"],
  UpdateWebACL: ["web ACL"],
  AssociateWebACL: ["web ACL association"],
  ChangeResourceRecordSets: ["validation record", "alias record"],
  CreateHostedZone: ["hosted zone"],
};

/**
 * Calls that carry their objects' inputs inside a wrapper: a Route 53 change batch holds one record set per change
 * (its Action says how it is written, its Comment labels it in Route 53's history; a DELETE is a delete).
 */
// biome-ignore lint/suspicious/noExplicitAny: each call's own input.
const UNWRAP: Record<string, (input: any) => object[]> = {
  ChangeResourceRecordSets: (input) =>
    // biome-ignore lint/suspicious/noExplicitAny: a Route 53 Change.
    input.ChangeBatch.Changes.filter((c: any) => c.Action !== "DELETE").map((c: any) => c.ResourceRecordSet),
};

/** Parameters that say which object a call acts on, not what it should be. */
const IDENTITY = new Set([
  "TargetGroupArn",
  "LoadBalancerArn",
  "ListenerArn",
  "GroupId",
  "service",
  "cluster",
  "TopicArn",
  "ServiceNamespace",
  "ResourceId",
  "ScalableDimension",
  "HostedZoneId",
  // WAF names a web ACL by its name, scope and id in every call; the lock token is which version a change replaces.
  "Scope",
  "Id",
  "LockToken",
]);

/** Parameters sent on purpose without a field, and why. */
const UNMODELED: Record<string, string> = {
  Tags: "the stack's ownership tags: what adopt writes, not a setting",
  TagSpecifications: "the stack's ownership tags, given at creation",
  tags: "the stack's ownership tags (ECS spells them in lower case)",
  clientToken: "an idempotency token: a new one per request",
  IdempotencyToken: "an idempotency token: a new one per request",
  forceNewDeployment: "an action, not a setting: the `deployment` field asks for it",
  // A revision keeps what no input owns from the one it follows (src/resources/ecs-service-task-definition).
  volumes: "kept from the revision it follows",
  placementConstraints: "kept from the revision it follows",
  ephemeralStorage: "kept from the revision it follows",
  pidMode: "kept from the revision it follows",
  ipcMode: "kept from the revision it follows",
  proxyConfiguration: "kept from the revision it follows",
  CallerReference: "an idempotency token: a new one per zone made, marked as infra's",
  // UpdateWebACL replaces every setting: those no input owns are sent back as the web ACL has them.
  Description: "kept from the web ACL as it is",
  CustomResponseBodies: "kept from the web ACL as it is",
  CaptchaConfig: "kept from the web ACL as it is",
  ChallengeConfig: "kept from the web ACL as it is",
  TokenDomains: "kept from the web ACL as it is",
  AssociationConfig: "kept from the web ACL as it is",
};

/** The egress calls send their rules as IpPermissions: the input holds them as IpPermissionsEgress. */
const RENAMED: Record<string, Record<string, string>> = {
  AuthorizeSecurityGroupEgress: { IpPermissions: "IpPermissionsEgress" },
};

/** A value not known at plan time: a sibling's id, another step's output, or what AWS answers for another object. */
const isLater = (v: unknown) => typeof v === "object" && v !== null && ("ref" in v || "pending" in v || "answer" in v);

/** Where `sent` carries something `want` does not: each a path, with the value sent. */
function uncovered(sent: unknown, want: unknown, path: string): string[] {
  if (isLater(want)) return typeof sent === "string" ? [] : [`${path}=${JSON.stringify(sent)}`];
  if (Array.isArray(sent)) {
    if (!Array.isArray(want)) return [`${path}=${JSON.stringify(sent)}`];
    return sent.flatMap((x, i) =>
      want.some((w) => uncovered(x, w, "").length === 0) ? [] : [`${path}[${i}]=${JSON.stringify(x)}`],
    );
  }
  if (typeof sent === "object" && sent !== null) {
    if (typeof want !== "object" || want === null) return [`${path}=${JSON.stringify(sent)}`];
    return Object.entries(sent).flatMap(([k, v]) =>
      v === undefined ? [] : uncovered(v, (want as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  return sent === want ? [] : [`${path}=${JSON.stringify(sent)}`];
}

/** What a call sends that no desired object of its kinds has in its input. */
function unmodeledParameters(call: Call, desired: readonly DesiredObject[]): string[] {
  const kinds = KINDS_OF[call.op];
  if (!kinds) return [];
  const rename = RENAMED[call.op] ?? {};
  const candidates = desired.filter((d) => kinds.includes(d.kind));
  const parts = UNWRAP[call.op]?.(call.input) ?? [call.input];
  return parts.flatMap((part) => {
    const params = Object.entries(part as Record<string, unknown>).filter(
      ([k, v]) => v !== undefined && !IDENTITY.has(k) && !(k in UNMODELED),
    );
    const misses = candidates.map((d) =>
      params.flatMap(([k, v]) => {
        const input = (d.input ?? {}) as Record<string, unknown>;
        const key = rename[k] ?? k;
        return key in input ? uncovered(v, input[key], key) : [`${k} (not in the ${d.kind}'s input)`];
      }),
    );
    const best = misses.sort((a, b) => a.length - b.length)[0] ?? [`no desired ${kinds.join(" or ")}`];
    return best.map((m) => `${call.op}: ${m}`);
  });
}

/** Every desired object of every resource, for the env file as it stands. */
async function desiredOf(path: string): Promise<DesiredObject[]> {
  const env: EnvReader = await EnvFile.load(path);
  return RESOURCES.filter((r) => r.inAll?.(env) ?? true).flatMap((r) => r.desired(r.config(env, "create")));
}

/** Every leaf of an input, with a changed copy of the input: a string longer, a number more, a switch flipped. */
function perturbations(input: unknown, name: string): { path: string; changed: unknown }[] {
  // Which object it is (its name, as a DNS name too, or whose it is) is not a setting of it.
  if (isLater(input) || input === name || input === `${name}.`) return [];
  if (Array.isArray(input))
    return input.flatMap((x, i) =>
      perturbations(x, name).map(({ path, changed }) => ({
        path: `[${i}]${path}`,
        changed: input.map((y, j) => (i === j ? changed : y)),
      })),
    );
  if (typeof input === "object" && input !== null)
    return Object.entries(input).flatMap(([k, v]) =>
      // An attribute's Key is where its Value is read from, not a value of its own.
      k === "Key" || IDENTITY.has(k)
        ? []
        : perturbations(v, name).map(({ path, changed }) => ({
            path: `.${k}${path}`,
            changed: { ...input, [k]: changed },
          })),
    );
  // A switch spelled as a string (an attribute's "true") changes to the other setting, not to a third spelling.
  if (input === "true" || input === "false") return [{ path: "", changed: String(input !== "true") }];
  if (typeof input === "string") return [{ path: "", changed: `${input}-changed` }];
  if (typeof input === "number") return [{ path: "", changed: input + 1 }];
  if (typeof input === "boolean") return [{ path: "", changed: !input }];
  return [];
}

const fake = useFake();

/**
 * The stacks both tests run: the user's zone with WAF off (the default), and WAF on with the zone made by infra. Each
 * with the inputs a person may change, changed, and drift behind infra's back.
 */
const STACKS = [
  {
    stack: "the user's zone, WAF off",
    setup: (f: AwsFake) => f.route53.addZone("startupwebapp.com"),
    extra: "",
    calls: ["ChangeResourceRecordSets"],
    changed: {} as Record<string, string>,
    drift: (_f: AwsFake) => {},
  },
  {
    stack: "WAF on, the zone made by infra",
    setup: (_f: AwsFake) => {},
    extra: 'WAF_ENABLED="true"\n',
    calls: ["CreateHostedZone", "ChangeResourceRecordSets", "CreateWebACL", "UpdateWebACL", "AssociateWebACL"],
    changed: { WAF_RATE_LIMIT: "500", WAF_BLOCKED_COUNTRIES: "KP" },
    drift: (f: AwsFake) => {
      // A description set by hand (UpdateWebACL sends it back), the alias pointed elsewhere by a CNAME.
      for (const r of f.waf.webAcls.values()) r.webAcl.Description = "set in the console";
      for (const z of f.route53.zones.values())
        for (const [key, r] of z.records)
          if (r.set.Type === "A" && r.set.AliasTarget) {
            z.records.delete(key);
            const set = {
              Name: r.set.Name,
              Type: "CNAME" as const,
              TTL: 60,
              ResourceRecords: [{ Value: "elsewhere.example.com" }],
            };
            z.records.set(`${set.Name}|CNAME|`, { set, since: f.clock.now() });
          }
    },
  },
];

describe("one representation per kind", () => {
  it.each(STACKS)(
    "given the whole stack ($stack) created, changed and drifted, then every call sends only what the desired inputs model",
    async ({ setup, extra, calls, changed, drift }) => {
      setup(fake.current);
      const path = tempEnvFile(`${INPUTS}${extra}`);
      const problems: string[] = [];
      const ops = new Set<string>();
      const run = async (argv: string[]) => {
        const before = fake.current.calls.length;
        const result = await runCli([...argv, "--file", path, "--yes"], fake.current);
        expect(result.stderr).not.toMatch(/Error:|refused/);
        expect(result.code).toBe(0);
        const desired = await desiredOf(path);
        for (const call of fake.current.calls.slice(before).filter((c) => c.mutating)) {
          ops.add(call.op);
          problems.push(...unmodeledParameters(call, desired));
        }
      };

      await run(["create", "all"]);
      // Every input a person may change, changed: each handler's update path sends its part of the input.
      const env = await EnvFile.load(path);
      await env.record({
        HEALTH_CHECK_PATH: "/ready",
        TARGET_DEREGISTRATION_DELAY: "45",
        ALB_DELETION_PROTECTION: "true",
        HEALTH_CHECK_GRACE_PERIOD: "90",
        ECS_ENABLE_EXECUTE_COMMAND: "true",
        GUNICORN_WORKERS: "5",
        ...changed,
      });
      await run(["create", "all"]);
      // Drift behind infra's back: AWS's default egress revoked, the IP address type changed.
      const group = String((await EnvFile.load(path)).get("ALB_SECURITY_GROUP_ID"));
      const alb = String((await EnvFile.load(path)).get("ALB_ARN"));
      fake.current.ec2.groups.get(group)?.egress.splice(0);
      const lb = fake.current.elbv2.loadBalancers.get(alb);
      if (lb) lb.ipAddressType = "dualstack";
      drift(fake.current);
      await run(["create", "all"]);

      expect(fake.current.ec2.groups.get(group)?.egress).toHaveLength(1);
      expect(lb?.ipAddressType).toBe("ipv4");
      expect(problems).toEqual([]);
      // Each kind's calls were checked, not skipped.
      expect([...ops].filter((op) => op in KINDS_OF && !(op in UNWRAP)).length).toBeGreaterThan(10);
      expect([...ops]).toEqual(expect.arrayContaining(calls));
    },
  );

  it.each(STACKS)(
    "given the whole stack ($stack), every parameter of every desired input shows in its fields: change one, and a field shows it",
    async ({ setup, extra }) => {
      setup(fake.current);
      const path = tempEnvFile(`${INPUTS}${extra}`);
      expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);
      const desired = await desiredOf(path);
      const unprojected: string[] = [];
      for (const d of desired) {
        const project = PROJECTIONS[d.kind];
        if (!d.input || !project) {
          unprojected.push(`${d.kind} ${d.name}: no input, or no projection`);
          continue;
        }
        const fields = project(d.input);
        // The desired fields are the projection of the input (plus what AWS moves: a state, a deployment).
        expect(Object.fromEntries(Object.keys(fields).map((k) => [k, d.fields[k]]))).toEqual(fields);
        for (const { path, changed } of perturbations(d.input, d.name))
          if (JSON.stringify(project(changed)) === JSON.stringify(fields)) unprojected.push(`${d.kind}${path}`);
      }
      expect(unprojected).toEqual([]);
    },
  );

  it("given a same-named target group made with other settings, when create meets DuplicateTargetGroupName, then it reports the group as AWS has it", async () => {
    const path = tempEnvFile();
    const ctx = await contextFor(fake.current, path);
    const c = albResource.config(ctx.env, "create");
    const d = albResource.desired(c).find((x) => x.kind === "target group") as DesiredObject;
    // Made between this run's look and its create (by hand, or a run whose answer was lost): port 80, another path.
    await new ElasticLoadBalancingV2Client({ region: "us-east-1" }).send(
      new CreateTargetGroupCommand({ Name: d.name, Protocol: "HTTP", Port: 80, VpcId: c.vpcId, TargetType: "ip" }),
    );

    const targetGroup = (await albResource.load()).handlers["target group"];
    const before = fake.current.calls.length;
    const made = await targetGroup?.create(
      { ctx, c, ev: ctx.events.for("alb"), objects: new Map(), made: async () => {} },
      d,
    );

    // What can change was changed to the input; what cannot (the port) is reported as AWS has it, for the next
    // plan to show as a replacement rather than a lie that it matches.
    const ops = fake.current.calls.slice(before).map((x) => x.op);
    expect(ops).toContain("ModifyTargetGroup");
    expect(made?.fields.port).toBe(80);
    expect(made?.fields["health check"]).toBe(d.fields["health check"]);
    expect(made?.fields["deregistration delay"]).toBe(d.fields["deregistration delay"]);
  });
});
