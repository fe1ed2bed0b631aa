// What of the stack the endpoint still holds, read with the SDK (not with infra): after `destroy all` there must be
// nothing, whichever deletes the endpoint cascades on its own.

import { ACMClient, ListCertificatesCommand } from "@aws-sdk/client-acm";
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, DescribeAlarmsCommand, ListDashboardsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import type { Endpoint } from "./seed.js";

/** The stack, as the env file's inputs name it. */
export interface Stack {
  project: string;
  domain: string;
  cluster: string;
  service: string;
}

type Probe = () => Promise<string[]>;

/** One line per object of the stack still there; a read the endpoint refuses is a line too. */
export async function leftovers(endpoint: Endpoint, stack: Stack): Promise<string[]> {
  const config = { region: endpoint.region, endpoint: endpoint.url, credentials: endpoint.credentials };
  const { project: PROJECT, domain: DOMAIN, cluster, service } = stack;
  const route53 = new Route53Client(config);
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  const aas = new ApplicationAutoScalingClient(config);
  const cw = new CloudWatchClient(config);
  const ours = (name: string | undefined) => Boolean(name?.startsWith(PROJECT));
  const probes: Record<string, Probe> = {
    "load balancer": async () =>
      ((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [])
        .map((l) => l.LoadBalancerName)
        .filter(ours) as string[],
    "target group": async () =>
      ((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [])
        .map((t) => t.TargetGroupName)
        .filter(ours) as string[],
    "security group": async () =>
      ((await new EC2Client(config).send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [])
        .map((g) => g.GroupName)
        .filter((n) => n === `${PROJECT}-alb-sg`) as string[],
    certificate: async () =>
      ((await new ACMClient(config).send(new ListCertificatesCommand({}))).CertificateSummaryList ?? [])
        .map((c) => c.DomainName)
        .filter((d) => d?.endsWith(DOMAIN)) as string[],
    "DNS record": async () => {
      const zones = await route53.send(new ListHostedZonesByNameCommand({ DNSName: DOMAIN }));
      const zone = zones.HostedZones?.find((z) => z.Name === `${DOMAIN}.`);
      if (!zone?.Id) return [];
      const records = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.Id }));
      return (records.ResourceRecordSets ?? [])
        .filter((r) => r.Type !== "NS" && r.Type !== "SOA")
        .map((r) => `${r.Name} ${r.Type}`);
    },
    "ECS service": async () =>
      ((await new ECSClient(config).send(new DescribeServicesCommand({ cluster, services: [service] }))).services ?? [])
        .filter((s) => s.status !== "INACTIVE")
        .map((s) => `${s.serviceName} ${s.status}`),
    "log group": async () =>
      (
        (
          await new CloudWatchLogsClient(config).send(
            new DescribeLogGroupsCommand({ logGroupNamePrefix: `/ecs/${service}` }),
          )
        ).logGroups ?? []
      ).map((g) => g.logGroupName as string),
    "scalable target": async () =>
      ((await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }))).ScalableTargets ?? []).map(
        (t) => t.ResourceId as string,
      ),
    "scaling policy": async () =>
      ((await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }))).ScalingPolicies ?? []).map(
        (p) => p.PolicyName as string,
      ),
    alarm: async () =>
      ((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? [])
        .map((a) => a.AlarmName as string)
        .filter((n) => ours(n) || n.startsWith(`TargetTracking-service/${cluster}/`)),
    dashboard: async () =>
      ((await cw.send(new ListDashboardsCommand({}))).DashboardEntries ?? [])
        .map((d) => d.DashboardName as string)
        .filter((n) => n.toLowerCase().startsWith(PROJECT)),
    "SNS topic": async () =>
      ((await new SNSClient(config).send(new ListTopicsCommand({}))).Topics ?? [])
        .map((t) => t.TopicArn?.split(":").at(-1))
        .filter(ours) as string[],
  };
  const found = await Promise.all(
    Object.entries(probes).map(async ([kind, probe]) => {
      try {
        return (await probe()).map((name) => `${kind} ${name}`);
      } catch (err) {
        return [`${kind}: could not be read (${(err as Error).name}: ${(err as Error).message.split("\n")[0]})`];
      }
    }),
  );
  return found.flat();
}
