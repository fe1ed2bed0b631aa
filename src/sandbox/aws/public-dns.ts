// Public DNS as a resolver on the user's machine sees it, for the NS lookups that tell whether a domain is delegated
// to its Route 53 zone. It answers as Node's dns.resolveNs does: the name servers of a delegated name, ENODATA for a
// name that exists without NS records (a name server's own host name), ENOTFOUND (NXDOMAIN) for a name that does
// not exist. Two broken resolvers are modeled too: one that answers NXDOMAIN for every name (a sandboxed network)
// and one that cannot be reached at all.
import type { Fake } from "./aws-fake.js";

/** The host names Route 53 gives its name servers: ns-<n>.awsdns-<nn>.com, .net, .org or .co.uk. */
const AWS_NAME_SERVER = /^ns-\d+\.awsdns-\d{2}\.(com|net|org|co\.uk)$/;

export type ResolverMode = "answers" | "nxdomain" | "unreachable";

/** An error shaped as Node's resolver throws it (code, syscall, hostname). */
function dnsError(code: string, hostname: string): Error {
  return Object.assign(new Error(`queryNs ${code} ${hostname}`), { code, syscall: "queryNs", hostname });
}

export class PublicDns {
  /**
   * How the resolver behaves: "answers" (a working resolver), "nxdomain" (every name NXDOMAIN, as in a network that
   * lets no DNS out) or "unreachable" (ECONNREFUSED).
   */
  mode: ResolverMode = "answers";
  /** Every name asked about, in order. */
  readonly asked: string[] = [];

  constructor(private readonly fake: Fake & { delegations: Map<string, string[]> }) {}

  async resolveNs(domain: string): Promise<string[]> {
    const name = domain.toLowerCase().replace(/\.$/, "");
    this.asked.push(name);
    if (this.mode === "unreachable") throw dnsError("ECONNREFUSED", name);
    if (this.mode === "nxdomain") throw dnsError("ENOTFOUND", name);
    const set = this.fake.delegations.get(name);
    if (set) {
      if (set.length === 0) throw dnsError("ENOTFOUND", name);
      return [...set];
    }
    if (AWS_NAME_SERVER.test(name)) throw dnsError("ENODATA", name);
    // Unless a test says otherwise, the registrar points a domain at its first (oldest) public zone, so a second
    // zone made by mistake is not the one the world sees.
    const zone = this.fake.route53.zonesNamed(name).find((z) => !z.Config.PrivateZone);
    if (zone) return [...zone.nameServers];
    throw dnsError("ENOTFOUND", name);
  }
}
