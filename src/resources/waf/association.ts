// Handlers for the web ACL's association with the load balancer `alb` made. A new web ACL cannot be associated for
// a while (WAFUnavailableEntityException: "from a few seconds to a number of minutes", more than 5 at times);
// associating replaces any web ACL the load balancer had; letting go is asked of the load balancer
// (DisassociateWebACL on its ARN).
import {
  AssociateWebACLCommand,
  type AssociateWebACLCommandInput,
  DisassociateWebACLCommand,
} from "@aws-sdk/client-wafv2";
import { awsStep, isAwsError } from "../../core/errors.js";
import { retryWhile, waitOptions } from "../../core/wait.js";
import type { DesiredObject, ObservedObject } from "../../state/model.js";
import { type ApplyRun, type KindHandlers, NotYet } from "../resource.js";
import type { WafConfig } from "./config.js";

const MINUTE = 60_000;

async function associate(run: ApplyRun<WafConfig>, d: DesiredObject) {
  const waf = await run.ctx.aws.waf();
  // Resolved: the web ACL's ARN, the load balancer ALB_ARN names.
  const input = d.input as AssociateWebACLCommandInput;
  const retry = {
    ...waitOptions(run.ctx, `web ACL ${run.c.aclName} to be usable`),
    timeoutMs: Math.max(run.ctx.options.timeoutMs, 15 * MINUTE),
    transient: ["WAFUnavailableEntityException"],
  };
  await awsStep("associate web ACL", d.name, async () => {
    try {
      await retryWhile(run.ctx, run.ev, retry, () => waf.send(new AssociateWebACLCommand(input)));
    } catch (err) {
      // The web ACL was just found or made: what does not exist is the load balancer.
      if (!isAwsError(err, "WAFNonexistentItemException")) throw err;
      throw new NotYet(`${d.name}: the load balancer in ALB_ARN does not exist; run \`infra create alb\` first`);
    }
  });
}

export const associationHandlers: KindHandlers<WafConfig> = {
  async create(run, d): Promise<ObservedObject> {
    await associate(run, d);
    return {
      key: d.key,
      kind: d.kind,
      name: d.name,
      id: String(d.fields["load balancer"]),
      fields: { ...d.fields },
      managed: true,
    };
  },
  update: (run, d) => associate(run, d),
  // Held by the web ACL: ours once that is.
  async adopt() {},
  async delete(run, o) {
    const waf = await run.ctx.aws.waf();
    await awsStep("disassociate web ACL", o.name, async () => {
      try {
        await waf.send(new DisassociateWebACLCommand({ ResourceArn: String(o.fields["load balancer"]) }));
      } catch (err) {
        if (!isAwsError(err, "WAFNonexistentItemException")) throw err;
      }
    });
  },
};
