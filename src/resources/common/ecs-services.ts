// Every service of a cluster, for what must not be deleted while a service uses it: a task definition family the
// service runs (ecs-service-task-definition), a target group it registers its tasks in (alb).
import { DescribeServicesCommand, type ECSClient, ListServicesCommand, type Service } from "@aws-sdk/client-ecs";
import { isAwsError } from "../../core/errors.js";

/** DescribeServices takes at most 10 services a call. */
const DESCRIBE_AT_MOST = 10;

/** Every service of the cluster, described; none when the cluster is unknown. */
export async function clusterServices(ecs: ECSClient, cluster: string): Promise<Service[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const out = await ecs.send(new ListServicesCommand({ cluster, nextToken }));
      arns.push(...(out.serviceArns ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
  } catch (err) {
    if (isAwsError(err, "ClusterNotFoundException")) return [];
    throw err;
  }
  const found: Service[] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_AT_MOST) {
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: arns.slice(i, i + DESCRIBE_AT_MOST) }));
    found.push(...(out.services ?? []));
  }
  return found;
}
