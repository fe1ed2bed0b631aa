// Every call the fake models, by service and operation, and what AWS authorizes for it (authorization.ts says how).
import type { Fake } from "../aws-fake.js";
import { type Authorization, type Authorize, where } from "./authorization.js";
import {
  AUTOSCALING_AUTHORIZATION,
  ECR_AUTHORIZATION,
  ECS_AUTHORIZATION,
  LOGS_AUTHORIZATION,
  SECRETS_AUTHORIZATION,
} from "./compute.js";
import {
  ACM_AUTHORIZATION,
  EC2_AUTHORIZATION,
  ELB_AUTHORIZATION,
  ROUTE53_AUTHORIZATION,
  WAF_AUTHORIZATION,
} from "./network.js";
import { CLOUDWATCH_AUTHORIZATION, RDS_AUTHORIZATION, SNS_AUTHORIZATION, TAGGING_AUTHORIZATION } from "./observe.js";
import { S3_AUTHORIZATION } from "./storage.js";

export type { Authorization } from "./authorization.js";

/** By the fake's model name, then the operation. */
export const AUTHORIZATION: Readonly<Record<string, Readonly<Record<string, Authorize>>>> = {
  ACM: ACM_AUTHORIZATION,
  ApplicationAutoScaling: AUTOSCALING_AUTHORIZATION,
  CloudWatch: CLOUDWATCH_AUTHORIZATION,
  CloudWatchLogs: LOGS_AUTHORIZATION,
  EC2: EC2_AUTHORIZATION,
  ECR: ECR_AUTHORIZATION,
  ECS: ECS_AUTHORIZATION,
  ELBv2: ELB_AUTHORIZATION,
  RDS: RDS_AUTHORIZATION,
  ResourceGroupsTaggingAPI: TAGGING_AUTHORIZATION,
  Route53: ROUTE53_AUTHORIZATION,
  S3: S3_AUTHORIZATION,
  SNS: SNS_AUTHORIZATION,
  SecretsManager: SECRETS_AUTHORIZATION,
  WAFV2: WAF_AUTHORIZATION,
};

/**
 * What AWS authorizes for the call, from the fake's state before it; undefined for a call not in the tables, or one
 * too malformed to name its resources (AWS refuses those before anything is authorized).
 */
export function authorize(fake: Fake, service: string, op: string, input: unknown, region: string) {
  const entry = AUTHORIZATION[service]?.[op];
  try {
    return entry ? (entry((input ?? {}) as object, where(fake, region)) as Authorization[]) : undefined;
  } catch {
    return undefined;
  }
}
