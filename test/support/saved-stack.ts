// A stack made once and saved (src/sandbox/aws/snapshot.ts, what keeps the sandbox account between processes),
// then started from as often as a test needs: each start is a fresh fake on the SDK clients holding the saved
// state, its clock where it was, and a copy of the env file. A case then costs its own runs, not the stack's making.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { expect } from "vitest";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { restore, type Snapshot, snapshot } from "../../src/sandbox/aws/snapshot.js";
import { installInProcess } from "./in-process.js";

export interface SavedStack {
  state: Snapshot;
  now: number;
  /** The clock's jitter where the stack's making left it: a run from the stack waits as the undisturbed one did. */
  seed: number;
  /** The env file's name and text as the stack's making left them. */
  path: string;
  env: string;
  /** A fresh fake before the state goes in (an endpoint's quirks set on it). */
  fake: () => AwsFake;
}

/** Runs body on a fresh fake installed on the SDK clients, and takes it away again. */
export async function withFake<T>(make: () => AwsFake, body: (fake: AwsFake) => Promise<T>): Promise<T> {
  const fake = installInProcess(make());
  try {
    return await body(fake);
  } finally {
    fake.restore();
  }
}

/** Saves the fake's state and the env file at path, as they are now. */
export function save(fake: AwsFake, path: string, make: () => AwsFake = () => new AwsFake()): SavedStack {
  const { clock } = fake;
  return {
    state: snapshot(fake),
    now: clock.now(),
    seed: clock.seed,
    path,
    env: readFileSync(path, "utf8"),
    fake: make,
  };
}

/** Makes the stack once on a fresh fake and saves it; checks that a fake restored from it saves the same state. */
export async function saveStack(
  setup: (fake: AwsFake) => Promise<string>,
  make: () => AwsFake = () => new AwsFake(),
): Promise<SavedStack> {
  const saved = await withFake(make, async (fake) => save(fake, await setup(fake), make));
  await fromSaved(saved, async (restored) => {
    expect(snapshot(restored), "the stack restored from its saved state").toEqual(saved.state);
  });
  return saved;
}

/** Runs body from the saved stack: a fresh fake holding it, and a copy of its env file. */
export function fromSaved<T>(saved: SavedStack, body: (fake: AwsFake, path: string) => Promise<T>): Promise<T> {
  return withFake(saved.fake, async (fake) => {
    restore(fake, saved.state);
    fake.clock.advance(saved.now - fake.clock.now());
    fake.clock.seed = saved.seed;
    const path = join(mkdtempSync(join(tmpdir(), "infra-saved-")), basename(saved.path));
    writeFileSync(path, saved.env);
    return body(fake, path);
  });
}
