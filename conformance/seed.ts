// The earlier phases' prerequisites, made in the endpoint's account through the SDK (docs/earlier-scripts.md: what
// infra builds on): a VPC with two public and two private subnets in two zones, the backend security group, the ECS
// cluster, the task execution and task roles, the database secret, an ECR repository with images, the database and
// the domain's hosted zone. Each is found first (by name or tag) and made only when missing, so a second run on the
// same endpoint reuses them. Returns the env file lines that point at them.
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { CreateClusterCommand, ECSClient } from "@aws-sdk/client-ecs";
import { CreateRoleCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateDBInstanceCommand, DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { CreateHostedZoneCommand, ListHostedZonesByNameCommand, Route53Client } from "@aws-sdk/client-route-53";
import { CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { awsErrorCode } from "../src/core/errors.js";

export interface Endpoint {
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export const PROJECT = "startupwebapp";
export const DOMAIN = "startupwebapp.com";
export const IMAGE_TAGS = ["latest", "v1", "v2", "v3"];
const DATABASE = `${PROJECT}-multi-tenant-prod`;
const SECRET = `rds/${PROJECT}/multi-tenant/master`;

/** Makes what is missing and answers the env file's input lines. */
export async function seed(endpoint: Endpoint): Promise<string> {
  const config = { region: endpoint.region, endpoint: endpoint.url, credentials: endpoint.credentials };
  const network = await seedNetwork(new EC2Client(config));
  const [roles, secretArn, repositoryUri, zoneId] = await Promise.all([
    seedRoles(new IAMClient(config)),
    seedSecret(new SecretsManagerClient(config)),
    seedRepository(new ECRClient(config)),
    seedZone(new Route53Client(config)),
    new ECSClient(config).send(new CreateClusterCommand({ clusterName: `${PROJECT}-cluster` })),
  ]);
  await seedDatabase(new RDSClient(config));
  return [
    `AWS_REGION="${endpoint.region}"`,
    `PROJECT_NAME="${PROJECT}"`,
    `ENVIRONMENT="production"`,
    `VPC_ID="${network.vpc}"`,
    `PUBLIC_SUBNET_1_ID="${network.subnets.public1}"`,
    `PUBLIC_SUBNET_2_ID="${network.subnets.public2}"`,
    `PRIVATE_SUBNET_1_ID="${network.subnets.private1}"`,
    `PRIVATE_SUBNET_2_ID="${network.subnets.private2}"`,
    `BACKEND_SECURITY_GROUP_ID="${network.backendGroup}"`,
    `DOMAIN_NAME="${DOMAIN}"`,
    `API_DOMAIN_NAME="api.${DOMAIN}"`,
    `HOSTED_ZONE_ID="${zoneId}"`,
    `ECS_CLUSTER_NAME="${PROJECT}-cluster"`,
    `ECR_REPOSITORY_URI="${repositoryUri}"`,
    `ECS_TASK_EXECUTION_ROLE_ARN="${roles.execution}"`,
    `ECS_TASK_ROLE_ARN="${roles.task}"`,
    `DB_SECRET_NAME="${SECRET}"`,
    `DB_SECRET_ARN="${secretArn}"`,
    `DATABASE_NAME="${PROJECT}"`,
    `RDS_INSTANCE_ID="${DATABASE}"`,
    `ALARM_EMAIL="ops@${DOMAIN}"`,
  ].join("\n");
}

const named = (name: string) => [{ ResourceType: "vpc" as const, Tags: [{ Key: "Name", Value: name }] }];

async function seedNetwork(ec2: EC2Client) {
  const vpcName = `${PROJECT}-vpc`;
  const found = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: [vpcName] }] }));
  const vpc =
    found.Vpcs?.[0]?.VpcId ??
    (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16", TagSpecifications: named(vpcName) }))).Vpc?.VpcId;
  if (!vpc) throw new Error("the endpoint made no VPC");
  const region = await ec2.config.region();
  const zones = [`${region}a`, `${region}b`];
  const subnet = async (name: string, cidr: string, zone: number) => {
    const have = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpc] },
          { Name: "tag:Name", Values: [name] },
        ],
      }),
    );
    const id =
      have.Subnets?.[0]?.SubnetId ??
      (
        await ec2.send(
          new CreateSubnetCommand({
            VpcId: vpc,
            CidrBlock: cidr,
            AvailabilityZone: zones[zone],
            TagSpecifications: [{ ResourceType: "subnet", Tags: [{ Key: "Name", Value: name }] }],
          }),
        )
      ).Subnet?.SubnetId;
    if (!id) throw new Error(`the endpoint made no subnet ${name}`);
    return id;
  };
  const subnets = {
    public1: await subnet(`${PROJECT}-public-1`, "10.0.1.0/24", 0),
    public2: await subnet(`${PROJECT}-public-2`, "10.0.2.0/24", 1),
    private1: await subnet(`${PROJECT}-private-1`, "10.0.11.0/24", 0),
    private2: await subnet(`${PROJECT}-private-2`, "10.0.12.0/24", 1),
  };
  const groupName = `${PROJECT}-backend-sg`;
  const group = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: "vpc-id", Values: [vpc] },
        { Name: "group-name", Values: [groupName] },
      ],
    }),
  );
  const backendGroup =
    group.SecurityGroups?.[0]?.GroupId ??
    (
      await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: groupName, Description: "the service's tasks", VpcId: vpc }),
      )
    ).GroupId;
  if (!backendGroup) throw new Error("the endpoint made no security group");
  return { vpc, subnets, backendGroup };
}

const TASKS_MAY_ASSUME = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

async function seedRoles(iam: IAMClient) {
  const role = async (RoleName: string) => {
    const arn = await iam.send(new GetRoleCommand({ RoleName })).then(
      (out) => out.Role?.Arn,
      (err) => {
        if (awsErrorCode(err) !== "NoSuchEntityException" && awsErrorCode(err) !== "NoSuchEntity") throw err;
        return undefined;
      },
    );
    return (
      arn ??
      (await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TASKS_MAY_ASSUME }))).Role?.Arn ??
      ""
    );
  };
  return { execution: await role("ecsTaskExecutionRole"), task: await role(`${PROJECT}-task-role`) };
}

async function seedSecret(secrets: SecretsManagerClient): Promise<string> {
  const found = await secrets.send(new DescribeSecretCommand({ SecretId: SECRET })).then(
    (out) => out.ARN,
    () => undefined,
  );
  if (found) return found;
  const value = { username: "django", password: "conformance-only", host: "db.internal", port: 5432 };
  const made = await secrets.send(new CreateSecretCommand({ Name: SECRET, SecretString: JSON.stringify(value) }));
  return made.ARN ?? "";
}

/** The repository, with an image under each tag (each its own digest, so deploying another tag is a change). */
async function seedRepository(ecr: ECRClient): Promise<string> {
  const found = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [PROJECT] })).then(
    (out) => out.repositories?.[0],
    () => undefined,
  );
  const repository = found ?? (await ecr.send(new CreateRepositoryCommand({ repositoryName: PROJECT }))).repository;
  for (const imageTag of IMAGE_TAGS) {
    await ecr
      .send(new PutImageCommand({ repositoryName: PROJECT, imageTag, imageManifest: manifest(imageTag) }))
      .catch((err) => {
        if (awsErrorCode(err) !== "ImageAlreadyExistsException") throw err;
      });
  }
  return repository?.repositoryUri ?? "";
}

function manifest(tag: string): string {
  const digest = (seed: string) => `sha256:${Buffer.from(seed.padEnd(32, ".")).toString("hex").slice(0, 64)}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: {
      mediaType: "application/vnd.docker.container.image.v1+json",
      size: 1000,
      digest: digest(`config ${tag}`),
    },
    layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: 2000, digest: digest(tag) }],
  });
}

async function seedZone(route53: Route53Client): Promise<string> {
  const listed = await route53.send(new ListHostedZonesByNameCommand({ DNSName: DOMAIN, MaxItems: 1 }));
  const zone = listed.HostedZones?.find((z) => z.Name === `${DOMAIN}.`);
  const id =
    zone?.Id ??
    (await route53.send(new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: `conformance-${Date.now()}` })))
      .HostedZone?.Id;
  return (id ?? "").replace(/^\/hostedzone\//, "");
}

async function seedDatabase(rds: RDSClient): Promise<void> {
  const exists = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: DATABASE })).then(
    (out) => (out.DBInstances?.length ?? 0) > 0,
    () => false,
  );
  if (exists) return;
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: DATABASE,
      Engine: "postgres",
      DBInstanceClass: "db.t4g.micro",
      AllocatedStorage: 20,
      MasterUsername: "django",
      MasterUserPassword: "conformance-only",
      BackupRetentionPeriod: 7,
    }),
  );
}
