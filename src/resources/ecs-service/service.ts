// Handlers for the ECS service. Create waits out a same-named service still DRAINING, makes the service with the
// desired count (the only time infra sets it) and follows the deployment it starts; update sends only what
// differs, never a count, and follows the deployment that starts; destroy scales to 0, deletes and waits for
// INACTIVE. ECS refuses a target group no listener forwards to, and a revision that is INACTIVE: both are said
// before the call.
import { randomUUID } from "node:crypto";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  type Service,
  TagResourceCommand,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
} from "@aws-sdk/client-ecs";
import { DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsStep, ExitCode, InfraError, isAwsError } from "../../core/errors.js";
import { done, pending, retryWhile, waitOptions, waitUntil } from "../../core/wait.js";
import type { DesiredObject, FieldChange } from "../../state/model.js";
import { describeRevision, describeService, shortName, toEcsTags } from "../common/ecs.js";
import { markKnownGood } from "../common/known-good.js";
import { stackTags } from "../common/tags.js";
import { type ApplyRun, type KindHandlers, NotYet } from "../resource.js";
import type { ServiceConfig } from "./config.js";
import { DeploymentFailed, followDeployment, reportTargetHealth } from "./deployment.js";
import type { ServiceInput } from "./inputs.js";
import { observedService } from "./observe.js";

type Run = ApplyRun<ServiceConfig>;

const MINUTE = 60_000;

/** What create sends, and update field by field: config.ts's serviceInput, its values known. */
const inputOf = (d: DesiredObject) => d.input as ServiceInput;

/** Which UpdateService parameter carries each field. */
const PARAMETER: Record<string, keyof ServiceInput & keyof UpdateServiceCommandInput> = {
  "task definition": "taskDefinition",
  subnets: "networkConfiguration",
  "security groups": "networkConfiguration",
  "public IP": "networkConfiguration",
  "target group": "loadBalancers",
  container: "loadBalancers",
  "health check grace period": "healthCheckGracePeriodSeconds",
  "minimum healthy percent": "deploymentConfiguration",
  "maximum percent": "deploymentConfiguration",
  "circuit breaker": "deploymentConfiguration",
  "platform version": "platformVersion",
  "deployment controller": "deploymentController",
  "ECS Exec": "enableExecuteCommand",
  // A new deployment of the revision it should run (forceNewDeployment, below).
  deployment: "taskDefinition",
};

export const serviceHandlers: KindHandlers<ServiceConfig> = {
  async create(run, d) {
    const { c, ctx } = run;
    await requireListener(run);
    await requireActive(run, String(d.fields["task definition"]));
    await waitOutDraining(run);
    const ecs = await ctx.aws.ecs();
    const input = {
      ...inputOf(d),
      tags: toEcsTags(stackTags(c, c.serviceName)),
      // At most 36 ASCII characters; the SDK's retries of this call reuse it. Lookups make re-runs idempotent.
      clientToken: randomUUID(),
    };
    // Just after a listener or the service-linked role is made, ECS may not see them yet.
    const retry = {
      ...waitOptions(ctx, `ECS to accept service ${c.serviceName}`),
      timeoutMs: 2 * MINUTE,
      transient: [
        "ClusterNotFoundException",
        {
          code: "InvalidParameterException",
          message: /does not have an associated load balancer|Unable to assume the service linked role/i,
        },
      ],
    };
    const svc = await awsStep("create service", c.serviceName, () =>
      retryWhile(ctx, run.ev, retry, async () => (await ecs.send(new CreateServiceCommand(input))).service as Service),
    );
    await run.made(observedService(svc));
    return observedService(await follow(run, svc, undefined));
  },
  async update(run, d, o, fields) {
    const { c, ctx } = run;
    const want = inputOf(d);
    const input: UpdateServiceCommandInput = { cluster: c.cluster, service: o.id };
    for (const f of fields) {
      const p = PARAMETER[f.field];
      if (p) Object.assign(input, { [p]: want[p] });
    }
    if (input.taskDefinition) await requireActive(run, input.taskDefinition);
    // ECS Exec reaches only tasks started after the change: start them.
    // A FAILED deployment is not retried by ECS: start a new one, which resolves the image tags again.
    if (changed(fields, "ECS Exec") || changed(fields, "deployment")) input.forceNewDeployment = true;
    const ecs = await ctx.aws.ecs();
    const before = (o.raw as { service?: Service } | undefined)?.service;
    const out = await awsStep("update service", c.serviceName, () => ecs.send(new UpdateServiceCommand(input)));
    await follow(run, out.service as Service, before);
  },
  async adopt(run, _d, o) {
    const ecs = await run.ctx.aws.ecs();
    await awsStep("tag service", o.name, () =>
      ecs.send(new TagResourceCommand({ resourceArn: o.id, tags: toEcsTags(stackTags(run.c, o.name)) })),
    );
  },
  async delete(run, o) {
    const { ctx } = run;
    const ecs = await ctx.aws.ecs();
    const cluster = o.id.split(":service/")[1]?.split("/")[0] ?? run.c.cluster;
    const svc = (o.raw as { service?: Service } | undefined)?.service;
    const gone = (err: unknown) => isAwsError(err, "ServiceNotFoundException", "ServiceNotActiveException");
    if ((svc?.desiredCount ?? 1) > 0) {
      await awsStep("scale service to 0", o.name, async () => {
        try {
          await ecs.send(new UpdateServiceCommand({ cluster, service: o.id, desiredCount: 0 }));
        } catch (err) {
          if (!gone(err)) throw err;
        }
      });
    }
    await awsStep("delete service", o.name, async () => {
      try {
        await ecs.send(new DeleteServiceCommand({ cluster, service: o.id, force: true }));
      } catch (err) {
        if (!gone(err)) throw err;
      }
    });
    if (ctx.options.wait) await waitGone(run, cluster, o.id, `service ${o.name} INACTIVE`);
  },
};

const changed = (fields: FieldChange[], field: string) => fields.some((f) => f.field === field);

/** Follows the deployment the call started (if it started one), then says how the targets are. */
async function follow(run: Run, svc: Service, before: Service | undefined): Promise<Service> {
  const primary = svc.deployments?.find((x) => x.status === "PRIMARY");
  const started = primary?.rolloutState === "IN_PROGRESS" && !before?.deployments?.some((x) => x.id === primary.id);
  if (!run.ctx.options.wait || !started || !primary?.id) return svc;
  const done = await followDeployment({
    ctx: run.ctx,
    ev: run.ev,
    cluster: run.c.cluster,
    serviceName: run.c.serviceName,
    deploymentId: primary.id,
    taskDefinitionArn: svc.taskDefinition as string,
  }).catch((err: unknown) => {
    // Here a failed deployment is AWS failing the step (exit 3); exit 1 is a deploy's, which puts the service back.
    if (!(err instanceof DeploymentFailed)) throw err;
    throw new InfraError(err.message, ExitCode.aws, err.suggestion, { cause: err });
  });
  run.ev.updated(`deployment ${primary.id} completed`);
  const elbv2 = await run.ctx.aws.elbv2();
  const targets = await reportTargetHealth(run.ev, elbv2, run.c.targetGroupArn);
  // Deployed and every target healthy: a revision `rollback` may return to.
  if (targets && targets.length > 0 && targets.every((t) => t.TargetHealth?.State === "healthy")) {
    const revision = await describeRevision(await run.ctx.aws.ecs(), svc.taskDefinition as string);
    if (revision) await markKnownGood(run.ctx, revision);
  }
  return done;
}

/** ECS refuses a service whose target group no listener forwards to: that is for `alb` to make, once it can. */
async function requireListener(run: Run) {
  const elbv2 = await run.ctx.aws.elbv2();
  const arn = run.c.targetGroupArn;
  const tg = await awsStep("read target group", arn, async () => {
    try {
      return (await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }))).TargetGroups?.[0];
    } catch (err) {
      if (isAwsError(err, "TargetGroupNotFoundException")) return undefined;
      throw err;
    }
  });
  // The ARN is one `alb` recorded: a group gone since is AWS's state, not the user's input.
  if (!tg)
    throw new InfraError(
      `read target group ${arn}: TargetGroupNotFound: the target group TARGET_GROUP_ARN records does not exist`,
      ExitCode.aws,
      "run `infra create alb`: it makes the target group and records it",
    );
  if (!tg.LoadBalancerArns?.length) {
    throw new NotYet(
      `service ${run.c.serviceName}: target group ${tg.TargetGroupName} is not attached to a listener yet; \`infra create alb\` adds the HTTPS listener that forwards to it once the certificate is issued (\`infra create acm-certificate\`)`,
    );
  }
}

/** ECS runs nothing new from an INACTIVE revision; one deregistered since it was recorded is AWS's state. */
async function requireActive(run: Run, arn: string) {
  const ecs = await run.ctx.aws.ecs();
  const td = await awsStep("read task definition", arn, () => describeRevision(ecs, arn));
  if (td?.status !== "ACTIVE") {
    const state = td ? `it is ${td.status} in ECS` : "ECS has no such revision";
    throw new InfraError(
      `read task definition ${shortName(arn)}: ${state}, and ECS starts no service from it`,
      ExitCode.aws,
      "run `infra create ecs-service-task-definition`: it registers an ACTIVE revision and records it",
    );
  }
}

/** A deleted service of the same name stays DRAINING a while, and ECS refuses the name until it is INACTIVE. */
async function waitOutDraining(run: Run) {
  const ecs = await run.ctx.aws.ecs();
  const { cluster, serviceName } = run.c;
  const old = await awsStep("read service", serviceName, () => describeService(ecs, cluster, serviceName));
  if (old?.status === "DRAINING") await waitGone(run, cluster, serviceName, "the old service to finish draining");
}

/** Polls until the service is INACTIVE or MISSING (the ServicesInactive waiter fails on MISSING: not used). */
async function waitGone(run: Run, cluster: string, ref: string, what: string) {
  const ecs = await run.ctx.aws.ecs();
  await awsStep("wait for service", ref, () =>
    waitUntil(run.ctx, run.ev, { ...waitOptions(run.ctx, what), maxDelayMs: 15_000 }, async () => {
      const svc = await describeService(ecs, cluster, ref);
      return !svc || svc.status === "INACTIVE" ? done(undefined) : pending(svc.status ?? "?");
    }),
  );
}
