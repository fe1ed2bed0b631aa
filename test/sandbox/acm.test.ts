// The ACM fake behaves as AWS does (docs/aws-behaviours.md, "ACM"): checked with real SDK clients.
import {
  ACMClient,
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RemoveTagsFromCertificateCommand,
  RequestCertificateCommand,
  type RequestCertificateRequest,
  ResourceInUseException,
  ResourceNotFoundException,
  ValidationException,
} from "@aws-sdk/client-acm";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { describe, expect, it } from "vitest";
import {
  IN_USE_AFTER_DETACH_MS,
  ISSUED_AFTER_VALIDATION_MS,
  RECORDS_AFTER_MS,
  TOKEN_WINDOW_MS,
  validationRecord,
} from "../../src/sandbox/aws/acm.js";
import { SUBNETS, VPC_ID } from "../../src/sandbox/aws/ec2.js";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const acm = () => new ACMClient({ region: "us-east-1" });
const r53 = () => new Route53Client({ region: "us-east-1" });
const elbv2 = () => new ElasticLoadBalancingV2Client({ region: "us-east-1" });

const request = async (input: Partial<RequestCertificateRequest> = {}) =>
  (
    await acm().send(
      new RequestCertificateCommand({
        DomainName: "example.com",
        SubjectAlternativeNames: ["*.example.com"],
        ValidationMethod: "DNS",
        ...input,
      }),
    )
  ).CertificateArn as string;
const describeCert = async (arn: string) =>
  (await acm().send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
const writeCname = async (zoneId: string, action: "UPSERT" | "DELETE", record = validationRecord("example.com")) =>
  r53().send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: action,
            ResourceRecordSet: {
              Name: record.Name,
              Type: "CNAME",
              TTL: 300,
              ResourceRecords: [{ Value: record.Value }],
            },
          },
        ],
      },
    }),
  );

describe("ACM fake: requesting", () => {
  it("requests a certificate PENDING_VALIDATION with the domain first, then the other names", async () => {
    const arn = await request({ Tags: [{ Key: "ManagedBy", Value: "infra" }] });
    expect(arn).toMatch(/^arn:aws:acm:us-east-1:123456789012:certificate\/[0-9a-f-]{36}$/);
    const cert = await describeCert(arn);
    expect(cert).toMatchObject({
      DomainName: "example.com",
      SubjectAlternativeNames: ["example.com", "*.example.com"],
      Status: "PENDING_VALIDATION",
      KeyAlgorithm: "RSA_2048",
      Type: "AMAZON_ISSUED",
      InUseBy: [],
    });
    expect(cert?.CreatedAt).toEqual(new Date(fake.current.clock.now()));
    const tags = await acm().send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
    expect(tags.Tags).toEqual([{ Key: "ManagedBy", Value: "infra" }]);
  });

  it("refuses an idempotency token with a hyphen or over 32 characters", async () => {
    await expect(request({ IdempotencyToken: "startupwebapp-production" })).rejects.toBeInstanceOf(ValidationException);
    await expect(request({ IdempotencyToken: "x".repeat(33) })).rejects.toBeInstanceOf(ValidationException);
  });

  it("returns the same ARN for the same token within an hour, even after that certificate was deleted", async () => {
    const first = await request({ IdempotencyToken: "startupwebapp_production" });
    expect(await request({ IdempotencyToken: "startupwebapp_production" })).toBe(first);
    await acm().send(new DeleteCertificateCommand({ CertificateArn: first }));
    const again = await request({ IdempotencyToken: "startupwebapp_production" });
    expect(again).toBe(first);
    await expect(describeCert(again)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("makes a new certificate once the hour is over, or for other parameters", async () => {
    const first = await request({ IdempotencyToken: "tok" });
    expect(await request({ IdempotencyToken: "tok", SubjectAlternativeNames: [] })).not.toBe(first);
    fake.current.clock.advance(TOKEN_WINDOW_MS);
    expect(await request({ IdempotencyToken: "tok" })).not.toBe(first);
  });
});

describe("ACM fake: DNS validation", () => {
  it("validation records appear a few seconds after the request", async () => {
    const arn = await request();
    const early = await describeCert(arn);
    expect(early?.DomainValidationOptions?.map((o) => o.DomainName)).toEqual(["example.com", "*.example.com"]);
    expect(early?.DomainValidationOptions?.every((o) => o.ResourceRecord === undefined)).toBe(true);
    await fake.current.clock.sleep(RECORDS_AFTER_MS);
    const later = await describeCert(arn);
    expect(later?.DomainValidationOptions?.every((o) => o.ResourceRecord !== undefined)).toBe(true);
  });

  it("gives the wildcard and the apex the same CNAME, derived from the apex", async () => {
    const arn = await request();
    await fake.current.clock.sleep(RECORDS_AFTER_MS);
    const [apex, wildcard] = (await describeCert(arn))?.DomainValidationOptions ?? [];
    expect(apex?.ResourceRecord).toEqual(wildcard?.ResourceRecord);
    expect(apex?.ResourceRecord).toEqual(validationRecord("example.com"));
    expect(apex?.ResourceRecord?.Name).toMatch(/^_[0-9a-f]{32}\.example\.com\.$/);
    expect(apex?.ResourceRecord?.Value).toMatch(/^_[0-9a-f]{32}\.[a-z]{10}\.acm-validations\.aws\.$/);
  });

  it("reads SUCCESS for every name while the certificate is still PENDING_VALIDATION", async () => {
    const zone = fake.current.route53.addZone("example.com");
    const arn = await request();
    await fake.current.clock.sleep(RECORDS_AFTER_MS);
    await writeCname(zone, "UPSERT");
    const validated = await describeCert(arn);
    expect(validated?.DomainValidationOptions?.map((o) => o.ValidationStatus)).toEqual(["SUCCESS", "SUCCESS"]);
    expect(validated?.Status).toBe("PENDING_VALIDATION");
    await fake.current.clock.sleep(ISSUED_AFTER_VALIDATION_MS - 1);
    expect((await describeCert(arn))?.Status).toBe("PENDING_VALIDATION");
    await fake.current.clock.sleep(1);
    expect((await describeCert(arn))?.Status).toBe("ISSUED");
  });

  it("dates an issued certificate: IssuedAt, NotBefore, and NotAfter thirteen months on", async () => {
    const zone = fake.current.route53.addZone("example.com");
    const arn = await request();
    await writeCname(zone, "UPSERT");
    await fake.current.clock.sleep(10 * 60_000);
    const cert = await describeCert(arn);
    const issuedAt = fake.current.clock.now() - 10 * 60_000 + RECORDS_AFTER_MS + ISSUED_AFTER_VALIDATION_MS;
    expect(cert?.IssuedAt).toEqual(new Date(issuedAt));
    expect(cert?.NotBefore).toEqual(new Date(issuedAt));
    expect(cert?.NotAfter?.getUTCMonth()).toBe((new Date(issuedAt).getUTCMonth() + 13) % 12);
  });

  it("is never ISSUED without the CNAME", async () => {
    fake.current.route53.addZone("example.com");
    const arn = await request();
    await fake.current.clock.sleep(60 * 60_000);
    const cert = await describeCert(arn);
    expect(cert?.Status).toBe("PENDING_VALIDATION");
    expect(cert?.DomainValidationOptions?.map((o) => o.ValidationStatus)).toEqual([
      "PENDING_VALIDATION",
      "PENDING_VALIDATION",
    ]);
  });

  it("does not count a CNAME in a private zone", async () => {
    const zone = fake.current.route53.addZone("example.com", { private: true });
    const arn = await request();
    await writeCname(zone, "UPSERT");
    await fake.current.clock.sleep(60 * 60_000);
    expect((await describeCert(arn))?.Status).toBe("PENDING_VALIDATION");
  });

  it("stays pending when the CNAME is removed before issuance", async () => {
    const zone = fake.current.route53.addZone("example.com");
    const arn = await request();
    await fake.current.clock.sleep(RECORDS_AFTER_MS);
    await writeCname(zone, "UPSERT");
    await fake.current.clock.sleep(ISSUED_AFTER_VALIDATION_MS / 2);
    await writeCname(zone, "DELETE");
    await fake.current.clock.sleep(60 * 60_000);
    expect((await describeCert(arn))?.Status).toBe("PENDING_VALIDATION");
  });

  it("stays ISSUED when the CNAME is removed after issuance, even if nobody looked in between", async () => {
    const zone = fake.current.route53.addZone("example.com");
    const arn = await request();
    await writeCname(zone, "UPSERT");
    await fake.current.clock.sleep(5 * 60_000);
    await writeCname(zone, "DELETE");
    expect((await describeCert(arn))?.Status).toBe("ISSUED");
  });

  it("can be forced to FAILED or VALIDATION_TIMED_OUT", async () => {
    const arn = await request();
    fake.current.acm.setStatus(arn, "FAILED");
    expect((await describeCert(arn))?.Status).toBe("FAILED");
    fake.current.acm.setStatus(arn, "VALIDATION_TIMED_OUT");
    expect(fake.current.acm.statusOf(arn)).toBe("VALIDATION_TIMED_OUT");
  });

  it("keeps add() complete for the tests that set a state directly", async () => {
    const arn = fake.current.acm.add("startupwebapp.com", "ISSUED");
    const cert = await describeCert(arn);
    expect(cert).toMatchObject({ DomainName: "*.startupwebapp.com", Status: "ISSUED", InUseBy: [] });
    expect(cert?.DomainValidationOptions?.every((o) => o.ResourceRecord?.Type === "CNAME")).toBe(true);
    const oneYear = new Date(fake.current.clock.now() + 365 * 86_400_000);
    expect(cert?.NotAfter).toEqual(oneYear);
    const tags = await acm().send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
    expect(tags.Tags).toEqual([{ Key: "ManagedBy", Value: "infra" }]);
  });
});

describe("ACM fake: listing, tags and deletion", () => {
  it("lists certificates page by page, and RSA_2048 only unless asked for other key types", async () => {
    const arns = [await request(), await request(), await request()];
    const ec = await request({ KeyAlgorithm: "EC_prime256v1" });
    const first = await acm().send(new ListCertificatesCommand({ MaxItems: 2 }));
    expect(first.CertificateSummaryList?.map((c) => c.CertificateArn)).toEqual(arns.slice(0, 2));
    const second = await acm().send(new ListCertificatesCommand({ MaxItems: 2, NextToken: first.NextToken }));
    expect(second.CertificateSummaryList?.map((c) => c.CertificateArn)).toEqual(arns.slice(2));
    expect(second.NextToken).toBeUndefined();
    expect(second.CertificateSummaryList?.[0]).toMatchObject({
      DomainName: "example.com",
      SubjectAlternativeNameSummaries: ["example.com", "*.example.com"],
      Status: "PENDING_VALIDATION",
      KeyAlgorithm: "RSA_2048",
      InUse: false,
      Type: "AMAZON_ISSUED",
    });
    const withEc = await acm().send(new ListCertificatesCommand({ Includes: { keyTypes: ["EC_prime256v1"] } }));
    expect(withEc.CertificateSummaryList?.map((c) => c.CertificateArn)).toEqual([ec]);
    const issued = await acm().send(new ListCertificatesCommand({ CertificateStatuses: ["ISSUED"] }));
    expect(issued.CertificateSummaryList).toEqual([]);
  });

  it("adds and removes tags, and ResourceNotFound for an unknown certificate", async () => {
    const arn = await request();
    await acm().send(new AddTagsToCertificateCommand({ CertificateArn: arn, Tags: [{ Key: "Env", Value: "prod" }] }));
    await acm().send(new AddTagsToCertificateCommand({ CertificateArn: arn, Tags: [{ Key: "Env", Value: "dev" }] }));
    expect((await acm().send(new ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags).toEqual([
      { Key: "Env", Value: "dev" },
    ]);
    await acm().send(new RemoveTagsFromCertificateCommand({ CertificateArn: arn, Tags: [{ Key: "Env" }] }));
    expect((await acm().send(new ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags).toEqual([]);
    const missing = `${arn.slice(0, -4)}0000`;
    await expect(acm().send(new ListTagsForCertificateCommand({ CertificateArn: missing }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("deletes a certificate nobody uses; ResourceNotFound afterwards", async () => {
    const arn = await request();
    await acm().send(new DeleteCertificateCommand({ CertificateArn: arn }));
    await expect(describeCert(arn)).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(acm().send(new DeleteCertificateCommand({ CertificateArn: arn }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe("ACM fake: in use by a load balancer", () => {
  /** An ALB with an HTTPS listener on an issued certificate. */
  async function httpsListener() {
    const cert = fake.current.acm.add("example.com", "ISSUED");
    const lb = await elbv2().send(new CreateLoadBalancerCommand({ Name: "web", Subnets: SUBNETS }));
    const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn as string;
    const tg = await elbv2().send(new CreateTargetGroupCommand({ Name: "web", Port: 80, VpcId: VPC_ID }));
    const listener = await elbv2().send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: "HTTPS",
        Port: 443,
        Certificates: [{ CertificateArn: cert }],
        DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroups?.[0]?.TargetGroupArn }],
      }),
    );
    return { cert, lbArn, listenerArn: listener.Listeners?.[0]?.ListenerArn as string };
  }

  it("lists the load balancer in InUseBy and refuses deletion while its listener holds it", async () => {
    const { cert, lbArn } = await httpsListener();
    expect((await describeCert(cert))?.InUseBy).toEqual([lbArn]);
    await expect(acm().send(new DeleteCertificateCommand({ CertificateArn: cert }))).rejects.toBeInstanceOf(
      ResourceInUseException,
    );
  });

  it("stays in use for a while after its listener is deleted", async () => {
    const { cert, listenerArn } = await httpsListener();
    await elbv2().send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    await expect(acm().send(new DeleteCertificateCommand({ CertificateArn: cert }))).rejects.toBeInstanceOf(
      ResourceInUseException,
    );
    await fake.current.clock.sleep(IN_USE_AFTER_DETACH_MS);
    expect((await describeCert(cert))?.InUseBy).toEqual([]);
    await acm().send(new DeleteCertificateCommand({ CertificateArn: cert }));
  });

  it("stays in use for a while after its load balancer is deleted", async () => {
    const { cert, lbArn } = await httpsListener();
    await elbv2().send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
    expect((await describeCert(cert))?.InUseBy).toEqual([lbArn]);
    await fake.current.clock.sleep(IN_USE_AFTER_DETACH_MS);
    expect((await describeCert(cert))?.InUseBy).toEqual([]);
  });

  it("moves InUseBy to the new certificate when the listener's certificate is replaced", async () => {
    const { cert, lbArn, listenerArn } = await httpsListener();
    const other = fake.current.acm.add("example.org", "ISSUED");
    await elbv2().send(
      new ModifyListenerCommand({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: other }] }),
    );
    expect((await describeCert(other))?.InUseBy).toEqual([lbArn]);
    await fake.current.clock.sleep(IN_USE_AFTER_DETACH_MS);
    expect((await describeCert(cert))?.InUseBy).toEqual([]);
  });
});
