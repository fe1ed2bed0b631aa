// A clock that moves only when someone sleeps: waits of minutes take no real time, and the fake's
// asynchronous states (an ALB provisioning, network interfaces lingering) advance with it.
import type { Clock } from "../../src/core/clock.js";

export class FakeClock implements Clock {
  private t = Date.UTC(2026, 0, 1);
  slept = 0;

  now(): number {
    return this.t;
  }

  async sleep(ms: number): Promise<void> {
    this.t += ms;
    this.slept += ms;
    await Promise.resolve();
  }

  /** Time passing between two commands (a user re-running after a failure). */
  advance(ms: number): void {
    this.t += ms;
  }
}
