// Handlers for the public hosted zone of DOMAIN_NAME, made only when there is none (the user's is used as it is,
// never adopted). A zone infra made is deleted by destroy once it holds nothing but its SOA and NS records.
import {
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { awsStep, isAwsError } from "../../core/errors.js";
import type { ObservedObject } from "../../state/model.js";
import { bareZoneId, type Zone } from "../common/dns/zone.js";
import { stackTags } from "../common/tags.js";
import type { KindHandlers } from "../resource.js";
import type { AcmConfig } from "./config.js";
import type { ZoneInput } from "./inputs.js";
import { ZONE_REFERENCE_PREFIX } from "./observe.js";

async function tag(r53: Route53Client, c: AcmConfig, id: string) {
  await awsStep("tag hosted zone", c.domain, () =>
    r53.send(
      new ChangeTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId: id, AddTags: stackTags(c, c.domain) }),
    ),
  );
}

export const zoneHandlers: KindHandlers<AcmConfig> = {
  async create(run, d): Promise<ObservedObject> {
    const { c, ctx, ev } = run;
    const r53 = await ctx.aws.route53();
    const input = d.input as ZoneInput;
    const out = await awsStep("create hosted zone", c.domain, () =>
      r53.send(
        new CreateHostedZoneCommand({
          ...input,
          // A new reference makes a new zone (the lookup before keeps this from running twice); the prefix marks the
          // zone as infra's from its first moment, whatever happens to the call's answer or to the tags.
          CallerReference: `${ZONE_REFERENCE_PREFIX}${c.project}-${c.domain}-${ctx.clock.now()}`.slice(0, 128),
        }),
      ),
    );
    const zone: Zone = {
      id: bareZoneId(out.HostedZone?.Id ?? ""),
      name: out.HostedZone?.Name ?? input.Name,
      nameServers: out.DelegationSet?.NameServers ?? [],
      callerReference: out.HostedZone?.CallerReference ?? "",
      comment: out.HostedZone?.Config?.Comment ?? input.HostedZoneConfig.Comment,
    };
    const observed: ObservedObject = {
      key: d.key,
      kind: d.kind,
      name: d.name,
      id: zone.id,
      fields: { ...d.fields },
      managed: true,
      raw: zone,
    };
    await run.made(observed);
    await tag(r53, c, zone.id);
    ev.warning(
      `set these name servers at the registrar of ${c.domain} (until then nobody sees the zone): ${zone.nameServers.join(", ")}`,
    );
    return observed;
  },
  async update(run, _d, o) {
    await tag(await run.ctx.aws.route53(), run.c, o.id);
  },
  adopt() {
    throw new Error("a hosted zone is used as it is, never adopted");
  },
  async delete(run, o) {
    const r53 = await run.ctx.aws.route53();
    await awsStep("delete hosted zone", o.name, async () => {
      try {
        await r53.send(new DeleteHostedZoneCommand({ Id: o.id }));
      } catch (err) {
        if (!isAwsError(err, "NoSuchHostedZone")) throw err;
      }
    });
  },
};
