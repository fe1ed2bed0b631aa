// Time as a dependency: the CLI uses the real one, tests a fake one, so waits take no real time in tests.
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1) for the jitter of polls: at random on the real clock, the same each run on a fake one. */
  random?(): number;
}

/** The clock's number for jitter, Math.random's when it has none. */
export const randomOf = (clock: Clock): number => clock.random?.() ?? Math.random();

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};
