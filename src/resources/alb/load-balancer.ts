// Handlers for the internet-facing Application Load Balancer in the two public subnets, with its attributes:
// invalid header fields dropped, and deletion protection and access logs as the inputs say. They send what
// config.ts's albInputs says, and report what AWS answered.
import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import {
  AddTagsCommand,
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  type LoadBalancer,
  type LoadBalancerAttribute,
  ModifyLoadBalancerAttributesCommand,
  SetIpAddressTypeCommand,
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
import { type LoadBalancerInput, loadBalancerFields } from "./inputs.js";
import { clientsOf, describeLoadBalancer, findLoadBalancer, loadBalancerAsInput, stateOf } from "./observe.js";

const ATTRIBUTE_FIELDS = ["drop invalid header fields", "deletion protection", "access logs"];

const inputOf = (d: DesiredObject) => d.input as LoadBalancerInput & { SecurityGroups: string[] };

async function setAttributes(ctx: Context, c: AlbConfig, arn: string, Attributes: LoadBalancerAttribute[]) {
  const { elbv2 } = await clientsOf(ctx);
  const out = await awsStep("set load balancer attributes", c.albName, () =>
    elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes })),
  );
  return out.Attributes ?? Attributes;
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

/** The load balancer as AWS answered, with the attributes AWS answered: what create reports. */
const observed = (d: DesiredObject, lb: LoadBalancer, attributes: LoadBalancerAttribute[]): ObservedObject => ({
  key: d.key,
  kind: d.kind,
  name: d.name,
  id: lb.LoadBalancerArn as string,
  fields: { ...loadBalancerFields(loadBalancerAsInput(lb, attributes)), state: stateOf(lb) },
  managed: true,
  raw: lb,
});

export const loadBalancerHandlers: KindHandlers<AlbConfig> = {
  async create(run, d) {
    const { c, ctx } = run;
    const { elbv2 } = await clientsOf(ctx);
    const { Attributes, ...input } = inputOf(d);
    let lb = await awsStep("create load balancer", c.albName, async () => {
      try {
        const out = await elbv2.send(new CreateLoadBalancerCommand({ ...input, Tags: stackTags(c, c.albName) }));
        return out.LoadBalancers?.[0] as LoadBalancer;
      } catch (err) {
        if (!isAwsError(err, "DuplicateLoadBalancerName")) throw err;
        const existing = await findLoadBalancer(elbv2, c.albName, undefined);
        if (!existing) throw err;
        return existing;
      }
    });
    const arn = lb.LoadBalancerArn as string;
    await run.made(observed(d, lb, []));
    const attributes = await setAttributes(ctx, c, arn, Attributes);
    if (ctx.options.wait) lb = await waitForActive(run, arn);
    return observed(d, lb, attributes);
  },
  async update(run, d, o, fields) {
    const { c, ctx } = run;
    const { elbv2 } = await clientsOf(ctx);
    const changed = (f: string) => fields.some((x) => x.field === f);
    const input = inputOf(d);
    if (changed("subnets")) {
      await awsStep("set load balancer subnets", c.albName, () =>
        elbv2.send(new SetSubnetsCommand({ LoadBalancerArn: o.id, Subnets: input.Subnets })),
      );
    }
    if (changed("security groups")) {
      await awsStep("set load balancer security groups", c.albName, () =>
        elbv2.send(new SetSecurityGroupsCommand({ LoadBalancerArn: o.id, SecurityGroups: input.SecurityGroups })),
      );
    }
    if (changed("IP address type")) {
      await awsStep("set load balancer IP address type", c.albName, () =>
        elbv2.send(new SetIpAddressTypeCommand({ LoadBalancerArn: o.id, IpAddressType: input.IpAddressType })),
      );
    }
    if (fields.some((f) => ATTRIBUTE_FIELDS.includes(f.field))) await setAttributes(ctx, c, o.id, input.Attributes);
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
