// Another resource's load balancer, read (never changed) by those that point at it: the alias record and the
// web ACL association. It is found by the ARN `alb` records.
import {
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingV2Client,
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
