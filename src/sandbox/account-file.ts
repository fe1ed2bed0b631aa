// The sandbox account on disk: its state in the working folder (saved whole, renamed into place), and the lock
// that gives one process at a time the account. The lock is held for as long as the process serves (a command, or
// `infra sandbox serve` for hours), so only a holder that is gone is taken over, never one that is merely old.
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import { ExitCode, InfraError, InputError } from "../core/errors.js";
import { lock } from "../core/file-lock.js";
import { replaceFileSync } from "../core/replace-file.js";
import type { Fake } from "./aws/aws-fake.js";
import { restore, type Snapshot, snapshot } from "./aws/snapshot.js";
import { SANDBOX_URL_VARIABLE } from "./files.js";

interface StateFile {
  about: string;
  savedAt: string;
  state: Snapshot;
}

/** Puts the account saved at `path` into the fake, when there is one. */
export async function loadAccount(path: string, fake: Fake): Promise<void> {
  if (!existsSync(path)) return;
  try {
    const saved = JSON.parse(await fs.readFile(path, "utf8")) as StateFile;
    restore(fake, saved.state);
  } catch (err) {
    throw new InputError(
      `the sandbox state in ${path} cannot be read: ${(err as Error).message}`,
      "run `infra sandbox reset` to start the sandbox over",
    );
  }
}

export async function saveAccount(path: string, fake: Fake): Promise<void> {
  const file: StateFile = {
    about: "infra's sandbox account (a local, fake AWS): not a real stack's state. `infra sandbox reset` removes it.",
    savedAt: new Date(fake.clock.now()).toISOString(),
    state: snapshot(fake),
  };
  // A killed process leaves the last whole state. Not synced: it is a sandbox, not a database.
  replaceFileSync(path, `${JSON.stringify(file)}\n`);
}

/** Takes the account's lock (`<state>.lock`), waiting a while for another process; returns what lets it go. */
export function lockAccount(statePath: string, waitMs = 10_000): Promise<() => Promise<void>> {
  return lock(`${statePath}.lock`, {
    waitMs,
    heldWhileAlive: true,
    busy: (holder) =>
      new InfraError(
        `the sandbox account in ${statePath} is in use by infra process ${holder?.pid ?? "?"}`,
        ExitCode.input,
        `wait for it to finish; to share one sandbox between processes, run \`infra sandbox serve\` and set ${SANDBOX_URL_VARIABLE}`,
      ),
  });
}
