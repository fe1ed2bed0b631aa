import { describe, expect, it } from "vitest";
import { parseImage } from "../../src/deploy/image.js";
import { definitionFields, sameButImage } from "../../src/resources/common/task-definition.js";
import { buildContainer } from "../../src/resources/ecs-service-task-definition/container.js";

const container = buildContainer({
  image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
  containerPort: 8000,
  healthCheckPath: "/health",
  settingsModule: "App.settings",
  databaseName: "app",
  region: "us-east-1",
  secretName: "db",
  secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
  environmentDomain: "https://app.example.com",
  workers: 3,
  logs: { group: "/ecs/app-service", region: "us-east-1" },
});
const sent = {
  family: "app-service-task",
  networkMode: "awsvpc" as const,
  requiresCompatibilities: ["FARGATE" as const],
  cpu: "512",
  memory: "1024",
  containerDefinitions: [container],
};

describe("task definitions compare after normalising what AWS fills in", () => {
  it("treats AWS's defaults and another environment order as the same definition", () => {
    const registered = {
      ...sent,
      revision: 3,
      status: "ACTIVE" as const,
      compatibilities: ["EC2" as const, "FARGATE" as const],
      volumes: [],
      containerDefinitions: [
        {
          ...container,
          cpu: 0,
          essential: true,
          mountPoints: [],
          volumesFrom: [],
          portMappings: [{ containerPort: 8000, hostPort: 8000, protocol: "tcp" as const }],
          environment: [...(container.environment ?? [])].reverse(),
        },
      ],
    };
    expect(definitionFields(registered)).toEqual(definitionFields(sent));
  });

  it("sees a changed image, environment value or size, and tells a new image from any other change", () => {
    const change = (c: Partial<typeof container>, top: Partial<typeof sent> = {}) => ({
      ...sent,
      ...top,
      containerDefinitions: [{ ...container, ...c }],
    });
    const differs = (td: typeof sent) => {
      const [a, b] = [definitionFields(td), definitionFields(sent)];
      return Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    };
    const image = change({ image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v2" });
    expect(differs(image)).toEqual(["image"]);
    expect(sameButImage(image, sent)).toBe(true);
    const env = change({ environment: [{ name: "DATABASE_NAME", value: "other" }] });
    expect(differs(env)).toEqual(["environment"]);
    expect(sameButImage(env, sent)).toBe(false);
    expect(differs(change({}, { memory: "2048" }))).toEqual(["memory"]);
    expect(differs(change({ ulimits: [{ name: "nofile", softLimit: 1024, hardLimit: 4096 }] }))).toEqual([
      "other container settings",
    ]);
  });

  it("never puts a secret value in the environment: credentials are Secrets Manager references", () => {
    expect(container.environment?.map((e) => e.name)).toEqual([
      "DJANGO_SETTINGS_MODULE",
      "AWS_REGION",
      "DB_SECRET_NAME",
      "DATABASE_NAME",
      "ENVIRONMENT_DOMAIN",
    ]);
    expect(container.secrets).toContainEqual({
      name: "DATABASE_PASSWORD",
      valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::",
    });
  });
});

describe("image references", () => {
  const repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app";
  it("reads :tag against ECR_REPOSITORY_URI, and knows the ECR repository", () => {
    expect(parseImage(":v42", repo)).toEqual({
      uri: `${repo}:v42`,
      repository: repo,
      tag: "v42",
      ecr: { registryId: "123456789012", region: "us-east-1", repositoryName: "app" },
    });
  });

  it("reads a registry port as part of the repository, not as a tag", () => {
    expect(parseImage("registry.local:5000/team/app:1.2.3", undefined)).toMatchObject({
      repository: "registry.local:5000/team/app",
      tag: "1.2.3",
    });
  });

  it("takes a digest", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(parseImage(`${repo}@${digest}`, undefined)).toMatchObject({ uri: `${repo}@${digest}`, digest });
  });

  it("refuses what is not an image, and an implicit latest", () => {
    expect(() => parseImage("  ", repo)).toThrow(/--image is empty/);
    expect(() => parseImage(":bad tag", repo)).toThrow(/is not an image tag/);
    expect(() => parseImage(repo, repo)).toThrow(/has no tag/);
    expect(() => parseImage(":v1", undefined)).toThrow(/ECR_REPOSITORY_URI is not set/);
  });
});
