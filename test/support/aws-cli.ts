// Printed command lines, read as a shell would: the `aws` and `infra` commands in them (in pipes and `$(...)`), as
// words; and an AWS CLI command turned into the SDK call it makes (the CLI's service and operation names are the
// API's in kebab case, its options the input members'), so a test can send it where the line says.
/** A shell line's words: single and double quotes, `$(...)` and `|` split it into commands. */
export function commandsOf(line: string): string[][] {
  const commands: string[][] = [];
  const inner = [...line.matchAll(/\$\(([^()]*)\)/g)].map((m) => m[1] ?? "");
  for (const part of [line.replace(/\$\([^()]*\)/g, "SUBSTITUTED"), ...inner]) {
    for (const piece of part.split(/ \| /)) {
      const words = [...piece.matchAll(/'((?:[^']|'\\'')*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) =>
        m[1] !== undefined ? m[1].replaceAll(`'\\''`, "'") : (m[2] ?? m[3] ?? ""),
      );
      // `NAME=value command ...` and `export NAME=...`: what runs is after the assignments.
      while (words.length && /^[A-Z_]+=/.test(words[0] ?? "")) words.shift();
      if (words.length) commands.push(words);
    }
  }
  return commands;
}

/** Every command line of a Markdown document: its sh blocks' lines, and its inline `infra ...` commands. */
export function documentCommands(markdown: string): string[][] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  const inline = [...markdown.replace(/```[a-z]*\n[\s\S]*?```/g, "").matchAll(/`((?:infra|aws) [^`]+)`/g)].map(
    (m) => m[1] ?? "",
  );
  return [...blocks.flatMap((b) => b.split("\n")), ...inline]
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .flatMap(commandsOf);
}

/** AWS CLI service names -> the SDK package of the same API. */
export const PACKAGES: Record<string, string> = {
  rds: "@aws-sdk/client-rds",
  ecs: "@aws-sdk/client-ecs",
  ec2: "@aws-sdk/client-ec2",
  ecr: "@aws-sdk/client-ecr",
  secretsmanager: "@aws-sdk/client-secrets-manager",
  cloudwatch: "@aws-sdk/client-cloudwatch",
  sns: "@aws-sdk/client-sns",
};
/** Waiters, and the operation they poll. */
export const WAITERS: Record<string, string> = {
  "db-instance-available": "DescribeDBInstances",
  "db-instance-deleted": "DescribeDBInstances",
  "services-stable": "DescribeServices",
};
/** The CLI's own options: not the API's. */
export const GLOBAL_OPTIONS = ["region", "query", "output", "profile", "endpointurl"];

export const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

interface Member {
  name: string;
  /** The schema's type: 0 string, 1 number, 2 boolean, 64 list of strings, or a nested schema. */
  type: unknown;
}

/** The input members of an SDK operation, from the schema the SDK ships. */
export async function inputMembers(pkg: string, op: string): Promise<Member[]> {
  const sdk = (await import(pkg)) as Record<string, unknown>;
  const schema = sdk[`${op}$`] as unknown[] | undefined;
  if (!schema) throw new Error(`${pkg} has no operation ${op}`);
  const input = typeof schema[4] === "function" ? (schema[4] as () => unknown[])() : (schema[4] as unknown[]);
  const names = input[4] as string[];
  const types = (input[5] as unknown[]) ?? [];
  return names.map((name, i) => ({ name, type: types[i] }));
}

export interface SdkCall {
  pkg: string;
  op: string;
  input: Record<string, unknown>;
  region?: string;
  profile?: string;
  endpoint?: string;
}

/**
 * The SDK call an `aws <service> <operation> --option value...` command makes: option names matched to the input
 * members, values typed by the schema (a flag is true, --no-flag false, a list takes the words up to the next
 * option, JSON for a structure, `key=value` shorthand for networkConfiguration). Waiters make their operation's call.
 */
export async function sdkCallOf(words: string[], env: Record<string, string> = {}): Promise<SdkCall> {
  const [, service = "", operation = "", ...rest] = words;
  const pkg = PACKAGES[service];
  if (!pkg) throw new Error(`no SDK package for aws ${service}`);
  const sdk = Object.keys(await import(pkg));
  const isWait = operation === "wait";
  const found = isWait
    ? WAITERS[rest[0] ?? ""]
    : sdk
        .find((k) => k.endsWith("Command") && squash(k.slice(0, -"Command".length)) === squash(operation))
        ?.replace(/Command$/, "");
  if (!found) throw new Error(`aws ${service} ${operation}: no such operation`);
  const members = await inputMembers(pkg, found);
  const call: SdkCall = { pkg, op: found, input: {} };
  const args = isWait ? rest.slice(1) : rest;
  const expand = (v: string) => v.replace(/^\$(\w+)$/, (_, name: string) => env[name] ?? `$${name}`);
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (!word.startsWith("--")) throw new Error(`${word}: a value without an option in ${words.join(" ")}`);
    const values: string[] = [];
    while (i + 1 < args.length && !(args[i + 1] as string).startsWith("--")) values.push(expand(args[++i] as string));
    const negated = word.startsWith("--no-");
    const name = squash(word.replace(/^--(no-)?/, ""));
    if (name === "region") call.region = values[0];
    else if (name === "profile") call.profile = values[0];
    else if (name === "endpointurl") call.endpoint = values[0];
    else if (GLOBAL_OPTIONS.includes(name)) continue;
    else {
      const member = members.find((m) => squash(m.name) === name);
      if (!member) throw new Error(`${word} is not an input of ${found}`);
      call.input[member.name] = memberValue(member, values, negated);
    }
  }
  return call;
}

/** A member's schema kind: its simple type's code, or 1 for a list and 3 for a structure. */
function kindOf(type: unknown): unknown {
  const resolved =
    Array.isArray(type) && typeof type[0] === "function" ? type[0]() : typeof type === "function" ? type() : type;
  return Array.isArray(resolved) ? resolved[0] : resolved;
}

function memberValue(member: Member, values: string[], negated: boolean): unknown {
  const kind = kindOf(member.type);
  if (kind === 2) return !negated;
  if (kind === 1 && typeof member.type === "number") return Number(values[0]);
  if (kind === 64 || kind === 1) return values;
  if (kind === 0 || kind === 4 || kind === 5) {
    const v = values[0] ?? "";
    return /Time$/.test(member.name) && /^\d{4}-/.test(v) ? new Date(v) : v;
  }
  const text = values.join(" ");
  if (text.startsWith("{") || text.startsWith("[")) return JSON.parse(text);
  // The CLI's shorthand, as run-task's --network-configuration takes it: key={a=[x,y],b=z}.
  const m = /^(\w+)=\{(.*)\}$/.exec(text);
  if (!m) return text;
  const inner: Record<string, unknown> = {};
  for (const [, k, list, scalar] of (m[2] ?? "").matchAll(/(\w+)=(?:\[([^\]]*)\]|([^,]*))/g))
    inner[k as string] = list !== undefined ? list.split(",") : scalar;
  return { [m[1] as string]: inner };
}
