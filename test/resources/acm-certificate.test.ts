// acm-certificate: the certificate, its validation CNAME and the zone that holds it, against the AWS fake.
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AwsClients } from "../../src/core/aws.js";
import { KEYS } from "../../src/core/keys.js";
import { acmResource } from "../../src/resources/acm-certificate/config.js";
import { validationRecord } from "../../src/sandbox/aws/acm.js";
import { contextFor, INPUTS, lifecycleOf, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { scriptsCertificate } from "../support/scripts-stack.js";
import { certificateTags, DOMAIN, dnsState, mutations, OUR_TAGS, userZone, VALIDATION } from "./dns-support.js";

const { create, destroy, verify, plan } = lifecycleOf(acmResource);

const failing = async (ctx: Parameters<typeof verify>[0]) =>
  (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => [c.name, c.detail]);
const planned = async (ctx: Parameters<typeof plan>[0]) =>
  (await plan(ctx)).changes
    .filter((c) => c.action !== "keep" && c.action !== "use")
    .map((c) => [
      c.action,
      "desired" in c ? `${c.desired.kind} ${c.desired.name}` : `${c.observed.kind} ${c.observed.name}`,
      ...("fields" in c ? c.fields.map((f) => `${f.field}: ${f.from} -> ${f.to}`) : []),
    ]);

describe("acm-certificate against the AWS fake", () => {
  const fake = useFake();

  it("waits for ISSUED (not for every name to read SUCCESS), after validation records that come late, and writes the shared CNAME once", async () => {
    userZone(fake.current);
    const ctx = await contextFor(fake.current, tempEnvFile());
    await create(ctx);

    const changes = fake.current.calls.filter((c) => c.op === "ChangeResourceRecordSets");
    expect(changes).toHaveLength(1);
    expect(changes[0]?.input).toMatchObject({
      ChangeBatch: { Changes: [{ Action: "UPSERT", ResourceRecordSet: { Type: "CNAME" } }] },
    });
    const states = ctx.events.log.filter((e) => e.kind === "waiting").map((e) => e.state);
    expect(states).toContain("not shown by ACM yet");
    expect(states).toContain("PENDING_VALIDATION, 2/2 names validated");
    expect(fake.current.acm.statusOf(ctx.env.get("ACM_CERTIFICATE_ARN") as string)).toBe("ISSUED");
    expect(dnsState(fake.current).zones[0]?.records).toEqual([VALIDATION]);
    expect(certificateTags(fake.current)).toEqual(OUR_TAGS);
    expect(await failing(ctx)).toEqual([]);
  });

  it("records the request under --no-wait and returns; the next create resumes the wait, which plan and verify show as the status", async () => {
    userZone(fake.current);
    const path = tempEnvFile();
    await create(await contextFor(fake.current, path, { wait: false }));
    const arn = readText(path).match(/ACM_CERTIFICATE_ARN="([^"]+)"/)?.[1] as string;
    expect(fake.current.acm.statusOf(arn)).toBe("PENDING_VALIDATION");
    expect(fake.current.clock.slept).toBeLessThan(30_000);

    const ctx = await contextFor(fake.current, path);
    const status = ["update", "certificate *.startupwebapp.com", "status: PENDING_VALIDATION -> ISSUED"];
    expect(await planned(ctx)).toEqual([status]);
    expect(await failing(ctx)).toEqual([
      ["certificate *.startupwebapp.com: status", "PENDING_VALIDATION, want ISSUED"],
    ]);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(mutations(fake.current, before)).toEqual([]);
    expect(fake.current.acm.statusOf(arn)).toBe("ISSUED");
    expect(await planned(ctx)).toEqual([]);
  });

  it("makes the zone when there is none (tagged, name servers to set), and destroy removes it once it holds nothing else", async () => {
    const path = tempEnvFile();
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    const zones = fake.current.route53.zonesNamed(DOMAIN);
    expect(zones).toHaveLength(1);
    expect(zones[0]?.tags.map((t) => `${t.Key}=${t.Value}`).sort()).toEqual([
      "Environment=production",
      "ManagedBy=infra",
      `Name=${DOMAIN}`,
      "Project=startupwebapp",
    ]);
    const warning = ctx.events.log.find((e) => e.kind === "warning" && e.message.includes("name servers"));
    expect(warning?.message).toMatch(
      /^set these name servers at the registrar of startupwebapp\.com .*: ns-\d+\.awsdns/,
    );
    // Route 53 promises no "Z" at the start of a zone id, and the fake gives none.
    expect(ctx.env.get("HOSTED_ZONE_ID")).toMatch(/^[0-9A-F]{13,20}$/);
    expect(ctx.env.get("HOSTED_ZONE_CREATED_BY_INFRA")).toBe("true");

    await destroy(await contextFor(fake.current, path));
    expect(fake.current.route53.zones.size).toBe(0);
    expect(fake.current.acm.certificates.size).toBe(0);
    expect(readText(path)).toMatch(/^HOSTED_ZONE_ID=""$/m);
    expect(readText(path)).toMatch(/^HOSTED_ZONE_CREATED_BY_INFRA=""$/m);
  });

  it("keeps the zone it made when it holds records of others, and keeps it recorded as infra's", async () => {
    const path = tempEnvFile();
    await create(await contextFor(fake.current, path));
    const zoneId = fake.current.route53.zonesNamed(DOMAIN)[0]?.Id as string;
    fake.current.route53.zones.get(zoneId)?.records.set(`mail.${DOMAIN}.|MX|`, {
      set: { Name: `mail.${DOMAIN}.`, Type: "MX", TTL: 300, ResourceRecords: [{ Value: "10 mx.example.net." }] },
      since: 0,
    });
    const ctx = await contextFor(fake.current, path);
    await destroy(ctx);
    expect(fake.current.route53.zonesNamed(DOMAIN)).toHaveLength(1);
    expect(fake.current.acm.certificates.size).toBe(0);
    expect(ctx.events.log.map((e) => e.message)).toContain(
      `hosted zone ${DOMAIN}: left in place, it holds record(s) infra did not make: mail.${DOMAIN}. MX`,
    );
    expect(ctx.env.get("HOSTED_ZONE_ID")).toBe(zoneId.replace("/hostedzone/", ""));
    expect(ctx.env.get("HOSTED_ZONE_CREATED_BY_INFRA")).toBe("true");
  });

  it("puts back a validation record deleted behind its back: plan, verify and create agree", async () => {
    const zoneId = userZone(fake.current);
    const path = tempEnvFile();
    await create(await contextFor(fake.current, path));
    const record = fake.current.route53.recordsOf(zoneId).find((r) => r.Type === "CNAME");
    const zone = fake.current.route53.zones.get(`/hostedzone/${zoneId}`);
    zone?.records.delete(`${record?.Name}|CNAME|`);
    const ctx = await contextFor(fake.current, path);

    expect(await planned(ctx)).toEqual([["create", `validation record CNAME of ${DOMAIN}`]]);
    expect(await failing(ctx)).toEqual([[`validation record CNAME of ${DOMAIN}`, "missing: create makes it"]]);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(mutations(fake.current, before)).toEqual(["ChangeResourceRecordSets"]);
    expect(await planned(ctx)).toEqual([]);
  });

  it("sets a validation record changed behind its back to ACM's value again", async () => {
    const zoneId = userZone(fake.current);
    const path = tempEnvFile();
    await create(await contextFor(fake.current, path));
    const record = fake.current.route53.recordsOf(zoneId).find((r) => r.Type === "CNAME");
    if (record?.ResourceRecords) record.ResourceRecords = [{ Value: "wrong.example.net." }];
    const ctx = await contextFor(fake.current, path);
    const arn = ctx.env.get("ACM_CERTIFICATE_ARN") as string;

    const id = arn.split(":").slice(5).join(":");
    expect(await planned(ctx)).toEqual([
      ["update", `validation record CNAME of ${DOMAIN}`, `validates: CNAME wrong.example.net. -> ${arn}`],
    ]);
    expect(await failing(ctx)).toEqual([
      [`validation record CNAME of ${DOMAIN}: validates`, `CNAME wrong.example.net., want ${id}`],
    ]);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(mutations(fake.current, before)).toEqual(["ChangeResourceRecordSets"]);
    expect(await planned(ctx)).toEqual([]);
  });

  it("fails verify for a certificate within 30 days of expiry", async () => {
    userZone(fake.current);
    const path = tempEnvFile();
    await create(await contextFor(fake.current, path));
    const ctx = await contextFor(fake.current, path);
    const cert = fake.current.acm.certificates.get(ctx.env.get("ACM_CERTIFICATE_ARN") as string);
    if (cert) cert.notAfter = fake.current.clock.now() + 10 * 86_400_000;
    const expiry = (await verify(ctx)).find((c) => c.name.includes("expiry"));
    expect(expiry).toMatchObject({
      status: "FAIL",
      name: "certificate *.startupwebapp.com is not within 30 days of expiry",
      detail: expect.stringMatching(/, in (9|10) days$/),
    });
  });
});

describe("acm-certificate: taking over what the user's scripts made", () => {
  const fake = useFake();

  for (const recorded of [true, false]) {
    it(`adopts their issued certificate ${recorded ? "recorded in" : "missing from"} the env file: tags it, requests no second one, destroy removes it`, async () => {
      userZone(fake.current);
      const arn = scriptsCertificate(fake.current);
      const path = tempEnvFile(recorded ? `${INPUTS}ACM_CERTIFICATE_ARN="${arn}"\n` : INPUTS);
      const ctx = await contextFor(fake.current, path);

      expect(await planned(ctx)).toEqual([
        ["adopt", "certificate *.startupwebapp.com"],
        ["create", `validation record CNAME of ${DOMAIN}`],
      ]);
      const before = fake.current.calls.length;
      await create(ctx);
      expect(mutations(fake.current, before)).toEqual(["AddTagsToCertificate", "ChangeResourceRecordSets"]);
      expect(ctx.env.get("ACM_CERTIFICATE_ARN")).toBe(arn);
      // Their own tags stay where they do not clash; ManagedBy and Project now say it is this stack's.
      expect(certificateTags(fake.current)).toEqual(["Application=StartupWebApp", ...OUR_TAGS]);
      expect(await planned(ctx)).toEqual([]);

      await destroy(ctx);
      expect(fake.current.acm.certificates.size).toBe(0);
    });
  }

  it("takes over their pending certificate the env file records: publishes its CNAME and waits for it", async () => {
    userZone(fake.current);
    const arn = scriptsCertificate(fake.current, "PENDING_VALIDATION");
    const ctx = await contextFor(fake.current, tempEnvFile(`${INPUTS}ACM_CERTIFICATE_ARN="${arn}"\n`));
    expect(await planned(ctx)).toEqual([
      ["adopt", "certificate *.startupwebapp.com", "status: PENDING_VALIDATION -> ISSUED"],
      ["create", `validation record CNAME of ${DOMAIN}`],
    ]);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(mutations(fake.current, before)).toEqual(["AddTagsToCertificate", "ChangeResourceRecordSets"]);
    expect(fake.current.acm.statusOf(arn)).toBe("ISSUED");
    expect(fake.current.acm.certificates.size).toBe(1);
  });

  it("does not take over a pending certificate of theirs the env file does not record: it requests one of its own", async () => {
    userZone(fake.current);
    const theirs = scriptsCertificate(fake.current, "PENDING_VALIDATION");
    const ctx = await contextFor(fake.current, tempEnvFile());
    await create(ctx);
    expect(ctx.env.get("ACM_CERTIFICATE_ARN")).not.toBe(theirs);
    expect(fake.current.acm.certificates.size).toBe(2);
  });
});

describe("acm-certificate: public DNS and emulators", () => {
  const fake = useFake();

  it("stops before requesting anything when the domain is delegated elsewhere, and verify fails on it", async () => {
    userZone(fake.current);
    fake.current.delegations.set(DOMAIN, ["ns1.registrar-parking.example."]);
    const path = tempEnvFile();
    const result = await runCli(["create", "acm-certificate", "--file", path], fake.current);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /certificate validation cannot complete: startupwebapp\.com is delegated to ns1\.registrar-parking\.example\., not to its Route 53 zone \(ns-/,
    );
    expect(fake.current.calls.some((c) => c.op === "RequestCertificate")).toBe(false);
    const verified = await runCli(["verify", "acm-certificate", "--file", path], fake.current);
    expect(verified.stdout).toMatch(/^\[FAIL\] acm-certificate: startupwebapp\.com is delegated to its Route 53 zone/m);
  });

  it("says so when the domain is delegated nowhere (NXDOMAIN from a resolver that works)", async () => {
    userZone(fake.current);
    fake.current.delegations.set(DOMAIN, []);
    const ctx = await contextFor(fake.current, tempEnvFile());
    await expect(create(ctx)).rejects.toThrow(/startupwebapp\.com is delegated to no name servers/);
  });

  const unknown: [string, (f: typeof fake.current) => void, RegExp][] = [
    [
      "a resolver that answers NXDOMAIN for every name (a sandboxed network)",
      (f) => {
        f.dns.mode = "nxdomain";
      },
      /^cannot check: the resolver cannot resolve ns-\d+\.awsdns-\d\d\.[a-z.]+ either \(ENOTFOUND\): DNS is out of reach$/,
    ],
    [
      "a resolver that cannot be reached",
      (f) => {
        f.dns.mode = "unreachable";
      },
      /^cannot check: public DNS did not answer \(ECONNREFUSED\)$/,
    ],
  ];
  for (const [name, breakDns, detail] of unknown) {
    it(`cannot check delegation with ${name}: SKIP, and create warns and waits`, async () => {
      userZone(fake.current);
      breakDns(fake.current);
      const ctx = await contextFor(fake.current, tempEnvFile());
      await create(ctx);
      expect(fake.current.acm.statusOf(ctx.env.get("ACM_CERTIFICATE_ARN") as string)).toBe("ISSUED");
      expect(ctx.events.log.some((e) => e.kind === "warning" && e.message.startsWith("delegation of"))).toBe(true);
      const checks = await verify(ctx);
      expect(checks.filter((c) => c.status !== "OK")).toEqual([
        expect.objectContaining({
          status: "SKIP",
          name: `${DOMAIN} is delegated to its Route 53 zone`,
          detail: expect.stringMatching(detail),
        }),
      ]);
    });
  }

  it("does not ask public DNS at all behind an endpoint override (an emulator's zones exist only there)", async () => {
    userZone(fake.current);
    fake.current.delegations.set(DOMAIN, ["ns1.registrar-parking.example."]);
    const ctx = await contextFor(fake.current, tempEnvFile());
    ctx.aws = new AwsClients({ region: "us-east-1", endpoint: "http://127.0.0.1:4566" });
    await create(ctx);
    expect(fake.current.acm.statusOf(ctx.env.get("ACM_CERTIFICATE_ARN") as string)).toBe("ISSUED");
    expect(fake.current.dns.asked).toEqual([]);
    const skip = (await verify(ctx)).find((c) => c.name.includes("delegated"));
    expect(skip).toMatchObject({
      status: "SKIP",
      detail: expect.stringContaining("endpoint override (http://127.0.0.1:4566)"),
    });
  });

  it("takes any zone id the Route 53 API allows, with no Z, as HOSTED_ZONE_ID", async () => {
    const zoneId = userZone(fake.current);
    expect(zoneId).not.toMatch(/^Z/);
    const path = tempEnvFile(`${INPUTS}HOSTED_ZONE_ID="${zoneId}"\n`);
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    expect(ctx.env.get("HOSTED_ZONE_ID")).toBe(zoneId);
    expect(() => KEYS.HOSTED_ZONE_ID?.rule("HOSTED_ZONE_ID", zoneId)).not.toThrow();
  });
});

describe("acm-certificate with DNS_PROVIDER=external", () => {
  const fake = useFake();

  it("prints the CNAME to set by hand, puts nothing in Route 53, returns under --no-wait, and a timed wait says what to do", async () => {
    const path = tempEnvFile(`${INPUTS}DNS_PROVIDER="external"\n`);
    const result = await runCli(["create", "acm-certificate", "--file", path, "--no-wait"], fake.current);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /set this record at your DNS provider: _[0-9a-f]{32}\.startupwebapp\.com\. CNAME _[0-9a-f]{32}\.[a-z]+\.acm-validations\.aws\./,
    );
    expect(fake.current.route53.zones.size).toBe(0);
    expect(fake.current.calls.some((c) => c.service === "Route53")).toBe(false);

    const timedOut = await runCli(
      ["create", "acm-certificate", "--file", path, "--timeout", "2m", "--yes"],
      fake.current,
    );
    expect(timedOut.code).toBe(3);
    expect(timedOut.stderr).toMatch(
      /timed out after 120 s waiting for certificate \*\.startupwebapp\.com ISSUED - run the same command again/,
    );
    expect(fake.current.acm.certificates.size).toBe(1);
    const verified = await runCli(["verify", "acm-certificate", "--file", path], fake.current);
    expect(verified.stdout).toMatch(
      /^\[SKIP\] acm-certificate: validation CNAME _\S+ \(DNS_PROVIDER=external: keep _\S+ CNAME _\S+ at your DNS provider\)$/m,
    );
  });

  it("finishes once the user has set the CNAME, and destroy leaves Route 53 alone", async () => {
    const path = tempEnvFile(`${INPUTS}DNS_PROVIDER="external"\n`);
    await create(await contextFor(fake.current, path, { wait: false }));
    // The user sets the record at their DNS provider (modeled as a zone outside infra's reach).
    const zoneId = fake.current.route53.addZone(DOMAIN);
    const record = validationRecord(DOMAIN);
    fake.current.route53.zones.get(zoneId)?.records.set(`${record.Name}|CNAME|`, {
      set: { Name: record.Name, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: record.Value }] },
      since: fake.current.clock.now(),
    });
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    expect(fake.current.acm.statusOf(ctx.env.get("ACM_CERTIFICATE_ARN") as string)).toBe("ISSUED");
    const before = fake.current.calls.length;
    await destroy(ctx);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["DeleteCertificate"]);
  });
});

describe("acm-certificate: a changed DOMAIN_NAME", () => {
  const fake = useFake();

  it("replaces the certificate (plan names the field, verify fails on it, create does exactly that) and moves the CNAME", async () => {
    userZone(fake.current);
    const newZone = fake.current.route53.addZone("example.org").replace("/hostedzone/", "");
    const path = tempEnvFile();
    await create(await contextFor(fake.current, path));
    const old = readText(path).match(/ACM_CERTIFICATE_ARN="([^"]+)"/)?.[1];
    writeFileSync(
      path,
      readText(path)
        .replace(`DOMAIN_NAME="${DOMAIN}"`, 'DOMAIN_NAME="example.org"')
        .replace(`API_DOMAIN_NAME="api.${DOMAIN}"`, 'API_DOMAIN_NAME="api.example.org"'),
    );
    const ctx = await contextFor(fake.current, path);

    expect(await planned(ctx)).toEqual([
      [
        "replace",
        "certificate *.example.org",
        "names: *.startupwebapp.com,startupwebapp.com -> *.example.org,example.org",
      ],
      ["create", "validation record CNAME of example.org"],
    ]);
    expect(await failing(ctx)).toEqual([
      [
        "certificate *.example.org",
        "create replaces it: ACM cannot change a certificate's names: a new one is requested",
      ],
      [
        "certificate *.example.org: names",
        "[*.startupwebapp.com, startupwebapp.com], want [*.example.org, example.org]",
      ],
      ["validation record CNAME of example.org", "missing: create makes it"],
    ]);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(mutations(fake.current, before)).toEqual([
      "ChangeResourceRecordSets", // the old domain's CNAME, in its zone
      "DeleteCertificate",
      "RequestCertificate",
      "ChangeResourceRecordSets", // the new domain's CNAME
    ]);
    expect(dnsState(fake.current).certificates).toEqual(["*.example.org,example.org ISSUED"]);
    expect(dnsState(fake.current).zones.map((z) => z.records.length)).toEqual([0, 1]);
    expect(ctx.env.get("ACM_CERTIFICATE_ARN")).not.toBe(old);
    expect(ctx.env.get("HOSTED_ZONE_ID")).toBe(newZone);
    expect(await planned(ctx)).toEqual([]);
  });
});
