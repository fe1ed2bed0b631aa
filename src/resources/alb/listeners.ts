// HTTP:80 redirects to HTTPS; HTTPS:443 forwards to the target group with a TLS 1.3 policy, once there is an
// issued certificate (`acm-certificate` attaches it otherwise).
import { DescribeCertificateCommand } from "@aws-sdk/client-acm";
import {
  type Action,
  CreateListenerCommand,
  DeleteListenerCommand,
  DescribeListenersCommand,
  type Listener,
  ModifyListenerCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { AwsError, awsStep, isAwsError } from "../../core/errors.js";
import { retryWhile } from "../../core/wait.js";
import { stackTags } from "../tags.js";
import { TLS_POLICY } from "./config.js";
import type { AlbRun } from "./run.js";

const MINUTE = 60_000;

export const REDIRECT_TO_HTTPS: Action[] = [
  { Type: "redirect", RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } },
];

export const forwardTo = (targetGroupArn: string): Action[] => [{ Type: "forward", TargetGroupArn: targetGroupArn }];

export async function listenersOf(run: AlbRun, albArn: string): Promise<Listener[]> {
  try {
    const out = await run.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: albArn }));
    return out.Listeners ?? [];
  } catch (err) {
    if (isAwsError(err, "LoadBalancerNotFound")) return [];
    throw err;
  }
}

export function isRedirectToHttps(l: Listener | undefined): boolean {
  const r = l?.DefaultActions?.[0]?.RedirectConfig;
  return l?.Protocol === "HTTP" && r?.Protocol === "HTTPS" && r.Port === "443" && r.StatusCode === "HTTP_301";
}

export function forwardsTo(l: Listener | undefined, targetGroupArn: string): boolean {
  const a = l?.DefaultActions?.[0];
  if (a?.Type !== "forward") return false;
  const groups = a.ForwardConfig?.TargetGroups?.map((g) => g.TargetGroupArn) ?? [a.TargetGroupArn];
  return groups.length === 1 && groups[0] === targetGroupArn;
}

export async function ensureHttpListener(run: AlbRun, albArn: string, existing: Listener[]): Promise<void> {
  const http = existing.find((l) => l.Port === 80);
  const arn = await upsertListener(run, albArn, http, {
    label: "listener HTTP:80 -> HTTPS (301)",
    matches: isRedirectToHttps,
    settings: { Protocol: "HTTP", Port: 80, DefaultActions: REDIRECT_TO_HTTPS },
  });
  await run.ctx.env.record({ HTTP_LISTENER_ARN: arn });
}

/** Creates or updates the HTTPS listener when ACM_CERTIFICATE_ARN names an issued certificate. */
export async function ensureHttpsListener(run: AlbRun, albArn: string, tgArn: string, existing: Listener[]) {
  const { c, ev } = run;
  // Read now, not when the run began: in `create all` the certificate is requested while the ALB provisions.
  const certificateArn = run.ctx.env.get("ACM_CERTIFICATE_ARN") ?? c.certificateArn;
  if (!certificateArn) {
    ev.skipped("listener HTTPS:443: no ACM_CERTIFICATE_ARN yet; `infra create acm-certificate` adds it");
    return;
  }
  const status = await awsStep("read certificate", certificateArn, () => certificateStatus(run, certificateArn));
  if (status !== "ISSUED") {
    ev.skipped(`listener HTTPS:443: certificate is ${status}; \`infra create acm-certificate\` adds it once ISSUED`);
    return;
  }
  const https = existing.find((l) => l.Port === 443);
  const arn = await upsertListener(run, albArn, https, {
    label: `listener HTTPS:443 -> ${c.targetGroupName}`,
    matches: (l) =>
      l?.Protocol === "HTTPS" &&
      l.SslPolicy === TLS_POLICY &&
      l.Certificates?.[0]?.CertificateArn === certificateArn &&
      forwardsTo(l, tgArn),
    settings: {
      Protocol: "HTTPS",
      Port: 443,
      SslPolicy: TLS_POLICY,
      Certificates: [{ CertificateArn: certificateArn }],
      DefaultActions: forwardTo(tgArn),
    },
  });
  await run.ctx.env.record({ HTTPS_LISTENER_ARN: arn });
}

export async function certificateStatus(run: AlbRun, arn: string): Promise<string> {
  const acm = await run.ctx.aws.acm();
  try {
    const out = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    return out.Certificate?.Status ?? "UNKNOWN";
  } catch (err) {
    if (isAwsError(err, "ResourceNotFound")) return "not found";
    throw err;
  }
}

interface ListenerSpec {
  label: string;
  matches: (l: Listener | undefined) => boolean;
  settings: Required<Pick<Listener, "Protocol" | "Port" | "DefaultActions">> &
    Pick<Listener, "SslPolicy" | "Certificates">;
}

async function upsertListener(
  run: AlbRun,
  albArn: string,
  current: Listener | undefined,
  spec: ListenerSpec,
): Promise<string> {
  const { ev } = run;
  if (current && spec.matches(current)) {
    ev.exists(spec.label);
    return current.ListenerArn as string;
  }
  // Right after a certificate is issued ELBv2 may not see it yet: CertificateNotFound / UnsupportedCertificate.
  const retry = {
    ...run.waitFor(`certificate usable by ${spec.label}`),
    timeoutMs: 5 * MINUTE,
    transient: ["CertificateNotFound", "UnsupportedCertificate"],
  };
  if (current) {
    const arn = current.ListenerArn as string;
    await awsStep("modify listener", spec.label, () =>
      retryWhile(run.ctx, ev, retry, () =>
        run.elbv2.send(new ModifyListenerCommand({ ListenerArn: arn, ...spec.settings })),
      ),
    );
    ev.updated(spec.label);
    return arn;
  }
  const created = await awsStep("create listener", spec.label, () =>
    retryWhile(run.ctx, ev, retry, async () => {
      try {
        const out = await run.elbv2.send(
          new CreateListenerCommand({
            LoadBalancerArn: albArn,
            ...spec.settings,
            Tags: stackTags(run.c, `${run.c.albName}-${spec.settings.Port}`),
          }),
        );
        return out.Listeners?.[0];
      } catch (err) {
        // The port is taken: a concurrent run made it since we looked.
        if (!isAwsError(err, "DuplicateListener")) throw err;
        return (await listenersOf(run, albArn)).find((l) => l.Port === spec.settings.Port);
      }
    }),
  );
  if (!created)
    throw new AwsError("create listener", spec.label, "DuplicateListener", "port taken, no listener found on it");
  if (!spec.matches(created)) return upsertListener(run, albArn, created, spec); // a concurrent run's: converge it
  ev.created(spec.label);
  return created.ListenerArn as string;
}

export async function deleteListener(run: AlbRun, l: Listener): Promise<void> {
  await awsStep("delete listener", `${l.Protocol}:${l.Port}`, async () => {
    try {
      await run.elbv2.send(new DeleteListenerCommand({ ListenerArn: l.ListenerArn }));
    } catch (err) {
      if (!isAwsError(err, "ListenerNotFound")) throw err;
    }
  });
  run.ev.deleted(`listener ${l.Protocol}:${l.Port}`);
}
