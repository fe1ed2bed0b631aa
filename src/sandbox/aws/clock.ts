// A clock that moves only when everyone is asleep: waits of minutes take no real time, concurrent waits
// overlap as they do in reality (so `create all`'s parallel steps are measured against the critical path, not
// the sum of their waits), and the fake's asynchronous states (an ALB provisioning, network interfaces
// lingering) advance with it.
import type { Clock } from "../../core/clock.js";

interface Timer {
  at: number;
  wake: () => void;
}

export class FakeClock implements Clock {
  private t = Date.UTC(2026, 0, 1);
  private timers: Timer[] = [];
  private ticking = false;
  slept = 0;

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    this.slept += ms;
    return new Promise((wake) => {
      this.timers.push({ at: this.t + ms, wake });
      this.tick();
    });
  }

  /** Where the jitter's numbers are: a stack saved and started from again carries it, as it carries the time. */
  seed = 0x2545f491;

  /** The jitter of polls, the same numbers in every run (mulberry32): a test's calls come in the same order. */
  random(): number {
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let x = Math.imul(this.seed ^ (this.seed >>> 15), 1 | this.seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }

  /** Time passing between two commands (a user re-running after a failure). */
  advance(ms: number): void {
    this.t += ms;
  }

  /**
   * Once the other branches have finished their real work and gone to sleep too (a real millisecond, and no file
   * request in flight: a branch writing the env file is awake, however many milliseconds the disk takes), jump to
   * the earliest wake-up time and wake whoever is due.
   */
  private tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    setTimeout(() => {
      this.ticking = false;
      if (fileWorkInFlight()) {
        this.tick();
        return;
      }
      const next = Math.min(...this.timers.map((x) => x.at));
      if (!Number.isFinite(next)) return;
      this.t = Math.max(this.t, next);
      const due = this.timers.filter((x) => x.at <= this.t);
      this.timers = this.timers.filter((x) => x.at > this.t);
      for (const x of due) x.wake();
      if (this.timers.length > 0) this.tick();
    }, 1);
  }
}

/** Node's own handles for file system requests under way (process.getActiveResourcesInfo). */
const FILE_REQUESTS = new Set(["FSReqPromise", "FSReqCallback", "CloseReq"]);
const fileWorkInFlight = () => process.getActiveResourcesInfo().some((r) => FILE_REQUESTS.has(r));
