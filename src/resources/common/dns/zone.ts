// The public hosted zone of DOMAIN_NAME, found read-only: by HOSTED_ZONE_ID, else by its exact name. Only
// `acm-certificate` makes or deletes it; `route53-records` reads it.
import {
  GetHostedZoneCommand,
  type GetHostedZoneCommandOutput,
  ListHostedZonesByNameCommand,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import type { Context } from "../../../core/context.js";
import { awsStep, InputError, isAwsError } from "../../../core/errors.js";
import { sharedRead } from "../../../core/shared-reads.js";
import type { ZoneInputs } from "./config.js";
import { fqdn } from "./names.js";

export interface Zone {
  /** Without the /hostedzone/ prefix: AWS promises no more of its form than "up to 32 characters". */
  id: string;
  /** With the trailing dot. */
  name: string;
  nameServers: string[];
  callerReference: string;
  comment: string;
}

export const bareZoneId = (id: string) => id.replace(/^\/hostedzone\//, "");

function zoneOf(out: GetHostedZoneCommandOutput): Zone {
  const z = out.HostedZone;
  return {
    id: bareZoneId(z?.Id ?? ""),
    name: z?.Name ?? "",
    nameServers: out.DelegationSet?.NameServers ?? [],
    callerReference: z?.CallerReference ?? "",
    comment: z?.Config?.Comment ?? "",
  };
}

async function getZone(r53: Route53Client, id: string): Promise<GetHostedZoneCommandOutput | undefined> {
  try {
    return await r53.send(new GetHostedZoneCommand({ Id: id }));
  } catch (err) {
    if (isAwsError(err, "NoSuchHostedZone")) return undefined;
    throw err;
  }
}

/**
 * The public zone of the domain, or undefined. A HOSTED_ZONE_ID the user set must name that zone (else exit 2, before
 * anything changes); one infra recorded for an earlier DOMAIN_NAME gives way to the lookup by name.
 */
export async function findZone(r53: Route53Client, domain: string, inputs: ZoneInputs): Promise<Zone | undefined> {
  const want = fqdn(domain);
  const { hostedZoneId: id, zoneRecorded } = inputs;
  if (id) {
    const out = await awsStep("read hosted zone", id, () => getZone(r53, id));
    const zone = out?.HostedZone;
    if (zone && zone.Name === want && !zone.Config?.PrivateZone) return zoneOf(out);
    if (zoneRecorded === "true" && zone) {
      throw new InputError(
        `HOSTED_ZONE_ID ${id} is the zone infra made for ${zone.Name}, not for DOMAIN_NAME ${domain}`,
        "destroy acm-certificate with the DOMAIN_NAME it was made for (that removes the zone once it is empty), or empty HOSTED_ZONE_ID and HOSTED_ZONE_CREATED_BY_INFRA to keep it as yours",
      );
    }
    if (!zoneRecorded) {
      if (!zone) throw new InputError(`HOSTED_ZONE_ID ${id} does not exist`, "fix HOSTED_ZONE_ID, or empty it");
      throw new InputError(
        `HOSTED_ZONE_ID ${id} is the ${zone.Config?.PrivateZone ? "private " : ""}zone of ${zone.Name}, not the public zone of ${want}`,
        "fix HOSTED_ZONE_ID or DOMAIN_NAME",
      );
    }
    // Recorded by infra, and gone or of another domain since: find the zone by name.
  }
  // ListHostedZonesByName lists zones from that name onward, private ones too: only an exact, public match counts.
  const listed = await awsStep("find hosted zone", want, () =>
    r53.send(new ListHostedZonesByNameCommand({ DNSName: want, MaxItems: 10 })),
  );
  const matches = (listed.HostedZones ?? []).filter((z) => z.Name === want && !z.Config?.PrivateZone);
  if (matches.length > 1) {
    throw new InputError(
      `${matches.length} public hosted zones are named ${want}: ${matches.map((z) => bareZoneId(z.Id ?? "")).join(", ")}`,
      "set HOSTED_ZONE_ID to the one your registrar delegates to",
    );
  }
  const match = matches[0];
  if (!match) return undefined;
  const out = await awsStep("read hosted zone", want, () => getZone(r53, bareZoneId(match.Id ?? "")));
  return out ? zoneOf(out) : undefined;
}

/** findZone, read once for acm-certificate and route53-records while a command looks at the stack. */
export const readZone = (ctx: Context, r53: Route53Client, domain: string, inputs: ZoneInputs) =>
  sharedRead(ctx, `route53 zone ${domain} ${inputs.hostedZoneId ?? "-"} ${inputs.zoneRecorded ?? "-"}`, () =>
    findZone(r53, domain, inputs),
  );
