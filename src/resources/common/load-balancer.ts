// Another resource's load balancer, read (never changed) by those that point at it: the alias record and the
// web ACL association; and the listeners that hold a certificate. It is found by the ARN `alb` records.
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { isAwsError } from "../../core/errors.js";

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
