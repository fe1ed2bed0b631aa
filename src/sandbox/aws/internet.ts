// The public internet as a client sees the stack: DNS (the Route 53 alias), the HTTPS listener with an issued
// certificate, then the ALB answering 200 when a target is healthy and 503 when none is. Used for the
// post-deploy health probe; `brokenPaths` lets a test make the app itself answer 500.
import type { Fake } from "./aws-fake.js";

export class FakeInternet {
  /** Paths the app answers with 500, as if its health check handler failed. */
  readonly brokenPaths = new Set<string>();

  constructor(private readonly fake: Fake) {}

  async get(url: string): Promise<{ status: number }> {
    const { hostname, pathname, protocol } = new URL(url);
    const record = this.fake.route53.findRecord(hostname, "A");
    const target = record?.AliasTarget?.DNSName?.toLowerCase()
      .replace(/\.$/, "")
      .replace(/^dualstack\./, "");
    if (!target) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    const elbv2 = this.fake.elbv2;
    const lb = elbv2.liveLoadBalancers().find((x) => target.startsWith(`${x.name}-`));
    if (!lb) throw Object.assign(new Error(`connect ECONNREFUSED ${hostname}`), { code: "ECONNREFUSED" });
    const port = protocol === "https:" ? 443 : 80;
    const listener = elbv2.listenersOf(lb.arn).find((l) => l.Port === port);
    if (!listener) throw Object.assign(new Error(`connect ECONNREFUSED ${hostname}:${port}`), { code: "ECONNREFUSED" });
    if (listener.DefaultActions[0]?.Type === "redirect") return { status: 301 };
    const tg = listener.DefaultActions[0]?.TargetGroupArn as string;
    if (elbv2.healthyTargets(tg) === 0) return { status: 503 };
    return { status: this.brokenPaths.has(pathname) ? 500 : 200 };
  }
}
