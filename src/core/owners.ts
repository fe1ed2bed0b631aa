// One owner per recorded key. A resource owns the keys in its `records`; a few keys belong to a module that is not
// a resource (the last DR drill's record). Every write to the env file goes through `recordOwned`, which refuses a
// key its owner does not declare, and test/architecture.test.ts checks that nothing else writes the file.

/** Who records a set of env file keys: a resource, or a module that records what no resource makes. */
export interface KeyOwner {
  name: string;
  /** The keys it records: no other owner records them. */
  records: readonly string[];
}

export interface EnvWriter {
  record(updates: Record<string, string>): Promise<void>;
}

/** Writes keys of `owner` (only those: a key it does not declare is a bug, refused before the file is touched). */
export async function recordOwned(env: EnvWriter, owner: KeyOwner, updates: Record<string, string>): Promise<void> {
  const foreign = Object.keys(updates).filter((k) => !owner.records.includes(k));
  if (foreign.length > 0) throw new Error(`${owner.name} does not own ${foreign.join(", ")}: its owner records it`);
  await env.record(updates);
}
