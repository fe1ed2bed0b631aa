// ECR, as `deploy` reads it: DescribeImages by tag or digest. Repositories live in a registry (an account) and a
// region, as in AWS: a client of another region sees another set. Every push is a new image with its own digest,
// and pushing a tag that exists moves it to the new image (the old one stays, untagged unless it has other tags).
// Another account's repository answers only when its repository policy lets this account read it; otherwise, and
// when there is no such repository, AccessDeniedException (docs/aws-behaviours.md, "ECR").
import { createHash } from "node:crypto";
import {
  DescribeImagesCommand,
  ECRClient,
  type ImageIdentifier,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from "@aws-sdk/client-ecr";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { modeled, unmodeled } from "./errors.js";

export const HOME_REGION = "us-east-1";

export interface EcrImage {
  digest: string;
  tags: string[];
  pushedAt: number;
}

export interface EcrRepository {
  registryId: string;
  region: string;
  name: string;
  images: EcrImage[];
  /** Accounts the repository policy lets describe and pull its images (its own account always can). */
  readers: string[];
  /** Accounts the repository policy lets pull its images (BatchGetImage) but not describe them. */
  pullers: string[];
}

/** Where a repository is: its registry (account) and region; this account's and us-east-1 unless said. */
export interface Where {
  registryId?: string;
  region?: string;
}

export class EcrModel {
  readonly name = "ECR";
  readonly client = ECRClient;
  /** "<registry>/<region>/<name>" -> the repository. The prerequisites include startupwebapp:latest. */
  readonly repositories = new Map<string, EcrRepository>();
  private pushes = 0;

  readonly handlers: ServiceModel["handlers"] = [
    [DescribeImagesCommand, (i, call) => this.describeImages(i, call?.region ?? HOME_REGION)],
  ];

  constructor(private readonly fake?: Fake) {
    this.push("startupwebapp", "latest");
  }

  /** Pushes a new image under the tag (moving the tag when it exists); returns its URI by tag. */
  push(repository: string, tag: string, where: Where = {}): string {
    const repo = this.repository(repository, where, true) as EcrRepository;
    for (const image of repo.images) image.tags = image.tags.filter((t) => t !== tag);
    const digest = `sha256:${createHash("sha256")
      .update(`${repo.registryId}/${repo.region}/${repository}:${tag}#${++this.pushes}`)
      .digest("hex")}`;
    repo.images.push({ digest, tags: [tag], pushedAt: this.fake?.clock?.now() ?? 0 });
    return `${uriOf(repo)}:${tag}`;
  }

  /** The digest a tag names now, or undefined (ECS resolves a tag through this when a deployment starts). */
  digestOf(repository: string, tag: string, where: Where = {}): string | undefined {
    return this.repository(repository, where)?.images.find((i) => i.tags.includes(tag))?.digest;
  }

  /** Whether an image with this digest is in the repository. */
  hasDigest(repository: string, digest: string, where: Where = {}): boolean {
    return Boolean(this.repository(repository, where)?.images.some((i) => i.digest === digest));
  }

  /**
   * What a pull of this reference by this account finds: the digest it names (a digest wins over a tag, and no tag
   * means "latest", as for docker pull), "not found" (no such repository, tag or digest), or "denied" (another
   * account's repository whose policy does not share it).
   */
  pull(ref: EcrRef): { digest: string } | { error: "not found" | "denied" } {
    const repo = this.repository(ref.repository, ref.where);
    const shared = repo?.readers.includes(ACCOUNT) || repo?.pullers.includes(ACCOUNT);
    if (ref.where.registryId !== ACCOUNT && !shared) return { error: "denied" };
    const image = ref.digest
      ? repo?.images.find((i) => i.digest === ref.digest)
      : repo?.images.find((i) => i.tags.includes(ref.tag ?? "latest"));
    return image ? { digest: image.digest } : { error: "not found" };
  }

  /**
   * The repository policy lets this account describe and pull the repository's images, or (`pullOnly`) pull them
   * only, as a policy written for ECS commonly does: then DescribeImages is still AccessDenied.
   */
  share(repository: string, where: Where, { pullOnly = false } = {}): void {
    const repo = this.repository(repository, where, true) as EcrRepository;
    const list = pullOnly ? repo.pullers : repo.readers;
    if (!list.includes(ACCOUNT)) list.push(ACCOUNT);
  }

  private repository(name: string, where: Where, create = false): EcrRepository | undefined {
    const registryId = where.registryId ?? ACCOUNT;
    const region = where.region ?? HOME_REGION;
    const key = `${registryId}/${region}/${name}`;
    let repo = this.repositories.get(key);
    if (!repo && create) {
      repo = { registryId, region, name, images: [], readers: [], pullers: [] };
      this.repositories.set(key, repo);
    }
    return repo;
  }

  private describeImages(
    input: { repositoryName: string; registryId?: string; imageIds?: ImageIdentifier[] },
    region: string,
  ) {
    const registryId = input.registryId ?? ACCOUNT;
    const repo = this.repository(input.repositoryName, { registryId, region });
    if (registryId !== ACCOUNT && !repo?.readers.includes(ACCOUNT)) {
      throw unmodeled(
        "AccessDeniedException",
        `User: arn:aws:iam::${ACCOUNT}:user/infra is not authorized to perform: ecr:DescribeImages on resource: arn:aws:ecr:${region}:${registryId}:repository/${input.repositoryName} because no resource-based policy allows the ecr:DescribeImages action`,
      );
    }
    if (!repo) {
      throw modeled(
        RepositoryNotFoundException,
        `The repository with name '${input.repositoryName}' does not exist in the registry with id '${registryId}'`,
      );
    }
    const images = input.imageIds?.length
      ? input.imageIds.map((id) => {
          const found = repo.images.find(
            (i) =>
              (id.imageTag !== undefined || id.imageDigest !== undefined) &&
              (id.imageTag === undefined || i.tags.includes(id.imageTag)) &&
              (id.imageDigest === undefined || i.digest === id.imageDigest),
          );
          if (!found) {
            throw modeled(
              ImageNotFoundException,
              `The image with imageId {imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'} does not exist within the repository with name '${input.repositoryName}' in the registry with id '${registryId}'`,
            );
          }
          return found;
        })
      : repo.images;
    return {
      imageDetails: images.map((i) => ({
        registryId,
        repositoryName: repo.name,
        imageDigest: i.digest,
        ...(i.tags.length ? { imageTags: [...i.tags] } : {}),
        imagePushedAt: new Date(i.pushedAt),
        imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
      })),
    };
  }
}

export const uriOf = (repo: Pick<EcrRepository, "registryId" | "region" | "name">) =>
  `${repo.registryId}.dkr.ecr.${repo.region}.amazonaws.com/${repo.name}`;

const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([\w][\w.-]*))?(?:@(sha256:[a-f0-9]{64}))?$/;

/** An image reference in an ECR repository: its registry and region, repository, tag and/or digest. */
export interface EcrRef {
  where: Required<Where>;
  repository: string;
  tag?: string;
  digest?: string;
}

/** An image URI as ECR's parts, when it names an ECR repository. */
export function parseEcrImage(image: string): EcrRef | undefined {
  const m = ECR_IMAGE.exec(image);
  if (!m) return undefined;
  return {
    where: { registryId: m[1] as string, region: m[2] as string },
    repository: m[3] as string,
    ...(m[4] ? { tag: m[4] } : {}),
    ...(m[5] ? { digest: m[5] } : {}),
  };
}
