// What a load test aims at and how much it may send, decided from the options and the env file before anything
// is sent (no request leaves these tests).
import { describe, expect, it } from "vitest";
import { type LoadOptions, planLoad, wafWarning } from "../../src/load/plan.js";

const env = (values: Record<string, string>) => ({ get: (key: string) => values[key] });
const STACK = { API_DOMAIN_NAME: "api.startupwebapp.com", ALB_DNS_NAME: "web-alb-1234.us-east-1.elb.amazonaws.com" };
const options = (o: Partial<LoadOptions> = {}): LoadOptions => ({
  rate: "10",
  duration: "30s",
  connections: "10",
  requestTimeout: "10s",
  ...o,
});

describe("the load test's plan", () => {
  it("aims at https://<API_DOMAIN_NAME> and the scripts' health check path by default", async () => {
    const plan = await planLoad(options(), env(STACK));

    expect(plan).toMatchObject({
      origin: "https://api.startupwebapp.com",
      paths: [{ path: "/order/products", weight: 1 }],
      total: 300,
      outsideStack: false,
    });
  });

  it("takes HEALTH_CHECK_PATH from the env file, and --path over it", async () => {
    const fromEnv = await planLoad(options(), env({ ...STACK, HEALTH_CHECK_PATH: "/health" }));
    const given = await planLoad(options({ path: ["/a", "/b"] }), env({ ...STACK, HEALTH_CHECK_PATH: "/health" }));

    expect(fromEnv.paths.map((p) => p.path)).toEqual(["/health"]);
    expect(given.paths.map((p) => p.path)).toEqual(["/a", "/b"]);
  });

  it("counts the ALB's own DNS name as the stack, and anything else as outside it", async () => {
    const alb = await planLoad(options({ target: `http://${STACK.ALB_DNS_NAME}` }), env(STACK));
    const other = await planLoad(options({ target: "https://staging.example.com", outsideStack: true }), env(STACK));

    expect(alb).toMatchObject({ origin: `http://${STACK.ALB_DNS_NAME}`, outsideStack: false });
    expect(other).toMatchObject({ origin: "https://staging.example.com", outsideStack: true });
    await expect(planLoad(options({ target: "https://staging.example.com" }), env(STACK))).rejects.toThrow(
      /not this stack's endpoint/,
    );
    await expect(planLoad(options({ target: "https://api.startupwebapp.com/order" }), env(STACK))).rejects.toThrow(
      /must be scheme:\/\/host\[:port\] only/,
    );
  });

  it("lets --lift-caps raise the caps, but not past the most infra sends", async () => {
    const lifted = await planLoad(options({ rate: "500", duration: "20m", liftCaps: true }), env(STACK));

    expect(lifted).toMatchObject({ rate: 500, durationMs: 1_200_000, total: 600_000 });
    await expect(planLoad(options({ rate: "5000", liftCaps: true }), env(STACK))).rejects.toThrow(
      /--rate 5000 req\/s is above the most infra sends \(2000 req\/s\)/,
    );
  });
});

describe("the WAF warning", () => {
  it("warns when an enabled WAF's per-IP limit would block the run, and not otherwise", async () => {
    const waf = env({ ...STACK, WAF_ENABLED: "true" });
    const fast = await planLoad(options({ rate: "10", duration: "10m" }), waf);
    const slow = await planLoad(options({ rate: "5", duration: "10m" }), waf);

    expect(wafWarning(fast, waf)).toBe(
      "the WAF blocks an IP above 2000 requests in 5 minutes: this run sends 3000 in its first 5 minutes, so from about 200 s on it will be answered 403",
    );
    expect(wafWarning(slow, waf)).toBeUndefined();
    expect(wafWarning(fast, env(STACK))).toBeUndefined();
  });
});
