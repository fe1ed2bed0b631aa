// Reads several resources make of the same AWS object while a command looks at the stack before changing anything:
// the hosted zone (acm-certificate and route53-records), the ECS service and its revision (both ECS resources), the
// load balancer (alb and the alias record). Within that look nothing changes, so one answer serves them all: the
// first read is made, the others wait for its answer. A context without them reads afresh each time, as create's
// steps and every wait must.
import type { Context } from "./context.js";

export class SharedReads {
  private readonly answers = new Map<string, Promise<unknown>>();

  /** The answer to the read `key` names: asked once, then a copy of it to each reader (none changes another's). */
  read<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    let answer = this.answers.get(key) as Promise<T> | undefined;
    if (!answer) {
      answer = fetch();
      this.answers.set(key, answer);
    }
    return answer.then((value) => structuredClone(value));
  }
}

/** A context whose reads are shared until it is dropped: for looking at the stack before any change. */
export const withSharedReads = (ctx: Context): Context => ({ ...ctx, reads: new SharedReads() });

/** One read per key while the context shares them; a fresh one otherwise. */
export const sharedRead = <T>(ctx: Context, key: string, fetch: () => Promise<T>): Promise<T> =>
  ctx.reads ? ctx.reads.read(key, fetch) : fetch();
