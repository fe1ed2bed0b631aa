// What the DNS tests share: the three resources run as the CLI's step graph runs them, and the state of ACM and
// Route 53 without the ids that change from run to run.

import { runSteps } from "../../src/commands/steps.js";
import type { Context } from "../../src/core/context.js";
import { RESOURCES } from "../../src/resources/registry.js";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { contextFor, lifecycleOf } from "../helpers.js";

export const DOMAIN = "startupwebapp.com";

/** `infra create|destroy <names>` on the env file at path: the steps as the CLI orders them (after, waits mid-way). */
export async function runStack(
  fake: AwsFake,
  path: string,
  direction: "create" | "destroy",
  names: string[] = ["alb", "acm-certificate", "route53-records"],
  options: Partial<Context["options"]> = {},
): Promise<Context> {
  const ctx = await contextFor(fake, path, options);
  const outcomes = await runSteps(
    RESOURCES.filter((r) => names.includes(r.name)),
    direction,
    async (r, steps) => {
      const stepCtx = { ...ctx, steps };
      if (direction === "create") return lifecycleOf(r).create(stepCtx);
      await lifecycleOf(r).destroy(stepCtx);
      return { changed: true };
    },
  );
  const failed = outcomes.find((o) => o.status === "failed");
  if (failed && failed.status === "failed") throw failed.error;
  return ctx;
}

const hide = (s: string) =>
  s
    .replace(/_[0-9a-f]{32}/g, "_X")
    .replace(/startupwebapp-alb-[0-9a-f]+/g, "startupwebapp-alb-ID")
    .replace(/\.[a-z]{10}\.acm-validations\.aws\./, ".V.acm-validations.aws.");

/** Certificates (names, status, tags), zones and their records, listeners: what a user would look at. */
export function dnsState(fake: AwsFake) {
  return {
    certificates: [...fake.acm.certificates.values()].map(
      (c) => `${[...c.SubjectAlternativeNames].sort().join(",")} ${fake.acm.statusOf(c.CertificateArn)}`,
    ),
    zones: [...fake.route53.zones.values()].map((z) => ({
      name: z.Name,
      records: fake.route53
        .recordsOf(z.Id)
        .filter((r) => r.Type !== "SOA" && r.Type !== "NS")
        .map((r) =>
          hide(
            `${r.Name} ${r.Type} ${r.AliasTarget ? `alias ${r.AliasTarget.DNSName} ${r.AliasTarget.EvaluateTargetHealth}` : r.ResourceRecords?.map((v) => v.Value).join(",")}`,
          ),
        ),
    })),
    listeners: [...fake.elbv2.listeners.values()].map((l) => `${l.Protocol}:${l.Port}`).sort(),
  };
}

export const VALIDATION = `_X.${DOMAIN}. CNAME _X.V.acm-validations.aws.`;
export const ALIAS = `api.${DOMAIN}. A alias startupwebapp-alb-ID.us-east-1.elb.amazonaws.com. true`;

/** The whole DNS side of the stack, in the user's zone. */
export const FULL = {
  certificates: [`*.${DOMAIN},${DOMAIN} ISSUED`],
  zones: [{ name: `${DOMAIN}.`, records: [VALIDATION, ALIAS] }],
  listeners: ["HTTP:80", "HTTPS:443"],
};

/** The tags of the certificate ACM holds for the domain. */
export function certificateTags(fake: AwsFake): string[] {
  const cert = [...fake.acm.certificates.values()][0];
  return (cert?.tags ?? []).map((t) => `${t.Key}=${t.Value}`).sort();
}

export const OUR_TAGS = [
  "Environment=production",
  "ManagedBy=infra",
  "Name=startupwebapp-certificate",
  "Project=startupwebapp",
];

/** The user's zone: its id, bare (no /hostedzone/). */
export const userZone = (fake: AwsFake) => fake.route53.addZone(DOMAIN).replace("/hostedzone/", "");

/** The operations of the mutating calls since `since`. */
export const mutations = (fake: AwsFake, since: number) => fake.mutatingCalls(since).map((c) => c.op);
