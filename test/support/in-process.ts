// The in-process adapter: every SDK client's send() is answered by the fake's models (aws-sdk-client-mock),
// so unit tests run without a socket. The same models answer over HTTP in the sandbox (src/sandbox/wire/).
import { Readable } from "node:stream";
import { mockClient } from "aws-sdk-client-mock";
import type { Clock } from "../../src/core/clock.js";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";

/** Puts the fake in front of every SDK client class; returns what takes it away again. */
export function installInProcess<C extends Clock>(fake: AwsFake<C>): AwsFake<C> & { restore(): void } {
  const stubs = fake.models.map((model) => {
    const stub = mockClient(model.client);
    stub.onAnyCommand().callsFake(() => {
      throw new Error(`the AWS fake does not model this ${model.name} command`);
    });
    for (const [command, handler] of model.handlers) {
      const op = String(command.name).replace(/Command$/, "");
      // The region of the client that sent the call, as AWS sees it from the endpoint it was sent to.
      stub.on(command).callsFake(async (input: unknown, getClient) => {
        const region = await (getClient().config as { region: () => Promise<string> }).region();
        return streamed(await fake.dispatch(model.name, op, input, handler, region));
      });
    }
    return stub;
  });
  return Object.assign(fake, {
    restore() {
      for (const s of stubs) s.restore();
    },
  });
}

/**
 * A streaming payload (S3's object bytes) reaches SDK callers as a stream with transformToString(); the fake's
 * answer holds the bytes.
 */
function streamed(output: unknown): unknown {
  const body = (output as { Body?: unknown }).Body;
  if (!(body instanceof Uint8Array)) return output;
  const bytes = Buffer.from(body);
  const stream = Object.assign(Readable.from([bytes]), {
    transformToString: async (encoding?: BufferEncoding) => bytes.toString(encoding ?? "utf8"),
    transformToByteArray: async () => new Uint8Array(bytes),
  });
  return { ...(output as object), Body: stream };
}
