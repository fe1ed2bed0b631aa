// The public hosted zone of DOMAIN_NAME, shared by `acm-certificate` (its validation CNAME) and
// `route53-records` (the alias record): found by HOSTED_ZONE_ID or by exact name, made at most once.
import {
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import type { Context } from "../../../core/context.js";
import { awsStep, InputError, isAwsError } from "../../../core/errors.js";
import type { ResourceEvents } from "../../../core/events.js";
import { fqdn } from "./names.js";

export interface Zone {
  id: string; // without the /hostedzone/ prefix
  name: string; // with the trailing dot
  nameServers: string[];
}

export interface ZoneRun {
  ctx: Context;
  ev: ResourceEvents;
  r53: Route53Client;
}

/** Keys that say which zone, and whether infra made it (then, and only then, destroy may remove it). */
export const ZONE_KEYS = { id: "HOSTED_ZONE_ID", createdByInfra: "HOSTED_ZONE_CREATED_BY_INFRA" } as const;

const bareId = (id: string) => id.replace(/^\/hostedzone\//, "");

export async function findZone(
  run: ZoneRun,
  domain: string,
  hostedZoneId: string | undefined,
): Promise<Zone | undefined> {
  const want = fqdn(domain);
  // A zone infra made and recorded may be gone (a destroy cut short after deleting it): then look it up by name.
  const madeByInfra = run.ctx.env.get(ZONE_KEYS.createdByInfra) === "true";
  const byId =
    hostedZoneId &&
    (await awsStep("read hosted zone", hostedZoneId, async () => {
      try {
        return await run.r53.send(new GetHostedZoneCommand({ Id: hostedZoneId }));
      } catch (err) {
        if (!isAwsError(err, "NoSuchHostedZone")) throw err;
        if (madeByInfra) return undefined;
        throw new InputError(`HOSTED_ZONE_ID ${hostedZoneId} does not exist`);
      }
    }));
  if (byId) {
    const zone = byId.HostedZone;
    if (zone?.Name !== want || zone.Config?.PrivateZone) {
      throw new InputError(
        `HOSTED_ZONE_ID ${hostedZoneId} is the ${zone?.Config?.PrivateZone ? "private " : ""}zone of ${zone?.Name}, not the public zone of ${want}`,
        "fix HOSTED_ZONE_ID or DOMAIN_NAME",
      );
    }
    return { id: bareId(zone.Id as string), name: want, nameServers: byId.DelegationSet?.NameServers ?? [] };
  }
  // ListHostedZonesByName lists zones from that name onward: only an exact, public match is ours.
  const listed = await awsStep("find hosted zone", want, () =>
    run.r53.send(new ListHostedZonesByNameCommand({ DNSName: want, MaxItems: 10 })),
  );
  const matches = (listed.HostedZones ?? []).filter((z) => z.Name === want && !z.Config?.PrivateZone);
  if (matches.length > 1) {
    throw new InputError(
      `${matches.length} public hosted zones are named ${want}: ${matches.map((z) => bareId(z.Id as string)).join(", ")}`,
      "set HOSTED_ZONE_ID to the one your registrar delegates to",
    );
  }
  const match = matches[0];
  if (!match) return undefined;
  const id = bareId(match.Id as string);
  const found = await awsStep("read hosted zone", id, () => run.r53.send(new GetHostedZoneCommand({ Id: id })));
  return { id, name: want, nameServers: found.DelegationSet?.NameServers ?? [] };
}

/** Finds the zone, or makes it (once) and says which name servers to set at the registrar. */
export async function ensureZone(run: ZoneRun, domain: string, hostedZoneId: string | undefined): Promise<Zone> {
  const found = await findZone(run, domain, hostedZoneId);
  if (found) {
    await run.ctx.env.record({ [ZONE_KEYS.id]: found.id });
    return found;
  }
  const name = fqdn(domain);
  const out = await awsStep("create hosted zone", name, () =>
    run.r53.send(
      new CreateHostedZoneCommand({
        Name: name,
        // A new reference makes a new zone: the lookup above is what keeps this from running twice.
        CallerReference: `infra-${domain}-${run.ctx.clock.now()}`,
        HostedZoneConfig: { Comment: "made by infra", PrivateZone: false },
      }),
    ),
  );
  const zone = { id: bareId(out.HostedZone?.Id as string), name, nameServers: out.DelegationSet?.NameServers ?? [] };
  await run.ctx.env.record({ [ZONE_KEYS.id]: zone.id, [ZONE_KEYS.createdByInfra]: "true" });
  run.ev.created(`hosted zone ${name} (${zone.id})`);
  run.ev.warning(
    `set these name servers at the registrar of ${domain} (until then nobody sees the zone): ${zone.nameServers.join(", ")}`,
  );
  return zone;
}

/** Deletes the zone when infra made it and it holds nothing but its own SOA and NS records. */
export async function deleteZoneIfOursAndEmpty(run: ZoneRun, zone: Zone): Promise<void> {
  if (run.ctx.env.get(ZONE_KEYS.createdByInfra) !== "true" || run.ctx.env.get(ZONE_KEYS.id) !== zone.id) return;
  const out = await awsStep("list records", zone.name, () =>
    run.r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.id, MaxItems: 10 })),
  );
  const others = (out.ResourceRecordSets ?? []).filter(
    (r) => !(r.Name === zone.name && (r.Type === "SOA" || r.Type === "NS")),
  );
  if (others.length > 0) {
    run.ev.skipped(`hosted zone ${zone.name}: kept, it still holds ${others.length} record(s)`);
    return;
  }
  await awsStep("delete hosted zone", zone.name, async () => {
    try {
      await run.r53.send(new DeleteHostedZoneCommand({ Id: zone.id }));
    } catch (err) {
      if (!isAwsError(err, "NoSuchHostedZone")) throw err;
    }
  });
  await run.ctx.env.record({ [ZONE_KEYS.id]: "", [ZONE_KEYS.createdByInfra]: "" });
  run.ev.deleted(`hosted zone ${zone.name}`);
}

export type Delegation = { ok: true } | { ok: false; detail: string } | { ok: undefined; detail: string };

/** Is the domain really delegated to the zone? Asks public DNS; undefined when DNS cannot be reached. */
export async function checkDelegation(ctx: Context, domain: string, zone: Zone): Promise<Delegation> {
  const norm = (ns: string) => fqdn(ns);
  let published: string[];
  try {
    published = (await ctx.dns.resolveNs(domain)).map(norm).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (code === "ENOTFOUND" || code === "ENODATA") published = [];
    else return { ok: undefined, detail: `could not ask public DNS (${code})` };
  }
  const want = zone.nameServers.map(norm).sort();
  if (published.length > 0 && published.every((ns) => want.includes(ns))) return { ok: true };
  return {
    ok: false,
    detail: `${domain} is delegated to ${published.length ? published.join(", ") : "no name servers"}, not to its Route 53 zone ${zone.id} (${want.join(", ")})`,
  };
}
