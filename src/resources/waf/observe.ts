// What of `waf` exists: the web ACL (by WAF_WEB_ACL_ARN, then by name) with its lock token, and what web ACL the
// load balancer in ALB_ARN has. The association is asked of the load balancer (GetWebACLForResource), the one
// resource infra associates, rather than listed from the web ACL.
import {
  GetWebACLCommand,
  GetWebACLForResourceCommand,
  ListTagsForResourceCommand,
  ListWebACLsCommand,
  type WAFV2Client,
  type WebACL,
} from "@aws-sdk/client-wafv2";
import type { Context } from "../../core/context.js";
import { awsStep, isAwsError } from "../../core/errors.js";
import { isPending, type ObservedObject } from "../../state/model.js";
import { isManaged } from "../common/tags.js";
import { albNameOf, SCOPE, type WafConfig } from "./config.js";
import { associationFields, webAclFields } from "./inputs.js";

export interface AclRaw {
  name: string;
  id: string;
  lockToken: string;
}

export async function observeWaf(ctx: Context, c: WafConfig): Promise<Map<string, ObservedObject>> {
  const waf = await ctx.aws.waf();
  const found = new Map<string, ObservedObject>();
  const acl = await awsStep("find web ACL", c.aclName, () => findAcl(waf, c.aclName, ctx.env.get("WAF_WEB_ACL_ARN")));
  let ours = false;
  if (acl) {
    const tags = await awsStep("read web ACL tags", c.aclName, () => tagsOf(waf, acl.webAcl.ARN as string));
    ours = isManaged(tags);
    found.set("web-acl", describeAcl(acl.webAcl, acl.lockToken, ours));
  }
  const lb = c.albArn;
  if (lb && !isPending(lb)) {
    const current = await awsStep("read web ACL of", albNameOf(lb), () => webAclOf(waf, lb));
    if (current?.ARN) {
      const held = current.ARN === acl?.webAcl.ARN;
      found.set("association", {
        key: "association",
        kind: "web ACL association",
        name: `${current.Name} on ${albNameOf(lb)}`,
        id: lb,
        fields: associationFields({ ResourceArn: lb, WebACLArn: current.ARN }),
        // An association is held by its web ACL: ours when that is.
        managed: held && ours,
      });
    }
  }
  return found;
}

export function describeAcl(acl: WebACL, lockToken: string, managed: boolean): ObservedObject {
  const raw: AclRaw = { name: acl.Name as string, id: acl.Id as string, lockToken };
  return {
    key: "web-acl",
    kind: "web ACL",
    name: acl.Name as string,
    id: acl.ARN as string,
    fields: webAclFields(acl),
    managed,
    raw,
  };
}

/** "arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>" -> name and id, which GetWebACL asks for. */
const partsOf = (arn: string) => {
  const [name, id] = arn.split("/").slice(-2);
  return name && id ? { name, id } : undefined;
};

export async function getAcl(waf: WAFV2Client, name: string, id: string) {
  try {
    const out = await waf.send(new GetWebACLCommand({ Name: name, Scope: SCOPE, Id: id }));
    return out.WebACL ? { webAcl: out.WebACL, lockToken: out.LockToken as string } : undefined;
  } catch (err) {
    if (isAwsError(err, "WAFNonexistentItemException")) return undefined;
    throw err;
  }
}

/** By the recorded ARN, else by name. */
export async function findAcl(waf: WAFV2Client, name: string, recorded: string | undefined) {
  const parts = recorded ? partsOf(recorded) : undefined;
  const byArn = parts ? await getAcl(waf, parts.name, parts.id) : undefined;
  if (byArn) return byArn;
  const id = await idByName(waf, name);
  return id ? getAcl(waf, name, id) : undefined;
}

/** ListWebACLs may not list a web ACL made moments ago: WAF's changes take a while to reach every reader. */
export async function idByName(waf: WAFV2Client, name: string): Promise<string | undefined> {
  let NextMarker: string | undefined;
  do {
    const out = await waf.send(new ListWebACLsCommand({ Scope: SCOPE, NextMarker, Limit: 100 }));
    const id = out.WebACLs?.find((a) => a.Name === name)?.Id;
    if (id) return id;
    NextMarker = out.NextMarker;
  } while (NextMarker);
  return undefined;
}

export async function tagsOf(waf: WAFV2Client, arn: string) {
  const out = await waf.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return out.TagInfoForResource?.TagList ?? [];
}

/** The load balancer's web ACL; none when it has none, or when the load balancer is gone. */
async function webAclOf(waf: WAFV2Client, resourceArn: string): Promise<WebACL | undefined> {
  try {
    return (await waf.send(new GetWebACLForResourceCommand({ ResourceArn: resourceArn }))).WebACL;
  } catch (err) {
    if (isAwsError(err, "WAFNonexistentItemException")) return undefined;
    throw err;
  }
}
