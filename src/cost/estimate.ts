// The monthly cost of the stack as configured: a pure function of the configuration and a few usage guesses,
// so `infra cost` and `infra plan` can show it without an AWS account. Every line carries its arithmetic in
// words, so a reader can check it against the price pages instead of trusting it.
import { CLAIM_LEASE_MS } from "../core/env-file.js";
import { type DrillCost, type DrillInput, drillCost } from "./drill.js";
import { grouped } from "./numbers.js";
import { type PriceTable, pricesFor } from "./prices.js";

/** AWS's own month for hourly prices (365 x 24 / 12). */
export const HOURS_PER_MONTH = 730;

/**
 * Alarms the `monitoring` resource makes for the service (src/resources/monitoring/alarms.ts): ALB 5xx, target
 * 5xx, p95 target response time, unhealthy hosts, no healthy hosts, ECS CPU and ECS memory.
 */
export const SERVICE_ALARMS = 7;
/** The earlier scripts' RDS alarms (CPU, connections, free storage, freeable memory), when RDS_INSTANCE_ID is set. */
export const RDS_ALARMS = 4;
/** Target tracking makes a high and a low alarm per policy, and they are billed: CPU and memory policies. */
export const AUTOSCALING_ALARMS = 4;
export const DEFAULT_DASHBOARDS = 1;
/** The four AWS managed rule groups of the `waf` resource plus its per-IP rate limit. */
export const WAF_RULES = 5;
/** An internet-facing ALB in the two public subnets holds one public IPv4 address per zone. */
export const ALB_PUBLIC_IPV4_ADDRESSES = 2;
/** The log group's retention when LOG_RETENTION_DAYS is not set. */
export const DEFAULT_LOG_RETENTION_DAYS = 7;

/** How many alarms the monitoring resource makes. */
export const monitoringAlarmCount = (rdsAlarms: boolean) => SERVICE_ALARMS + (rdsAlarms ? RDS_ALARMS : 0);

/** What the stack is used for: guesses, each shown in the output so the reader can replace it. */
export interface CostUsage {
  /** Average load balancer capacity units per hour (1 LCU: 25 new connections/s or 1 GB/h processed). */
  lcuAverage: number;
  hoursPerMonth: number;
  /** Application logs written to CloudWatch Logs in a month. */
  logGbPerMonth: number;
  /** Requests the web ACL inspects in a month (blocked ones count too). */
  wafRequestsMillions: number;
  /** Billed Route 53 queries in a month: queries for the alias A record to the ALB are free, others are not. */
  route53QueriesMillions: number;
  alertEmailsPerMonth: number;
  /** With a store of the stack's record: commands that change the stack a month, and how long each runs. */
  storeRunsPerMonth: number;
  storeRunMinutes: number;
  /** Reading commands (status, verify, runbook) a month: one read of the store each. */
  storeReadsPerMonth: number;
}

export const DEFAULT_USAGE: Readonly<CostUsage> = {
  lcuAverage: 1,
  hoursPerMonth: HOURS_PER_MONTH,
  logGbPerMonth: 5,
  wafRequestsMillions: 10,
  route53QueriesMillions: 1,
  alertEmailsPerMonth: 100,
  storeRunsPerMonth: 60,
  storeRunMinutes: 10,
  storeReadsPerMonth: 60,
};

/**
 * The store's requests (src/store/): a run that changes the stack reads once and writes at most three times (a
 * wrong guess, the claim, the record with the claim let go), and renews its claim every third of the lease.
 */
const STORE_WRITES_PER_RUN = 3;
const STORE_RENEWAL_MINUTES = CLAIM_LEASE_MS / 3 / 60_000;
/** One stored version of a record (a versioned bucket keeps every one): about 3 KB. */
const STORE_VERSION_GB = 3 / 1024 / 1024;

export interface CostInput {
  region: string;
  /** Fargate cpu units (TASK_CPU): 1024 = 1 vCPU. */
  taskCpu: number;
  /** TASK_MEMORY in MiB. */
  taskMemoryMiB: number;
  /** DESIRED_COUNT: the tasks running all month. */
  desiredCount: number;
  /** AUTOSCALING_MAX_CAPACITY: when given, a second total with that many tasks all month. */
  autoscalingMax?: number;
  /** Alarms the monitoring resource makes (default SERVICE_ALARMS; see `monitoringAlarmCount`). */
  alarms?: number;
  /** Target-tracking alarms (default AUTOSCALING_ALARMS when autoscalingMax is given, else 0). */
  autoscalingAlarms?: number;
  dashboards?: number;
  wafEnabled: boolean;
  wafRules?: number;
  /** LOG_RETENTION_DAYS: how long the logs are stored, hence how many GB are kept at a time. */
  logRetentionDays?: number;
  /** 1 when the domain's zone is in Route 53, 0 with DNS_PROVIDER=external. */
  hostedZones?: number;
  albPublicIpv4Addresses?: number;
  usage?: Partial<CostUsage>;
  /** When the stack has a database: what one recovery drill (`infra dr-drill`) costs, shown apart from the month. */
  drill?: DrillInput;
  /** INFRA_STATE is set: the stack's record and claim are kept in S3. */
  stateStore?: boolean;
}

export interface CostLine {
  item: string;
  /** The arithmetic in words, e.g. "2 tasks x 0.5 vCPU x 730 h x $0.04048". */
  detail: string;
  /** Rounded to cents. */
  monthlyUsd: number;
}

export interface CostEstimate {
  /** The region asked about. */
  region: string;
  lines: CostLine[];
  /** The sum of the lines' rounded amounts. */
  totalUsd: number;
  /** The same stack with the auto-scaling maximum of tasks running all month. */
  atMaxScale?: { tasks: number; totalUsd: number };
  assumptions: string[];
  prices: { region: string; asOf: string; sources: readonly string[] };
  /** Set when the region has no prices of its own. */
  note?: string;
  oneDrill?: DrillCost;
}

export function estimateMonthlyCost(input: CostInput): CostEstimate {
  const { table, note } = pricesFor(input.region);
  const usage: CostUsage = { ...DEFAULT_USAGE, ...input.usage };
  const q = quantities(input, usage);
  const lines = stackLines(table, q, input.desiredCount);
  const estimate: CostEstimate = {
    region: input.region,
    lines,
    totalUsd: sumCents(lines),
    assumptions: assumptions(table, q, usage, input.autoscalingMax !== undefined),
    prices: { region: table.region, asOf: table.asOf, sources: table.sources },
  };
  if (input.autoscalingMax !== undefined) {
    // Only the Fargate lines change with the task count: the rest of the stack is sized per stack, not per task.
    const tasks = count("autoscalingMax", input.autoscalingMax);
    estimate.atMaxScale = { tasks, totalUsd: sumCents(stackLines(table, q, tasks)) };
  }
  if (note) estimate.note = note;
  if (input.drill) estimate.oneDrill = drillCost(table, input.drill);
  return estimate;
}

/** The inputs checked and defaulted: a negative or fractional count would give a plausible-looking wrong total. */
function quantities(input: CostInput, usage: CostUsage) {
  for (const [key, value] of Object.entries(usage)) amount(`usage.${key}`, value);
  count("desiredCount", input.desiredCount);
  return {
    vcpu: amount("taskCpu", input.taskCpu) / 1024,
    memoryGb: amount("taskMemoryMiB", input.taskMemoryMiB) / 1024,
    alarms: count("alarms", input.alarms ?? SERVICE_ALARMS),
    autoscalingAlarms: count(
      "autoscalingAlarms",
      input.autoscalingAlarms ?? (input.autoscalingMax === undefined ? 0 : AUTOSCALING_ALARMS),
    ),
    dashboards: count("dashboards", input.dashboards ?? DEFAULT_DASHBOARDS),
    wafRules: input.wafEnabled ? count("wafRules", input.wafRules ?? WAF_RULES) : 0,
    wafEnabled: input.wafEnabled,
    retentionDays: count("logRetentionDays", input.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS),
    hostedZones: count("hostedZones", input.hostedZones ?? 1),
    stateStore: Boolean(input.stateStore),
    ipv4: count("albPublicIpv4Addresses", input.albPublicIpv4Addresses ?? ALB_PUBLIC_IPV4_ADDRESSES),
    usage,
  };
}
type Quantities = ReturnType<typeof quantities>;

function stackLines(p: PriceTable, q: Quantities, tasks: number): CostLine[] {
  const { usage } = q;
  const h = usage.hoursPerMonth;
  const cw = p.cloudwatch;
  const daysPerMonth = h / 24;
  // At steady state the log group holds `retention` days of logs; storage is billed on compressed size, which
  // we ignore, so this errs high.
  const storedGb = (usage.logGbPerMonth * q.retentionDays) / daysPerMonth;
  const all: (CostLine | false)[] = [
    line(
      "Fargate vCPU",
      `${of(tasks, "task")} x ${n(q.vcpu)} vCPU x ${n(h)} h x ${usd(p.fargate.vcpuHour)}`,
      tasks * q.vcpu * h * p.fargate.vcpuHour,
    ),
    line(
      "Fargate memory",
      `${of(tasks, "task")} x ${n(q.memoryGb)} GB x ${n(h)} h x ${usd(p.fargate.gbHour)}`,
      tasks * q.memoryGb * h * p.fargate.gbHour,
    ),
    line("Application Load Balancer", `${n(h)} h x ${usd(p.alb.hour)}`, h * p.alb.hour),
    line(
      "ALB capacity units",
      `${n(usage.lcuAverage)} LCU x ${n(h)} h x ${usd(p.alb.lcuHour)}`,
      usage.lcuAverage * h * p.alb.lcuHour,
    ),
    q.ipv4 > 0 &&
      line(
        "ALB public IPv4 addresses",
        `${of(q.ipv4, "address", "addresses")} x ${n(h)} h x ${usd(p.publicIpv4.addressHour)}`,
        q.ipv4 * h * p.publicIpv4.addressHour,
      ),
    line("ACM certificate", "public certificate: free", p.acm.publicCertificate),
    q.hostedZones > 0 &&
      line(
        "Route 53 hosted zone",
        `${of(q.hostedZones, "zone")} x ${usd(p.route53.hostedZoneMonth)}`,
        q.hostedZones * p.route53.hostedZoneMonth,
      ),
    q.hostedZones > 0 &&
      line(
        "Route 53 queries",
        `${n(usage.route53QueriesMillions)} million queries x ${usd(p.route53.millionStandardQueries)}`,
        usage.route53QueriesMillions * p.route53.millionStandardQueries,
      ),
    q.alarms > 0 &&
      line(
        "CloudWatch alarms",
        `${of(q.alarms, "alarm")} x ${usd(cw.standardAlarmMonth)}`,
        q.alarms * cw.standardAlarmMonth,
      ),
    q.autoscalingAlarms > 0 &&
      line(
        "Auto scaling alarms",
        `${of(q.autoscalingAlarms, "target-tracking alarm")} x ${usd(cw.standardAlarmMonth)}`,
        q.autoscalingAlarms * cw.standardAlarmMonth,
      ),
    q.dashboards > 0 &&
      line(
        "CloudWatch dashboard",
        `${of(q.dashboards, "dashboard")} x ${usd(cw.dashboardMonth)}`,
        q.dashboards * cw.dashboardMonth,
      ),
    line(
      "CloudWatch Logs ingestion",
      `${n(usage.logGbPerMonth)} GB x ${usd(cw.logsIngestedGb)}`,
      usage.logGbPerMonth * cw.logsIngestedGb,
    ),
    line(
      "CloudWatch Logs storage",
      `${n(usage.logGbPerMonth)} GB/month kept ${n(q.retentionDays)} days = ${n(Number(storedGb.toFixed(2)))} GB x ${usd(cw.logsStoredGbMonth)}`,
      storedGb * cw.logsStoredGbMonth,
    ),
    q.alarms > 0 &&
      line(
        "SNS alert emails",
        `${of(usage.alertEmailsPerMonth, "email")} x ${usd(p.sns.emailNotification)}`,
        usage.alertEmailsPerMonth * p.sns.emailNotification,
      ),
    q.stateStore && storeLine(p, usage),
    q.wafEnabled && line("WAF web ACL", `1 web ACL x ${usd(p.waf.webAclMonth)}`, p.waf.webAclMonth),
    q.wafEnabled &&
      line("WAF rules", `${of(q.wafRules, "rule")} x ${usd(p.waf.ruleMonth)}`, q.wafRules * p.waf.ruleMonth),
    q.wafEnabled &&
      line(
        "WAF requests",
        `${n(usage.wafRequestsMillions)} million requests x ${usd(p.waf.millionRequests)}`,
        usage.wafRequestsMillions * p.waf.millionRequests,
      ),
  ];
  return all.filter((l): l is CostLine => l !== false);
}

/** The store of the stack's record: its requests, and every version of a year's writes kept. */
function storeLine(p: PriceTable, u: CostUsage): CostLine {
  const renewals = Math.floor(u.storeRunMinutes / STORE_RENEWAL_MINUTES);
  const writes = u.storeRunsPerMonth * (STORE_WRITES_PER_RUN + renewals);
  const reads = u.storeRunsPerMonth + u.storeReadsPerMonth;
  const gb = writes * 12 * STORE_VERSION_GB;
  return line(
    "Stack record in S3",
    `${n(writes)} writes x ${usd(p.s3.putRequest)} + ${n(reads)} reads x ${usd(p.s3.getRequest)} + ${n(Number(gb.toFixed(4)))} GB kept x ${usd(p.s3.storageGbMonth)}`,
    writes * p.s3.putRequest + reads * p.s3.getRequest + gb * p.s3.storageGbMonth,
  );
}

function assumptions(p: PriceTable, q: Quantities, u: CostUsage, maxScale: boolean): string[] {
  const f = p.freeTier;
  return [
    `${n(u.hoursPerMonth)} hours a month; every resource runs all month`,
    `on average ${n(u.lcuAverage)} ALB capacity unit per hour (about 25 new connections a second or 1 GB an hour)`,
    `${n(u.logGbPerMonth)} GB of logs a month, kept ${n(q.retentionDays)} days, storage counted uncompressed`,
    `${n(u.route53QueriesMillions)} million billed Route 53 queries a month (queries for the alias record to the ALB are free)`,
    "alarms are standard resolution; the p95 latency alarm costs the same as the others (alarms are priced by resolution, not statistic)",
    `${n(u.alertEmailsPerMonth)} alert emails a month`,
    ...(q.wafEnabled ? [`${n(u.wafRequestsMillions)} million requests a month inspected by WAF`] : []),
    ...(q.stateStore
      ? [
          `the stack's record in S3: ${n(u.storeRunsPerMonth)} runs a month that change the stack, ${n(u.storeRunMinutes)} minutes each, and ${n(u.storeReadsPerMonth)} that read it; every version of a year kept`,
        ]
      : []),
    ...(maxScale
      ? [
          "the total at the auto-scaling maximum runs that many tasks all month: the most auto scaling can cost, not a forecast",
        ]
      : []),
    `free tiers not subtracted (they are per account and shared): ${f.alarmMetrics} alarm metrics, ${f.dashboards} dashboards, ${f.logsGb} GB of logs, ${n(f.snsEmails)} SNS emails a month`,
    "not included: data transfer out, NAT gateway, RDS, ECR storage, Secrets Manager (earlier phases' resources), taxes",
    "on-demand list prices, Fargate on Linux/x86, no Savings Plans or credits",
  ];
}

function line(item: string, detail: string, usd: number): CostLine {
  return { item, detail, monthlyUsd: cents(usd) };
}

/** Rounds to cents, half up, after removing binary float noise (1.005 x 100 is 100.49999999999999). */
export function cents(usd: number): number {
  return Math.round(Number((usd * 100).toPrecision(12))) / 100;
}

/** Sums in whole cents, so the total is exactly the sum of the lines as printed. */
function sumCents(lines: CostLine[]): number {
  return lines.reduce((sum, l) => sum + Math.round(l.monthlyUsd * 100), 0) / 100;
}

/** A number for a sentence: no float noise, at most four decimals (0.5, 1.15, 730). */
const n = (x: number) => grouped(Number(x.toFixed(4)), 0, 4);

/** A count with its noun: "1 zone", "2 zones". */
const of = (count: number, noun: string, plural = `${noun}s`) => `${n(count)} ${count === 1 ? noun : plural}`;

/** A unit price with at least cents and every significant digit: $0.50, $0.0225, $0.00002. */
function usd(price: number): string {
  const decimals = price.toFixed(8).replace(/0+$/, "").split(".")[1]?.length ?? 0;
  return `$${price.toFixed(Math.max(2, decimals))}`;
}

function amount(key: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${key} must be a number of 0 or more, not ${value}`);
  return value;
}

function count(key: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${key} must be a whole number of 0 or more, not ${value}`);
  return value;
}
