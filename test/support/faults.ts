// The fault loop every resource's convergence test runs: a run of infra that fails at any one of its mutating
// calls, either before the call takes effect (AWS refused it) or after (AWS made the change and its answer was
// lost), is followed by the user's rerun, which must finish the job; the run after that changes nothing.
//
// The stack the run starts from is made once and saved (./saved-stack.ts); each case starts from a fresh fake
// holding it and a copy of the env file, so a case costs the failing run and the reruns, not the stack's making.
import { expect } from "vitest";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { snapshot } from "../../src/sandbox/aws/snapshot.js";
import { fromSaved, save, withFake } from "./saved-stack.js";

export interface FaultLoop<R> {
  /** A fresh fake, before setup (an endpoint's quirks set on it); a default fake when omitted. */
  fake?: () => AwsFake;
  /** Makes the stack the run starts from, on a fake installed on the SDK clients; returns the env file's path. */
  setup: (fake: AwsFake) => Promise<string>;
  /** The run under test (a create, a destroy, a command); it rejects when a call failed. */
  run: (fake: AwsFake, path: string) => Promise<R>;
  /**
   * The mutating calls AWS accepts in an undisturbed run, in order: each is a place to fail. Where parallel steps
   * interleave their calls, a check of the order instead.
   */
  calls: string[] | ((ops: string[]) => void);
  /** What must hold once the failed run returned (before the rerun), when there is more to say than "it failed". */
  failed?: (fake: AwsFake, path: string, label: string, error: unknown) => void | Promise<void>;
  /** What must hold after the user's rerun. */
  converged: (fake: AwsFake, path: string, label: string, rerun: R) => void | Promise<void>;
  /** Whether a third run changes nothing (true unless said otherwise). */
  thenNothing?: boolean;
}

/** Runs the undisturbed run, pins its calls, then fails each of them before and after it takes effect. */
export async function expectConvergesAfterAnyFault<R>(loop: FaultLoop<R>): Promise<void> {
  const make = loop.fake ?? (() => new AwsFake());
  const { start, accepted } = await withFake(make, async (fake) => {
    const start = save(fake, await loop.setup(fake), make);
    const before = fake.calls.length;
    await loop.run(fake, start.path);
    return { start, accepted: fake.acceptedMutations(before) };
  });
  const ops = accepted.map((c) => c.op);
  if (typeof loop.calls === "function") loop.calls(ops);
  else expect(ops, "the mutating calls of an undisturbed run").toEqual(loop.calls);
  // The saved stack is the stack: a fake restored from it saves the same state again.
  await fromSaved(start, async (restored) => {
    expect(snapshot(restored), "the stack restored from its saved state").toEqual(start.state);
  });

  for (const when of ["before", "after"] as const) {
    for (const { nth, op } of accepted) {
      const label = `${op} (#${nth}) failing ${when} it takes effect`;
      await fromSaved(start, async (fake, path) => {
        fake.inject({ mutating: true, nth, when });
        const error = await loop.run(fake, path).then(
          () => expect.unreachable(`${label}: the run succeeded`),
          (err: unknown) => err,
        );
        await loop.failed?.(fake, path, label, error);
        fake.clearFaults();
        fake.clock.advance(60_000); // the user reads the error and runs it again
        const rerun = await loop.run(fake, path);
        await loop.converged(fake, path, label, rerun);
        if (loop.thenNothing === false) return;
        const again = fake.calls.length;
        await loop.run(fake, path);
        expect(fake.mutatingCalls(again), `${label}: the run after changes nothing`).toEqual([]);
      });
    }
  }
}
