// End-to-end tests drive the built binary as a user does: its own process, folder and environment, against a
// sandbox this test process serves (INFRA_SANDBOX_URL), so the test can read the sandbox account's state through
// the models' public data and hold the answer to a call AWS applied. The binary reaches nothing but 127.0.0.1:
// every connection and DNS lookup elsewhere fails (loopback-only.cjs, preloaded).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/commands/program.js";
import { systemClock } from "../../src/core/clock.js";
import { seededAccount } from "../../src/sandbox/account.js";
import { type Call, DEFAULT_LATENCY, type Fake, scaleLatency } from "../../src/sandbox/aws/aws-fake.js";
import { start, type WireServer } from "../../src/sandbox/wire/server.js";
import { isolatedEnv, type ProcessResult, type RunningBinary, runBinary, startBinary } from "../binary/support.js";
import { capturedIo } from "../helpers.js";

export const ENV_FILE = "aws-resources.sandbox.env";
const LOOPBACK_ONLY = fileURLToPath(new URL("./loopback-only.cjs", import.meta.url));

export interface E2e {
  fake: Fake;
  server: WireServer;
  cwd: string;
  /** Runs infra to its end. */
  run(args: string[]): Promise<ProcessResult>;
  /**
   * Runs infra to its end in this process (`main()`, given the binary's environment), for a run that is not the
   * one under test: it saves a process start.
   */
  runHere(args: string[]): Promise<ProcessResult>;
  /** Starts infra and leaves it running. */
  start(args: string[]): RunningBinary;
  /** The value the env file records for a key. */
  recorded(key: string): string | undefined;
  envText(): string;
  /** Called after AWS applied a call, before its answer goes out; the answer waits for what it returns. */
  onApplied?: (call: Call) => void | Promise<void>;
}

/** A sandbox account for one test, on the real clock, with AWS's times shortened `factor` times. */
export async function openE2e(factor = 1 / 100): Promise<E2e> {
  const fake = await seededAccount(systemClock);
  Object.assign(fake.latency, scaleLatency(DEFAULT_LATENCY, factor));
  const cwd = mkdtempSync(join(tmpdir(), "infra-e2e-"));
  const e2e = {} as E2e;
  const server = await start(fake, { onApplied: (call) => e2e.onApplied?.(call) });
  const env = isolatedEnv({ INFRA_SANDBOX_URL: server.url, NODE_OPTIONS: `--require ${LOOPBACK_ONLY}` });
  const envText = () => readFileSync(join(cwd, ENV_FILE), "utf8");
  return Object.assign(e2e, {
    fake,
    server,
    cwd,
    run: (args: string[]) => runBinary(["--sandbox", ...args], { cwd, env }),
    runHere: async (args: string[]) => {
      const { io, written } = capturedIo();
      const code = await main(["--sandbox", ...args, "--file", join(cwd, ENV_FILE)], { env, io });
      return { code, signal: null, ...written };
    },
    start: (args: string[]) => startBinary(["--sandbox", ...args], { cwd, env }),
    envText,
    recorded: (key: string) => envText().match(new RegExp(`^${key}="([^"]*)"$`, "m"))?.[1] || undefined,
  });
}

/** Every line of the env file is a comment, a blank line or KEY="value": nothing half-written. */
export function wholeEnvFile(text: string): boolean {
  return (
    text.endsWith("\n") &&
    text.split("\n").every((l) => l === "" || l.startsWith("#") || /^[A-Z0-9_]+="[^"]*"$/.test(l))
  );
}

const sorted = (xs: Iterable<string>) => [...xs].sort();
/** Target tracking alarms end in a UUID AWS picks: what counts is that each policy has its pair. */
const alarmName = (name: string) => name.replace(/-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "");

/** What the sandbox account holds, by name: equal inventories mean one of each, and nothing left over. */
export function inventory(fake: Fake) {
  const ecs = fake.ecs;
  ecs.sync();
  return {
    securityGroups: sorted([...fake.ec2.groups.values()].map((g) => g.GroupName)),
    ingress: sorted(
      [...fake.ec2.groups.values()].flatMap((g) => g.rules.map((r) => `${g.GroupName} ${r.protocol}:${r.from}`)),
    ),
    loadBalancers: sorted(fake.elbv2.liveLoadBalancers().map((lb) => lb.name)),
    targetGroups: sorted([...fake.elbv2.targetGroups.values()].map((t) => t.TargetGroupName)),
    listeners: sorted([...fake.elbv2.listeners.values()].map((l) => `${l.Protocol}:${l.Port}`)),
    certificates: sorted(
      [...fake.acm.certificates.values()].map((c) => `${c.DomainName} ${fake.acm.statusOf(c.CertificateArn)}`),
    ),
    zones: sorted([...fake.route53.zones.values()].map((z) => z.Name)),
    records: sorted(
      [...fake.route53.zones.values()].flatMap((z) =>
        [...z.records.values()].map((r) => `${r.set.Name} ${r.set.Type}`),
      ),
    ),
    services: sorted([...ecs.services.values()].filter((s) => ecs.statusOf(s) === "ACTIVE").map((s) => s.serviceName)),
    taskDefinitions: sorted(ecs.taskDefinitions.filter((t) => t.status === "ACTIVE").map((t) => t.family)),
    runningTasks: ecs.tasks.filter((t) => t.stoppedAt === undefined).length,
    logGroups: sorted(fake.logs.groups.keys()),
    scalableTargets: sorted(fake.autoscaling.targets.keys()),
    scalingPolicies: sorted([...fake.autoscaling.policies.values()].map((p) => p.PolicyName ?? "")),
    alarms: sorted([...fake.cloudwatch.alarms.keys()].map(alarmName)),
    dashboards: sorted([...fake.cloudwatch.dashboards.keys()]),
    topics: sorted([...fake.sns.topics.keys()]),
    subscriptions: sorted([...fake.sns.subscriptions.values()].map((s) => `${s.Protocol} ${s.Endpoint}`)),
    webAcls: sorted([...fake.waf.webAcls.values()].map((w) => w.webAcl.Name ?? "")),
    databases: sorted(fake.rds.live().map((i) => i.id)),
  };
}

/** The ids the env file records, each found among what the account holds. */
export function recordedIdsExist(e: E2e): Record<string, boolean> {
  const { fake } = e;
  const has = {
    ALB_ARN: (v: string) => fake.elbv2.liveLoadBalancers().some((lb) => lb.arn === v),
    ALB_SECURITY_GROUP_ID: (v: string) => fake.ec2.groups.has(v),
    TARGET_GROUP_ARN: (v: string) => fake.elbv2.targetGroups.has(v),
    HTTP_LISTENER_ARN: (v: string) => fake.elbv2.listeners.has(v),
    HTTPS_LISTENER_ARN: (v: string) => fake.elbv2.listeners.has(v),
    ACM_CERTIFICATE_ARN: (v: string) => fake.acm.certificates.has(v),
    HOSTED_ZONE_ID: (v: string) => fake.route53.zones.has(v.startsWith("/") ? v : `/hostedzone/${v}`),
    ECS_SERVICE_TASK_DEFINITION_ARN: (v: string) =>
      fake.ecs.taskDefinitions.some((t) => t.taskDefinitionArn === v && t.status === "ACTIVE"),
    ECS_SERVICE_ARN: (v: string) => [...fake.ecs.services.values()].some((s) => s.arn === v),
    SNS_TOPIC_ARN: (v: string) => fake.sns.topics.has(v),
  };
  return Object.fromEntries(Object.entries(has).map(([k, test]) => [k, test(e.recorded(k) ?? "")]));
}
