// Another resource's load balancer, read (never changed) by those that point at it: the alias record and the
// web ACL association; and the listeners that hold a certificate. It is found by the ARN `alb` records.
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Context } from "../../core/context.js";
import { isAwsError } from "../../core/errors.js";
import { sharedRead } from "../../core/shared-reads.js";

export async function loadBalancerByArn(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
): Promise<LoadBalancer | undefined> {
  try {
    return (await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }))).LoadBalancers?.[0];
  } catch (err) {
    if (isAwsError(err, "LoadBalancerNotFound", "ValidationError")) return undefined;
    throw err;
  }
}

/** loadBalancerByArn, read once for alb and the resources that point at it while a command looks at the stack. */
export const readLoadBalancer = async (ctx: Context, arn: string) => {
  const elbv2 = await ctx.aws.elbv2();
  return sharedRead(ctx, `elbv2 load balancer ${arn}`, () => loadBalancerByArn(elbv2, arn));
};

/**
 * The listeners of a load balancer that serve the certificate as their default one (a load balancer gone has none).
 * What ACM's InUseBy says lags behind: this is what holds the certificate now.
 */
export async function listenersServing(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
  certificateArn: string,
): Promise<Listener[]> {
  try {
    const out = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }));
    return (out.Listeners ?? []).filter((l) => l.Certificates?.some((c) => c.CertificateArn === certificateArn));
  } catch (err) {
    if (isAwsError(err, "LoadBalancerNotFound", "ValidationError")) return [];
    throw err;
  }
}
