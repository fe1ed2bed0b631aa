// The `alb` resource: the load balancer, its security group, the target group, the backend group's one rule that
// lets the ALB (and only it) reach the containers, and the two listeners. Its inputs and the AWS objects it wants,
// with no SDK import, so validating inputs and planning cost nothing at start-up.
import { InputError } from "../../core/errors.js";
import type { EnvReader } from "../../core/inputs.js";
import { readInputs } from "../../core/inputs.js";
import { type DesiredObject, pending, ref } from "../../state/model.js";
import { TARGET_HEALTH_CHECK } from "../common/rollout-time.js";
import type { StackIdentity } from "../common/tags.js";
import type { Action, Resource } from "../resource.js";
import {
  type BackendRuleInput,
  backendRuleFields,
  DEREGISTRATION_DELAY,
  type ListenerInput,
  type LoadBalancerInput,
  listenerFields,
  loadBalancerFields,
  REDIRECT,
  type SecurityGroupInput,
  securityGroupFields,
  type TargetGroupInput,
  targetGroupFields,
} from "./inputs.js";

export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
export const ANYWHERE = "0.0.0.0/0";
export { REDIRECT };

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

const anywhere = (port: number) => ({
  IpProtocol: "tcp",
  FromPort: port,
  ToPort: port,
  IpRanges: [{ CidrIp: ANYWHERE }],
});

/** What each object of the ALB is sent: every field plan and verify show is projected from these (inputs.ts). */
export function albInputs(c: AlbConfig) {
  const logs = c.accessLogs;
  const securityGroup: SecurityGroupInput = {
    GroupName: c.securityGroupName,
    Description: `${c.project} ALB: HTTP and HTTPS from the internet`,
    VpcId: c.vpcId,
    IpPermissions: [anywhere(443), anywhere(80)],
    // What AWS gives a new group in a VPC: all traffic out. Modeled so that a change to it shows.
    IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: ANYWHERE }] }],
  };
  const targetGroup: TargetGroupInput = {
    Name: c.targetGroupName,
    Protocol: "HTTP",
    Port: c.containerPort,
    VpcId: c.vpcId,
    TargetType: "ip",
    HealthCheckProtocol: "HTTP",
    HealthCheckPort: "traffic-port",
    HealthCheckPath: c.healthCheckPath,
    HealthCheckIntervalSeconds: TARGET_HEALTH_CHECK.intervalSeconds,
    HealthCheckTimeoutSeconds: TARGET_HEALTH_CHECK.timeoutSeconds,
    HealthyThresholdCount: TARGET_HEALTH_CHECK.healthyThreshold,
    UnhealthyThresholdCount: TARGET_HEALTH_CHECK.unhealthyThreshold,
    Matcher: { HttpCode: "200" },
    Attributes: [{ Key: DEREGISTRATION_DELAY, Value: String(c.deregistrationDelay) }],
  };
  const loadBalancer: LoadBalancerInput = {
    Name: c.albName,
    Type: "application",
    Scheme: "internet-facing",
    IpAddressType: "ipv4",
    Subnets: [...c.publicSubnetIds],
    SecurityGroups: [ref("security-group")],
    Attributes: [
      { Key: "routing.http.drop_invalid_header_fields.enabled", Value: "true" },
      { Key: "deletion_protection.enabled", Value: String(c.deletionProtection) },
      { Key: "access_logs.s3.enabled", Value: String(Boolean(logs)) },
      ...(logs
        ? [
            { Key: "access_logs.s3.bucket", Value: logs.bucket },
            { Key: "access_logs.s3.prefix", Value: logs.prefix },
          ]
        : []),
    ],
  };
  const http: ListenerInput = {
    Protocol: "HTTP",
    Port: 80,
    DefaultActions: [{ Type: "redirect", RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } }],
  };
  const https: ListenerInput = {
    Protocol: "HTTPS",
    Port: 443,
    SslPolicy: TLS_POLICY,
    Certificates: [{ CertificateArn: c.certificateArn ?? pending("acm-certificate") }],
    DefaultActions: [{ Type: "forward", TargetGroupArn: ref("target-group") }],
  };
  const backendRule: BackendRuleInput = {
    GroupId: c.backendSecurityGroupId,
    IpPermissions: [
      {
        IpProtocol: "tcp",
        FromPort: c.containerPort,
        ToPort: c.containerPort,
        UserIdGroupPairs: [{ GroupId: ref("security-group") }],
      },
    ],
  };
  return { securityGroup, targetGroup, loadBalancer, backendRule, http, https };
}

export function albDesired(c: AlbConfig): DesiredObject[] {
  const i = albInputs(c);
  return [
    {
      key: "security-group",
      kind: "security group",
      name: c.securityGroupName,
      input: i.securityGroup,
      fields: securityGroupFields(i.securityGroup),
      setOnce: { description: "a security group's description cannot be changed" },
      replaceOn: { name: "a security group cannot be renamed", vpc: "a security group cannot move to another VPC" },
    },
    {
      key: "target-group",
      kind: "target group",
      name: c.targetGroupName,
      input: i.targetGroup,
      fields: targetGroupFields(i.targetGroup),
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
      input: i.loadBalancer,
      fields: { ...loadBalancerFields(i.loadBalancer), state: "active" },
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
      input: i.backendRule,
      fields: backendRuleFields(i.backendRule),
      replaceOn: {
        "security group": "a rule belongs to its security group",
        protocol: "a rule's protocol is part of what it is",
        port: "a rule's port is part of what it is",
        from: "a rule's source is part of what it is",
      },
    },
    {
      key: "listener:80",
      kind: "listener",
      within: "load-balancer",
      name: "HTTP:80",
      input: i.http,
      fields: listenerFields(i.http),
    },
    {
      key: "listener:443",
      kind: "listener",
      within: "load-balancer",
      // Its certificate must be issued, not only recorded: in a run with acm-certificate, it waits for that step.
      after: ["acm-certificate"],
      name: "HTTPS:443",
      input: i.https,
      fields: listenerFields(i.https),
    },
  ];
}
