// ECR, as `deploy` checks an image before using it: DescribeImages by tag or digest.
import {
  DescribeImagesCommand,
  ECRClient,
  type ImageIdentifier,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from "@aws-sdk/client-ecr";
import type { ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { modeled } from "./errors.js";

export class EcrModel {
  readonly name = "ECR";
  readonly client = ECRClient;
  /** Repository name -> tags pushed. The prerequisites include startupwebapp:latest. */
  readonly repositories = new Map<string, Set<string>>([["startupwebapp", new Set(["latest"])]]);

  readonly handlers: ServiceModel["handlers"] = [[DescribeImagesCommand, (i) => this.describeImages(i)]];

  push(repository: string, tag: string): string {
    const tags = this.repositories.get(repository) ?? new Set<string>();
    tags.add(tag);
    this.repositories.set(repository, tags);
    return `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${repository}:${tag}`;
  }

  private describeImages(input: { repositoryName: string; registryId?: string; imageIds?: ImageIdentifier[] }) {
    const tags = this.repositories.get(input.repositoryName);
    if (!tags || (input.registryId && input.registryId !== ACCOUNT)) {
      throw modeled(
        RepositoryNotFoundException,
        `The repository with name '${input.repositoryName}' does not exist in the registry with id '${input.registryId ?? ACCOUNT}'`,
      );
    }
    const ids: ImageIdentifier[] = input.imageIds ?? [...tags].map((imageTag) => ({ imageTag }));
    for (const id of ids) {
      if (id.imageDigest || !id.imageTag || !tags.has(id.imageTag)) {
        throw modeled(
          ImageNotFoundException,
          `The image with imageId {imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'} does not exist within the repository with name '${input.repositoryName}'`,
        );
      }
    }
    return {
      imageDetails: ids.map((id) => ({
        repositoryName: input.repositoryName,
        registryId: ACCOUNT,
        imageTags: [id.imageTag],
      })),
    };
  }
}
