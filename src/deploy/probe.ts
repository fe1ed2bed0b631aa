// After a deploy: GET the health URL through the real domain (DNS, TLS certificate, ALB, targets), a few times.
import type { Context } from "../core/context.js";
import { DeploymentFailed } from "../resources/ecs-service/deployment.js";

const ATTEMPTS = 3;
const TIMEOUT_MS = 5_000;

export async function probe(ctx: Context, url: string | undefined): Promise<void> {
  const ev = ctx.events.for("deploy");
  if (!url) {
    ev.skipped("health probe: set API_DOMAIN_NAME or HEALTH_CHECK_URL to probe the service after a deploy");
    return;
  }
  const results: string[] = [];
  for (let i = 0; i < ATTEMPTS; i++) {
    const start = ctx.clock.now();
    try {
      const { status } = await ctx.http.get(url, TIMEOUT_MS);
      const ms = ctx.clock.now() - start;
      results.push(`${status} in ${ms} ms`);
      if (status < 200 || status >= 300) {
        throw new DeploymentFailed(
          `health probe GET ${url} answered ${status}`,
          "see the service's logs and target health",
        );
      }
    } catch (err) {
      if (err instanceof DeploymentFailed) throw err;
      throw new DeploymentFailed(
        `health probe GET ${url} failed: ${whyFailed(err)}`,
        "check DNS, the certificate and the listener",
      );
    }
    if (i < ATTEMPTS - 1) await ctx.clock.sleep(1_000);
  }
  ev.exists(`health probe GET ${url}: ${results.join(", ")}`);
}

/** fetch says only "fetch failed": what failed (a DNS lookup, a refused connection, a certificate) is its cause. */
function whyFailed(err: unknown): string {
  const message = (err as Error).message;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail =
    cause?.code && cause.message?.includes(cause.code)
      ? cause.message
      : [cause?.code, cause?.message].filter(Boolean).join(" ");
  return detail ? `${message} (${detail})` : message;
}
