// Handlers for the two listeners: HTTP:80 redirects to HTTPS; HTTPS:443 forwards to the target group with a
// TLS 1.3 policy and the certificate `acm-certificate` records.

import {
  AddTagsCommand,
  CreateListenerCommand,
  type CreateListenerInput,
  DeleteListenerCommand,
  type Listener,
  ModifyListenerCommand,
  type ModifyListenerInput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { AwsError, awsStep, isAwsError } from "../../core/errors.js";
import { retryWhile, waitOptions } from "../../core/wait.js";
import type { DesiredObject, ObservedObject } from "../../state/model.js";
import { certificateStatus } from "../common/certificate.js";
import { stackTags } from "../common/tags.js";
import { type ApplyRun, type KindHandlers, NotYet } from "../resource.js";
import type { AlbConfig } from "./config.js";
import { listenerFields } from "./inputs.js";
import { clientsOf, listenerAsInput, listenersOf } from "./observe.js";

const MINUTE = 60_000;

/** What CreateListener and ModifyListener are sent: config.ts's albInputs, its references resolved. */
const settings = (d: DesiredObject) =>
  d.input as Omit<CreateListenerInput, "LoadBalancerArn"> & Omit<ModifyListenerInput, "ListenerArn">;

/** Right after a certificate is issued ELBv2 may not see it yet: CertificateNotFound, UnsupportedCertificate. */
const certificateNotSeenYet = (run: ApplyRun<AlbConfig>, d: DesiredObject) => ({
  ...waitOptions(run.ctx, `certificate usable by listener ${d.name}`),
  timeoutMs: 5 * MINUTE,
  transient: ["CertificateNotFound", "UnsupportedCertificate"],
});

/** The HTTPS listener serves the certificate `acm-certificate` records: only once ACM has issued it. */
async function requireIssued(run: ApplyRun<AlbConfig>, d: DesiredObject) {
  if (d.fields.protocol !== "HTTPS") return;
  const arn = String(d.fields.certificate);
  const status = await certificateStatus(run.ctx, arn);
  if (status !== "ISSUED")
    throw new NotYet(
      `listener ${d.name}: its certificate is ${status}; \`infra create acm-certificate\` waits until it is ISSUED, then run \`infra create alb\` again`,
    );
}

export const listenerHandlers: KindHandlers<AlbConfig> = {
  async create(run, d): Promise<ObservedObject> {
    const { c, ctx } = run;
    await requireIssued(run, d);
    const { elbv2 } = await clientsOf(ctx);
    const albArn = run.objects.get("load-balancer")?.id as string;
    const input = settings(d);
    const listener: Listener | undefined = await awsStep("create listener", d.name, () =>
      retryWhile(ctx, run.ev, certificateNotSeenYet(run, d), async () => {
        try {
          const out = await elbv2.send(
            new CreateListenerCommand({
              LoadBalancerArn: albArn,
              ...input,
              Tags: stackTags(c, `${c.albName}-${input.Port}`),
            }),
          );
          return out.Listeners?.[0];
        } catch (err) {
          // The port is taken: a run whose answer was lost made it. Converge that one.
          if (!isAwsError(err, "DuplicateListener")) throw err;
          const existing = (await listenersOf(elbv2, albArn)).find((l) => l.Port === input.Port);
          return existing ? await modify(run, d, existing.ListenerArn as string) : undefined;
        }
      }),
    );
    if (!listener) throw new AwsError("create listener", d.name, "DuplicateListener", "port taken, no listener on it");
    return {
      key: d.key,
      kind: d.kind,
      name: d.name,
      id: listener.ListenerArn as string,
      fields: listenerFields(listenerAsInput(listener)),
      managed: true,
    };
  },
  async update(run, d, o, fields) {
    if (fields.some((f) => f.field === "certificate")) await requireIssued(run, d);
    await modify(run, d, o.id);
  },
  async adopt(run, _d, o) {
    const { elbv2 } = await clientsOf(run.ctx);
    const port = String(o.fields.port);
    await awsStep("tag listener", o.name, () =>
      elbv2.send(new AddTagsCommand({ ResourceArns: [o.id], Tags: stackTags(run.c, `${run.c.albName}-${port}`) })),
    );
  },
  async delete(run, o) {
    const { elbv2 } = await clientsOf(run.ctx);
    await awsStep("delete listener", o.name, async () => {
      try {
        await elbv2.send(new DeleteListenerCommand({ ListenerArn: o.id }));
      } catch (err) {
        if (!isAwsError(err, "ListenerNotFound")) throw err;
      }
    });
  },
};

async function modify(run: ApplyRun<AlbConfig>, d: DesiredObject, arn: string): Promise<Listener | undefined> {
  const { elbv2 } = await clientsOf(run.ctx);
  const out = await awsStep("modify listener", d.name, () =>
    retryWhile(run.ctx, run.ev, certificateNotSeenYet(run, d), () =>
      elbv2.send(new ModifyListenerCommand({ ListenerArn: arn, ...settings(d) })),
    ),
  );
  return out.Listeners?.[0];
}
