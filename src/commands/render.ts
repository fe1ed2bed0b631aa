// How results and progress look: progress and diagnostics on stderr (on a terminal, a block of what is in
// progress at its bottom with finished steps above it: screen.ts; plain time-stamped lines in CI), results on
// stdout, and with --json one JSON document on stdout. What draws on a terminal loads only when a command opens
// the screen: start-up and plain output never pay for it.
import type { Clock } from "../core/clock.js";
import type { EventSink, InfraEvent } from "../core/events.js";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal. */
  stderrIsTTY: boolean;
  /** stdin is a terminal: we may ask. */
  stdinIsTTY: boolean;
  ask(question: string): Promise<string>;
  /** The terminal stdout writes to, when it is one: tables fit its width. */
  stdoutTerminal?: Terminal;
  /** The terminal stderr writes to, when it is one: progress is drawn on it once the screen is open. */
  stderrTerminal?: Terminal;
  /** Opens the screen on stderr's terminal (terminalIo's Io can; others have none). */
  openScreen?: () => Promise<void>;
  /** Once open: stderr and stdout go through it, and progress is drawn on it. */
  screen?: Screen;
}

/** A terminal a stream writes to: its size now, news of a resize, and whether to colour what goes to it. */
export interface Terminal {
  readonly columns: number;
  readonly rows: number;
  /** Calls the listener after each resize. */
  onResize(listener: () => void): void;
  /** False when NO_COLOR is set (https://no-color.org). */
  readonly colour: boolean;
}

/** stderr's terminal, with the block of what is in progress kept at its bottom (screen.ts). */
export interface Screen {
  readonly terminal: Terminal;
  /** Text that stays, written above the block. */
  print(text: string): void;
  /** Output of another stream to the same terminal (stdout), with the block out of the way. */
  around(write: () => void): void;
  /** Lines of a message made to fit the width (a hanging indent after the first). */
  fit(lines: string[]): string;
  /** A renderer of events onto this screen: the block, finished steps above it, a summary at the end. */
  progress(clock: Clock): EventSink;
  /** Nothing is in progress any more: the block goes. */
  clear(): void;
}

/** The streams of a process, as an Io whose output goes through the screen once a command opens it. */
export function terminalIo(streams: {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutTerminal?: Terminal;
  stderrTerminal?: Terminal;
  stdinIsTTY: boolean;
  ask: (question: string) => Promise<string>;
}): Io {
  const { stdoutTerminal, stderrTerminal } = streams;
  const io: Io = {
    stdout: (text) =>
      io.screen && stdoutTerminal ? io.screen.around(() => streams.stdout(text)) : streams.stdout(text),
    stderr: (text) => (io.screen ? io.screen.print(text) : streams.stderr(text)),
    stderrIsTTY: Boolean(stderrTerminal),
    stdinIsTTY: streams.stdinIsTTY,
    ask: streams.ask,
    ...(stdoutTerminal ? { stdoutTerminal } : {}),
    ...(stderrTerminal ? { stderrTerminal } : {}),
  };
  if (stderrTerminal)
    io.openScreen = async () => {
      io.screen ??= (await import("./screen.js")).openScreen(stderrTerminal, streams.stderr);
    };
  return io;
}

export const MARK: Record<InfraEvent["kind"], string> = {
  step: "·",
  created: "+",
  updated: "~",
  deleted: "-",
  exists: "=",
  skipped: "!",
  waiting: "…",
  warning: "!",
};

const seconds = (ms = 0) => `${Math.round(ms / 1000)} s`;

/** Plain lines (CI, pipes) carry the time of day, so a log shows how long each wait took. */
const stamp = (io: Io) => (io.stderrIsTTY ? "" : `[${new Date().toISOString().slice(11, 19)}] `);

/** Progress as the screen draws it when one is open; otherwise a line per event (a wait's when its state changes). */
export function progressRenderer(io: Io, clock: Clock): EventSink {
  if (io.screen) return io.screen.progress(clock);
  let plain = { what: "", state: "", at: Number.NEGATIVE_INFINITY };
  return (e) => {
    if (e.kind === "waiting") {
      // In CI print a line when the state changes, and otherwise every 30 s.
      const elapsed = e.elapsedMs ?? 0;
      if (plain.what === e.message && plain.state === e.state && elapsed - plain.at < 30_000) return;
      plain = { what: e.message, state: e.state ?? "", at: elapsed };
      io.stderr(
        `${stamp(io)}${MARK.waiting} ${e.resource}: waiting for ${e.message} (${e.state}, ${seconds(e.elapsedMs)})\n`,
      );
      return;
    }
    io.stderr(`${stamp(io)}${MARK[e.kind]} ${e.resource}: ${e.message}\n`);
  };
}

export function printJson(io: Io, document: unknown): void {
  io.stdout(`${JSON.stringify(document, null, 2)}\n`);
}
