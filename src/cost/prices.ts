// On-demand list prices the cost estimate multiplies, kept as data so a price change is a one-line edit with a
// date, not a hunt through arithmetic. Keyed by region because AWS prices differ by region; only us-east-1 is
// filled, and an estimate for another region says so and falls back to it (see `pricesFor`).
//
// Where the figures come from: the AWS pricing pages named in `sources`, for US East (N. Virginia), Linux/x86,
// on-demand, no Savings Plans. They were checked on `asOf` against stored copies of those pages and of 2026
// third-party summaries of them (not a live fetch of aws.amazon.com): all of them are long-standing prices that
// have not moved in years. Re-check them against the pages before relying on them for a budget.

export interface PriceTable {
  region: string;
  /** The day these prices were taken for (ISO date). */
  asOf: string;
  /** The AWS pricing pages the figures come from, by title. */
  sources: readonly string[];
  /** AWS Fargate, Linux/x86 on-demand: billed per second on the task's configured size, not on its use. */
  fargate: { vcpuHour: number; gbHour: number };
  /** Application Load Balancer: a fixed hourly charge plus LCU-hours (the highest of the four LCU dimensions). */
  alb: { hour: number; lcuHour: number };
  /** Amazon VPC public IPv4 addresses (since February 2024): an internet-facing ALB holds one per zone it is in. */
  publicIpv4: { addressHour: number };
  /** Route 53: hosted zones (first 25 of an account) and standard queries (first billion a month). */
  route53: { hostedZoneMonth: number; millionStandardQueries: number };
  cloudwatch: {
    /**
     * Standard-resolution (60 s period) alarm, per alarm metric. A p95/p99 alarm costs the same: CloudWatch prices
     * alarms by resolution and type (standard, high-resolution, composite), not by the statistic they watch.
     */
    standardAlarmMonth: number;
    /** High-resolution (10 s period) alarm: not used by this stack, listed so nobody assumes it costs the same. */
    highResolutionAlarmMonth: number;
    dashboardMonth: number;
    /** CloudWatch Logs standard class: ingestion per GB and storage per GB-month. */
    logsIngestedGb: number;
    logsStoredGbMonth: number;
  };
  /** AWS WAF: each AWS managed rule group counts as one rule; the baseline groups carry no extra subscription. */
  waf: { webAclMonth: number; ruleMonth: number; millionRequests: number };
  /** Amazon SNS email delivery: $2.00 per 100,000 notifications. */
  sns: { emailNotification: number };
  /**
   * Amazon RDS for PostgreSQL, Single-AZ, on-demand: the classes a recovery drill restores into (production's, or
   * a smaller one), and General Purpose storage (gp2 and gp3 cost the same per GB-month). Multi-AZ bills the
   * standby's instance hours and storage too: twice these. The production database itself is a prerequisite, not
   * made by infra, and is not in the estimate.
   */
  rds: { instanceHour: Readonly<Record<string, number>>; storageGbMonth: number; hoursPerMonth: number };
  /** ACM public certificates used with an ALB cost nothing. */
  acm: { publicCertificate: number };
  /** Amazon S3 Standard (the store of the stack's record, INFRA_STATE): requests and storage. */
  s3: { putRequest: number; getRequest: number; storageGbMonth: number };
  /**
   * Always-free allowances of an account. The estimate does not subtract them (they are shared with everything
   * else in the account, so this stack cannot count on them); they are listed so the output can say so.
   */
  freeTier: { alarmMetrics: number; dashboards: number; logsGb: number; snsEmails: number };
}

/** The region every estimate falls back to: the only one with prices in the table. */
export const BASE_PRICE_REGION = "us-east-1";

export const PRICES: Readonly<Record<string, PriceTable>> = {
  "us-east-1": {
    region: "us-east-1",
    asOf: "2026-11-27",
    sources: [
      "AWS Fargate pricing",
      "Elastic Load Balancing pricing",
      "Amazon VPC pricing (public IPv4 addresses)",
      "Amazon Route 53 pricing",
      "Amazon CloudWatch pricing",
      "AWS WAF pricing",
      "Amazon SNS pricing",
      "AWS Certificate Manager pricing",
      "Amazon RDS for PostgreSQL pricing",
      "Amazon S3 pricing",
    ],
    fargate: { vcpuHour: 0.04048, gbHour: 0.004445 },
    alb: { hour: 0.0225, lcuHour: 0.008 },
    publicIpv4: { addressHour: 0.005 },
    route53: { hostedZoneMonth: 0.5, millionStandardQueries: 0.4 },
    cloudwatch: {
      standardAlarmMonth: 0.1,
      highResolutionAlarmMonth: 0.3,
      dashboardMonth: 3.0,
      logsIngestedGb: 0.5,
      logsStoredGbMonth: 0.03,
    },
    waf: { webAclMonth: 5.0, ruleMonth: 1.0, millionRequests: 0.6 },
    sns: { emailNotification: 2.0 / 100_000 },
    // RDS figures checked on 2026-11-29 against stored 2026 summaries of the RDS pricing page for US East.
    rds: {
      instanceHour: {
        "db.t4g.micro": 0.016,
        "db.t4g.small": 0.032,
        "db.t4g.medium": 0.065,
        "db.t3.micro": 0.018,
        "db.t3.small": 0.036,
        "db.t3.medium": 0.072,
      },
      storageGbMonth: 0.115,
      hoursPerMonth: 730,
    },
    acm: { publicCertificate: 0 },
    // PUT, COPY, POST and LIST requests $0.005 per 1,000; GET $0.0004 per 1,000; Standard storage, first 50 TB.
    s3: { putRequest: 0.005 / 1000, getRequest: 0.0004 / 1000, storageGbMonth: 0.023 },
    freeTier: { alarmMetrics: 10, dashboards: 3, logsGb: 5, snsEmails: 1000 },
  },
};

/** The prices for a region, or us-east-1's with a note saying they stand in for the region's own. */
export function pricesFor(region: string): { table: PriceTable; note?: string } {
  const own = PRICES[region];
  if (own) return { table: own };
  const base = PRICES[BASE_PRICE_REGION];
  // The table is a literal in this file: a missing base is a programming error, not an input error.
  if (!base) throw new Error(`the price table has no ${BASE_PRICE_REGION} entry`);
  return {
    table: base,
    note: `no prices for ${region} in the price table: ${BASE_PRICE_REGION} prices used instead (most other regions cost somewhat more)`,
  };
}
