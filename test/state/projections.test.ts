// The refinements of the comparison that live in each kind's one projection: what AWS reports in an order of its
// own, or fills in with its default when nothing was sent, reads as what was sent, so diff() finds nothing to change
// and no run makes a call that changes nothing. Each is checked against a real difference beside it, which diff()
// still finds: the projection makes equal what means the same, not everything.
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { Service } from "@aws-sdk/client-ecs";
import type { CountryCode, Rule } from "@aws-sdk/client-wafv2";
import { describe, expect, it } from "vitest";
import { loadBalancerFields, securityGroupFields, targetGroupFields } from "../../src/resources/alb/inputs.js";
import {
  loadBalancerAsInput,
  securityGroupAsInput,
  stateOf,
  targetGroupAsInput,
} from "../../src/resources/alb/observe.js";
import { type Definition, definitionFields } from "../../src/resources/common/task-definition.js";
import { type ServiceInput, serviceFields } from "../../src/resources/ecs-service/inputs.js";
import { observedFields } from "../../src/resources/ecs-service/observe.js";
import { dashboardFields } from "../../src/resources/monitoring/dashboard.js";
import { type AlarmInput, alarmFields } from "../../src/resources/monitoring/inputs.js";
import { describeRules } from "../../src/resources/waf/rules.js";
import { diff } from "../../src/state/diff.js";
import type { Fields } from "../../src/state/model.js";

/** What diff() makes of the wanted fields against the found ones: "keep", or the fields an update changes. */
function compared(want: Fields, found: Fields): string | string[] {
  const [change] = diff(
    [{ key: "o", kind: "object", name: "o", fields: want }],
    new Map([["o", { key: "o", kind: "object", name: "o", id: "id", fields: found, managed: true }]]),
  );
  return change?.action === "update" ? change.fields.map((f) => f.field) : (change?.action ?? "none");
}

describe("an ECS service as AWS describes it", () => {
  const input: ServiceInput = {
    serviceName: "web",
    cluster: "apps",
    taskDefinition: "arn:td:1",
    desiredCount: 2,
    launchType: "FARGATE",
    networkConfiguration: {
      awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-1", "sg-2"] },
    },
    deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
  };
  /** What DescribeServices answers for it: the lists in its own order, its defaults filled in. */
  const described = (more: Partial<Service> = {}): Service => ({
    ...input,
    clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/apps",
    networkConfiguration: {
      awsvpcConfiguration: { subnets: ["subnet-b", "subnet-a"], securityGroups: ["sg-2", "sg-1"] },
    },
    healthCheckGracePeriodSeconds: 0,
    schedulingStrategy: "REPLICA",
    deploymentController: { type: "ECS" },
    enableExecuteCommand: false,
    ...more,
  });

  it("given its subnets and security groups in another order than sent, when diffed, then nothing changes", () => {
    expect(compared(serviceFields(input), observedFields(described()))).toBe("keep");
  });

  it("given a service sent without a grace period, scheduling strategy, controller or ECS Exec, when AWS reports its defaults for them, then nothing changes", () => {
    const inOrder = { networkConfiguration: input.networkConfiguration };
    expect(compared(serviceFields(input), observedFields(described(inOrder)))).toBe("keep");
    expect(
      compared(serviceFields(input), observedFields(described({ ...inOrder, healthCheckGracePeriodSeconds: 60 }))),
    ).toEqual(["health check grace period"]);
  });

  it("given a subnet that is not one sent, when diffed, then the subnets change", () => {
    const other = described({
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-c", "subnet-a"], securityGroups: ["sg-2", "sg-1"] },
      },
    });
    expect(compared(serviceFields(input), observedFields(other))).toEqual(["subnets"]);
  });
});

describe("a load balancer, its security group and its target group as ELBv2 and EC2 describe them", () => {
  it("given the load balancer's subnets and groups in another order, and attributes AWS reports that were not sent, when diffed, then nothing changes; deletion protection turned on does", () => {
    const want = loadBalancerFields({
      Name: "alb",
      Type: "application",
      Scheme: "internet-facing",
      IpAddressType: "ipv4",
      Subnets: ["subnet-a", "subnet-b"],
      SecurityGroups: ["sg-1", "sg-2"],
      Attributes: [{ Key: "routing.http.drop_invalid_header_fields.enabled", Value: "true" }],
    });
    const attributes = (protection: string) => [
      { Key: "deletion_protection.enabled", Value: protection },
      { Key: "access_logs.s3.enabled", Value: "false" },
      { Key: "idle_timeout.timeout_seconds", Value: "60" },
      { Key: "routing.http.drop_invalid_header_fields.enabled", Value: "true" },
    ];
    const lb = {
      LoadBalancerName: "alb",
      Type: "application" as const,
      Scheme: "internet-facing" as const,
      IpAddressType: "ipv4" as const,
      AvailabilityZones: [{ SubnetId: "subnet-b" }, { SubnetId: "subnet-a" }],
      SecurityGroups: ["sg-2", "sg-1"],
    };

    expect(compared(want, loadBalancerFields(loadBalancerAsInput(lb, attributes("false"))))).toBe("keep");
    expect(compared(want, loadBalancerFields(loadBalancerAsInput(lb, attributes("true"))))).toEqual([
      "deletion protection",
    ]);
  });

  it("given a load balancer AWS reports as active_impaired, when its state is compared with active, then create has nothing to wait for; provisioning it does", () => {
    const state = (Code: "active" | "active_impaired" | "provisioning") => ({ state: stateOf({ State: { Code } }) });

    expect(compared({ state: "active" }, state("active_impaired"))).toBe("keep");
    expect(compared({ state: "active" }, state("provisioning"))).toEqual(["state"]);
  });

  it("given a group's rules grouped and ordered otherwise than sent, when diffed, then nothing changes; a port more does", () => {
    const rule = (port: number, cidrs: string[]) => ({
      IpProtocol: "tcp",
      FromPort: port,
      ToPort: port,
      IpRanges: cidrs.map((CidrIp) => ({ CidrIp })),
    });
    const want = securityGroupFields({
      GroupName: "alb-sg",
      Description: "the ALB",
      VpcId: "vpc-1",
      IpPermissions: [rule(80, ["0.0.0.0/0"]), rule(443, ["0.0.0.0/0", "10.0.0.0/8"])],
      IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
    });
    const group = (permissions: ReturnType<typeof rule>[]) =>
      securityGroupFields(
        securityGroupAsInput({
          GroupName: "alb-sg",
          Description: "the ALB",
          VpcId: "vpc-1",
          IpPermissions: permissions,
          IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
        }),
      );

    expect(compared(want, group([rule(443, ["10.0.0.0/8"]), rule(80, ["0.0.0.0/0"]), rule(443, ["0.0.0.0/0"])]))).toBe(
      "keep",
    );
    expect(
      compared(
        want,
        group([rule(443, ["0.0.0.0/0", "10.0.0.0/8"]), rule(80, ["0.0.0.0/0"]), rule(22, ["1.2.3.4/32"])]),
      ),
    ).toEqual(["ingress"]);
  });

  it("given a target group sent without a deregistration delay, when AWS reports its default of 300 s, then nothing changes; 60 s does", () => {
    const want = targetGroupFields({ Name: "tg", Protocol: "HTTP", Port: 8000, VpcId: "vpc-1", Attributes: [] });
    const found = (delay: string) =>
      targetGroupFields(
        targetGroupAsInput({ TargetGroupName: "tg", Protocol: "HTTP", Port: 8000, VpcId: "vpc-1" }, [
          { Key: "deregistration_delay.timeout_seconds", Value: delay },
          { Key: "stickiness.enabled", Value: "false" },
        ]),
      );

    expect(compared(want, found("300"))).toBe("keep");
    expect(compared(want, found("60"))).toEqual(["deregistration delay"]);
  });
});

describe("an alarm as CloudWatch describes it", () => {
  const input: AlarmInput = {
    AlarmName: "cpu-high",
    AlarmDescription: "CPU above 80%",
    ActionsEnabled: true,
    AlarmActions: ["arn:topic-b", "arn:topic-a"],
    OKActions: [],
    InsufficientDataActions: [],
    Namespace: "AWS/ECS",
    MetricName: "CPUUtilization",
    Dimensions: [
      { Name: "ClusterName", Value: "apps" },
      { Name: "ServiceName", Value: "web" },
    ],
    Statistic: "Average",
    Period: 60,
    EvaluationPeriods: 3,
    Threshold: 80,
    ComparisonOperator: "GreaterThanThreshold",
  };
  const described = (more: Partial<MetricAlarm> = {}): MetricAlarm => ({
    ...input,
    AlarmActions: ["arn:topic-a", "arn:topic-b"],
    OKActions: [],
    Dimensions: [
      { Name: "ServiceName", Value: "web" },
      { Name: "ClusterName", Value: "apps" },
    ],
    DatapointsToAlarm: 3,
    TreatMissingData: "missing",
    ...more,
  });

  it("given its dimensions and actions in another order, and the defaults for missing data and datapoints filled in, when diffed, then nothing changes", () => {
    expect(compared(alarmFields(input), alarmFields(described()))).toBe("keep");
  });

  it("given missing data treated as breaching, or fewer datapoints than periods, when diffed, then exactly that field changes", () => {
    expect(compared(alarmFields(input), alarmFields(described({ TreatMissingData: "breaching" })))).toEqual([
      "treat missing data",
    ]);
    expect(compared(alarmFields(input), alarmFields(described({ DatapointsToAlarm: 2 })))).toEqual([
      "datapoints to alarm",
    ]);
  });
});

describe("a task definition as ECS describes it", () => {
  const sent: Definition = {
    family: "web",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "512",
    memory: "1024",
    containerDefinitions: [
      {
        name: "web",
        image: "repo:1",
        portMappings: [{ containerPort: 8000 }],
        environment: [
          { name: "B", value: "2" },
          { name: "A", value: "1" },
        ],
        secrets: [
          { name: "DB_USER", valueFrom: "arn:secret:username::" },
          { name: "DB_HOST", valueFrom: "arn:secret:host::" },
        ],
        healthCheck: { command: ["CMD-SHELL", "curl -f http://localhost:8000/ || exit 1"] },
      },
    ],
  };
  /** What DescribeTaskDefinition answers: AWS's defaults filled in, environment and secrets in an order of its own. */
  const described = (
    environment = [
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ],
  ): Definition => ({
    ...sent,
    containerDefinitions: [
      {
        name: "web",
        image: "repo:1",
        cpu: 0,
        essential: true,
        portMappings: [{ containerPort: 8000, hostPort: 8000, protocol: "tcp" }],
        environment,
        secrets: [
          { name: "DB_HOST", valueFrom: "arn:secret:host::" },
          { name: "DB_USER", valueFrom: "arn:secret:username::" },
        ],
        mountPoints: [],
        volumesFrom: [],
        systemControls: [],
        healthCheck: {
          command: ["CMD-SHELL", "curl -f http://localhost:8000/ || exit 1"],
          interval: 30,
          timeout: 5,
          retries: 3,
        },
      },
    ],
  });

  it("given the defaults AWS fills in on registration and its own order of environment and secrets, when diffed, then nothing changes", () => {
    expect(compared(definitionFields(sent), definitionFields(described()))).toBe("keep");
  });

  it("given an environment variable with another value, when diffed, then only the environment changes", () => {
    const changed = described([
      { name: "A", value: "1" },
      { name: "B", value: "3" },
    ]);
    expect(compared(definitionFields(sent), definitionFields(changed))).toEqual(["environment"]);
  });
});

describe("a dashboard as CloudWatch returns its body", () => {
  const widget = (title: string) => ({ type: "metric", x: 0, y: 0, properties: { title, region: "us-east-1" } });

  it("given a body whose keys and spacing differ from what was sent, when diffed, then nothing changes; a widget renamed does", () => {
    const sent = JSON.stringify({ widgets: [widget("CPU"), widget("Memory")] });
    const returned = JSON.stringify(
      { widgets: [widget("CPU"), widget("Memory")].map(({ properties, y, x, type }) => ({ properties, y, type, x })) },
      null,
      2,
    );
    const renamed = JSON.stringify({ widgets: [widget("CPU"), widget("RAM")] });

    expect(compared(dashboardFields(sent), dashboardFields(returned))).toBe("keep");
    expect(compared(dashboardFields(sent), dashboardFields(renamed))).toEqual(["widgets", "body"]);
  });
});

describe("a web ACL's rules as WAF returns them", () => {
  const rule = (Priority: number, Name: string, codes?: CountryCode[]): Rule => ({
    Name,
    Priority,
    Statement: codes
      ? { GeoMatchStatement: { CountryCodes: codes } }
      : { RateBasedStatement: { Limit: 2000, AggregateKeyType: "IP" } },
    Action: { Block: {} },
    VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: Name },
  });

  it("given the rules out of priority order and the countries in another order, when diffed, then nothing changes; another country does", () => {
    const want = { rules: describeRules([rule(0, "rate"), rule(1, "geo", ["KP", "IR"])]) };

    expect(compared(want, { rules: describeRules([rule(1, "geo", ["IR", "KP"]), rule(0, "rate")]) })).toBe("keep");
    expect(compared(want, { rules: describeRules([rule(1, "geo", ["IR", "RU"]), rule(0, "rate")]) })).toEqual([
      "rules",
    ]);
  });
});
