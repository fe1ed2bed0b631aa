// Handlers for the web ACL. CreateWebACL answers the new ACL's ARN, Id and LockToken: that answer is used, never a
// listing (ListWebACLs may not show the ACL for a while). UpdateWebACL and DeleteWebACL need the current LockToken,
// so each try reads the ACL afresh; a stale token (WAFOptimisticLockException) just means another try.
import {
  CreateWebACLCommand,
  DeleteWebACLCommand,
  TagResourceCommand,
  UpdateWebACLCommand,
  type WAFV2Client,
  type WebACL,
} from "@aws-sdk/client-wafv2";
import { awsStep, isAwsError } from "../../core/errors.js";
import { done, pending, retryWhile, waitOptions, waitUntil } from "../../core/wait.js";
import type { DesiredObject, ObservedObject } from "../../state/model.js";
import { isManaged, stackTags } from "../common/tags.js";
import type { ApplyRun, KindHandlers } from "../resource.js";
import { SCOPE, type WafConfig } from "./config.js";
import { type WebAclInput, webAclFields } from "./inputs.js";
import { type AclRaw, getAcl, idByName, tagsOf } from "./observe.js";

const MINUTE = 60_000;
type Run = ApplyRun<WafConfig>;

async function create(run: Run, d: DesiredObject): Promise<ObservedObject> {
  const { c, ctx } = run;
  const waf = await ctx.aws.waf();
  const summary = await awsStep("create web ACL", d.name, async () => {
    try {
      const out = await waf.send(
        new CreateWebACLCommand({ ...(d.input as WebAclInput), Scope: SCOPE, Tags: stackTags(c, d.name) }),
      );
      return out.Summary;
    } catch (err) {
      // Made by a run whose answer was lost, and not listed yet when this run looked: wait until it is.
      if (!isAwsError(err, "WAFDuplicateItemException")) throw err;
      return undefined;
    }
  });
  const observed = (id: string, arn: string, lockToken: string): ObservedObject => ({
    key: d.key,
    kind: d.kind,
    name: d.name,
    id: arn,
    fields: { ...d.fields },
    managed: true,
    raw: { name: d.name, id, lockToken } satisfies AclRaw,
  });
  if (summary?.ARN && summary.Id) return observed(summary.Id, summary.ARN, summary.LockToken as string);
  const acl = await listed(run, waf, d.name);
  const o = observed(acl.webAcl.Id as string, acl.webAcl.ARN as string, acl.lockToken);
  // Made outside infra moments ago, rather than by a lost run of ours: it becomes ours, as any found by name.
  const tags = await awsStep("read web ACL tags", d.name, () => tagsOf(waf, o.id));
  if (!isManaged(tags)) await webAclHandlers.adopt(run, d, o);
  // The one found may hold other settings than this run wants.
  if (JSON.stringify(webAclFields(acl.webAcl)) !== JSON.stringify(webAclFields(d.input as WebAclInput)))
    await update(run, d, o);
  return o;
}

async function listed(run: Run, waf: WAFV2Client, name: string) {
  const opts = { ...waitOptions(run.ctx, `web ACL ${name} to be listed`), timeoutMs: 5 * MINUTE };
  return awsStep("find web ACL", name, () =>
    waitUntil(run.ctx, run.ev, opts, async () => {
      const id = await idByName(waf, name);
      const acl = id ? await getAcl(waf, name, id) : undefined;
      return acl ? done(acl) : pending("not listed yet");
    }),
  );
}

/** Reads the ACL for its current LockToken and hands both to `call`; again while the token goes stale. */
async function withFreshLock(
  run: Run,
  o: ObservedObject,
  what: string,
  transient: string[],
  call: (acl: WebACL, token: string) => Promise<unknown>,
) {
  const waf = await run.ctx.aws.waf();
  const raw = o.raw as AclRaw;
  const opts = { ...waitOptions(run.ctx, what), transient: ["WAFOptimisticLockException", ...transient] };
  await retryWhile(run.ctx, run.ev, opts, async () => {
    const fresh = await getAcl(waf, raw.name, raw.id);
    if (fresh) await call(fresh.webAcl, fresh.lockToken);
  });
}

async function update(run: Run, d: DesiredObject, o: ObservedObject) {
  const waf = await run.ctx.aws.waf();
  await awsStep("update web ACL", d.name, () =>
    withFreshLock(run, o, `web ACL ${d.name} to take the update`, [], (w, token) =>
      waf.send(
        new UpdateWebACLCommand({
          Scope: SCOPE,
          Id: w.Id,
          LockToken: token,
          // UpdateWebACL replaces every setting: keep those infra does not own (a description, custom responses...).
          ...(w.Description ? { Description: w.Description } : {}),
          ...(w.CustomResponseBodies ? { CustomResponseBodies: w.CustomResponseBodies } : {}),
          ...(w.CaptchaConfig ? { CaptchaConfig: w.CaptchaConfig } : {}),
          ...(w.ChallengeConfig ? { ChallengeConfig: w.ChallengeConfig } : {}),
          ...(w.TokenDomains ? { TokenDomains: w.TokenDomains } : {}),
          ...(w.AssociationConfig ? { AssociationConfig: w.AssociationConfig } : {}),
          ...(d.input as WebAclInput),
        }),
      ),
    ),
  );
}

export const webAclHandlers: KindHandlers<WafConfig> = {
  create,
  update: (run, d, o) => update(run, d, o),
  async adopt(run, _d, o) {
    const waf = await run.ctx.aws.waf();
    await awsStep("tag web ACL", o.name, () =>
      waf.send(new TagResourceCommand({ ResourceARN: o.id, Tags: stackTags(run.c, o.name) })),
    );
  },
  async delete(run, o) {
    const waf = await run.ctx.aws.waf();
    // WAF learns late that a load balancer let go of the ACL (WAFAssociatedItemException meanwhile).
    await awsStep("delete web ACL", o.name, () =>
      withFreshLock(run, o, `web ACL ${o.name} to be released`, ["WAFAssociatedItemException"], async (w, token) => {
        try {
          await waf.send(new DeleteWebACLCommand({ Name: o.name, Scope: SCOPE, Id: w.Id, LockToken: token }));
        } catch (err) {
          if (!isAwsError(err, "WAFNonexistentItemException")) throw err;
        }
      }),
    );
  },
};
