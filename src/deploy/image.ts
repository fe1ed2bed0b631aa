// `--image` as users write it: a full reference (registry/repo:tag or repo@sha256:...), or `:tag` for a tag in
// ECR_REPOSITORY_URI. Checked before any AWS call.
import { InputError } from "../core/errors.js";

export interface ImageRef {
  /** What goes into the container definition. */
  uri: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** Set when the repository is in ECR: then DescribeImages, in the URI's region, can tell whether it exists. */
  ecr?: { registryId: string; region: string; repositoryName: string };
}

const REPOSITORY = /^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const ECR = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;

export function parseImage(text: string | undefined, defaultRepository: string | undefined): ImageRef {
  const value = (text ?? "").trim();
  if (!value)
    throw new InputError(
      "--image is empty",
      "pass --image <repository:tag>, or --image :<tag> for a tag in ECR_REPOSITORY_URI",
    );
  let repository: string;
  let tag: string | undefined;
  let digest: string | undefined;
  if (value.startsWith(":")) {
    if (!defaultRepository) throw new InputError(`--image ${value} names a tag, but ECR_REPOSITORY_URI is not set`);
    repository = defaultRepository;
    tag = value.slice(1);
  } else {
    const at = value.indexOf("@");
    const base = at === -1 ? value : value.slice(0, at);
    digest = at === -1 ? undefined : value.slice(at + 1);
    const colon = base.lastIndexOf(":");
    // A colon after the last slash separates the tag; one before it is a registry port.
    if (colon > base.lastIndexOf("/")) {
      repository = base.slice(0, colon);
      tag = base.slice(colon + 1);
    } else repository = base;
  }
  if (!REPOSITORY.test(repository))
    throw new InputError(`--image ${value}: "${repository}" is not an image repository`);
  if (tag !== undefined && !TAG.test(tag)) throw new InputError(`--image ${value}: "${tag}" is not an image tag`);
  if (digest !== undefined && !DIGEST.test(digest))
    throw new InputError(`--image ${value}: "${digest}" is not a sha256 digest`);
  if (tag === undefined && digest === undefined) {
    throw new InputError(
      `--image ${value} has no tag`,
      "name the version to deploy, like :v42 or repo:v42 (not an implicit latest)",
    );
  }
  const uri = `${repository}${tag !== undefined ? `:${tag}` : ""}${digest !== undefined ? `@${digest}` : ""}`;
  const m = ECR.exec(repository);
  const ecr = m ? { registryId: m[1] as string, region: m[2] as string, repositoryName: m[3] as string } : undefined;
  return {
    uri,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    ...(ecr ? { ecr } : {}),
  };
}
