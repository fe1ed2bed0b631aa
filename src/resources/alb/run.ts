// What every step of the `alb` resource works with: the context, the config, its event stream and clients.
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Context } from "../../core/context.js";
import type { ResourceEvents } from "../../core/events.js";
import { type WaitOptions, waitOptions } from "../../core/wait.js";
import type { AlbConfig } from "./config.js";

export interface AlbRun {
  ctx: Context;
  c: AlbConfig;
  ev: ResourceEvents;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  /** Wait options for `what` under the command's --timeout. */
  waitFor(what: string): WaitOptions;
}

/** resource: whose events these are (acm-certificate attaches its certificate through these steps too). */
export async function startRun(ctx: Context, c: AlbConfig, resource = "alb"): Promise<AlbRun> {
  const [ec2, elbv2] = await Promise.all([ctx.aws.ec2(), ctx.aws.elbv2()]);
  return {
    ctx,
    c,
    ev: ctx.events.for(resource),
    ec2,
    elbv2,
    waitFor: (what) => waitOptions(ctx, what),
  };
}
