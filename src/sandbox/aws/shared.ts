// What the Application Auto Scaling, CloudWatch and SNS models share: opaque offset page tokens, and modeled
// errors that also carry their wire code as `Code`, as the SDK delivers them for query protocols (SNS) and
// query-compatible JSON ones (CloudWatch): e.g. NotFoundException with Code "NotFound".
import { modeled } from "./errors.js";

type ExceptionClass = Parameters<typeof modeled>[0];

export function coded(cls: ExceptionClass, code: string, message: string, extra: object = {}): Error {
  return Object.assign(modeled(cls, message), { Code: code }, extra);
}

export interface Page<T> {
  items: T[];
  next?: string;
}

/** One page of `all` from the token's offset; `invalid` answers a token this fake did not hand out. */
export function page<T>(all: T[], token: string | undefined, size: number, invalid: () => Error): Page<T> {
  const from = token === undefined ? 0 : Number(Buffer.from(token, "base64").toString());
  if (!Number.isInteger(from) || from < 0 || from > all.length) throw invalid();
  const next = from + size < all.length ? Buffer.from(String(from + size)).toString("base64") : undefined;
  return { items: all.slice(from, from + size), ...(next ? { next } : {}) };
}

export const byName =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
