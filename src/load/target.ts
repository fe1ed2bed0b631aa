// Where a load test sends its requests: the stack's own endpoint, https://<API_DOMAIN_NAME>, unless another
// origin is named with --target (the ALB's own DNS name counts as the stack; any other host needs --outside-stack
// as well), and which paths: --path, --paths-file, or HEALTH_CHECK_PATH.
import { InputError } from "../core/errors.js";
import { type EnvReader, readInputs } from "../core/inputs.js";
import { checkPath, readPathsFile, type WeightedPath } from "./paths.js";
import type { LoadOptions } from "./plan.js";

/** The stack's endpoint, https://<API_DOMAIN_NAME>; another only when named with --target and --outside-stack. */
export function target(o: LoadOptions, env: EnvReader): { origin: string; outsideStack: boolean } {
  const input = readInputs(env, "load-test");
  const domain = input.maybe("API_DOMAIN_NAME")?.toLowerCase();
  const albName = input.maybe("ALB_DNS_NAME")?.toLowerCase();
  if (o.target === undefined) {
    if (!domain)
      throw new InputError(
        "load-test needs API_DOMAIN_NAME, which is not set in the env file",
        "set it, or name another target with --target <url> --outside-stack",
      );
    return { origin: `https://${domain}`, outsideStack: false };
  }
  let url: URL;
  try {
    url = new URL(o.target);
  } catch {
    throw new InputError(`--target ${o.target} is not a URL`, "write it like https://api.example.com");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new InputError(`--target ${o.target} is not an http(s) URL`);
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password)
    throw new InputError(`--target ${o.target} must be scheme://host[:port] only`, "give paths with --path");
  const host = url.hostname.toLowerCase();
  const outsideStack = host !== domain && host !== albName;
  if (outsideStack && !o.outsideStack)
    throw new InputError(
      `--target ${url.origin} is not this stack's endpoint (API_DOMAIN_NAME=${domain ?? "unset"})`,
      "pass --outside-stack as well to load another host",
    );
  return { origin: url.origin, outsideStack };
}

export async function pathsOf(o: LoadOptions, env: EnvReader): Promise<WeightedPath[]> {
  const given = (o.path ?? []).map((p) => ({ path: checkPath(p, "--path"), weight: 1 }));
  const fromFile = o.pathsFile ? await readPathsFile(o.pathsFile) : [];
  if (given.length + fromFile.length > 0) return [...given, ...fromFile];
  return [{ path: readInputs(env, "load-test").need("HEALTH_CHECK_PATH"), weight: 1 }];
}
