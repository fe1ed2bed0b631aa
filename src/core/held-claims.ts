// The stack claims this process holds, by env file: let go of at the end of every command, and at once when the
// process exits. Kept apart from env-file.ts, which takes them, so that what every run loads at its start (`--help`
// loads nothing more) holds none of the env file's code nor the claims'.

/** A claim taken: let go of it (a message when another run took it over meanwhile), or drop it on exit. */
export interface ClaimToRelease {
  release(): Promise<string | undefined>;
  /** Synchronously, for a process exiting at once (Ctrl-C): removes what is local and still ours. */
  releaseNow(): void;
}

/** Each claim, and once its release has begun, that release: a second Ctrl-C meanwhile still drops it on exit. */
const held = new Map<string, { claim: ClaimToRelease; releasing?: Promise<string | undefined> }>();

export const isHeld = (path: string): boolean => held.has(path);

export function hold(path: string, claim: ClaimToRelease): void {
  held.set(path, { claim });
}

/**
 * Lets go of every stack claim this process holds, at the end of each command (with a store, writing what the run
 * recorded back to it). Returns what went wrong: a claim another run took over while this one held it.
 */
export async function releaseClaims(): Promise<string[]> {
  const problems: string[] = [];
  for (const [path, entry] of [...held]) {
    // Released once, whoever asks (the end of the command, and Ctrl-C meanwhile), and forgotten only once released:
    // until then, an exit (a second Ctrl-C) still drops what is local.
    entry.releasing ??= entry.claim.release();
    const lost = await entry.releasing;
    held.delete(path);
    if (lost) problems.push(lost);
  }
  return problems;
}

/** The same, synchronously, for a process exiting at once (Ctrl-C): the local claims still ours. */
export function releaseClaimsNow(): void {
  for (const { claim } of held.values()) claim.releaseNow();
  held.clear();
}
