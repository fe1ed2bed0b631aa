// Everything a resource function needs, built once per command and passed in: no module reaches for
// globals or process.env.
import type { AwsClients } from "./aws.js";
import type { Clock } from "./clock.js";
import type { EnvFile } from "./env-file.js";
import type { Events } from "./events.js";
import type { Invocation } from "./invocation.js";
import type { SharedReads } from "./shared-reads.js";

export interface RunOptions {
  /** --no-wait: record what was started and return instead of waiting for it. */
  wait: boolean;
  /** --timeout, for each wait. */
  timeoutMs: number;
  /** destroy --keep-logs: leave log groups (and what they hold) in place. */
  keepLogs?: boolean;
}

/** Public DNS, to check that a domain is really delegated to its Route 53 zone. */
export interface DnsResolver {
  resolveNs(domain: string): Promise<string[]>;
  /** It answers for the zones of the AWS endpoint in use (the sandbox's own public DNS), not only the world's. */
  knowsEndpointZones?: boolean;
}

/** HTTP, to probe the service through its real domain after a deploy. */
export interface HttpProbe {
  get(url: string, timeoutMs: number): Promise<{ status: number }>;
}

/** The other steps of the same run (`create all`), for a resource that needs what one of them records. */
export interface StepRun {
  /** Whether that step is part of this run. */
  has(step: string): boolean;
  /** Resolves once that step has finished (at once when it is not part of this run); rejects when it failed. */
  finished(step: string): Promise<void>;
}

export interface Context {
  env: EnvFile;
  aws: AwsClients;
  clock: Clock;
  events: Events;
  options: RunOptions;
  dns: DnsResolver;
  http: HttpProbe;
  steps: StepRun;
  /** Where this run ran: what every command it prints for the user carries (absent in tests that build their own). */
  invocation?: Invocation;
  /** While a command looks at the stack before changing it: reads of one object that resources share. */
  reads?: SharedReads;
}
