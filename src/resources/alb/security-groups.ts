// The ALB's security group (80/443 from anywhere) and the backend group's one rule that lets the ALB, and
// only the ALB, reach the container port.
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import { AwsError, awsStep, isAwsError } from "../../core/errors.js";
import { done, pending, retryWhile, waitUntil } from "../../core/wait.js";
import { missingTags, stackTags } from "../tags.js";
import { PUBLIC_PORTS } from "./config.js";
import type { AlbRun } from "./run.js";

const ANYWHERE = "0.0.0.0/0";
const MINUTE = 60_000;

export async function describeSecurityGroup(run: AlbRun, id: string): Promise<SecurityGroup | undefined> {
  try {
    const out = await run.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }));
    return out.SecurityGroups?.[0];
  } catch (err) {
    if (isAwsError(err, "InvalidGroup.NotFound", "InvalidGroupId.Malformed")) return undefined;
    throw err;
  }
}

/** By recorded id, then by name in the VPC (GroupNames only works in the default VPC: use filters). */
export async function findAlbSecurityGroup(run: AlbRun): Promise<SecurityGroup | undefined> {
  const { c } = run;
  const recorded = run.ctx.env.get("ALB_SECURITY_GROUP_ID");
  const byId = recorded ? await describeSecurityGroup(run, recorded) : undefined;
  if (byId) return byId;
  const Filters = [{ Name: "group-name", Values: [c.securityGroupName] }];
  if (c.vpcId) Filters.push({ Name: "vpc-id", Values: [c.vpcId] });
  const out = await run.ec2.send(new DescribeSecurityGroupsCommand({ Filters }));
  return out.SecurityGroups?.[0];
}

export async function ensureAlbSecurityGroup(run: AlbRun): Promise<string> {
  const { c, ev } = run;
  const name = c.securityGroupName;
  const tags = stackTags(c, name);
  let group = await awsStep("find security group", name, () => findAlbSecurityGroup(run));
  if (!group) {
    const id = await awsStep("create security group", name, async () => {
      try {
        const out = await run.ec2.send(
          new CreateSecurityGroupCommand({
            GroupName: name,
            Description: `${c.project} ALB: HTTP and HTTPS from the internet`,
            VpcId: c.vpcId,
            TagSpecifications: [{ ResourceType: "security-group", Tags: tags }],
          }),
        );
        return out.GroupId as string;
      } catch (err) {
        // Names are unique per VPC: a concurrent or half-finished run made it. Use that one, once visible.
        if (!isAwsError(err, "InvalidGroup.Duplicate")) throw err;
        const existing = await waitUntil(run.ctx, ev, run.waitFor(`security group ${name} visible`), async () => {
          const g = await findAlbSecurityGroup(run);
          return g ? done(g) : pending("not visible yet");
        });
        return existing.GroupId as string;
      }
    });
    await run.ctx.env.record({ ALB_SECURITY_GROUP_ID: id });
    ev.created(`security group ${name} (${id})`);
    // A new group is not always visible to the next call at once.
    group = await waitUntil(run.ctx, ev, run.waitFor(`security group ${id} visible`), async () => {
      const g = await describeSecurityGroup(run, id);
      return g ? done(g) : pending("not visible yet");
    });
  } else {
    ev.exists(`security group ${name} (${group.GroupId})`);
    await tagIfMissing(run, group, tags);
  }
  const id = group.GroupId as string;
  await run.ctx.env.record({ ALB_SECURITY_GROUP_ID: id });

  const missing = PUBLIC_PORTS.filter((p) => !allows(group.IpPermissions, p, { cidr: ANYWHERE }));
  if (missing.length > 0) {
    await authorize(
      run,
      id,
      name,
      missing.map((p) => tcpFrom(p, { cidr: ANYWHERE })),
    );
    ev.created(`ingress tcp ${missing.join(", ")} from ${ANYWHERE} on ${name}`);
  }
  return id;
}

export async function ensureBackendIngress(run: AlbRun, albGroupId: string): Promise<void> {
  const { c, ev } = run;
  const backendId = c.backendSecurityGroupId as string;
  const what = `ingress tcp ${c.containerPort} from ${albGroupId} on ${backendId}`;
  const backend = await awsStep("find backend security group", backendId, () => describeSecurityGroup(run, backendId));
  if (!backend) {
    throw new AwsError(
      "find backend security group",
      backendId,
      "InvalidGroup.NotFound",
      "BACKEND_SECURITY_GROUP_ID names no security group",
    );
  }
  if (allows(backend.IpPermissions, c.containerPort, { groupId: albGroupId })) {
    ev.exists(what);
    return;
  }
  await authorize(
    run,
    backendId,
    backendId,
    [tcpFrom(c.containerPort, { groupId: albGroupId })],
    [{ ResourceType: "security-group-rule", Tags: stackTags(c, `${c.project}-alb-to-backend`) }],
  );
  ev.created(what);
}

/** Removes the backend rule that references the ALB group: the ALB group cannot be deleted while it exists. */
export async function revokeBackendIngress(run: AlbRun, albGroupId: string): Promise<void> {
  const { c, ev } = run;
  const backendId = c.backendSecurityGroupId;
  if (!backendId) return;
  const backend = await awsStep("find backend security group", backendId, () => describeSecurityGroup(run, backendId));
  const rules = (backend?.IpPermissions ?? []).filter((p) => p.UserIdGroupPairs?.some((g) => g.GroupId === albGroupId));
  if (rules.length === 0) return;
  const ours = rules.map((p) => ({
    ...p,
    UserIdGroupPairs: p.UserIdGroupPairs?.filter((g) => g.GroupId === albGroupId),
  }));
  await awsStep("revoke backend ingress", backendId, async () => {
    try {
      await run.ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: backendId,
          IpPermissions: ours.map((p) => ({ ...p, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] })),
        }),
      );
    } catch (err) {
      if (!isAwsError(err, "InvalidPermission.NotFound", "InvalidGroup.NotFound")) throw err;
    }
  });
  ev.deleted(`ingress from ${albGroupId} on ${backendId}`);
}

/** Network interfaces of a just-deleted ALB linger and hold the group: retry until AWS lets go. */
export async function deleteSecurityGroup(run: AlbRun, id: string, name: string): Promise<void> {
  await awsStep("delete security group", name, () =>
    retryWhile(
      run.ctx,
      run.ev,
      {
        ...run.waitFor(`security group ${name} to be released`),
        transient: ["DependencyViolation", "InvalidGroup.InUse"],
        timeoutMs: Math.max(run.ctx.options.timeoutMs, 15 * MINUTE),
      },
      async () => {
        try {
          await run.ec2.send(new DeleteSecurityGroupCommand({ GroupId: id }));
        } catch (err) {
          if (!isAwsError(err, "InvalidGroup.NotFound")) throw err;
        }
      },
    ),
  );
  run.ev.deleted(`security group ${name} (${id})`);
}

export function allows(perms: IpPermission[] | undefined, port: number, from: { cidr?: string; groupId?: string }) {
  return (perms ?? []).some(
    (p) =>
      (p.IpProtocol === "tcp" || p.IpProtocol === "-1") &&
      (p.IpProtocol === "-1" || ((p.FromPort ?? 0) <= port && port <= (p.ToPort ?? 0))) &&
      (from.cidr
        ? p.IpRanges?.some((r) => r.CidrIp === from.cidr)
        : p.UserIdGroupPairs?.some((g) => g.GroupId === from.groupId)),
  );
}

function tcpFrom(port: number, from: { cidr?: string; groupId?: string }): IpPermission {
  return {
    IpProtocol: "tcp",
    FromPort: port,
    ToPort: port,
    ...(from.cidr ? { IpRanges: [{ CidrIp: from.cidr }] } : { UserIdGroupPairs: [{ GroupId: from.groupId }] }),
  };
}

async function authorize(
  run: AlbRun,
  groupId: string,
  label: string,
  IpPermissions: IpPermission[],
  TagSpecifications?: { ResourceType: "security-group-rule"; Tags: { Key: string; Value: string }[] }[],
) {
  await awsStep("authorize ingress", label, async () => {
    try {
      await run.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions, TagSpecifications }),
      );
    } catch (err) {
      if (!isAwsError(err, "InvalidPermission.Duplicate")) throw err; // already there: what we wanted
    }
  });
}

async function tagIfMissing(run: AlbRun, group: SecurityGroup, tags: { Key: string; Value: string }[]) {
  const missing = missingTags(tags, group.Tags);
  if (missing.length === 0) return;
  await awsStep("tag security group", run.c.securityGroupName, () =>
    run.ec2.send(new CreateTagsCommand({ Resources: [group.GroupId as string], Tags: missing })),
  );
  run.ev.updated(`tags ${missing.map((t) => t.Key).join(", ")} on ${run.c.securityGroupName}`);
}
