// The internet-facing Application Load Balancer in the two public subnets.
import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  type LoadBalancer,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { AwsError, awsStep, isAwsError } from "../../core/errors.js";
import { done, pending, waitUntil } from "../../core/wait.js";
import { stackTags } from "../tags.js";
import { driftError, tagIfMissing } from "./elb-common.js";
import type { AlbRun } from "./run.js";

export async function describeLoadBalancer(run: AlbRun, input: { LoadBalancerArns?: string[]; Names?: string[] }) {
  try {
    const out = await run.elbv2.send(new DescribeLoadBalancersCommand(input));
    return out.LoadBalancers?.[0];
  } catch (err) {
    if (isAwsError(err, "LoadBalancerNotFound", "ValidationError")) return undefined;
    throw err;
  }
}

export async function findLoadBalancer(run: AlbRun): Promise<LoadBalancer | undefined> {
  const recorded = run.ctx.env.get("ALB_ARN");
  const byArn = recorded ? await describeLoadBalancer(run, { LoadBalancerArns: [recorded] }) : undefined;
  return byArn ?? (await describeLoadBalancer(run, { Names: [run.c.albName] }));
}

export async function ensureLoadBalancer(run: AlbRun, securityGroupId: string): Promise<LoadBalancer> {
  const { c, ev } = run;
  const label = `load balancer ${c.albName}`;
  let lb = await awsStep("find load balancer", c.albName, () => findLoadBalancer(run));
  if (!lb) {
    lb = await awsStep("create load balancer", c.albName, async () => {
      try {
        const out = await run.elbv2.send(
          new CreateLoadBalancerCommand({
            Name: c.albName,
            Type: "application",
            Scheme: "internet-facing",
            IpAddressType: "ipv4",
            Subnets: c.publicSubnetIds,
            SecurityGroups: [securityGroupId],
            Tags: stackTags(c, c.albName),
          }),
        );
        return out.LoadBalancers?.[0] as LoadBalancer;
      } catch (err) {
        if (!isAwsError(err, "DuplicateLoadBalancerName")) throw err;
        const existing = await findLoadBalancer(run);
        if (!existing) throw err;
        return existing;
      }
    });
    ev.created(`${label} (${lb.DNSName})`);
  } else {
    ev.exists(`${label} (${lb.DNSName})`);
    await reconcile(run, lb, securityGroupId);
  }
  const arn = lb.LoadBalancerArn as string;
  const recorded = { ALB_ARN: arn, ALB_DNS_NAME: lb.DNSName ?? "" };
  await run.ctx.env.record(recorded);
  if (lb.State?.Code !== "active" && run.ctx.options.wait) lb = await waitForActive(run, arn);
  return lb;
}

async function reconcile(run: AlbRun, lb: LoadBalancer, securityGroupId: string) {
  const { c, ev } = run;
  const label = `load balancer ${c.albName}`;
  const arn = lb.LoadBalancerArn as string;
  if (lb.Scheme !== "internet-facing" || lb.Type !== "application" || lb.VpcId !== c.vpcId) {
    throw driftError(
      label,
      `scheme ${lb.Scheme}, type ${lb.Type}, VPC ${lb.VpcId} (want internet-facing application in ${c.vpcId})`,
      "delete it, or set ALB_NAME to another name",
    );
  }
  await tagIfMissing(run, arn, label, stackTags(c, c.albName));
  const groups = lb.SecurityGroups ?? [];
  if (!groups.includes(securityGroupId)) {
    await awsStep("set load balancer security groups", c.albName, () =>
      run.elbv2.send(
        new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: [...groups, securityGroupId] }),
      ),
    );
    ev.updated(`${label}: security group ${securityGroupId} added`);
  }
  const subnets = (lb.AvailabilityZones ?? []).map((z) => z.SubnetId).sort();
  if (subnets.join() !== [...c.publicSubnetIds].sort().join()) {
    await awsStep("set load balancer subnets", c.albName, () =>
      run.elbv2.send(new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: c.publicSubnetIds })),
    );
    ev.updated(`${label}: subnets ${subnets.join(", ")} -> ${c.publicSubnetIds.join(", ")}`);
  }
}

async function waitForActive(run: AlbRun, arn: string): Promise<LoadBalancer> {
  const name = run.c.albName;
  return awsStep("wait for load balancer", name, () =>
    waitUntil(run.ctx, run.ev, { ...run.waitFor(`load balancer ${name} active`), maxDelayMs: 10_000 }, async () => {
      const lb = await describeLoadBalancer(run, { LoadBalancerArns: [arn] });
      const state = lb?.State?.Code ?? "not visible yet";
      if (lb && (state === "active" || state === "active_impaired")) return done(lb);
      if (state === "failed") {
        throw new AwsError("wait for load balancer", name, "failed", lb?.State?.Reason ?? "provisioning failed");
      }
      return pending(state);
    }),
  );
}

/** Deletes the load balancer and waits until it and its network interfaces are gone (they hold the security group). */
export async function deleteLoadBalancer(run: AlbRun, lb: LoadBalancer): Promise<void> {
  const name = run.c.albName;
  const arn = lb.LoadBalancerArn as string;
  await awsStep("delete load balancer", name, () =>
    run.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })),
  );
  run.ev.deleted(`load balancer ${name}`);
  if (!run.ctx.options.wait) return;
  await awsStep("wait for load balancer deletion", name, () =>
    waitUntil(run.ctx, run.ev, run.waitFor(`load balancer ${name} deleted`), async () => {
      const still = await describeLoadBalancer(run, { LoadBalancerArns: [arn] });
      return still ? pending(still.State?.Code ?? "deleting") : done(undefined);
    }),
  );
  // ALB network interfaces are described "ELB app/<name>/<id>" and linger after the ALB is gone.
  const description = `ELB ${arn.split(":loadbalancer/")[1]}`;
  await awsStep("wait for load balancer network interfaces", name, () =>
    waitUntil(run.ctx, run.ev, run.waitFor(`network interfaces of ${name} released`), async () => {
      const out = await run.ec2.send(
        new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "description", Values: [description] }] }),
      );
      const left = out.NetworkInterfaces?.length ?? 0;
      return left === 0 ? done(undefined) : pending(`${left} network interface(s) left`);
    }),
  );
}
