// What counts as "this endpoint does not support that", and what a call infra can do without becomes then: one
// warning for the run, the call not made again. Answers are real HTTP answers on 127.0.0.1, read by the real SDK.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApplicationAutoScalingClient, ListTagsForResourceCommand } from "@aws-sdk/client-application-auto-scaling";
import { afterEach, describe, expect, it } from "vitest";
import { awsStep } from "../../src/core/errors.js";
import { optional } from "../../src/core/unsupported.js";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { contextFor, tempEnvFile } from "../helpers.js";

let server: Server | undefined;
afterEach(() => server?.close());

/** A server that answers every request with this status, content type and body; counts the requests. */
async function answering(status: number, type: string, body: string, headers: Record<string, string> = {}) {
  const seen = { requests: 0 };
  server = createServer((_req, res) => {
    seen.requests++;
    res.writeHead(status, { "content-type": type, ...headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const client = new ApplicationAutoScalingClient({
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
  return { seen, send: () => client.send(new ListTagsForResourceCommand({ ResourceARN: "arn:aws:x" })) };
}

const CALL = {
  resource: "ecs-autoscaling",
  operation: "application-autoscaling ListTagsForResource",
  without: "by the record",
};

describe("a call infra can do without", () => {
  it("degrades on an emulator's plain 500 page (no AWS error in it) to one warning, and is not made again in the run", async () => {
    // Given an endpoint that answers an operation it has not implemented with an HTML error page, as moto does
    const endpoint = await answering(500, "text/html", "<!doctype html><title>500 Internal Server Error</title>");
    const ctx = await contextFor(new AwsFake(), tempEnvFile());

    // When the call is made twice in one run
    const first = await optional(ctx, CALL, endpoint.send);
    const second = await optional(ctx, CALL, endpoint.send);

    // Then neither answers, the endpoint was asked once, and the run says so once, with what the endpoint answered
    expect([first, second]).toEqual([undefined, undefined]);
    expect(endpoint.seen.requests).toBe(1);
    const warnings = ctx.events.log.filter((e) => e.kind === "warning").map((e) => e.message);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^this endpoint does not support application-autoscaling ListTagsForResource \(it answered HTTP 500: .*\): by the record$/,
      ),
    ]);
  });

  it("degrades on AWS's own answer to an unknown operation", async () => {
    const endpoint = await answering(400, "application/x-amz-json-1.1", '{"__type":"UnknownOperationException"}');
    const ctx = await contextFor(new AwsFake(), tempEnvFile());

    expect(await optional(ctx, CALL, endpoint.send)).toBeUndefined();
    expect(ctx.aws.unsupported.get(CALL.operation)).toMatch(/^UnknownOperationException/);
  });

  it("still fails on an error AWS sends about the call itself: a server error, or access denied", async () => {
    for (const [status, type] of [
      [500, "InternalFailure"],
      [400, "AccessDeniedException"],
    ] as const) {
      const endpoint = await answering(
        status,
        "application/x-amz-json-1.1",
        JSON.stringify({ __type: type, message: "no" }),
      );
      const ctx = await contextFor(new AwsFake(), tempEnvFile());

      await expect(optional(ctx, CALL, endpoint.send)).rejects.toMatchObject({ name: type });
      expect(ctx.events.log.filter((e) => e.kind === "warning")).toEqual([]);
      server?.close();
    }
  });

  it("stops an essential call answered with a plain 500 page in one line that says what came back", async () => {
    const endpoint = await answering(500, "text/html", "<!doctype html><title>500 Internal Server Error</title>");

    await expect(awsStep("list scalable targets", "ecs", endpoint.send)).rejects.toMatchObject({
      exitCode: 3,
      message:
        "list scalable targets ecs: HTTP 500: the endpoint's answer carries no AWS error (it may not implement this operation)",
    });
  });
});
