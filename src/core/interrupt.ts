// Ctrl-C. Most commands stop at once: the env file is only ever replaced by rename, so nothing is lost. A command
// that must clean up after itself (a load test printing what it measured, a recovery drill deleting its temporary
// database) runs its work under `guard`: the first Ctrl-C then aborts the signal it was given and lets it finish
// cleaning up; a second one stops at once.
import { ExitCode, InfraError } from "./errors.js";

export class InterruptedError extends InfraError {
  /** reported: the command has printed its own (partial) result, so nothing more is printed for it. */
  constructor(
    what: string,
    readonly reported = false,
  ) {
    super(`interrupted: ${what}`, ExitCode.interrupted);
  }
}

export class Interrupt {
  private readonly controller = new AbortController();
  private guards = 0;
  /** Under --json, stderr carries only NDJSON: Ctrl-C's notices too. Set once the options are parsed. */
  json = false;

  /** The line the process prints on Ctrl-C, in the format stderr carries. */
  notice(message: string): string {
    return this.json ? `${JSON.stringify({ kind: "interrupted", message })}\n` : `\n${message}\n`;
  }

  /** Under --json, the one document stdout carries when Ctrl-C stops the process before the command printed its own. */
  document(): string {
    return this.json
      ? `${JSON.stringify({ ok: false, error: "interrupted", exitCode: ExitCode.interrupted }, null, 2)}\n`
      : "";
  }

  /** What the process does on SIGINT: true when a guarded command takes it over, false to exit now. */
  handle(): boolean {
    if (this.guards === 0 || this.controller.signal.aborted) return false;
    this.controller.abort();
    return true;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Runs work so that Ctrl-C aborts its signal instead of ending the process. */
  async guard<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.guards++;
    try {
      return await work(this.controller.signal);
    } finally {
      this.guards--;
    }
  }
}
