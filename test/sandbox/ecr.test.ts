// The ECR fake behaves as AWS does (docs/aws-behaviours.md, "ECR"): checked with real SDK clients.
import {
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from "@aws-sdk/client-ecr";
import { describe, expect, it } from "vitest";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const ecr = (region = "us-east-1") => new ECRClient({ region });
const OTHER_ACCOUNT = "210987654321";

describe("the ECR fake", () => {
  it("moves a tag pushed again to the new image, and keeps the old image, untagged, under its digest", async () => {
    fake.current.ecr.push("web", "latest");
    const first = await ecr().send(
      new DescribeImagesCommand({ repositoryName: "web", imageIds: [{ imageTag: "latest" }] }),
    );
    const before = first.imageDetails?.[0]?.imageDigest;
    expect(before).toMatch(/^sha256:[a-f0-9]{64}$/);

    fake.current.ecr.push("web", "latest");
    const second = await ecr().send(
      new DescribeImagesCommand({ repositoryName: "web", imageIds: [{ imageTag: "latest" }] }),
    );
    const after = second.imageDetails?.[0]?.imageDigest;
    expect(after).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(after).not.toBe(before);
    const old = await ecr().send(
      new DescribeImagesCommand({ repositoryName: "web", imageIds: [{ imageDigest: before as string }] }),
    );
    expect(old.imageDetails?.[0]?.imageTags).toBeUndefined();
    // Asked by tag and digest together, an image must match both.
    await expect(
      ecr().send(
        new DescribeImagesCommand({
          repositoryName: "web",
          imageIds: [{ imageTag: "latest", imageDigest: before as string }],
        }),
      ),
    ).rejects.toThrow(ImageNotFoundException);
  });

  it("keeps repositories per region: a repository in eu-west-1 does not exist for a client of us-east-1", async () => {
    fake.current.ecr.push("web", "v1", { region: "eu-west-1" });
    const there = await ecr("eu-west-1").send(
      new DescribeImagesCommand({ repositoryName: "web", imageIds: [{ imageTag: "v1" }] }),
    );
    expect(there.imageDetails?.[0]?.imageTags).toEqual(["v1"]);
    await expect(
      ecr("us-east-1").send(new DescribeImagesCommand({ repositoryName: "web", imageIds: [{ imageTag: "v1" }] })),
    ).rejects.toThrow(RepositoryNotFoundException);
    expect(fake.current.calls.map((c) => c.region)).toEqual(["eu-west-1", "us-east-1"]);
  });

  it("answers another account's repository only when its repository policy lets this account read it", async () => {
    fake.current.ecr.push("shared", "v1", { registryId: OTHER_ACCOUNT });
    const describe = (repositoryName: string) =>
      ecr().send(
        new DescribeImagesCommand({ registryId: OTHER_ACCOUNT, repositoryName, imageIds: [{ imageTag: "v1" }] }),
      );
    // Without a policy, and for a repository that does not exist at all, AWS says the same: access denied.
    await expect(describe("shared")).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringMatching(/because no resource-based policy allows the ecr:DescribeImages action/),
    });
    await expect(describe("missing")).rejects.toMatchObject({ name: "AccessDeniedException" });
    fake.current.ecr.share("shared", { registryId: OTHER_ACCOUNT });
    const out = await describe("shared");
    expect(out.imageDetails?.[0]).toMatchObject({ registryId: OTHER_ACCOUNT, imageTags: ["v1"] });
  });

  it("a repository policy that grants pulling only still refuses DescribeImages, while ECS may pull from it", async () => {
    // Given another account's repository whose policy lets this account pull (BatchGetImage) but not describe,
    fake.current.ecr.push("pullable", "v1", { registryId: OTHER_ACCOUNT });
    fake.current.ecr.share("pullable", { registryId: OTHER_ACCOUNT }, { pullOnly: true });
    // then DescribeImages is refused,
    await expect(
      ecr().send(
        new DescribeImagesCommand({
          registryId: OTHER_ACCOUNT,
          repositoryName: "pullable",
          imageIds: [{ imageTag: "v1" }],
        }),
      ),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
    // and a pull of the tag finds its image; a tag it lacks is not found, another repository is still denied.
    const where = { registryId: OTHER_ACCOUNT, region: "us-east-1" };
    const digest = fake.current.ecr.digestOf("pullable", "v1", { registryId: OTHER_ACCOUNT });
    expect(fake.current.ecr.pull({ where, repository: "pullable", tag: "v1" })).toEqual({ digest });
    expect(fake.current.ecr.pull({ where, repository: "pullable", tag: "v2" })).toEqual({ error: "not found" });
    expect(fake.current.ecr.pull({ where, repository: "other", tag: "v1" })).toEqual({ error: "denied" });
  });
});
