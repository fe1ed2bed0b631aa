// Ctrl-C during a drill: every wait of the drill goes through the context's clock, so a clock whose sleep fails
// once the signal is aborted stops the drill at its next wait, and the cleanup (run with the plain clock) still
// waits for what it deletes.
import { type Clock, randomOf } from "../core/clock.js";
import type { Context } from "../core/context.js";
import { InterruptedError } from "../core/interrupt.js";

export function abortable(ctx: Context, signal: AbortSignal, what: string): Context {
  const stopped = () => new InterruptedError(what);
  const clock: Clock = {
    now: () => ctx.clock.now(),
    // The polls' jitter comes from the same clock: on a fake one, a drill is the same drill every run.
    random: () => randomOf(ctx.clock),
    sleep: (ms) => {
      if (signal.aborted) return Promise.reject(stopped());
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(stopped());
        signal.addEventListener("abort", onAbort, { once: true });
        ctx.clock.sleep(ms).then(() => {
          signal.removeEventListener("abort", onAbort);
          if (signal.aborted) reject(stopped());
          else resolve();
        }, reject);
      });
    },
  };
  return { ...ctx, clock };
}
