// The `alb` resource: the load balancer, its security group, the target group, the backend group's one rule that
// lets the ALB (and only it) reach the containers, and the two listeners. Its inputs and the AWS objects it wants,
// with no SDK import, so validating inputs and planning cost nothing at start-up.
import { InputError } from "../../core/errors.js";
import type { EnvReader } from "../../core/inputs.js";
import { readInputs } from "../../core/inputs.js";
import { type DesiredObject, pending, ref } from "../../state/model.js";
import type { StackIdentity } from "../common/tags.js";
import type { Action, Resource } from "../resource.js";

export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
export const ANYWHERE = "0.0.0.0/0";
export const REDIRECT = "redirect to HTTPS:443 (301)";

export interface AlbConfig extends StackIdentity {
  region: string;
  vpcId: string;
  publicSubnetIds: string[];
  backendSecurityGroupId: string;
  containerPort: number;
  healthCheckPath: string;
  deregistrationDelay: number;
  deletionProtection: boolean;
  accessLogs: { bucket: string; prefix: string } | undefined;
  albName: string;
  targetGroupName: string;
  securityGroupName: string;
  /** The certificate the HTTPS listener serves: recorded by `acm-certificate`. */
  certificateArn: string | undefined;
}

export const albResource: Resource<AlbConfig> = {
  name: "alb",
  summary: "Application Load Balancer, its security group, target group and listeners",
  after: [],
  records: [
    "ALB_ARN",
    "ALB_DNS_NAME",
    "ALB_SECURITY_GROUP_ID",
    "TARGET_GROUP_ARN",
    "HTTP_LISTENER_ARN",
    "HTTPS_LISTENER_ARN",
  ],
  config: albConfig,
  desired: albDesired,
  load: async () => (await import("./model.js")).albModel,
};

export function albConfig(env: EnvReader, action: Action): AlbConfig {
  const input = readInputs(env, "alb");
  // Destroy finds things by recorded id or by name: it needs the names, not the network inputs.
  const net = action === "destroy" ? input.maybe : input.need;
  const project = input.need("PROJECT_NAME");
  const region = input.need("AWS_REGION");
  const bucket = input.maybe("ALB_ACCESS_LOGS_BUCKET");
  const config: AlbConfig = {
    project,
    environment: input.need("ENVIRONMENT"),
    region,
    vpcId: net("VPC_ID") ?? "",
    publicSubnetIds: [net("PUBLIC_SUBNET_1_ID"), net("PUBLIC_SUBNET_2_ID")].filter((s): s is string => Boolean(s)),
    backendSecurityGroupId: net("BACKEND_SECURITY_GROUP_ID") ?? "",
    containerPort: Number(input.need("CONTAINER_PORT")),
    healthCheckPath: input.need("HEALTH_CHECK_PATH"),
    deregistrationDelay: Number(input.need("TARGET_DEREGISTRATION_DELAY")),
    deletionProtection: input.need("ALB_DELETION_PROTECTION") === "true",
    accessLogs: bucket ? { bucket, prefix: input.maybe("ALB_ACCESS_LOGS_PREFIX") ?? "" } : undefined,
    albName: input.need("ALB_NAME"),
    targetGroupName: input.need("TARGET_GROUP_NAME"),
    securityGroupName: input.need("ALB_SECURITY_GROUP_NAME"),
    certificateArn: input.maybe("ACM_CERTIFICATE_ARN"),
  };
  input.done();
  if (action !== "destroy" && config.publicSubnetIds[0] === config.publicSubnetIds[1]) {
    throw new InputError(
      "PUBLIC_SUBNET_1_ID and PUBLIC_SUBNET_2_ID must be two different subnets (an ALB needs two zones)",
    );
  }
  // A load balancer serves only certificates of its own region.
  const certRegion = config.certificateArn?.split(":")[3];
  if (certRegion && !config.certificateArn?.startsWith("<") && certRegion !== region) {
    throw new InputError(
      `ACM_CERTIFICATE_ARN is a certificate in ${certRegion}, but the stack is in ${region}: a load balancer serves only certificates of its own region`,
      "request the certificate in the stack's region (`infra create acm-certificate`), or correct AWS_REGION",
    );
  }
  return config;
}

export function albDesired(c: AlbConfig): DesiredObject[] {
  return [
    {
      key: "security-group",
      kind: "security group",
      name: c.securityGroupName,
      fields: {
        name: c.securityGroupName,
        vpc: c.vpcId,
        ingress: [`tcp 443 from ${ANYWHERE}`, `tcp 80 from ${ANYWHERE}`],
      },
      replaceOn: { name: "a security group cannot be renamed", vpc: "a security group cannot move to another VPC" },
    },
    {
      key: "target-group",
      kind: "target group",
      name: c.targetGroupName,
      fields: {
        name: c.targetGroupName,
        protocol: "HTTP",
        port: c.containerPort,
        vpc: c.vpcId,
        "target type": "ip",
        "health check": `HTTP ${c.healthCheckPath} on the traffic port`,
        "health check interval": 30,
        "health check timeout": 5,
        "healthy threshold": 2,
        "unhealthy threshold": 3,
        "success codes": "200",
        "deregistration delay": c.deregistrationDelay,
      },
      replaceOn: {
        name: "a target group cannot be renamed",
        protocol: "a target group's protocol is fixed",
        port: "a target group's port is fixed",
        vpc: "a target group cannot move to another VPC",
        "target type": "a target group's target type is fixed",
      },
    },
    {
      key: "load-balancer",
      kind: "load balancer",
      name: c.albName,
      fields: {
        name: c.albName,
        scheme: "internet-facing",
        type: "application",
        state: "active",
        subnets: [...c.publicSubnetIds].sort(),
        "security groups": [ref("security-group")],
        "drop invalid header fields": true,
        "deletion protection": c.deletionProtection,
        "access logs": c.accessLogs ? `s3://${c.accessLogs.bucket}/${c.accessLogs.prefix}` : "off",
      },
      awaited: ["state"],
      replaceOn: {
        name: "a load balancer cannot be renamed",
        scheme: "a load balancer's scheme is fixed",
        type: "a load balancer's type is fixed",
      },
    },
    {
      key: "backend-ingress",
      kind: "security group rule",
      name: `tcp ${c.containerPort} from ${c.securityGroupName} on ${c.backendSecurityGroupId}`,
      fields: { "security group": c.backendSecurityGroupId, port: c.containerPort, from: ref("security-group") },
      replaceOn: {
        "security group": "a rule belongs to its security group",
        port: "a rule's port is part of what it is",
        from: "a rule's source is part of what it is",
      },
    },
    {
      key: "listener:80",
      kind: "listener",
      within: "load-balancer",
      name: "HTTP:80",
      fields: { protocol: "HTTP", port: 80, action: REDIRECT },
    },
    {
      key: "listener:443",
      kind: "listener",
      within: "load-balancer",
      // Its certificate must be issued, not only recorded: in a run with acm-certificate, it waits for that step.
      after: ["acm-certificate"],
      name: "HTTPS:443",
      fields: {
        protocol: "HTTPS",
        port: 443,
        "TLS policy": TLS_POLICY,
        certificate: c.certificateArn ?? pending("acm-certificate"),
        action: ref("target-group"),
      },
    },
  ];
}
