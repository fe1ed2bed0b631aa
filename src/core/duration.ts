// Durations as users write them on the command line: "90s", "15m", "1h", "500ms", or a number of seconds.
import { InputError } from "./errors.js";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** The duration in milliseconds; a clear exit-2 error naming the option otherwise. */
export function parseDuration(text: string, option = "--timeout"): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new InputError(`${option} ${text} is not a duration`, "write it like 30s, 15m, 1h or 500ms");
  const ms = Number(m[1]) * UNIT_MS[(m[2] ?? "s") as keyof typeof UNIT_MS];
  if (ms <= 0) throw new InputError(`${option} ${text} must be more than zero`);
  return ms;
}
