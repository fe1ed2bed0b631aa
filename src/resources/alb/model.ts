// The `alb` resource's model: how it observes what exists, the handlers of each kind of object it owns, what it
// records, the checks that are not state (what the backend group lets in, the certificate's status), and the
// refusals to destroy what something still needs (deletion protection, a service's target group).

import type { Service } from "@aws-sdk/client-ecs";
import type { Context } from "../../core/context.js";
import { awsStep, InputError } from "../../core/errors.js";
import { defaultOf } from "../../core/keys.js";
import type { Observation } from "../../state/model.js";
import { certificateStatus } from "../common/certificate.js";
import { clusterServices } from "../common/ecs-services.js";
import { checklist, type ResourceModel } from "../resource.js";
import type { AlbConfig } from "./config.js";
import { listenerHandlers } from "./listeners.js";
import { loadBalancerHandlers } from "./load-balancer.js";
import { clientsOf, describeIngress, describeSecurityGroup, observeAlb } from "./observe.js";
import { backendRuleHandlers, securityGroupHandlers } from "./security-groups.js";
import { requireTwoZones } from "./subnets.js";
import { targetGroupHandlers } from "./target-group.js";

export const albModel: ResourceModel<AlbConfig> = {
  observe: observeAlb,
  handlers: {
    "security group": securityGroupHandlers,
    "target group": targetGroupHandlers,
    "load balancer": loadBalancerHandlers,
    "security group rule": backendRuleHandlers,
    listener: listenerHandlers,
  },
  recorded(objects) {
    const id = (key: string) => objects.get(key)?.id ?? "";
    const lb = objects.get("load-balancer")?.raw as { DNSName?: string } | undefined;
    return {
      ALB_SECURITY_GROUP_ID: id("security-group"),
      TARGET_GROUP_ARN: id("target-group"),
      ALB_ARN: id("load-balancer"),
      ALB_DNS_NAME: lb?.DNSName ?? "",
      HTTP_LISTENER_ARN: id("listener:80"),
      HTTPS_LISTENER_ARN: id("listener:443"),
    };
  },
  checks: albChecks,
  beforeCreate: requireTwoZones,
  refuse(changes) {
    // Replacing deletes first: AWS refuses to delete a target group a listener forwards to (ResourceInUse) and a
    // security group a load balancer uses (DependencyViolation), however long one waits.
    for (const c of changes) {
      if (c.action !== "replace") continue;
      const raw = c.observed.raw as { LoadBalancerArns?: string[] } | undefined;
      if (c.desired.kind === "target group" && raw?.LoadBalancerArns?.length)
        return `target group ${c.observed.name} would have to be replaced (${c.reason}), but a listener forwards to it and AWS refuses to delete it while one does: destroy ecs-service and alb first, then create them again, or keep ${c.fields.map((f) => f.field).join(", ")}`;
      const lb = changes.find((x) => "observed" in x && x.observed.key === "load-balancer");
      const users = lb && "observed" in lb ? ((lb.observed.fields["security groups"] ?? []) as string[]) : [];
      if (c.desired.kind === "security group" && users.includes(c.observed.id))
        return `security group ${c.observed.name} would have to be replaced (${c.reason}), but the load balancer uses it and AWS refuses to delete it while it does: destroy alb first, then create it again, or keep ${c.fields.map((f) => f.field).join(", ")}`;
    }
    return undefined;
  },
  async beforeDestroy(ctx, c, objects) {
    if (objects.get("load-balancer")?.fields["deletion protection"] === true) {
      throw new InputError(
        `load balancer ${c.albName} has deletion protection on`,
        "set ALB_DELETION_PROTECTION=false and run `infra create alb` to turn it off, then destroy",
      );
    }
    await refuseWhileServiceUses(ctx, objects);
  },
};

/**
 * Once its listeners are gone, AWS deletes a target group an ECS service still names, and ECS keeps the service:
 * its tasks are then registered nowhere and serve nothing. A live service of the stack's cluster that names the
 * group stops the destroy before any change, unless it is the stack's own and the same run destroys it first.
 */
async function refuseWhileServiceUses(ctx: Context, objects: Observation) {
  const group = objects.get("target-group");
  const recordedArn = ctx.env.get("ECS_SERVICE_ARN");
  const cluster = ctx.env.get("ECS_CLUSTER_NAME") ?? recordedArn?.split(":service/")[1]?.split("/")[0];
  if (!group?.managed || group.leave || !cluster) return;
  const ecs = await ctx.aws.ecs();
  const services = await awsStep("list services", cluster, () => clusterServices(ecs, cluster));
  const own = ctx.env.get("ECS_SERVICE_NAME") ?? defaultOf("ECS_SERVICE_NAME", (k) => ctx.env.get(k));
  const ours = (s: Service) => s.serviceName === own || (recordedArn !== undefined && s.serviceArn === recordedArn);
  const users = services.filter(
    (s) =>
      s.status === "ACTIVE" &&
      s.loadBalancers?.some((lb) => lb.targetGroupArn === group.id) &&
      !(ours(s) && ctx.steps.has("ecs-service")),
  );
  if (users.length === 0) return;
  throw new InputError(
    `target group ${group.name} is the one ECS service ${users.map((s) => s.serviceName).join(", ")} registers its tasks in: AWS would delete it, and the service would go on with tasks that serve nothing`,
    users.some(ours)
      ? "destroy the service first (`infra destroy ecs-service`), or both at once (`infra destroy ecs-service alb`)"
      : "move those services to another target group, or delete them, first",
  );
}

const OPEN = ["0.0.0.0/0", "::/0"];

async function albChecks(ctx: Context, c: AlbConfig, objects: Observation) {
  const { checks, check, skip } = checklist("alb");
  if (c.backendSecurityGroupId) {
    const { ec2 } = await clientsOf(ctx);
    const backend = await awsStep("find backend security group", c.backendSecurityGroupId, () =>
      describeSecurityGroup(ec2, c.backendSecurityGroupId),
    );
    const open = describeIngress(backend?.IpPermissions).filter((l) => OPEN.some((o) => l.endsWith(` from ${o}`)));
    check(
      `backend ${c.backendSecurityGroupId} takes nothing from the internet (0.0.0.0/0, ::/0)`,
      Boolean(backend) && open.length === 0,
      backend ? open.join("; ") : "the group does not exist",
    );
  } else skip("backend security group", "BACKEND_SECURITY_GROUP_ID is not set");
  const certificate = objects.get("listener:443")?.fields.certificate;
  if (typeof certificate === "string" && certificate) {
    const status = await certificateStatus(ctx, certificate);
    check("the HTTPS listener's certificate is ISSUED", status === "ISSUED", status);
  }
  return checks;
}
