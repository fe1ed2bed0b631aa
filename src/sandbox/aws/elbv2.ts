// Elastic Load Balancing v2 as `infra` uses it: load balancers (provisioning -> active, network interfaces
// that linger after deletion), target groups (in use while a listener forwards to them, and a little after),
// listeners and tags. Behaviours from docs/aws-behaviours.md, "Elastic Load Balancing v2".
import {
  type Action,
  AddTagsCommand,
  type Certificate,
  CertificateNotFoundException,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DuplicateListenerException,
  DuplicateLoadBalancerNameException,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2Client,
  InvalidConfigurationRequestException,
  InvalidSecurityGroupException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  OperationNotPermittedException,
  ResourceInUseException,
  SetIpAddressTypeCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  SubnetNotFoundException,
  type Tag,
  TargetGroupNotFoundException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { ACCOUNT, VPC_ID } from "./ec2.js";
import { modeled, unmodeled } from "./errors.js";

export const PROVISIONING_MS = 90_000;
export const INTERFACES_LINGER_MS = 120_000;
export const DESCRIBABLE_AFTER_DELETE_MS = 10_000;
export const TARGET_GROUP_IN_USE_AFTER_MS = 20_000;
/** A registered target reads `initial` this long, then `healthy` or `unhealthy` (health check interval x threshold). */
export const TARGET_HEALTH_CHECK_MS = 60_000;
const PREFIX = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}`;

interface LoadBalancer {
  arn: string;
  name: string;
  scheme: string;
  type: string;
  subnets: string[];
  securityGroups: string[];
  /** ipv4 unless created or set otherwise (SetIpAddressType). */
  ipAddressType: string;
  /** DescribeLoadBalancerAttributes' keys and values (strings, as AWS returns them). */
  attributes: Record<string, string>;
  createdAt: number;
  deletedAt?: number;
}

/**
 * An Application Load Balancer's attributes as AWS sets them when none are given (ELBv2 API reference,
 * LoadBalancerAttribute): deletion protection and access logs off, invalid header fields passed through.
 */
export const LOAD_BALANCER_DEFAULTS: Readonly<Record<string, string>> = {
  "deletion_protection.enabled": "false",
  "access_logs.s3.enabled": "false",
  "access_logs.s3.bucket": "",
  "access_logs.s3.prefix": "",
  "idle_timeout.timeout_seconds": "60",
  "routing.http.drop_invalid_header_fields.enabled": "false",
  "routing.http2.enabled": "true",
};

interface TargetGroup {
  TargetGroupArn: string;
  TargetGroupName: string;
  Protocol: string;
  Port: number;
  VpcId: string;
  TargetType: string;
  HealthCheckProtocol: string;
  HealthCheckPort: string;
  HealthCheckPath: string;
  HealthCheckIntervalSeconds: number;
  HealthCheckTimeoutSeconds: number;
  HealthyThresholdCount: number;
  UnhealthyThresholdCount: number;
  Matcher: { HttpCode: string };
  attributes: Record<string, string>;
  /** Until when it still counts as in use after its last listener went away. */
  inUseUntil: number;
}

/** A target ECS registered for a task; its health is read from the clock. */
export interface Target {
  Id: string;
  Port: number;
  AvailabilityZone: string;
  registeredAt: number;
  /** Whether it passes the health checks once TARGET_HEALTH_CHECK_MS have passed. */
  healthy: boolean;
  deregisteredAt?: number;
}

interface Listener {
  ListenerArn: string;
  LoadBalancerArn: string;
  Protocol: string;
  Port: number;
  SslPolicy?: string;
  Certificates?: Certificate[];
  DefaultActions: Action[];
}

const HEALTH_CHECK_DEFAULTS = {
  HealthCheckProtocol: "HTTP",
  HealthCheckPort: "traffic-port",
  HealthCheckPath: "/",
  HealthCheckIntervalSeconds: 30,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 5,
  UnhealthyThresholdCount: 2,
  Matcher: { HttpCode: "200" },
};

/** An Application Load Balancer's IP address types (ELBv2 API reference, SetIpAddressType). */
function ipAddressTypeOf(value: string): string {
  if (!["ipv4", "dualstack", "dualstack-without-public-ipv4"].includes(value))
    throw unmodeled("ValidationError", `IP address type '${value}' is not valid`);
  return value;
}

const hex16 = (n: number) => (0x1a2b3c4d5e6f0000n + BigInt(n) * 104729n).toString(16).slice(-16);

export class Elbv2Model {
  readonly name = "ELBv2";
  readonly client = ElasticLoadBalancingV2Client;
  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly targetGroups = new Map<string, TargetGroup>();
  readonly listeners = new Map<string, Listener>();
  readonly tags = new Map<string, Tag[]>();
  /** Target group ARN -> the targets ECS registered in it. */
  readonly targets = new Map<string, Target[]>();
  private seq = 0;

  constructor(private readonly fake: Fake) {}

  readonly handlers: ServiceModel["handlers"] = [
    [DescribeLoadBalancersCommand, (i) => this.describeLoadBalancers(i)],
    [CreateLoadBalancerCommand, (i) => this.createLoadBalancer(i)],
    [DeleteLoadBalancerCommand, (i) => this.deleteLoadBalancer(i)],
    [SetSecurityGroupsCommand, (i) => this.setSecurityGroups(i)],
    [DescribeLoadBalancerAttributesCommand, (i) => this.describeLbAttributes(i)],
    [ModifyLoadBalancerAttributesCommand, (i) => this.modifyLbAttributes(i)],
    [SetSubnetsCommand, (i) => this.setSubnets(i)],
    [SetIpAddressTypeCommand, (i) => this.setIpAddressType(i)],
    [DescribeTargetGroupsCommand, (i) => this.describeTargetGroups(i)],
    [CreateTargetGroupCommand, (i) => this.createTargetGroup(i)],
    [ModifyTargetGroupCommand, (i) => this.modifyTargetGroup(i)],
    [DescribeTargetGroupAttributesCommand, (i) => this.describeAttributes(i)],
    [ModifyTargetGroupAttributesCommand, (i) => this.modifyAttributes(i)],
    [DeleteTargetGroupCommand, (i) => this.deleteTargetGroup(i)],
    [DescribeListenersCommand, (i) => this.describeListeners(i)],
    [CreateListenerCommand, (i) => this.createListener(i)],
    [ModifyListenerCommand, (i) => this.modifyListener(i)],
    [DeleteListenerCommand, (i) => this.deleteListener(i)],
    [DescribeTagsCommand, (i) => this.describeTags(i)],
    [AddTagsCommand, (i) => this.addTags(i)],
    [DescribeTargetHealthCommand, (i) => this.describeTargetHealth(i)],
  ];

  /** Whether a listener forwards to the target group (ECS refuses a target group without a load balancer). */
  hasListenerFor(targetGroupArn: string): boolean {
    return this.lbsUsing(targetGroupArn).length > 0;
  }

  registerTarget(targetGroupArn: string, target: Target): void {
    this.targets.set(targetGroupArn, [...(this.targets.get(targetGroupArn) ?? []), target]);
  }

  /** The target drains for the group's deregistration delay, then is gone. */
  deregisterTarget(targetGroupArn: string, id: string, at: number): void {
    for (const t of this.targets.get(targetGroupArn) ?? []) if (t.Id === id) t.deregisteredAt ??= at;
  }

  private targetHealth(tg: TargetGroup, t: Target | undefined) {
    if (!t || this.drained(tg, t))
      return {
        State: "unused",
        Reason: "Target.NotRegistered",
        Description: "Target is not registered to the target group",
      };
    if (t.deregisteredAt !== undefined)
      return {
        State: "draining",
        Reason: "Target.DeregistrationInProgress",
        Description: "Target deregistration is in progress",
      };
    if (this.lbsUsing(tg.TargetGroupArn).length === 0)
      return {
        State: "unused",
        Reason: "Target.NotInUse",
        Description: "Target group is not configured to receive traffic from the load balancer",
      };
    if (this.now() < t.registeredAt + this.fake.latency.targetHealthCheckMs)
      return {
        State: "initial",
        Reason: "Elb.RegistrationInProgress",
        Description: "Target registration is in progress",
      };
    if (t.healthy) return { State: "healthy" };
    return {
      State: "unhealthy",
      Reason: "Target.ResponseCodeMismatch",
      Description: "Health checks failed with these codes: [502]",
    };
  }

  /** A deregistered target is gone once the group's deregistration delay has passed. */
  private drained(tg: TargetGroup, t: Target) {
    return t.deregisteredAt !== undefined && this.now() >= t.deregisteredAt + this.delayOf(tg);
  }

  /** The group's deregistration delay on the fake's clock (300 s unless set); 0 for a group that is gone. */
  deregistrationDelayMs(targetGroupArn: string): number {
    const tg = this.targetGroups.get(targetGroupArn);
    return tg ? this.delayOf(tg) : 0;
  }

  private delayOf(tg: TargetGroup): number {
    const seconds = Number(tg.attributes["deregistration_delay.timeout_seconds"] ?? "300");
    return seconds * this.fake.latency.configuredSecondMs;
  }

  /** How many targets of the group pass their health checks now (for the fake internet's answers). */
  healthyTargets(targetGroupArn: string): number {
    return this.describeTargetHealth({ TargetGroupArn: targetGroupArn }).TargetHealthDescriptions.filter(
      (d) => d.TargetHealth.State === "healthy",
    ).length;
  }

  private describeTargetHealth(input: { TargetGroupArn: string; Targets?: { Id: string; Port?: number }[] }) {
    this.fake.ecs.sync(); // ECS registers the targets of its tasks as they start
    const tg = this.mustGetTg(input.TargetGroupArn);
    const all = this.targets.get(tg.TargetGroupArn) ?? [];
    const wanted = input.Targets
      ? input.Targets.map((w) => ({ w, t: all.filter((t) => t.Id === w.Id).at(-1) }))
      : all.filter((t) => !this.drained(tg, t)).map((t) => ({ w: { Id: t.Id, Port: t.Port }, t }));
    return {
      TargetHealthDescriptions: wanted.map(({ w, t }) => ({
        Target: { Id: w.Id, Port: w.Port ?? t?.Port, ...(t ? { AvailabilityZone: t.AvailabilityZone } : {}) },
        HealthCheckPort: String(w.Port ?? t?.Port),
        TargetHealth: this.targetHealth(tg, t),
      })),
    };
  }

  private now = () => this.fake.clock.now();

  /** Load balancers that exist (deleted ones stay describable for a few seconds, as in AWS). */
  liveLoadBalancers(): LoadBalancer[] {
    return [...this.loadBalancers.values()].filter((lb) => lb.deletedAt === undefined);
  }

  private describable(lb: LoadBalancer) {
    return lb.deletedAt === undefined || this.now() < lb.deletedAt + this.fake.latency.albDescribableAfterDeleteMs;
  }

  private state(lb: LoadBalancer) {
    return this.now() < lb.createdAt + this.fake.latency.albActiveMs ? "provisioning" : "active";
  }

  private renderLb(lb: LoadBalancer) {
    const id = lb.arn.split("/").at(-1);
    return {
      LoadBalancerArn: lb.arn,
      LoadBalancerName: lb.name,
      DNSName: `${lb.name}-${id?.slice(0, 10)}.us-east-1.elb.amazonaws.com`,
      CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
      Scheme: lb.scheme,
      Type: lb.type,
      VpcId: VPC_ID,
      State: { Code: this.state(lb) },
      IpAddressType: lb.ipAddressType,
      SecurityGroups: [...lb.securityGroups],
      AvailabilityZones: this.zonesOf(lb),
    };
  }

  private describeLoadBalancers(input: { LoadBalancerArns?: string[]; Names?: string[] }) {
    const all = [...this.loadBalancers.values()].filter((lb) => this.describable(lb));
    const pick = (wanted: string[] | undefined, key: (lb: LoadBalancer) => string) =>
      wanted?.map((w) => {
        const lb = all.find((x) => key(x) === w);
        if (!lb) throw modeled(LoadBalancerNotFoundException, `Load balancers '[${w}]' not found`);
        return lb;
      });
    const found = pick(input.LoadBalancerArns, (lb) => lb.arn) ?? pick(input.Names, (lb) => lb.name) ?? all;
    return { LoadBalancers: found.map((lb) => this.renderLb(lb)) };
  }

  private createLoadBalancer(input: {
    Name: string;
    Subnets?: string[];
    SecurityGroups?: string[];
    Scheme?: string;
    Type?: string;
    IpAddressType?: string;
    Tags?: Tag[];
  }) {
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(input.Name)) {
      throw unmodeled("ValidationError", `Load balancer name '${input.Name}' is not valid`);
    }
    const subnets = input.Subnets ?? [];
    this.checkSubnets(subnets);
    for (const g of input.SecurityGroups ?? []) {
      if (!this.fake.ec2.groups.has(g))
        throw modeled(InvalidSecurityGroupException, `Security group '${g}' does not exist`);
    }
    const existing = this.liveLoadBalancers().find((lb) => lb.name === input.Name);
    const scheme = input.Scheme ?? "internet-facing";
    const ipAddressType = ipAddressTypeOf(input.IpAddressType ?? "ipv4");
    if (existing) {
      // Identical settings: AWS returns the existing one. Different ones: a duplicate name.
      const same =
        existing.scheme === scheme &&
        existing.ipAddressType === ipAddressType &&
        existing.subnets.join() === subnets.join() &&
        existing.securityGroups.join() === (input.SecurityGroups ?? []).join();
      if (!same) throw modeled(DuplicateLoadBalancerNameException, "A load balancer with the same name exists");
      return { LoadBalancers: [this.renderLb(existing)] };
    }
    const id = hex16(++this.seq);
    const arn = `${PREFIX}:loadbalancer/app/${input.Name}/${id}`;
    const lb: LoadBalancer = {
      arn,
      name: input.Name,
      scheme,
      type: input.Type ?? "application",
      subnets: [...subnets],
      securityGroups: [...(input.SecurityGroups ?? [])],
      ipAddressType,
      attributes: { ...LOAD_BALANCER_DEFAULTS },
      createdAt: this.now(),
    };
    this.loadBalancers.set(arn, lb);
    this.tags.set(arn, input.Tags ?? []);
    for (const _ of subnets) {
      this.fake.ec2.interfaces.push({
        NetworkInterfaceId: this.fake.ec2.nextId("eni"),
        Description: `ELB app/${input.Name}/${id}`,
        groups: lb.securityGroups,
      });
    }
    return { LoadBalancers: [this.renderLb(lb)] };
  }

  private deleteLoadBalancer(input: { LoadBalancerArn: string }) {
    const lb = this.loadBalancers.get(input.LoadBalancerArn);
    if (!lb || lb.deletedAt !== undefined) return {}; // deleting what is gone succeeds
    if (lb.attributes["deletion_protection.enabled"] === "true") {
      throw modeled(OperationNotPermittedException, "Load balancer cannot be deleted: deletion protection is enabled");
    }
    lb.deletedAt = this.now();
    for (const l of this.listenersOf(lb.arn)) this.removeListener(l);
    this.fake.waf.forget(lb.arn); // AWS drops the load balancer's web ACL association with it
    const id = lb.arn.split("/").at(-1);
    for (const n of this.fake.ec2.interfaces) {
      if (n.Description === `ELB app/${lb.name}/${id}`) n.goneAt = this.now() + this.fake.latency.albInterfacesLingerMs;
    }
    return {};
  }

  private describeLbAttributes(input: { LoadBalancerArn: string }) {
    const lb = this.mustGetLb(input.LoadBalancerArn);
    return { Attributes: Object.entries(lb.attributes).map(([Key, Value]) => ({ Key, Value })) };
  }

  /** Only known keys, only "true"/"false" for the switches; the attributes named change, the others stay. */
  private modifyLbAttributes(input: { LoadBalancerArn: string; Attributes: { Key?: string; Value?: string }[] }) {
    const lb = this.mustGetLb(input.LoadBalancerArn);
    for (const a of input.Attributes) {
      const key = a.Key ?? "";
      if (!(key in LOAD_BALANCER_DEFAULTS))
        throw unmodeled("ValidationError", `Load balancer attribute key '${key}' is not recognized`);
      if (key.endsWith(".enabled") && a.Value !== "true" && a.Value !== "false")
        throw unmodeled("ValidationError", `Load balancer attribute value '${a.Value}' is not valid for ${key}`);
    }
    const next = { ...lb.attributes };
    for (const a of input.Attributes) next[a.Key ?? ""] = a.Value ?? "";
    if (next["access_logs.s3.enabled"] === "true" && !next["access_logs.s3.bucket"])
      throw unmodeled(
        "ValidationError",
        "The value of 'access_logs.s3.bucket' cannot be empty when access logs are enabled",
      );
    lb.attributes = next;
    return { Attributes: Object.entries(lb.attributes).map(([Key, Value]) => ({ Key, Value })) };
  }

  private setSecurityGroups(input: { LoadBalancerArn: string; SecurityGroups: string[] }) {
    const lb = this.mustGetLb(input.LoadBalancerArn);
    lb.securityGroups = [...input.SecurityGroups];
    return { SecurityGroupIds: lb.securityGroups };
  }

  private setIpAddressType(input: { LoadBalancerArn: string; IpAddressType: string }) {
    const lb = this.mustGetLb(input.LoadBalancerArn);
    lb.ipAddressType = ipAddressTypeOf(input.IpAddressType);
    return { IpAddressType: lb.ipAddressType };
  }

  private setSubnets(input: { LoadBalancerArn: string; Subnets: string[] }) {
    const lb = this.mustGetLb(input.LoadBalancerArn);
    this.checkSubnets(input.Subnets);
    lb.subnets = [...input.Subnets];
    return { AvailabilityZones: this.zonesOf(lb) };
  }

  /**
   * An Application Load Balancer's subnets: each one exists, one per Availability Zone, in at least two zones
   * (CreateLoadBalancer and SetSubnets refuse otherwise, with these codes and messages).
   */
  private checkSubnets(subnets: string[]) {
    const zones = subnets.map((s) => {
      const zone = this.fake.ec2.subnets.zoneOf(s);
      if (!zone) throw modeled(SubnetNotFoundException, `The subnet ID '${s}' is not valid`);
      return zone;
    });
    if (new Set(zones).size < zones.length)
      throw modeled(
        InvalidConfigurationRequestException,
        "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
      );
    if (zones.length < 2)
      throw unmodeled("ValidationError", "At least two subnets in two different Availability Zones must be specified");
  }

  private zonesOf(lb: LoadBalancer) {
    return lb.subnets.map((SubnetId) => ({ SubnetId, ZoneName: this.fake.ec2.subnets.zoneOf(SubnetId) }));
  }

  private describeTargetGroups(input: { TargetGroupArns?: string[]; Names?: string[]; LoadBalancerArn?: string }) {
    const all = [...this.targetGroups.values()];
    const pick = (wanted: string[] | undefined, key: (tg: TargetGroup) => string) =>
      wanted?.map((w) => {
        const tg = all.find((x) => key(x) === w);
        if (!tg) throw modeled(TargetGroupNotFoundException, `One or more target groups not found`);
        return tg;
      });
    const found =
      pick(input.TargetGroupArns, (t) => t.TargetGroupArn) ?? pick(input.Names, (t) => t.TargetGroupName) ?? all;
    return {
      TargetGroups: found.map(({ attributes: _a, inUseUntil: _u, ...tg }) => ({
        ...tg,
        LoadBalancerArns: this.lbsUsing(tg.TargetGroupArn),
      })),
    };
  }

  private createTargetGroup(input: Partial<TargetGroup> & { Name: string; Tags?: Tag[] }) {
    const { Name, Tags, ...settings } = input;
    const wanted = {
      ...HEALTH_CHECK_DEFAULTS,
      Protocol: settings.Protocol ?? "HTTP",
      Port: settings.Port ?? 80,
      VpcId: settings.VpcId ?? "",
      TargetType: settings.TargetType ?? "instance",
      ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
    } as Omit<TargetGroup, "TargetGroupArn" | "TargetGroupName" | "attributes" | "inUseUntil">;
    const existing = [...this.targetGroups.values()].find((t) => t.TargetGroupName === Name);
    if (existing) {
      const same = Object.entries(wanted).every(
        ([k, v]) => JSON.stringify((existing as unknown as Record<string, unknown>)[k]) === JSON.stringify(v),
      );
      if (!same)
        throw modeled(
          DuplicateTargetGroupNameException,
          "A target group with the same name exists, but with different settings",
        );
      return {
        TargetGroups: [this.describeTargetGroups({ TargetGroupArns: [existing.TargetGroupArn] }).TargetGroups[0]],
      };
    }
    const arn = `${PREFIX}:targetgroup/${Name}/${hex16(++this.seq)}`;
    this.targetGroups.set(arn, {
      ...wanted,
      TargetGroupArn: arn,
      TargetGroupName: Name,
      attributes: { "deregistration_delay.timeout_seconds": "300", "stickiness.enabled": "false" },
      inUseUntil: 0,
    });
    this.tags.set(arn, Tags ?? []);
    return this.describeTargetGroups({ TargetGroupArns: [arn] });
  }

  private modifyTargetGroup(input: Partial<TargetGroup> & { TargetGroupArn: string }) {
    const tg = this.mustGetTg(input.TargetGroupArn);
    for (const [k, v] of Object.entries(input)) if (v !== undefined) (tg as unknown as Record<string, unknown>)[k] = v;
    return this.describeTargetGroups({ TargetGroupArns: [tg.TargetGroupArn] });
  }

  private describeAttributes(input: { TargetGroupArn: string }) {
    const tg = this.mustGetTg(input.TargetGroupArn);
    return { Attributes: Object.entries(tg.attributes).map(([Key, Value]) => ({ Key, Value })) };
  }

  private modifyAttributes(input: { TargetGroupArn: string; Attributes: { Key: string; Value: string }[] }) {
    const tg = this.mustGetTg(input.TargetGroupArn);
    for (const a of input.Attributes) tg.attributes[a.Key] = a.Value;
    return this.describeAttributes(input);
  }

  private deleteTargetGroup(input: { TargetGroupArn: string }) {
    const tg = this.mustGetTg(input.TargetGroupArn);
    if (this.lbsUsing(tg.TargetGroupArn).length > 0 || this.now() < tg.inUseUntil) {
      throw modeled(
        ResourceInUseException,
        `Target group '${tg.TargetGroupArn}' is currently in use by a listener or a rule`,
      );
    }
    this.targetGroups.delete(tg.TargetGroupArn);
    this.tags.delete(tg.TargetGroupArn);
    return {};
  }

  private describeListeners(input: { LoadBalancerArn?: string; ListenerArns?: string[] }) {
    if (input.LoadBalancerArn) {
      const lb = this.loadBalancers.get(input.LoadBalancerArn);
      if (!lb || !this.describable(lb))
        throw modeled(LoadBalancerNotFoundException, "One or more load balancers not found");
      return { Listeners: this.listenersOf(lb.arn) };
    }
    return { Listeners: (input.ListenerArns ?? []).map((a) => this.mustGetLn(a)) };
  }

  private createListener(input: Omit<Listener, "ListenerArn"> & { Tags?: Tag[] }) {
    const lb = this.mustGetLb(input.LoadBalancerArn);
    this.checkActions(input.DefaultActions);
    this.checkCertificates(input.Protocol, input.Certificates);
    const taken = this.listenersOf(lb.arn).find((l) => l.Port === input.Port);
    if (taken)
      throw modeled(DuplicateListenerException, "A listener already exists on this port for this load balancer");
    const arn = `${PREFIX}:listener/app/${lb.name}/${lb.arn.split("/").at(-1)}/${hex16(++this.seq)}`;
    const { Tags, ...rest } = input;
    const listener: Listener = {
      ...rest,
      ListenerArn: arn,
      ...(input.Protocol === "HTTPS" ? { SslPolicy: input.SslPolicy ?? "ELBSecurityPolicy-2016-08" } : {}),
    };
    const before = this.certificatesOf(lb.arn);
    this.listeners.set(arn, listener);
    this.tags.set(arn, Tags ?? []);
    this.syncCertificates(lb.arn, before);
    return { Listeners: [listener] };
  }

  private modifyListener(input: Partial<Listener> & { ListenerArn: string }) {
    const l = this.mustGetLn(input.ListenerArn);
    if (input.DefaultActions) this.checkActions(input.DefaultActions);
    this.checkCertificates(input.Protocol ?? l.Protocol, input.Certificates ?? l.Certificates);
    const before = this.targetsOf(l);
    const certificates = this.certificatesOf(l.LoadBalancerArn);
    for (const [k, v] of Object.entries(input)) if (v !== undefined) (l as unknown as Record<string, unknown>)[k] = v;
    this.release(before.filter((t) => !this.targetsOf(l).includes(t)));
    this.syncCertificates(l.LoadBalancerArn, certificates);
    return { Listeners: [l] };
  }

  private deleteListener(input: { ListenerArn: string }) {
    this.removeListener(this.mustGetLn(input.ListenerArn));
    return {};
  }

  private describeTags(input: { ResourceArns: string[] }) {
    return {
      TagDescriptions: input.ResourceArns.map((ResourceArn) => {
        const tags = this.tags.get(ResourceArn);
        if (!tags) throw modeled(LoadBalancerNotFoundException, `Resource '${ResourceArn}' not found`);
        return { ResourceArn, Tags: tags };
      }),
    };
  }

  private addTags(input: { ResourceArns: string[]; Tags: Tag[] }) {
    for (const arn of input.ResourceArns) {
      const tags = this.tags.get(arn);
      if (!tags) throw modeled(LoadBalancerNotFoundException, `Resource '${arn}' not found`);
      this.tags.set(arn, [...tags.filter((t) => !input.Tags.some((n) => n.Key === t.Key)), ...input.Tags]);
    }
    return {};
  }

  listenersOf(lbArn: string): Listener[] {
    return [...this.listeners.values()].filter((l) => l.LoadBalancerArn === lbArn);
  }

  private removeListener(l: Listener) {
    const certificates = this.certificatesOf(l.LoadBalancerArn);
    this.listeners.delete(l.ListenerArn);
    this.tags.delete(l.ListenerArn);
    this.release(this.targetsOf(l));
    this.syncCertificates(l.LoadBalancerArn, certificates);
  }

  private certificatesOf(lbArn: string): string[] {
    return this.listenersOf(lbArn).flatMap((l) => l.Certificates?.map((c) => c.CertificateArn as string) ?? []);
  }

  /** ACM's InUseBy lists the load balancer while any of its listeners holds the certificate (detach lags there). */
  private syncCertificates(lbArn: string, before: string[]) {
    const now = this.certificatesOf(lbArn);
    for (const arn of now) this.fake.acm.attach(arn, lbArn);
    for (const arn of before) if (!now.includes(arn)) this.fake.acm.detach(arn, lbArn);
  }

  /** A target group no longer forwarded to still counts as in use for a little while. */
  private release(targetGroupArns: string[]) {
    for (const arn of targetGroupArns) {
      const tg = this.targetGroups.get(arn);
      if (tg) tg.inUseUntil = this.now() + this.fake.latency.targetGroupInUseAfterMs;
    }
  }

  private targetsOf(l: Listener): string[] {
    return l.DefaultActions.flatMap((a) => [
      ...(a.TargetGroupArn ? [a.TargetGroupArn] : []),
      ...(a.ForwardConfig?.TargetGroups?.map((g) => g.TargetGroupArn as string) ?? []),
    ]);
  }

  private lbsUsing(tgArn: string): string[] {
    return [
      ...new Set(
        [...this.listeners.values()].filter((l) => this.targetsOf(l).includes(tgArn)).map((l) => l.LoadBalancerArn),
      ),
    ];
  }

  private checkActions(actions: Action[]) {
    for (const a of actions) {
      for (const arn of this.targetsOf({ DefaultActions: [a] } as Listener)) this.mustGetTg(arn);
    }
  }

  /** HTTPS needs a certificate ACM knows (CertificateNotFound) and has issued (UnsupportedCertificate). */
  private checkCertificates(protocol: string, certificates: Certificate[] | undefined) {
    if (protocol !== "HTTPS") return;
    const arn = certificates?.[0]?.CertificateArn;
    if (!arn) throw unmodeled("ValidationError", "A certificate must be specified for HTTPS listeners");
    const status = this.fake.acm.statusOf(arn);
    if (status === undefined) throw modeled(CertificateNotFoundException, `Certificate '${arn}' not found`);
    if (status !== "ISSUED")
      throw unmodeled(
        "UnsupportedCertificate",
        `The certificate '${arn}' must have a fully-qualified domain name, a supported signature, and a supported key size.`,
      );
  }

  private mustGetLb(arn: string): LoadBalancer {
    const lb = this.loadBalancers.get(arn);
    if (!lb || lb.deletedAt !== undefined)
      throw modeled(LoadBalancerNotFoundException, `Load balancer '${arn}' not found`);
    return lb;
  }

  private mustGetTg(arn: string): TargetGroup {
    const tg = this.targetGroups.get(arn);
    if (!tg) throw modeled(TargetGroupNotFoundException, `Target groups '[${arn}]' not found`);
    return tg;
  }

  private mustGetLn(arn: string): Listener {
    const l = this.listeners.get(arn);
    if (!l) throw modeled(ListenerNotFoundException, `Listener '${arn}' not found`);
    return l;
  }
}
