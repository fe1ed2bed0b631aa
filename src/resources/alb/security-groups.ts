// Handlers for the ALB's security group (80 and 443 from anywhere, nothing else) and the backend group's one rule
// that lets the ALB, and only the ALB, reach the container port.
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { awsStep, isAwsError } from "../../core/errors.js";
import { done, pending, retryWhile, waitOptions, waitUntil } from "../../core/wait.js";
import type { DesiredObject, ObservedObject } from "../../state/model.js";
import { stackTags } from "../common/tags.js";
import type { ApplyRun, KindHandlers } from "../resource.js";
import type { AlbConfig } from "./config.js";
import { clientsOf, describeIngress, describeSecurityGroup, findSecurityGroup } from "./observe.js";

const MINUTE = 60_000;

/** A line of describeIngress ("tcp 443 from 0.0.0.0/0", "all traffic from sg-1", "icmp -1 from pl-2") back into the
 * permission AWS takes: revoking one infra does not want must work whatever the rule is. */
export function permissionOf(line: string): IpPermission {
  const m = /^(?:(all traffic)|(\S+) (-?\d+)(?:-(-?\d+))?) from (\S+)$/.exec(line);
  if (!m) throw new Error(`not a rule: ${line}`);
  const [, all, protocol, from, to, source = ""] = m;
  const range = source.startsWith("sg-")
    ? { UserIdGroupPairs: [{ GroupId: source }] }
    : source.startsWith("pl-")
      ? { PrefixListIds: [{ PrefixListId: source }] }
      : source.includes(":")
        ? { Ipv6Ranges: [{ CidrIpv6: source }] }
        : { IpRanges: [{ CidrIp: source }] };
  if (all) return { IpProtocol: "-1", ...range };
  return { IpProtocol: protocol, FromPort: Number(from), ToPort: Number(to ?? from), ...range };
}

async function authorize(run: ApplyRun<AlbConfig>, groupId: string, lines: string[], tagName?: string) {
  if (lines.length === 0) return;
  const { ec2 } = await clientsOf(run.ctx);
  const TagSpecifications = tagName
    ? [{ ResourceType: "security-group-rule" as const, Tags: stackTags(run.c, tagName) }]
    : undefined;
  await awsStep("authorize ingress", groupId, async () => {
    try {
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: lines.map(permissionOf),
          TagSpecifications,
        }),
      );
    } catch (err) {
      if (!isAwsError(err, "InvalidPermission.Duplicate")) throw err; // already there: what we wanted
    }
  });
}

async function revoke(run: ApplyRun<AlbConfig>, groupId: string, permissions: IpPermission[]) {
  if (permissions.length === 0) return;
  const { ec2 } = await clientsOf(run.ctx);
  await awsStep("revoke ingress", groupId, async () => {
    try {
      await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: permissions }));
    } catch (err) {
      if (!isAwsError(err, "InvalidPermission.NotFound", "InvalidGroup.NotFound")) throw err;
    }
  });
}

const ingressOf = (d: DesiredObject) => (d.fields.ingress ?? []) as string[];

export const securityGroupHandlers: KindHandlers<AlbConfig> = {
  async create(run, d) {
    const { c, ctx, ev } = run;
    const { ec2 } = await clientsOf(ctx);
    const name = c.securityGroupName;
    const id = await awsStep("create security group", name, async () => {
      try {
        const out = await ec2.send(
          new CreateSecurityGroupCommand({
            GroupName: name,
            Description: `${c.project} ALB: HTTP and HTTPS from the internet`,
            VpcId: c.vpcId,
            TagSpecifications: [{ ResourceType: "security-group", Tags: stackTags(c, name) }],
          }),
        );
        return out.GroupId as string;
      } catch (err) {
        // Names are unique per VPC: a run whose answer was lost made it. Use that one, once visible.
        if (!isAwsError(err, "InvalidGroup.Duplicate")) throw err;
        return "";
      }
    });
    // A new group is not always visible to the next call at once.
    const group = await awsStep("find security group", name, () =>
      waitUntil(ctx, ev, waitOptions(ctx, `security group ${name} visible`), async () => {
        const g = id ? await describeSecurityGroup(ec2, id) : await findSecurityGroup(ec2, c, undefined);
        return g ? done(g) : pending("not visible yet");
      }),
    );
    const have = describeIngress(group.IpPermissions);
    await authorize(
      run,
      group.GroupId as string,
      ingressOf(d).filter((l) => !have.includes(l)),
    );
    return {
      key: d.key,
      kind: d.kind,
      name,
      id: group.GroupId as string,
      fields: { ...d.fields },
      managed: true,
      raw: group,
    };
  },
  async update(run, d, o) {
    const want = ingressOf(d);
    const have = (o.fields.ingress ?? []) as string[];
    await authorize(
      run,
      o.id,
      want.filter((l) => !have.includes(l)),
    );
    await revoke(run, o.id, have.filter((l) => !want.includes(l)).map(permissionOf));
  },
  async adopt(run, _d, o) {
    const { ec2 } = await clientsOf(run.ctx);
    await awsStep("tag security group", o.name, () =>
      ec2.send(new CreateTagsCommand({ Resources: [o.id], Tags: stackTags(run.c, o.name) })),
    );
  },
  async delete(run, o) {
    const { ec2 } = await clientsOf(run.ctx);
    // Network interfaces of a just-deleted ALB linger and hold the group: retry until AWS lets go. In a VPC a group
    // in use is DependencyViolation (docs/aws-behaviours.md, "EC2 security groups").
    await awsStep("delete security group", o.name, () =>
      retryWhile(
        run.ctx,
        run.ev,
        {
          ...waitOptions(run.ctx, `security group ${o.name} to be released`),
          transient: ["DependencyViolation"],
          timeoutMs: Math.max(run.ctx.options.timeoutMs, 15 * MINUTE),
        },
        async () => {
          try {
            await ec2.send(new DeleteSecurityGroupCommand({ GroupId: o.id }));
          } catch (err) {
            if (!isAwsError(err, "InvalidGroup.NotFound")) throw err;
          }
        },
      ),
    );
  },
};

/** The backend rule is held by the ALB's group: adopting the group adopts it, and nothing needs tagging. */
export const backendRuleHandlers: KindHandlers<AlbConfig> = {
  async create(run, d): Promise<ObservedObject> {
    const groupId = String(d.fields["security group"]);
    const from = String(d.fields.from);
    await authorize(run, groupId, [`tcp ${d.fields.port} from ${from}`], `${run.c.project}-alb-to-backend`);
    return {
      key: d.key,
      kind: d.kind,
      name: d.name,
      id: `${groupId} tcp ${d.fields.port} from ${from}`,
      fields: { ...d.fields },
      managed: true,
    };
  },
  async adopt() {},
  async delete(run, o) {
    const permission = o.raw as IpPermission;
    const from = String(o.fields.from);
    await revoke(run, String(o.fields["security group"]), [
      {
        IpProtocol: permission.IpProtocol,
        FromPort: permission.FromPort,
        ToPort: permission.ToPort,
        UserIdGroupPairs: permission.UserIdGroupPairs?.filter((g) => g.GroupId === from),
      },
    ]);
  },
};
