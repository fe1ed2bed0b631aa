// The `alb` resource (seed step 1): what it reads, records and would do. No SDK import here, so validating
// inputs and planning cost nothing at start-up.
import { InputError } from "../../core/errors.js";
import { type EnvReader, readInputs } from "../../core/inputs.js";
import type { Action, Resource } from "../resource.js";
import type { StackIdentity } from "../tags.js";

/** The seed's health check (Phase 5.15 step 1) and Copilot's shorter deregistration delay. */
export const HEALTH_CHECK = {
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  matcher: "200",
} as const;
export const DEREGISTRATION_DELAY_SECONDS = "60";
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
export const PUBLIC_PORTS = [80, 443] as const;

export interface AlbConfig extends StackIdentity {
  vpcId: string;
  publicSubnetIds: string[];
  backendSecurityGroupId: string | undefined;
  containerPort: number;
  healthCheckPath: string;
  albName: string;
  targetGroupName: string;
  securityGroupName: string;
  certificateArn: string | undefined;
}

export const albResource: Resource<AlbConfig> = {
  name: "alb",
  after: [],
  summary: "Application Load Balancer, its security group, target group and listeners",
  reads: [
    "PROJECT_NAME",
    "ENVIRONMENT",
    "VPC_ID",
    "PUBLIC_SUBNET_1_ID",
    "PUBLIC_SUBNET_2_ID",
    "BACKEND_SECURITY_GROUP_ID",
  ],
  optional: [
    "CONTAINER_PORT",
    "HEALTH_CHECK_PATH",
    "ALB_NAME",
    "TARGET_GROUP_NAME",
    "ALB_SECURITY_GROUP_NAME",
    "ACM_CERTIFICATE_ARN",
  ],
  records: [
    "ALB_ARN",
    "ALB_DNS_NAME",
    "ALB_SECURITY_GROUP_ID",
    "TARGET_GROUP_ARN",
    "HTTP_LISTENER_ARN",
    "HTTPS_LISTENER_ARN",
  ],
  config: albConfig,
  plan: (c) => [
    `security group ${c.securityGroupName} in ${c.vpcId || "VPC_ID"}: tcp ${PUBLIC_PORTS.join(", ")} from 0.0.0.0/0`,
    `ingress on ${c.backendSecurityGroupId} for tcp ${c.containerPort} from ${c.securityGroupName} only`,
    `target group ${c.targetGroupName}: HTTP ${c.containerPort}, target type ip, health check ${c.healthCheckPath} every ${HEALTH_CHECK.intervalSeconds} s, deregistration delay ${DEREGISTRATION_DELAY_SECONDS} s`,
    `load balancer ${c.albName}: internet-facing, subnets ${c.publicSubnetIds.join(", ")}; wait until active`,
    "listener HTTP:80 -> redirect HTTPS:443 (301)",
    c.certificateArn
      ? `listener HTTPS:443 -> ${c.targetGroupName}, ${TLS_POLICY}, certificate ${c.certificateArn} (once issued)`
      : "listener HTTPS:443: comes with `infra create acm-certificate`",
  ],
  load: () => import("./actions.js"),
};

export function albConfig(env: EnvReader, action: Action): AlbConfig {
  const input = readInputs(env, "alb");
  // Destroy and verify find things by recorded id or by name: they need the names, not the network inputs.
  const forCreate = action === "create" || action === "plan";
  const project = input.need("PROJECT_NAME");
  const environment = forCreate ? input.need("ENVIRONMENT") : input.orDefault("ENVIRONMENT", "production");
  const net = forCreate ? input.need : input.maybe;
  const vpcId = net("VPC_ID") ?? "";
  const publicSubnetIds = [net("PUBLIC_SUBNET_1_ID"), net("PUBLIC_SUBNET_2_ID")];
  const backendSecurityGroupId = net("BACKEND_SECURITY_GROUP_ID");
  const config: AlbConfig = {
    project,
    environment,
    vpcId,
    publicSubnetIds: publicSubnetIds.filter((s): s is string => Boolean(s)),
    backendSecurityGroupId,
    containerPort: Number(input.orDefault("CONTAINER_PORT", "8000")),
    healthCheckPath: input.orDefault("HEALTH_CHECK_PATH", "/order/products"),
    albName: input.orDefault("ALB_NAME", `${project}-alb`),
    targetGroupName: input.orDefault("TARGET_GROUP_NAME", `${project}-tg`),
    securityGroupName: input.orDefault("ALB_SECURITY_GROUP_NAME", `${project}-alb-sg`),
    certificateArn: input.maybe("ACM_CERTIFICATE_ARN"),
  };
  input.done();
  if (forCreate && config.publicSubnetIds[0] === config.publicSubnetIds[1]) {
    throw new InputError(
      "PUBLIC_SUBNET_1_ID and PUBLIC_SUBNET_2_ID must be two different subnets (an ALB needs two zones)",
    );
  }
  return config;
}
