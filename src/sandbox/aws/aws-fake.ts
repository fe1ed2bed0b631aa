// A stateful in-memory AWS: each service model here keeps state, answers with AWS's error codes and
// asynchronous states, and moves with a clock (a discrete-event fake one in tests, the real one in the sandbox).
// Faults can be injected on the n-th call of an operation or of any mutating call, before the call takes effect
// or after (its response lost), and calls can be throttled. Two adapters put it in front of the SDK: in process
// (test/support/in-process.ts, on aws-sdk-client-mock) and over HTTP in each service's wire protocol (../wire/).
//
// Adding a service: write a model with `name`, `client` (the SDK client class) and `handlers` (pairs of a
// Command class and a function of its input), then add it to `models` below.
import type { Clock } from "../../core/clock.js";
import { AcmModel, IN_USE_AFTER_DETACH_MS, ISSUED_AFTER_VALIDATION_MS, RECORDS_AFTER_MS } from "./acm.js";
import { type Authorization, authorize } from "./authorization/index.js";
import { AutoScalingModel } from "./autoscaling.js";
import { FakeClock } from "./clock.js";
import { CloudWatchModel } from "./cloudwatch.js";
import { Ec2Model, VISIBLE_AFTER_MS } from "./ec2.js";
import { EcrModel } from "./ecr.js";
import { EcsModel } from "./ecs.js";
import { RUN_TASK_STARTS_MS, RUN_TASK_STOPS_MS } from "./ecs-run-task.js";
import {
  DRAINING_MS,
  RELAUNCH_AFTER_FAILURE_MS,
  STEADY_AFTER_MS,
  TASK_STAGGER_MS,
  TASK_START_MS,
  TASK_STOP_MS,
} from "./ecs-state.js";
import {
  DESCRIBABLE_AFTER_DELETE_MS,
  Elbv2Model,
  INTERFACES_LINGER_MS,
  PROVISIONING_MS,
  TARGET_GROUP_IN_USE_AFTER_MS,
  TARGET_HEALTH_CHECK_MS,
} from "./elbv2.js";
import { throttling, unmodeled } from "./errors.js";
import { LogsModel } from "./logs.js";
import { PublicDns } from "./public-dns.js";
import { RdsModel } from "./rds.js";
import { INSYNC_AFTER_MS, Route53Model } from "./route53.js";
import { S3Model } from "./s3.js";
import { SecretsModel } from "./secrets.js";
import { SnsModel } from "./sns.js";
import { LISTED_AFTER_DELETE_MS, TaggingModel } from "./tagging.js";
import { ASSOCIATED_AFTER_DISASSOCIATION_MS, UNAVAILABLE_AFTER_CREATE_MS, WafModel } from "./wafv2.js";

/** What a call carries besides its input: the region of the client that sent it (us-east-1 when not known). */
export interface CallContext {
  region: string;
}

// biome-ignore lint/suspicious/noExplicitAny: handlers take the input shape of their own command.
export type Handler = (input: any, call?: CallContext) => unknown;

export interface ServiceModel {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: any SDK client class.
  client: any;
  // biome-ignore lint/suspicious/noExplicitAny: any SDK command class.
  handlers: ReadonlyArray<readonly [any, Handler]>;
  /** After a saved state was put back (snapshot.ts): rebuild what is derived rather than stored. */
  restored?(): void;
}

export interface Call {
  service: string;
  op: string;
  input: unknown;
  mutating: boolean;
  at: number;
  /** The region of the client that sent it: the fake's ECR keeps repositories per region, as AWS does. */
  region?: string;
  /** The error AWS answered with, if it refused the call (an injected fault is not counted here). */
  refused?: string;
  /** What AWS authorized for it (authorization/): undefined for a call the tables there do not know. */
  authorization?: Authorization[];
}

export interface Fault {
  /** Which calls count: one operation's, or every mutating call. */
  op?: string;
  mutating?: boolean;
  /** Only calls whose input this accepts count. */
  input?: (input: unknown) => boolean;
  /** Fail the n-th matching call from now (1-based). */
  nth: number;
  /** before: the call fails and changes nothing; after: it takes effect, then its response is lost. */
  when?: "before" | "after";
  error?: () => Error;
  seen?: number;
}

const MUTATING =
  /^(Create|Delete|Modify|Authorize|Revoke|Add|Remove|Set|Register|Deregister|Put|Request|Update|Change|Import|Tag|Untag|Associate|Disassociate|Subscribe|Unsubscribe|Run|Start|Stop|Publish|Confirm|Restore)/;

export const isMutating = (op: string) => MUTATING.test(op);

export const INJECTED = "InjectedFault";

/** Operations an endpoint answers as unknown: which calls count, as for a Fault. */
export interface Lack {
  op: string;
  /** The service (a model's name) whose operation it is, when more than one has it (TagResource). */
  service?: string;
  /** Only calls whose input this accepts (TagResource on dashboards only). */
  input?: (input: unknown) => boolean;
}

/**
 * How long AWS takes for what a run waits on. Tests keep the defaults (each model's constants, where they are
 * documented), the bench sets AWS-like ones for the longest waits, and the sandbox scales them all down so a
 * run on the real clock takes seconds (scaleLatency).
 */
export interface Latency {
  albActiveMs: number;
  albInterfacesLingerMs: number;
  albDescribableAfterDeleteMs: number;
  targetGroupInUseAfterMs: number;
  targetHealthCheckMs: number;
  securityGroupVisibleMs: number;
  certificateRecordsMs: number;
  certificateIssuedMs: number;
  certificateInUseAfterDetachMs: number;
  route53InsyncMs: number;
  taskStartMs: number;
  taskStaggerMs: number;
  deploymentSteadyMs: number;
  taskRelaunchMs: number;
  taskStopMs: number;
  /** How long one second of a duration the stack sets (a deregistration delay, a grace period) lasts. */
  configuredSecondMs: number;
  serviceDrainingMs: number;
  runTaskStartsMs: number;
  runTaskStopsMs: number;
  webAclUnavailableMs: number;
  webAclAssociatedAfterMs: number;
  taggingListedAfterDeleteMs: number;
}

export const DEFAULT_LATENCY: Readonly<Latency> = {
  albActiveMs: PROVISIONING_MS,
  albInterfacesLingerMs: INTERFACES_LINGER_MS,
  albDescribableAfterDeleteMs: DESCRIBABLE_AFTER_DELETE_MS,
  targetGroupInUseAfterMs: TARGET_GROUP_IN_USE_AFTER_MS,
  targetHealthCheckMs: TARGET_HEALTH_CHECK_MS,
  securityGroupVisibleMs: VISIBLE_AFTER_MS,
  certificateRecordsMs: RECORDS_AFTER_MS,
  certificateIssuedMs: ISSUED_AFTER_VALIDATION_MS,
  certificateInUseAfterDetachMs: IN_USE_AFTER_DETACH_MS,
  route53InsyncMs: INSYNC_AFTER_MS,
  taskStartMs: TASK_START_MS,
  taskStaggerMs: TASK_STAGGER_MS,
  deploymentSteadyMs: STEADY_AFTER_MS,
  taskRelaunchMs: RELAUNCH_AFTER_FAILURE_MS,
  taskStopMs: TASK_STOP_MS,
  configuredSecondMs: 1000,
  serviceDrainingMs: DRAINING_MS,
  runTaskStartsMs: RUN_TASK_STARTS_MS,
  runTaskStopsMs: RUN_TASK_STOPS_MS,
  webAclUnavailableMs: UNAVAILABLE_AFTER_CREATE_MS,
  webAclAssociatedAfterMs: ASSOCIATED_AFTER_DISASSOCIATION_MS,
  taggingListedAfterDeleteMs: LISTED_AFTER_DELETE_MS,
};

/** Every latency multiplied by factor (rounded to whole milliseconds). */
export function scaleLatency(latency: Latency, factor: number): Latency {
  const scaled = Object.entries(latency).map(([k, v]) => [k, Math.round((v as number) * factor)]);
  return Object.fromEntries(scaled) as unknown as Latency;
}

export class AwsFake<C extends Clock = FakeClock> {
  readonly clock: C;
  readonly latency: Latency = { ...DEFAULT_LATENCY };
  readonly calls: Call[] = [];
  readonly ec2 = new Ec2Model(this);
  readonly elbv2 = new Elbv2Model(this);
  readonly acm = new AcmModel(this);
  readonly route53 = new Route53Model(this);
  readonly ecs = new EcsModel(this);
  readonly logs = new LogsModel(this);
  readonly cloudwatch = new CloudWatchModel(this);
  readonly autoscaling = new AutoScalingModel(this);
  readonly sns = new SnsModel(this);
  readonly ecr = new EcrModel(this);
  readonly secrets = new SecretsModel(() => this.clock.now());
  readonly waf = new WafModel(this);
  readonly rds = new RdsModel(this);
  /** Where infra keeps a stack's record and claim when asked to (src/store/). */
  readonly s3 = new S3Model(this);
  /** The Resource Groups Tagging API: reads the other models, so it holds no resources of its own. */
  readonly tagging = new TaggingModel(this);
  /**
   * Public DNS as the registrar left it: domain -> the name servers its NS lookup returns (none: the domain does not
   * exist). Tests set it to model a domain delegated elsewhere; unset, a domain is delegated to its first (oldest)
   * public zone, so a second zone made by mistake is not the one the world sees.
   */
  readonly delegations = new Map<string, string[]>();
  /** A resolver in front of that public DNS (the `resolveNs` the tests give the CLI); it can be made to fail. */
  readonly dns = new PublicDns(this);
  private faults: Fault[] = [];
  private lacks: Lack[] = [];

  /** Time for the models' asynchronous states: a discrete-event fake clock unless another is given. */
  constructor(clock?: C) {
    this.clock = clock ?? (new FakeClock() as Clock as C);
  }

  get models(): ServiceModel[] {
    return [
      this.ec2,
      this.elbv2,
      this.acm,
      this.route53,
      this.ecs,
      this.logs,
      this.cloudwatch,
      this.autoscaling,
      this.sns,
      this.ecr,
      this.secrets,
      this.waf,
      this.rds,
      this.s3,
      this.tagging,
    ];
  }

  /** Fail the nth matching call from now on. */
  inject(fault: Fault): void {
    this.faults.push({ when: "before", ...fault, seen: 0 });
  }

  /** The next `times` calls of op (every op when omitted) are throttled. */
  throttle(times: number, op?: string): void {
    for (let i = 1; i <= times; i++) this.inject({ ...(op ? { op } : {}), nth: i, error: throttling });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /**
   * Makes the fake an endpoint that implements a subset of AWS: the operation is answered the way AWS answers an
   * operation it does not know, in the service's protocol (UnknownOperationException in the JSON protocols,
   * InvalidAction in the query ones), before anything else happens.
   */
  lack(lack: Lack): void {
    const model = this.models.find(
      (m) => m.handlers.some(([c]) => opName(c) === lack.op) && (!lack.service || m.name === lack.service),
    );
    if (!model) throw new Error(`no model of the fake answers ${lack.op}`);
    unknownOperationCode(model); // refuses a protocol whose answer is not modeled
    this.lacks.push({ ...lack, service: model.name });
  }

  mutatingCalls(since = 0): Call[] {
    return this.calls.slice(since).filter((c) => c.mutating);
  }

  /**
   * The positions (1-based, among mutating calls since `since`) of the calls AWS accepted, with their names:
   * where injecting a fault changes the outcome (a call AWS refuses anyway, like a retried ResourceInUse, does not).
   */
  acceptedMutations(since = 0): { nth: number; op: string }[] {
    return this.mutatingCalls(since)
      .map((c, i) => ({ nth: i + 1, op: c.op, refused: c.refused }))
      .filter((c) => !c.refused)
      .map(({ nth, op }) => ({ nth, op }));
  }

  /**
   * How modeled errors are spelled: "modeled" as the SDK delivers them today (LoadBalancerNotFoundException);
   * "wire" as the raw code (LoadBalancerNotFound), which the SDK delivers when a code is missing from its model.
   * Code that matches one spelling only breaks under the other (docs/aws-behaviours.md, "The SDK for JavaScript v3").
   */
  spelling: "modeled" | "wire" = "modeled";

  private spell(err: unknown): unknown {
    if (this.spelling === "modeled" || !(err instanceof Error) || !err.name.endsWith("Exception")) return err;
    const code = err.name.replace(/Exception$/, "");
    return Object.assign(new Error(err.message), { name: code, Code: code, $fault: "client", $metadata: {} });
  }

  /** Answers one call as AWS would: records it, applies any fault, and runs the model's handler. */
  async dispatch(service: string, op: string, input: unknown, handler: Handler, region?: string): Promise<unknown> {
    const mutating = isMutating(op);
    const call: Call = {
      service,
      op,
      input: structuredClone(input),
      mutating,
      at: this.clock.now(),
      ...(region ? { region } : {}),
    };
    // AWS authorizes a call before acting on it: on the resources as they are now.
    const authorization = authorize(this, service, op, input, region ?? "us-east-1");
    if (authorization) call.authorization = authorization;
    this.calls.push(call);
    if (this.lacks.some((l) => l.op === op && l.service === service && (l.input?.(input) ?? true))) {
      const model = this.models.find((m) => m.name === service) as ServiceModel;
      const code = unknownOperationCode(model);
      call.refused = code;
      throw unmodeled(code, `${op} is not an operation this endpoint supports`);
    }
    let fault: Fault | undefined;
    for (const f of this.faults) {
      const matches = (f.op ? f.op === op : f.mutating ? mutating : true) && (f.input?.(input) ?? true);
      if (matches) f.seen = (f.seen ?? 0) + 1;
      if (matches && f.seen === f.nth) fault ??= f;
    }
    const fail = () =>
      (fault?.error ?? (() => Object.assign(new Error(`injected fault in ${op}`), { name: INJECTED })))();
    if (fault?.when === "before") throw fail();
    let output: unknown;
    try {
      output = handler(structuredClone(input ?? {}), { region: region ?? "us-east-1" });
    } catch (err) {
      call.refused = (err as Error).name;
      throw this.spell(err);
    }
    if (fault?.when === "after") throw fail();
    return { $metadata: { httpStatusCode: 200 }, ...structuredClone(output ?? {}) };
  }
}

// biome-ignore lint/suspicious/noExplicitAny: any SDK command class.
const opName = (command: any) => String(command.name).replace(/Command$/, "");

/**
 * What AWS answers an operation it does not know, by the protocol the service's SDK client speaks:
 * UnknownOperationException in the JSON protocols, InvalidAction in the query ones (docs/aws-behaviours.md,
 * "An operation the endpoint does not support").
 */
export function unknownOperationCode(model: ServiceModel): string {
  const client = new model.client({ region: "us-east-1" });
  const protocol = String(client.config.protocol.getShapeId());
  client.destroy();
  if (protocol.startsWith("aws.protocols#awsJson")) return "UnknownOperationException";
  if (/Query$/i.test(protocol)) return "InvalidAction";
  throw new Error(`the fake does not model how ${model.name} (${protocol}) answers an unknown operation`);
}

/** What the models hold on to: the fake, whatever its clock. */
export type Fake = AwsFake<Clock>;
