// One request and its answer, through undici's dispatcher rather than its promise API, because only the
// dispatcher says when a request goes on a socket: undici calls a handler's onConnect on a connected socket just
// before it writes the request there. That moment is what "sent" means in a load test's report; what came
// before it is the generator's wait for a connection, what comes after is the service's latency.
import type { Dispatcher } from "undici";
import type { FailureKind } from "./measure.js";

export const USER_AGENT = "infra-load-test";

export interface Answer {
  status: number;
  bytes: number;
  /** A redirect's Location header. */
  location?: string;
}

export interface Exchange {
  /** The answer; rejected with undici's error, or with the reason given to abort. */
  done: Promise<Answer>;
  /** Ends the exchange now, whether it is waiting for its socket or already on it. */
  abort(reason: unknown): void;
}

export function exchange(dispatcher: Dispatcher, path: string, onWritten: () => void): Exchange {
  let settle: { resolve: (a: Answer) => void; reject: (e: unknown) => void } | undefined;
  const done = new Promise<Answer>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const finish = (f: (s: NonNullable<typeof settle>) => void) => {
    if (settle) f(settle);
    settle = undefined;
  };
  let abortSocket: ((err?: Error) => void) | undefined;
  let aborted: unknown;
  const answer: Answer = { status: 0, bytes: 0 };
  dispatcher.dispatch(
    { path, method: "GET", headers: { "user-agent": USER_AGENT } },
    {
      onConnect(abort) {
        if (aborted !== undefined) return abort(asError(aborted));
        abortSocket = abort;
        onWritten();
      },
      onHeaders(status, rawHeaders) {
        answer.status = status;
        if (status >= 300 && status < 400) {
          const location = headerValue(rawHeaders, "location");
          if (location !== undefined) answer.location = location;
        }
        return true;
      },
      onData(chunk) {
        answer.bytes += chunk.length;
        return true;
      },
      onComplete() {
        finish((s) => s.resolve(answer));
      },
      onError(err) {
        finish((s) => s.reject(aborted ?? err));
      },
    },
  );
  return {
    done,
    abort(reason) {
      if (!settle) return;
      aborted = reason;
      abortSocket?.(asError(reason));
      finish((s) => s.reject(reason));
    },
  };
}

const asError = (reason: unknown) => (reason instanceof Error ? reason : new Error(String(reason)));

function headerValue(raw: Buffer[] | string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if (String(raw[i]).toLowerCase() === name) return String(raw[i + 1]);
  return undefined;
}

const TIMEOUT_CODES = ["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT"];
const RESET_CODES = ["ECONNRESET", "UND_ERR_SOCKET", "EPIPE", "ECONNABORTED"];
const TLS_CODES = [
  "EPROTO",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
];

/** What kind of failure an error from undici or Node's sockets is. */
export function failureKind(err: unknown): FailureKind {
  const codes: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === "string") codes.push(e.code);
    e = e.cause as typeof e;
  }
  const any = (list: string[]) => codes.some((c) => list.includes(c));
  if (any(TIMEOUT_CODES)) return "timeout";
  if (codes.some((c) => c.startsWith("ERR_TLS_") || c.startsWith("ERR_SSL_")) || any(TLS_CODES)) return "tls";
  if (any(RESET_CODES)) return "reset";
  if (any(["ECONNREFUSED"])) return "refused";
  if (any(["ENOTFOUND", "EAI_AGAIN"])) return "dns";
  return "other";
}
