// What EC2, Elastic Load Balancing, ACM, Route 53 and WAF authorize for the calls the fake models (authorization.ts).
// Tagging at creation is authorized as its own action too, with the create action named in ec2:CreateAction or
// elasticloadbalancing:CreateAction ("Grant permission to tag resources during creation", EC2 and ELB user guides).
import { type Authorization, type Authorize, NEW_ID, on, requestTags, unscoped, type Where } from "./authorization.js";

const EC2 = (op: string) => `ec2:${op}`;
const ELB = (op: string) => `elasticloadbalancing:${op}`;

const securityGroup = (at: Where, id: string) => at.arn("ec2", `security-group/${id}`);
const onExisting = (action: string, arn: string, at: Where, extra = {}) =>
  on(action, arn, { ...at.resourceTags(arn), ...extra });

/** TagSpecifications' tags for one resource type. */
const specTags = (specs: { ResourceType?: string; Tags?: [] }[] | undefined, type: string) =>
  (specs ?? []).filter((s) => s.ResourceType === type).flatMap((s) => s.Tags ?? []);

export const EC2_AUTHORIZATION: Record<string, Authorize> = {
  DescribeSecurityGroups: unscoped(EC2("DescribeSecurityGroups")),
  DescribeSubnets: unscoped(EC2("DescribeSubnets")),
  DescribeNetworkInterfaces: unscoped(EC2("DescribeNetworkInterfaces")),
  CreateSecurityGroup: (i, at) => {
    const tags = requestTags(specTags(i.TagSpecifications, "security-group"));
    const group = securityGroup(at, `sg-${NEW_ID}`);
    return [
      on(EC2("CreateSecurityGroup"), group, tags),
      onExisting(EC2("CreateSecurityGroup"), at.arn("ec2", `vpc/${i.VpcId}`), at),
      ...(Object.keys(tags).length
        ? [on(EC2("CreateTags"), group, { ...tags, "ec2:CreateAction": "CreateSecurityGroup" })]
        : []),
    ];
  },
  AuthorizeSecurityGroupIngress: (i, at) => {
    const tags = requestTags(specTags(i.TagSpecifications, "security-group-rule"));
    const rule = at.arn("ec2", `security-group-rule/sgr-${NEW_ID}`);
    return [
      onExisting(EC2("AuthorizeSecurityGroupIngress"), securityGroup(at, i.GroupId), at),
      ...(Object.keys(tags).length
        ? [
            on(EC2("AuthorizeSecurityGroupIngress"), rule, tags),
            on(EC2("CreateTags"), rule, { ...tags, "ec2:CreateAction": "AuthorizeSecurityGroupIngress" }),
          ]
        : []),
    ];
  },
  RevokeSecurityGroupIngress: (i, at) => [
    onExisting(EC2("RevokeSecurityGroupIngress"), securityGroup(at, i.GroupId), at),
  ],
  AuthorizeSecurityGroupEgress: (i, at) => [
    onExisting(EC2("AuthorizeSecurityGroupEgress"), securityGroup(at, i.GroupId), at),
  ],
  RevokeSecurityGroupEgress: (i, at) => [
    onExisting(EC2("RevokeSecurityGroupEgress"), securityGroup(at, i.GroupId), at),
  ],
  DeleteSecurityGroup: (i, at) => [onExisting(EC2("DeleteSecurityGroup"), securityGroup(at, i.GroupId), at)],
  CreateTags: (i, at) =>
    (i.Resources ?? []).map((id: string) =>
      onExisting(
        EC2("CreateTags"),
        id.startsWith("sg-") ? securityGroup(at, id) : at.arn("ec2", id),
        at,
        requestTags(i.Tags),
      ),
    ),
};

/** The ARN of a listener of a load balancer: listener/app/<name>/<lb id>/<listener id>. */
const listenerOf = (loadBalancerArn: string, id: string) =>
  `${loadBalancerArn.replace(":loadbalancer/", ":listener/")}/${id}`;

const elbOn =
  (op: string, field: string): Authorize =>
  (i, at) => [onExisting(ELB(op), i[field], at)];

/** A create that tags: the create on the new object, and AddTags on it with the create named. */
const elbCreate = (op: string, arn: string, tags: Record<string, unknown>[] | undefined): Authorization[] => {
  const context = requestTags(tags);
  return [
    on(ELB(op), arn, context),
    ...(tags?.length ? [on(ELB("AddTags"), arn, { ...context, "elasticloadbalancing:CreateAction": op })] : []),
  ];
};

export const ELB_AUTHORIZATION: Record<string, Authorize> = {
  ...Object.fromEntries(
    [
      "DescribeLoadBalancers",
      "DescribeLoadBalancerAttributes",
      "DescribeTargetGroups",
      "DescribeTargetGroupAttributes",
      "DescribeListeners",
      "DescribeTags",
      "DescribeTargetHealth",
    ].map((op) => [op, unscoped(ELB(op))]),
  ),
  CreateLoadBalancer: (i, at) => [
    ...elbCreate("CreateLoadBalancer", at.arn("elasticloadbalancing", `loadbalancer/app/${i.Name}/${NEW_ID}`), i.Tags),
    on(
      "iam:CreateServiceLinkedRole",
      `arn:aws:iam::${at.account}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
      {
        "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com",
      },
    ),
  ],
  CreateTargetGroup: (i, at) =>
    elbCreate("CreateTargetGroup", at.arn("elasticloadbalancing", `targetgroup/${i.Name}/${NEW_ID}`), i.Tags),
  CreateListener: (i, at) => {
    const context = requestTags(i.Tags);
    return [
      onExisting(ELB("CreateListener"), i.LoadBalancerArn, at, context),
      ...(i.Tags?.length
        ? [
            on(ELB("AddTags"), listenerOf(i.LoadBalancerArn, NEW_ID), {
              ...context,
              "elasticloadbalancing:CreateAction": "CreateListener",
            }),
          ]
        : []),
    ];
  },
  AddTags: (i, at) =>
    (i.ResourceArns ?? []).map((arn: string) => onExisting(ELB("AddTags"), arn, at, requestTags(i.Tags))),
  DeleteLoadBalancer: elbOn("DeleteLoadBalancer", "LoadBalancerArn"),
  ModifyLoadBalancerAttributes: elbOn("ModifyLoadBalancerAttributes", "LoadBalancerArn"),
  SetSecurityGroups: elbOn("SetSecurityGroups", "LoadBalancerArn"),
  SetSubnets: elbOn("SetSubnets", "LoadBalancerArn"),
  SetIpAddressType: elbOn("SetIpAddressType", "LoadBalancerArn"),
  ModifyTargetGroup: elbOn("ModifyTargetGroup", "TargetGroupArn"),
  ModifyTargetGroupAttributes: elbOn("ModifyTargetGroupAttributes", "TargetGroupArn"),
  DeleteTargetGroup: elbOn("DeleteTargetGroup", "TargetGroupArn"),
  ModifyListener: elbOn("ModifyListener", "ListenerArn"),
  DeleteListener: elbOn("DeleteListener", "ListenerArn"),
};

export const ACM_AUTHORIZATION: Record<string, Authorize> = {
  RequestCertificate: (i, at) => {
    const context = requestTags(i.Tags);
    return [
      on("acm:RequestCertificate", "*", context),
      // Tags given to RequestCertificate are added with the caller's AddTagsToCertificate (ACM user guide, "Tagging").
      ...(i.Tags?.length ? [on("acm:AddTagsToCertificate", at.arn("acm", `certificate/${NEW_ID}`), context)] : []),
    ];
  },
  ListCertificates: unscoped("acm:ListCertificates"),
  DescribeCertificate: (i, at) => [onExisting("acm:DescribeCertificate", i.CertificateArn, at)],
  DeleteCertificate: (i, at) => [onExisting("acm:DeleteCertificate", i.CertificateArn, at)],
  ListTagsForCertificate: (i, at) => [onExisting("acm:ListTagsForCertificate", i.CertificateArn, at)],
  AddTagsToCertificate: (i, at) => [onExisting("acm:AddTagsToCertificate", i.CertificateArn, at, requestTags(i.Tags))],
  RemoveTagsFromCertificate: (i, at) => [onExisting("acm:RemoveTagsFromCertificate", i.CertificateArn, at)],
};

/** Route 53's ARNs name no region or account. */
const zone = (id: string | undefined) => `arn:aws:route53:::hostedzone/${(id ?? "").replace("/hostedzone/", "")}`;

/** The record names, types and actions of a change batch, as the route53:ChangeResourceRecordSets* keys give them. */
function recordChanges(batch: {
  Changes?: { Action?: string; ResourceRecordSet?: { Name?: string; Type?: string } }[];
}) {
  const changes = batch?.Changes ?? [];
  const names = changes.map((c) => (c.ResourceRecordSet?.Name ?? "").toLowerCase().replace(/\.$/, ""));
  return {
    "route53:ChangeResourceRecordSetsNormalizedRecordNames": [...new Set(names)],
    "route53:ChangeResourceRecordSetsRecordTypes": [...new Set(changes.map((c) => c.ResourceRecordSet?.Type ?? ""))],
    "route53:ChangeResourceRecordSetsActions": [...new Set(changes.map((c) => c.Action ?? ""))],
  };
}

export const ROUTE53_AUTHORIZATION: Record<string, Authorize> = {
  CreateHostedZone: unscoped("route53:CreateHostedZone"),
  ListHostedZonesByName: unscoped("route53:ListHostedZonesByName"),
  GetHostedZone: (i) => [on("route53:GetHostedZone", zone(i.Id))],
  DeleteHostedZone: (i) => [on("route53:DeleteHostedZone", zone(i.Id))],
  ListResourceRecordSets: (i) => [on("route53:ListResourceRecordSets", zone(i.HostedZoneId))],
  ChangeResourceRecordSets: (i) => [
    on("route53:ChangeResourceRecordSets", zone(i.HostedZoneId), recordChanges(i.ChangeBatch)),
  ],
  GetChange: (i) => [on("route53:GetChange", `arn:aws:route53:::change/${String(i.Id).replace("/change/", "")}`)],
  ChangeTagsForResource: (i) => [on("route53:ChangeTagsForResource", zone(i.ResourceId))],
  ListTagsForResource: (i) => [on("route53:ListTagsForResource", zone(i.ResourceId))],
};

const webAcl = (at: Where, name: string, id: string) => at.arn("wafv2", `regional/webacl/${name}/${id}`);

export const WAF_AUTHORIZATION: Record<string, Authorize> = {
  ListWebACLs: unscoped("wafv2:ListWebACLs"),
  CreateWebACL: (i, at) => {
    const arn = webAcl(at, i.Name, NEW_ID);
    const context = requestTags(i.Tags);
    return [on("wafv2:CreateWebACL", arn, context), ...(i.Tags?.length ? [on("wafv2:TagResource", arn, context)] : [])];
  },
  GetWebACL: (i, at) => [onExisting("wafv2:GetWebACL", webAcl(at, i.Name, i.Id), at)],
  UpdateWebACL: (i, at) => [onExisting("wafv2:UpdateWebACL", webAcl(at, i.Name, i.Id), at)],
  DeleteWebACL: (i, at) => [onExisting("wafv2:DeleteWebACL", webAcl(at, i.Name, i.Id), at)],
  // The load balancer's side of an association: its own permissions (ELB's actions "WAF WebACL" and SetWebAcl).
  AssociateWebACL: (i, at) => [
    onExisting("wafv2:AssociateWebACL", i.WebACLArn, at),
    onExisting("wafv2:AssociateWebACL", i.ResourceArn, at),
    on(ELB("SetWebAcl"), "*"),
    onExisting(ELB("CreateWebACLAssociation"), i.ResourceArn, at),
  ],
  DisassociateWebACL: (i, at) => [
    onExisting("wafv2:DisassociateWebACL", i.ResourceArn, at),
    on(ELB("SetWebAcl"), "*"),
    onExisting(ELB("DeleteWebACLAssociation"), i.ResourceArn, at),
  ],
  GetWebACLForResource: (i, at) => {
    const acl = at.fake.waf.associations.get(i.ResourceArn);
    return [
      onExisting("wafv2:GetWebACLForResource", i.ResourceArn, at),
      ...(acl ? [onExisting("wafv2:GetWebACLForResource", acl, at)] : []),
      onExisting(ELB("GetLoadBalancerWebACL"), i.ResourceArn, at),
    ];
  },
  ListResourcesForWebACL: (i, at) => [onExisting("wafv2:ListResourcesForWebACL", i.WebACLArn, at)],
  TagResource: (i, at) => [onExisting("wafv2:TagResource", i.ResourceARN, at, requestTags(i.Tags))],
  UntagResource: (i, at) => [onExisting("wafv2:UntagResource", i.ResourceARN, at)],
  ListTagsForResource: (i, at) => [onExisting("wafv2:ListTagsForResource", i.ResourceARN, at)],
};
