// Whether the service runs what its image names now. ECS resolves a tag to a digest when a deployment starts and
// every task of that deployment runs that digest, so a tag pushed again runs only after a new deployment
// (docs/aws-behaviours.md, "ECS"). The running tasks say what they run (DescribeTasks `containers[].imageDigest`);
// ECR says what the tag names now (DescribeImages `imageDigest`).
import { DescribeTasksCommand, paginateListTasks } from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { awsStep } from "../core/errors.js";
import { type EcrAnswer, imageInEcr } from "./checks.js";
import type { DeployConfig } from "./config.js";
import type { ImageRef } from "./image.js";

export interface Comparison {
  verdict: "same" | "moved" | "unknown";
  /** Why the digests could not be compared (verdict "unknown"). */
  why?: string;
  /** The digest the image names now: the one in its URI, or what ECR says its tag names. */
  named?: string;
  /** The digests the service's running tasks report, each once. */
  running: string[];
  /** ECR's answer, when it was asked (an image by tag). */
  ecr?: EcrAnswer;
}

export async function compareDigests(
  ctx: Context,
  c: DeployConfig,
  image: ImageRef,
  container: string | undefined,
): Promise<Comparison> {
  const ecr = image.digest ? undefined : await imageInEcr(ctx, image);
  const named = image.digest ?? (ecr?.kind === "found" ? ecr.digest : undefined);
  const tasks = await runningDigests(ctx, c, container);
  const running = [...new Set(tasks.filter((d): d is string => Boolean(d)))];
  const base = { running, ...(named ? { named } : {}), ...(ecr ? { ecr } : {}) };
  const unknown = (why: string): Comparison => ({ ...base, verdict: "unknown", why });
  if (!named) return unknown(ecr && ecr.kind !== "found" ? whyNot(ecr) : "ECR answered no digest");
  if (tasks.length === 0) return unknown("no task of the service is running");
  // One task running something else is enough: only a new deployment replaces it.
  if (running.some((d) => d !== named)) return { ...base, verdict: "moved" };
  const silent = tasks.length - tasks.filter(Boolean).length;
  if (silent > 0) return unknown(`${silent} of ${tasks.length} running tasks report no image digest`);
  return { ...base, verdict: "same" };
}

function whyNot(ecr: Exclude<EcrAnswer, { kind: "found" }>): string {
  if (ecr.kind === "outside") return "not in ECR";
  if (ecr.kind === "denied") return `ECR answered ${ecr.why}`;
  return ecr.why;
}

/** The digest of the container each running task reports (undefined: it reports none). */
async function runningDigests(ctx: Context, c: DeployConfig, container: string | undefined) {
  const ecs = await ctx.aws.ecs();
  return awsStep("read running tasks", c.serviceName, async () => {
    const arns: string[] = [];
    const pages = paginateListTasks(
      { client: ecs },
      { cluster: c.cluster, serviceName: c.serviceName, desiredStatus: "RUNNING" },
    );
    for await (const page of pages) arns.push(...(page.taskArns ?? []));
    const digests: (string | undefined)[] = [];
    for (let i = 0; i < arns.length; i += 100) {
      const out = await ecs.send(new DescribeTasksCommand({ cluster: c.cluster, tasks: arns.slice(i, i + 100) }));
      for (const t of out.tasks ?? []) {
        if (t.lastStatus !== "RUNNING") continue;
        digests.push(t.containers?.find((x) => x.name === container)?.imageDigest);
      }
    }
    return digests;
  });
}

/** sha256: and the first 12 hex digits, as `docker images` shows an id. */
export const shortDigest = (digest: string | undefined) => (digest ?? "?").slice(0, "sha256:".length + 12);
