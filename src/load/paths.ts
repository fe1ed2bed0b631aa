// Which paths a load test requests: one, several (--path, repeatable) or a file of weighted paths, spread over
// the run by smooth weighted round-robin, so a run is the same mix every time (weights 3:1 over 8 requests
// send exactly 6 and 2, interleaved) and a check against it does not depend on chance.
import { InputError } from "../core/errors.js";
import { MIB, readRegularFile } from "../core/user-file.js";

export interface WeightedPath {
  path: string;
  weight: number;
}

const PATH = /^\/[\x21-\x7e]*$/;
const MAX_WEIGHT = 1000;

export function checkPath(path: string, where: string): string {
  if (!PATH.test(path))
    throw new InputError(`${where}: "${path}" is not a URL path (it starts with / and has no spaces)`);
  return path;
}

/**
 * A file of weighted paths: one per line, `<weight> <path>` or just `<path>` (weight 1); blank lines and lines
 * starting with # are skipped.
 */
export async function readPathsFile(file: string): Promise<WeightedPath[]> {
  let text: string;
  try {
    text = readRegularFile(file, "--paths-file", MIB).toString("utf8");
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`--paths-file ${file}: ${(err as NodeJS.ErrnoException).code ?? "cannot be read"}`);
  }
  // A line's content is never repeated in a message: the file named may not be the one meant (a secrets file).
  const expected = `write "<weight> <path>" or "<path>": a weight from 1 to ${MAX_WEIGHT}, a path that starts with / and has no spaces`;
  const paths: WeightedPath[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const where = `--paths-file ${file} line ${i + 1}`;
    const m = /^(?:(\S+)\s+)?(\S+)$/.exec(line);
    const weight = m?.[1] === undefined ? 1 : Number(m[1]);
    if (!m || !PATH.test(m[2] as string) || !Number.isInteger(weight) || weight < 1 || weight > MAX_WEIGHT)
      throw new InputError(`${where} is not a weighted path`, expected);
    paths.push({ path: m[2] as string, weight });
  }
  if (paths.length === 0) throw new InputError(`--paths-file ${file} names no path`);
  return paths;
}

/** The next path, by smooth weighted round-robin: each pick goes to the path furthest behind its share. */
export function pathPicker(paths: WeightedPath[]): () => string {
  const total = paths.reduce((n, p) => n + p.weight, 0);
  const current = paths.map(() => 0);
  return () => {
    let best = 0;
    for (const [i, p] of paths.entries()) {
      current[i] = (current[i] as number) + p.weight;
      if ((current[i] as number) > (current[best] as number)) best = i;
    }
    current[best] = (current[best] as number) - total;
    return (paths[best] as WeightedPath).path;
  };
}
