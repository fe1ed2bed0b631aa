// The one place that makes AWS SDK v3 clients. Each client is built on first use (a command that needs only
// ELBv2 never loads the ECS package) and all share one configuration: region, profile, endpoint and a retry
// strategy for control-plane work. Tests inject their own clients, or mock the classes with aws-sdk-client-mock.
import type { ACMClient } from "@aws-sdk/client-acm";
import type { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RDSClient } from "@aws-sdk/client-rds";
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { Route53Client } from "@aws-sdk/client-route-53";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { WAFV2Client } from "@aws-sdk/client-wafv2";

export interface AwsSettings {
  region: string;
  profile?: string;
  endpoint?: string;
  /** Fixed credentials instead of the SDK's default chain (the sandbox's dummy ones). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** The longest one call may take, its retries included: the command's --timeout. */
  callTimeoutMs?: number;
}

export interface ClientMap {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  acm: ACMClient;
  route53: Route53Client;
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  ecr: ECRClient;
  secrets: SecretsManagerClient;
  autoscaling: ApplicationAutoScalingClient;
  cloudwatch: CloudWatchClient;
  sns: SNSClient;
  waf: WAFV2Client;
  tagging: ResourceGroupsTaggingAPIClient;
  rds: RDSClient;
  s3: S3Client;
}

/**
 * The SDK's default of 3 attempts is too few for bursts of describes and for Route 53 (docs/aws-behaviours.md);
 * standard mode backs off exponentially with jitter (capped at 20 s). (Adaptive mode's client-side rate limiter
 * slowed three throttled calls to 6 s in test/core/aws.test.ts: not worth it for a handful of control-plane calls.)
 */
export const RETRY = { maxAttempts: 8, retryMode: "standard" } as const;

/**
 * Each attempt of a call: connected within 10 s and answered within a minute (AWS answers control-plane calls in
 * seconds), else it fails as a TimeoutError that the retry strategy retries. The SDK's defaults wait for ever.
 */
export const ATTEMPT = { connectionTimeout: 10_000, requestTimeout: 60_000 } as const;

const makers: { [K in keyof ClientMap]: (config: object) => Promise<ClientMap[K]> } = {
  ec2: async (c) => new (await import("@aws-sdk/client-ec2")).EC2Client(c),
  elbv2: async (c) => new (await import("@aws-sdk/client-elastic-load-balancing-v2")).ElasticLoadBalancingV2Client(c),
  acm: async (c) => new (await import("@aws-sdk/client-acm")).ACMClient(c),
  route53: async (c) => new (await import("@aws-sdk/client-route-53")).Route53Client(c),
  ecs: async (c) => new (await import("@aws-sdk/client-ecs")).ECSClient(c),
  logs: async (c) => new (await import("@aws-sdk/client-cloudwatch-logs")).CloudWatchLogsClient(c),
  ecr: async (c) => new (await import("@aws-sdk/client-ecr")).ECRClient(c),
  secrets: async (c) => new (await import("@aws-sdk/client-secrets-manager")).SecretsManagerClient(c),
  autoscaling: async (c) =>
    new (await import("@aws-sdk/client-application-auto-scaling")).ApplicationAutoScalingClient(c),
  cloudwatch: async (c) => new (await import("@aws-sdk/client-cloudwatch")).CloudWatchClient(c),
  sns: async (c) => new (await import("@aws-sdk/client-sns")).SNSClient(c),
  waf: async (c) => new (await import("@aws-sdk/client-wafv2")).WAFV2Client(c),
  tagging: async (c) =>
    new (await import("@aws-sdk/client-resource-groups-tagging-api")).ResourceGroupsTaggingAPIClient(c),
  rds: async (c) => new (await import("@aws-sdk/client-rds")).RDSClient(c),
  // Under a custom endpoint (an emulator, the sandbox) buckets are addressed path-style: <endpoint>/<bucket>/<key>.
  // A bucket in another region than the stack's answers with a redirect, which the client follows.
  s3: async (c) =>
    new (await import("@aws-sdk/client-s3")).S3Client({
      ...c,
      forcePathStyle: Boolean((c as { endpoint?: string }).endpoint),
      followRegionRedirects: true,
    }),
};

type CredentialProvider = () => Promise<unknown>;

export class AwsClients {
  private readonly made = new Map<string, Promise<unknown>>();
  private credentials?: Promise<CredentialProvider>;
  /** The operations this endpoint has answered as unsupported in this run, with its answer (unsupported.ts). */
  readonly unsupported = new Map<string, string>();

  constructor(
    readonly settings: AwsSettings,
    private readonly injected: Partial<ClientMap> = {},
  ) {}

  get<K extends keyof ClientMap>(name: K): Promise<ClientMap[K]> {
    return this.inRegion(name, this.settings.region);
  }

  /**
   * A client for another region than the stack's, with the same credentials and endpoint: what lives in a region
   * of its own, such as an ECR repository named by an image URI. An injected client is used as it is.
   */
  inRegion<K extends keyof ClientMap>(name: K, region: string): Promise<ClientMap[K]> {
    const injected = this.injected[name];
    if (injected) return Promise.resolve(injected);
    const key = region === this.settings.region ? name : `${name}@${region}`;
    let client = this.made.get(key);
    if (!client) {
      client = this.provider()
        .then((credentials) => makers[name]({ ...this.clientConfig(), region, credentials }))
        .then((made) => bounded(made, this.settings.callTimeoutMs));
      this.made.set(key, client);
    }
    return client as Promise<ClientMap[K]>;
  }

  /**
   * One credential chain for every client: each client would otherwise walk the chain (environment, profiles, SSO,
   * then the instance metadata endpoint) on its own, and with no credentials each would wait for that endpoint.
   */
  private provider(): Promise<CredentialProvider> {
    const fixed = this.settings.credentials;
    this.credentials ??= fixed
      ? Promise.resolve(async () => fixed)
      : import("@aws-sdk/credential-provider-node").then(({ defaultProvider }) =>
          defaultProvider(this.settings.profile ? { profile: this.settings.profile } : {}),
        );
    return this.credentials;
  }

  /** Why no credentials could be had within ms (none found, or the chain did not answer), or undefined when found. */
  async missingCredentials(ms: number): Promise<string | undefined> {
    if (Object.keys(this.injected).length > 0) return undefined;
    const provider = await this.provider();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no AWS credentials found within ${ms / 1000} s`), ms);
    });
    try {
      return await Promise.race([
        provider().then(
          () => undefined,
          (err: Error) => `no AWS credentials: ${err.message.split("\n")[0]}`,
        ),
        late,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  ec2 = () => this.get("ec2");
  elbv2 = () => this.get("elbv2");
  acm = () => this.get("acm");
  route53 = () => this.get("route53");
  ecs = () => this.get("ecs");
  logs = () => this.get("logs");
  ecr = () => this.get("ecr");
  secrets = () => this.get("secrets");
  autoscaling = () => this.get("autoscaling");
  cloudwatch = () => this.get("cloudwatch");
  sns = () => this.get("sns");
  waf = () => this.get("waf");
  tagging = () => this.get("tagging");
  rds = () => this.get("rds");
  s3 = () => this.get("s3");

  private clientConfig() {
    const { region, profile, endpoint, callTimeoutMs } = this.settings;
    const limit = (ms: number) => Math.min(ms, callTimeoutMs ?? ms);
    return {
      region,
      ...RETRY,
      requestHandler: {
        connectionTimeout: limit(ATTEMPT.connectionTimeout),
        requestTimeout: limit(ATTEMPT.requestTimeout),
        throwOnRequestTimeout: true,
      },
      ...(profile ? { profile } : {}),
      ...(endpoint ? { endpoint } : {}),
    };
  }
}

type Send = (command: { constructor: { name: string } }, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;

/**
 * One call, its retries and the pauses between them included, ends within limitMs (--timeout): a socket that
 * accepts and never answers, again and again, cannot hold a command past what its user allowed. The call is
 * aborted then, and fails as a TimeoutError that names the operation.
 */
function bounded<T>(client: T, limitMs: number | undefined): T {
  if (limitMs === undefined) return client;
  const c = client as unknown as { send: Send };
  const send: Send = c.send.bind(client);
  c.send = (command, options) => {
    if (options?.abortSignal) return send(command, options);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const operation = command.constructor.name.replace(/Command$/, "");
        reject(
          Object.assign(new Error(`${operation}: no answer within ${limitMs / 1000} s (--timeout), retries included`), {
            name: "TimeoutError",
            code: "ETIMEDOUT",
          }),
        );
        controller.abort();
      }, limitMs);
    });
    return Promise.race([send(command, { ...options, abortSignal: controller.signal }), late]).finally(() =>
      clearTimeout(timer),
    );
  };
  return client;
}
