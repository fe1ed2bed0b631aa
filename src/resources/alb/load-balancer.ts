// Handlers for the internet-facing Application Load Balancer in the two public subnets, with its attributes:
// invalid header fields dropped, and deletion protection and access logs as the inputs say.
import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import {
  AddTagsCommand,
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  type LoadBalancer,
  ModifyLoadBalancerAttributesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Context } from "../../core/context.js";
import { AwsError, awsStep, isAwsError } from "../../core/errors.js";
import { done, pending, waitOptions, waitUntil } from "../../core/wait.js";
import type { DesiredObject, ObservedObject } from "../../state/model.js";
import { stackTags } from "../common/tags.js";
import type { ApplyRun, KindHandlers } from "../resource.js";
import type { AlbConfig } from "./config.js";
import { clientsOf, describeLoadBalancer, findLoadBalancer } from "./observe.js";

const ATTRIBUTE_FIELDS = ["drop invalid header fields", "deletion protection", "access logs"];

function attributes(c: AlbConfig) {
  const logs = c.accessLogs;
  return [
    { Key: "routing.http.drop_invalid_header_fields.enabled", Value: "true" },
    { Key: "deletion_protection.enabled", Value: String(c.deletionProtection) },
    { Key: "access_logs.s3.enabled", Value: String(Boolean(logs)) },
    ...(logs
      ? [
          { Key: "access_logs.s3.bucket", Value: logs.bucket },
          { Key: "access_logs.s3.prefix", Value: logs.prefix },
        ]
      : []),
  ];
}

async function setAttributes(ctx: Context, c: AlbConfig, arn: string) {
  const { elbv2 } = await clientsOf(ctx);
  await awsStep("set load balancer attributes", c.albName, () =>
    elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: attributes(c) })),
  );
}

async function waitForActive(run: ApplyRun<AlbConfig>, arn: string): Promise<LoadBalancer> {
  const { elbv2 } = await clientsOf(run.ctx);
  const name = run.c.albName;
  return awsStep("wait for load balancer", name, () =>
    waitUntil(
      run.ctx,
      run.ev,
      { ...waitOptions(run.ctx, `load balancer ${name} active`), maxDelayMs: 10_000 },
      async () => {
        const lb = await describeLoadBalancer(elbv2, { LoadBalancerArns: [arn] });
        const state = lb?.State?.Code ?? "not visible yet";
        if (lb && (state === "active" || state === "active_impaired")) return done(lb);
        if (state === "failed") {
          throw new AwsError("wait for load balancer", name, "failed", lb?.State?.Reason ?? "provisioning failed");
        }
        return pending(state);
      },
    ),
  );
}

const observed = (d: DesiredObject, lb: LoadBalancer, state: string | undefined): ObservedObject => ({
  key: d.key,
  kind: d.kind,
  name: d.name,
  id: lb.LoadBalancerArn as string,
  fields: { ...d.fields, state },
  managed: true,
  raw: lb,
});

export const loadBalancerHandlers: KindHandlers<AlbConfig> = {
  async create(run, d) {
    const { c, ctx } = run;
    const { elbv2 } = await clientsOf(ctx);
    let lb = await awsStep("create load balancer", c.albName, async () => {
      try {
        const out = await elbv2.send(
          new CreateLoadBalancerCommand({
            Name: c.albName,
            Type: "application",
            Scheme: "internet-facing",
            IpAddressType: "ipv4",
            Subnets: c.publicSubnetIds,
            SecurityGroups: (d.fields["security groups"] ?? []) as string[],
            Tags: stackTags(c, c.albName),
          }),
        );
        return out.LoadBalancers?.[0] as LoadBalancer;
      } catch (err) {
        if (!isAwsError(err, "DuplicateLoadBalancerName")) throw err;
        const existing = await findLoadBalancer(elbv2, c.albName, undefined);
        if (!existing) throw err;
        return existing;
      }
    });
    const arn = lb.LoadBalancerArn as string;
    await run.made(observed(d, lb, lb.State?.Code));
    await setAttributes(ctx, c, arn);
    if (ctx.options.wait) lb = await waitForActive(run, arn);
    return observed(d, lb, lb.State?.Code === "active_impaired" ? "active" : lb.State?.Code);
  },
  async update(run, d, o, fields) {
    const { c, ctx } = run;
    const { elbv2 } = await clientsOf(ctx);
    const changed = (f: string) => fields.some((x) => x.field === f);
    if (changed("subnets")) {
      await awsStep("set load balancer subnets", c.albName, () =>
        elbv2.send(new SetSubnetsCommand({ LoadBalancerArn: o.id, Subnets: c.publicSubnetIds })),
      );
    }
    if (changed("security groups")) {
      await awsStep("set load balancer security groups", c.albName, () =>
        elbv2.send(
          new SetSecurityGroupsCommand({
            LoadBalancerArn: o.id,
            SecurityGroups: (d.fields["security groups"] ?? []) as string[],
          }),
        ),
      );
    }
    if (fields.some((f) => ATTRIBUTE_FIELDS.includes(f.field))) await setAttributes(ctx, c, o.id);
    if (changed("state") && ctx.options.wait) await waitForActive(run, o.id);
  },
  async adopt(run, _d, o) {
    const { elbv2 } = await clientsOf(run.ctx);
    await awsStep("tag load balancer", o.name, () =>
      elbv2.send(new AddTagsCommand({ ResourceArns: [o.id], Tags: stackTags(run.c, o.name) })),
    );
  },
  async delete(run, o) {
    const { ctx, ev } = run;
    const { ec2, elbv2 } = await clientsOf(ctx);
    const name = o.name;
    await awsStep("delete load balancer", name, () =>
      elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: o.id })),
    );
    if (!ctx.options.wait) return;
    await awsStep("wait for load balancer deletion", name, () =>
      waitUntil(ctx, ev, waitOptions(ctx, `load balancer ${name} deleted`), async () => {
        const still = await describeLoadBalancer(elbv2, { LoadBalancerArns: [o.id] });
        return still ? pending(still.State?.Code ?? "deleting") : done(undefined);
      }),
    );
    // ALB network interfaces are described "ELB app/<name>/<id>" and linger after the ALB is gone; they hold the
    // security group, which is deleted next.
    const description = `ELB ${o.id.split(":loadbalancer/")[1]}`;
    await awsStep("wait for load balancer network interfaces", name, () =>
      waitUntil(ctx, ev, waitOptions(ctx, `network interfaces of ${name} released`), async () => {
        const out = await ec2.send(
          new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "description", Values: [description] }] }),
        );
        const left = out.NetworkInterfaces?.length ?? 0;
        return left === 0 ? done(undefined) : pending(`${left} network interface(s) left`);
      }),
    );
  },
};
