// An endpoint may implement a subset of AWS: an emulator (docs/endpoints/moto.md), or a corner of AWS where an API
// is younger. A call that is not essential to the object it serves (reading or writing the tags of a dashboard or a
// scalable target, a posture read) degrades when the endpoint says it does not support it: the caller goes on
// without it, and the run gets one warning per operation, not one per call (later calls of that operation are not
// made). An essential call is never wrapped: the endpoint's refusal stops the step in the endpoint's own words.
import type { Context } from "./context.js";
import { awsErrorCode, isAwsError } from "./errors.js";

interface HttpAnswer {
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

/**
 * An answer that says "this endpoint does not do that": AWS's answer to an operation it does not know
 * (UnknownOperationException in the JSON protocols, InvalidAction in the query ones), an emulator's NotImplemented
 * or 501, or a server error that carries no AWS error at all (a plain "500 Internal Server Error" page, which the
 * SDK cannot read a code from: it has no `$fault`).
 */
export function isUnsupported(err: unknown): boolean {
  if (isAwsError(err, "UnknownOperationException", "InvalidAction", "NotImplemented", "UnsupportedOperation"))
    return true;
  const e = (err ?? {}) as HttpAnswer;
  const status = e.$metadata?.httpStatusCode;
  return status === 501 || (status !== undefined && status >= 500 && e.$fault === undefined);
}

export interface OptionalCall {
  /** The resource whose events carry the warning. */
  resource: string;
  /** "<service> <Operation>", the key of the one warning: "application-autoscaling ListTagsForResource". */
  operation: string;
  /** What infra does without it: "ownership of the scalable target falls back to the env file's record". */
  without: string;
  /** Another answer that means the same on this call (a ResourceNotFound for an object just read). */
  alsoUnsupported?: (err: unknown) => boolean;
}

/** The call's answer, or undefined when the endpoint does not support it (said once per run and operation). */
export async function optional<T>(ctx: Context, call: OptionalCall, send: () => Promise<T>): Promise<T | undefined> {
  const gaps = ctx.aws.unsupported;
  if (gaps.has(call.operation)) return undefined;
  try {
    return await send();
  } catch (err) {
    if (!isUnsupported(err) && !call.alsoUnsupported?.(err)) throw err;
    // Calls made at the same time all fail: the first to get here says so.
    if (gaps.has(call.operation)) return undefined;
    const answer = `${codeOf(err)}: ${firstLine(err)}`;
    gaps.set(call.operation, answer);
    ctx.events
      .for(call.resource)
      .warning(`this endpoint does not support ${call.operation} (it answered ${answer}): ${call.without}`);
    return undefined;
  }
}

/** The error's code, or the HTTP status of an answer that carried none. */
function codeOf(err: unknown): string {
  const e = (err ?? {}) as HttpAnswer;
  const status = e.$metadata?.httpStatusCode;
  return e.$fault === undefined && status ? `HTTP ${status}` : (awsErrorCode(err) ?? "error");
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n")[0]?.slice(0, 120);
