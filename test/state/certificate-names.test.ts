// The certificate's names, as the comparison reads them: what is asked of a certificate is that it serves the
// stack's names, so one that serves more (a certificate the user's scripts requested for more) is not infra's to
// judge, while one that misses a name the stack needs is (src/resources/acm-certificate/observe.ts).
import { ACMClient, RequestCertificateCommand } from "@aws-sdk/client-acm";
import { describe, expect, it } from "vitest";
import { acmResource } from "../../src/resources/acm-certificate/config.js";
import { contextFor, INPUTS, lifecycleOf, tempEnvFile, useFake } from "../helpers.js";

const { plan } = lifecycleOf(acmResource);
const fake = useFake();

const OUR_TAGS = [
  { Key: "Name", Value: "startupwebapp-certificate" },
  { Key: "Project", Value: "startupwebapp" },
  { Key: "Environment", Value: "production" },
  { Key: "ManagedBy", Value: "infra" },
];

/** The certificate's change when the env file records an issued certificate for these names. */
async function certificateChange(domain: string, alternatives: string[]) {
  fake.current.route53.addZone("startupwebapp.com");
  const requested = await new ACMClient({ region: "us-east-1" }).send(
    new RequestCertificateCommand({
      DomainName: domain,
      SubjectAlternativeNames: alternatives,
      ValidationMethod: "DNS",
      Tags: OUR_TAGS,
    }),
  );
  const arn = requested.CertificateArn as string;
  fake.current.acm.setStatus(arn, "ISSUED");
  const ctx = await contextFor(fake.current, tempEnvFile(`${INPUTS}ACM_CERTIFICATE_ARN="${arn}"\n`));
  const change = (await plan(ctx)).changes.find((c) => "desired" in c && c.desired.key === "certificate");
  return { action: change?.action, fields: change && "fields" in change ? change.fields.map((f) => f.field) : [] };
}

describe("a certificate's names", () => {
  it("given the recorded certificate serves the stack's names and one more, when planned, then it is kept as it is", async () => {
    expect(await certificateChange("*.startupwebapp.com", ["startupwebapp.com", "www.startupwebapp.org"])).toEqual({
      action: "keep",
      fields: [],
    });
  });

  it("given the recorded certificate misses the bare domain, when planned, then it is replaced for its names (ACM cannot change them)", async () => {
    expect(await certificateChange("*.startupwebapp.com", ["www.startupwebapp.org"])).toEqual({
      action: "replace",
      fields: ["names"],
    });
  });
});
