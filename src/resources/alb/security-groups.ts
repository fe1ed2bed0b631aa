// Handlers for the ALB's security group (80 and 443 from anywhere, nothing else in; all traffic out, as AWS makes
// it) and the backend group's one rule that lets the ALB, and only the ALB, reach the container port. The group is
// sent what config.ts's albInputs says.
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  type IpPermission,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { awsStep, isAwsError } from "../../core/errors.js";
import { done, pending, retryWhile, waitOptions, waitUntil } from "../../core/wait.js";
import type { DesiredObject, Fields, ObservedObject } from "../../state/model.js";
import { stackTags } from "../common/tags.js";
import type { ApplyRun, KindHandlers } from "../resource.js";
import type { AlbConfig } from "./config.js";
import { type BackendRuleInput, describeRules, type SecurityGroupInput, securityGroupFields } from "./inputs.js";
import { clientsOf, describeSecurityGroup, findSecurityGroup, securityGroupAsInput } from "./observe.js";

const MINUTE = 60_000;

/** A line of describeRules ("tcp 443 from 0.0.0.0/0", "all traffic to sg-1", "icmp -1 from pl-2") back into the
 * permission AWS takes: revoking one infra does not want must work whatever the rule is. */
export function permissionOf(line: string): IpPermission {
  const m = /^(?:(all traffic)|(\S+) (-?\d+)(?:-(-?\d+))?) (?:from|to) (\S+)$/.exec(line);
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
  const egress = lines.filter((l) => l.includes(" to "));
  const ingress = lines.filter((l) => !l.includes(" to "));
  await awsStep("authorize ingress", groupId, async () => {
    try {
      if (ingress.length)
        await ec2.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: ingress.map(permissionOf),
            TagSpecifications,
          }),
        );
      if (egress.length)
        await ec2.send(
          new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: egress.map(permissionOf) }),
        );
    } catch (err) {
      if (!isAwsError(err, "InvalidPermission.Duplicate")) throw err; // already there: what we wanted
    }
  });
}

async function revoke(run: ApplyRun<AlbConfig>, groupId: string, permissions: IpPermission[], egress = false) {
  if (permissions.length === 0) return;
  const { ec2 } = await clientsOf(run.ctx);
  await awsStep(egress ? "revoke egress" : "revoke ingress", groupId, async () => {
    try {
      const input = { GroupId: groupId, IpPermissions: permissions };
      if (egress) await ec2.send(new RevokeSecurityGroupEgressCommand(input));
      else await ec2.send(new RevokeSecurityGroupIngressCommand(input));
    } catch (err) {
      if (!isAwsError(err, "InvalidPermission.NotFound", "InvalidGroup.NotFound")) throw err;
    }
  });
}

const inputOf = (d: DesiredObject) => d.input as SecurityGroupInput;
const rulesOf = (fields: Fields) => [...((fields.ingress ?? []) as string[]), ...((fields.egress ?? []) as string[])];

export const securityGroupHandlers: KindHandlers<AlbConfig> = {
  async create(run, d) {
    const { c, ctx, ev } = run;
    const { ec2 } = await clientsOf(ctx);
    const name = c.securityGroupName;
    const id = await awsStep("create security group", name, async () => {
      try {
        const { GroupName, Description, VpcId } = inputOf(d);
        const out = await ec2.send(
          new CreateSecurityGroupCommand({
            GroupName,
            Description,
            VpcId,
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
    const groupId = group.GroupId as string;
    const found = { key: d.key, kind: d.kind, name, id: groupId, managed: true, raw: group };
    const have = securityGroupFields(securityGroupAsInput(group));
    await converge(run, groupId, rulesOf(securityGroupFields(inputOf(d))), rulesOf(have));
    // What AWS has: the group as found, with the rules it now holds.
    return { ...found, fields: { ...have, ingress: d.fields.ingress, egress: d.fields.egress } };
  },
  async update(run, d, o) {
    await converge(run, o.id, rulesOf(securityGroupFields(inputOf(d))), rulesOf(o.fields));
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

/** Authorizes the rules it lacks, then revokes those not wanted (ingress and egress alike). */
async function converge(run: ApplyRun<AlbConfig>, groupId: string, want: string[], have: string[]) {
  await authorize(
    run,
    groupId,
    want.filter((l) => !have.includes(l)),
  );
  const extra = have.filter((l) => !want.includes(l));
  await revoke(run, groupId, extra.filter((l) => !l.includes(" to ")).map(permissionOf));
  await revoke(run, groupId, extra.filter((l) => l.includes(" to ")).map(permissionOf), true);
}

/** The backend rule is held by the ALB's group: adopting the group adopts it, and nothing needs tagging. */
export const backendRuleHandlers: KindHandlers<AlbConfig> = {
  async create(run, d): Promise<ObservedObject> {
    const input = d.input as BackendRuleInput;
    const groupId = input.GroupId;
    const from = String(d.fields.from);
    await authorize(
      run,
      groupId,
      describeRules(input.IpPermissions as IpPermission[]),
      `${run.c.project}-alb-to-backend`,
    );
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
