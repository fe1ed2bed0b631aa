// Typed errors, and the one place that maps them to the exit codes users rely on (README, "Exit codes").

export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  input: 2,
  aws: 3,
  /** A bug in infra itself (a TypeError): 70 is EX_SOFTWARE, "internal software error", in BSD's sysexits.h. */
  bug: 70,
  interrupted: 130,
} as const;

export class InfraError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly suggestion?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad usage or input: raised before any AWS call, so nothing has changed. */
export class InputError extends InfraError {
  constructor(message: string, suggestion?: string) {
    super(message, ExitCode.input, suggestion);
  }
}

/** Keys an input needs are not set: with a store of the stack's record (src/store/), it may fill them. */
export class MissingInputsError extends InputError {}

/** A verify check failed (the checks themselves were printed already). */
export class CheckFailedError extends InfraError {
  constructor(message: string) {
    super(message, ExitCode.checkFailed);
  }
}

/** AWS refused or failed: names the step, the resource, AWS's error code and message. */
export class AwsError extends InfraError {
  constructor(
    readonly step: string,
    readonly resource: string,
    readonly code: string,
    awsMessage: string,
    cause?: unknown,
  ) {
    super(`${step} ${resource}: ${code}: ${awsMessage}`, ExitCode.aws, undefined, { cause });
  }
}

/** A wait that ran out of time: an AWS-side failure to reach the state asked for. */
export class WaitTimeoutError extends InfraError {
  constructor(what: string, waitedMs: number, suggestion: string) {
    super(`timed out after ${Math.round(waitedMs / 1000)} s waiting for ${what}`, ExitCode.aws, suggestion);
  }
}

/**
 * The code of an AWS SDK v3 error. Modeled errors carry the shape name in `name`
 * (LoadBalancerNotFoundException); unmodeled ones (all of EC2's) the wire code (InvalidGroup.NotFound).
 */
export function awsErrorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { name?: unknown; Code?: unknown; code?: unknown };
  for (const v of [e.Code, e.name, e.code]) if (typeof v === "string" && v !== "Error") return v;
  return undefined;
}

const withoutException = (code: string) => code.replace(/Exception$/, "");

/** True when err carries one of the codes, in either spelling (with or without the "Exception" suffix). */
export function isAwsError(err: unknown, ...codes: string[]): boolean {
  const code = awsErrorCode(err);
  if (code === undefined) return false;
  return codes.some((c) => withoutException(c) === withoutException(code));
}

export function isThrottling(err: unknown): boolean {
  return (
    isAwsError(
      err,
      "Throttling",
      "ThrottlingException",
      "RequestLimitExceeded",
      "PriorRequestNotComplete",
      "TooManyRequestsException",
    ) || (err as { $retryable?: { throttling?: boolean } })?.$retryable?.throttling === true
  );
}

/** Runs one AWS call, turning a failure into an AwsError that says what was being done. */
export async function awsStep<T>(step: string, resource: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw asAwsError(step, resource, err);
  }
}

/** What to do about errors every command can meet, whatever the step. */
const ADVICE: Record<string, string> = {
  CredentialsProviderError:
    "set up AWS credentials as for the AWS CLI: --profile <name>, AWS_PROFILE, SSO, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
  ExpiredToken: "the credentials have expired: log in again (aws sso login) or refresh them",
  ExpiredTokenException: "the credentials have expired: log in again (aws sso login) or refresh them",
  AccessDenied: "the credentials lack a permission this step needs (named in the message)",
  AccessDeniedException: "the credentials lack a permission this step needs (named in the message)",
};

/**
 * A mistake in infra's own code (a TypeError, a broken invariant), as opposed to what AWS, the SDK, the network or
 * the input caused: those carry their marks (a service error's $metadata, a response body the SDK could not parse,
 * a system error's code, the cause behind fetch's "fetch failed"), or a class of their own.
 */
export function isBug(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof InfraError) return false;
  const e = err as Error & Record<string, unknown>;
  if ("$metadata" in e || "$fault" in e || "$responseBodyText" in e || typeof e.code === "string") return false;
  if (e.cause !== undefined) return false;
  // Named by its constructor, not by a code: an error the SDK does not model carries AWS's code as its name.
  const builtin = [TypeError, ReferenceError, RangeError, SyntaxError, EvalError, URIError, Error];
  return builtin.some((C) => err.constructor === C && err.name === C.name);
}

/** A bug, said as one: not "AWS refused", its own exit code, and how to get what a report needs. */
export class BugError extends InfraError {
  constructor(err: Error, during?: string) {
    super(
      `a bug in infra, not an AWS refusal nor a mistake in the input${during ? ` (while: ${during})` : ""}: ${err.name}: ${err.message}`,
      ExitCode.bug,
      "run the same command with --verbose for the stack trace, and report it with that",
      { cause: err },
    );
  }
}

export function asAwsError(step: string, resource: string, err: unknown): InfraError {
  if (err instanceof InfraError) return err;
  const missing = missingCode(err);
  if (missing) return missing;
  if (isBug(err)) return new BugError(err as Error, `${step} ${resource}`);
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (status && status >= 400 && (err as { $fault?: string }).$fault === undefined) {
    // An answer with no AWS error in it (an emulator's plain error page): the SDK's parse error says nothing useful.
    const why = "the endpoint's answer carries no AWS error (it may not implement this operation)";
    return new AwsError(step, resource, `HTTP ${status}`, why, err);
  }
  const code = awsErrorCode(err) ?? "Error";
  const message = err instanceof Error ? err.message : String(err);
  const error = new AwsError(step, resource, code, message, err);
  return ADVICE[code] ? new InfraError(error.message, ExitCode.aws, ADVICE[code], { cause: err }) : error;
}

/**
 * A file of infra's, or of a package it loads, that Node cannot find (ERR_MODULE_NOT_FOUND for an ES module,
 * MODULE_NOT_FOUND for a require()): an install cut short, or changed under a running command. Neither AWS's failure
 * nor the input's.
 */
export function missingCode(err: unknown, during?: string): InfraError | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (!(err instanceof Error) || (code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND")) return undefined;
  return unloadable(err, during);
}

/**
 * infra's own code that would not load, missing or broken: reinstall. `require()`'s message goes on with every file
 * that required it, a line each: said here as its first line and the one file that needed it.
 */
export function unloadable(err: unknown, during?: string): InfraError {
  const requireStack = (err as { requireStack?: unknown } | undefined)?.requireStack;
  const by = Array.isArray(requireStack) && requireStack.length > 0 ? ` (needed by ${requireStack[0]})` : "";
  const what = err instanceof Error ? err.message.split("\n")[0] : String(err);
  return new InfraError(
    `infra could not load its own code${during ? ` for ${during}` : ""}: ${what}${by}`,
    ExitCode.bug,
    "reinstall infra (npm ci in its checkout, or npm install again)",
    { cause: err },
  );
}

/**
 * Text as it may safely reach a terminal or a CI log: what a value could smuggle in to move the cursor, recolour or
 * rewrite what is shown (CR, ESC and the other C0 and C1 controls, bidirectional overrides and isolates) is written
 * as an escape instead, \r or \x1b or \u202e, and a line break too: a message stays one line.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
  return text.replace(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, (c) => {
    const named: Record<string, string> = { "\r": "\\r", "\n": "\\n", "\t": "\\t" };
    const code = c.charCodeAt(0);
    return named[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`);
  });
}

/** The one-line message a user sees, and the exit code, for any error. */
export function describeError(err: unknown, verbose: boolean): { lines: string[]; exitCode: number } {
  const infra =
    err instanceof InfraError ? err : isBug(err) ? new BugError(err as Error) : asAwsError("run", "infra", err);
  // One line a user can act on: what went wrong, then what to do.
  const lines = [printable(`error: ${infra.message}${infra.suggestion ? ` - ${infra.suggestion}` : ""}`)];
  if (verbose) {
    const stackOf = (e: unknown) => (e instanceof Error ? e.stack : undefined);
    const stack = stackOf(infra.cause) ?? stackOf(infra);
    if (stack) lines.push(...stack.split("\n").map(printable));
  }
  return { lines, exitCode: infra.exitCode };
}
