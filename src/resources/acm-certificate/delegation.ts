// Is the domain delegated to its Route 53 zone? Posture, not state: public DNS must send the world (and ACM's
// validation) to the zone's name servers, or the validation CNAME is never seen and the certificate never issued.
// Public DNS can be out of reach (a sandboxed network answers NXDOMAIN for every name) or irrelevant (an emulator's
// zones exist nowhere but in the emulator): then the answer is "cannot check", never "not delegated".
import type { Context } from "../../core/context.js";
import { fqdn } from "../common/dns/names.js";

export type Delegation =
  | { state: "delegated"; detail: string }
  | { state: "elsewhere"; detail: string }
  | { state: "unknown"; detail: string };

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException)?.code ?? String(err);

/** NXDOMAIN (ENOTFOUND) or no NS records (ENODATA): the name has no delegation of its own. */
const noDelegation = (code: string) => code === "ENOTFOUND" || code === "ENODATA";

export async function checkDelegation(ctx: Context, domain: string, nameServers: string[]): Promise<Delegation> {
  if (ctx.aws.settings.endpoint && !ctx.dns.knowsEndpointZones) {
    return {
      state: "unknown",
      detail: `AWS is an endpoint override (${ctx.aws.settings.endpoint}): public DNS cannot know its zones`,
    };
  }
  const want = nameServers.map(fqdn).sort();
  if (want.length === 0) return { state: "unknown", detail: "the zone lists no name servers" };
  let published: string[];
  try {
    published = (await ctx.dns.resolveNs(domain)).map(fqdn).sort();
  } catch (err) {
    const code = codeOf(err);
    if (!noDelegation(code)) return { state: "unknown", detail: `public DNS did not answer (${code})` };
    published = [];
  }
  if (published.length > 0 && published.every((ns) => want.includes(ns)))
    return { state: "delegated", detail: published.join(", ") };
  // Before saying "not delegated", make sure the resolver answers at all: the zone's own name servers exist, so a
  // working resolver knows their names (ENODATA: the name exists, without NS records of its own).
  const probe = (want[0] as string).replace(/\.$/, "");
  try {
    await ctx.dns.resolveNs(probe);
  } catch (err) {
    const code = codeOf(err);
    if (code !== "ENODATA")
      return { state: "unknown", detail: `the resolver cannot resolve ${probe} either (${code}): DNS is out of reach` };
  }
  return {
    state: "elsewhere",
    detail: `${domain} is delegated to ${published.length ? published.join(", ") : "no name servers"}, not to its Route 53 zone (${want.join(", ")})`,
  };
}
