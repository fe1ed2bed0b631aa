// The stack `infra deploy` needs, made through the CLI against the fake, and what the deploy tests read back.
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { expect } from "vitest";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { INPUTS, readText, runCli, tempEnvFile } from "../helpers.js";

export const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp";
export const FAMILY = "startupwebapp-service-task";

/**
 * The stack a deploy needs, running startupwebapp:latest as revision 1: the ALB with its HTTPS listener (the
 * certificate issued), the task definition and the service, and the API's name pointing at the ALB.
 */
export async function stack(fake: AwsFake, extra = ""): Promise<string> {
  const certificate = fake.acm.add("startupwebapp.com", "ISSUED");
  const path = tempEnvFile(`${INPUTS}ACM_CERTIFICATE_ARN="${certificate}"\n${extra}`);
  const created = await runCli(["create", "alb", "ecs-service-task-definition", "ecs-service", "--file", path], fake);
  expect(created.code, created.stderr).toBe(0);
  const zone = fake.route53.addZone("startupwebapp.com");
  const alb = readText(path).match(/^ALB_DNS_NAME="([^"]+)"/m)?.[1];
  await new Route53Client({ region: "us-east-1" }).send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone,
      ChangeBatch: {
        Changes: [
          {
            Action: "UPSERT",
            ResourceRecordSet: {
              Name: "api.startupwebapp.com",
              Type: "A",
              AliasTarget: { HostedZoneId: "Z35SXDOTRQ7X7K", DNSName: `dualstack.${alb}`, EvaluateTargetHealth: true },
            },
          },
        ],
      },
    }),
  );
  return path;
}

export const revisionOf = (fake: AwsFake) =>
  fake.ecs.serviceNamed("startupwebapp-service")?.taskDefinition.split(":").at(-1);
export const recorded = (path: string, key: string) => readText(path).match(new RegExp(`^${key}="([^"]*)"`, "m"))?.[1];
export const td = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${FAMILY}:${n}`;
/** The revisions tagged known good in AWS. */
export const knownGood = (fake: AwsFake) =>
  fake.ecs.taskDefinitions.filter((t) => t.tags.some((x) => x.key === "KnownGood")).map((t) => t.revision);
