// Where this run ran: its env file, region, profile and endpoint (or the sandbox). Every command infra prints for the
// user to run next (the runbook's lines, the line that deletes a kept drill instance, "run `infra ...` again"
// hints) carries them, so that pasted as printed it acts on the same stack in the same account, not on whatever
// the shell's defaults name.

export interface Invocation {
  /** Under --sandbox: infra lines carry --sandbox; AWS CLI lines reach the served sandbox through this variable. */
  sandbox?: { urlVariable: string };
  file?: string;
  region?: string;
  profile?: string;
  /** --endpoint-url (or AWS_ENDPOINT_URL): LocalStack, moto. Never with --sandbox (the sandbox is the endpoint). */
  endpointUrl?: string;
}

/** A word for a POSIX shell: quoted only when it has to be. */
export const shellWord = (w: string) => (/^[\w./:=@%+,-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`);

const words = (ws: string[]) => ws.map(shellWord).join(" ");

function globals(inv: Invocation): string[] {
  return [
    ...(inv.file ? ["-f", inv.file] : []),
    ...(inv.region ? ["--region", inv.region] : []),
    ...(inv.profile && !inv.sandbox ? ["--profile", inv.profile] : []),
    ...(inv.endpointUrl && !inv.sandbox ? ["--endpoint-url", inv.endpointUrl] : []),
  ];
}

/** `infra <args>` as it runs where this run ran. */
export function infraLine(inv: Invocation, ...args: string[]): string {
  return words(["infra", ...(inv.sandbox ? ["--sandbox"] : []), ...args, ...globals(inv)]);
}

/** `aws <args>` (the AWS CLI) as it reaches the same account, region and endpoint. */
export function awsLine(inv: Invocation, ...args: string[]): string {
  const line = words(["aws", ...args, ...globals({ ...inv, file: undefined })]);
  return inv.sandbox ? `${line} --endpoint-url "$${inv.sandbox.urlVariable}"` : line;
}

/**
 * A message with `infra ...` commands in backquotes (the hints resources and steps give), each made to run where
 * this run ran. A command that already names a global option is left as it is.
 */
export function carryInvocation(text: string, inv: Invocation | undefined): string {
  if (!inv) return text;
  return text.replace(/`infra ([^`]+)`/g, (whole, rest: string) =>
    /(^| )(-f|--file|--region|--profile|--endpoint-url|--sandbox)( |$)/.test(rest)
      ? whole
      : `\`${infraLine(inv, ...rest.trim().split(/\s+/))}\``,
  );
}
