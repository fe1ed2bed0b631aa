// A terminal for tests: xterm.js's headless emulator behind the Terminal the CLI draws on, so a test reads the
// screen a person would see (the rows, which of them the terminal had to wrap, what was left behind) and can resize
// it mid-run as a person dragging the window does.
import xterm from "@xterm/headless";
import { type Io, type Terminal, terminalIo } from "../../src/commands/render.js";

export interface Row {
  text: string;
  /** The terminal wrapped the line above onto this row: a line was wider than the terminal. */
  wrapped: boolean;
}

export class EmulatedTerminal implements Terminal {
  private readonly screen: InstanceType<typeof xterm.Terminal>;
  private width: number;
  private readonly listeners: (() => void)[] = [];
  /** Everything written, as written. */
  written = "";
  constructor(
    columns: number,
    readonly rows = 30,
    /** Whether the CLI may colour what it writes here (NO_COLOR unset). */
    readonly colour = false,
  ) {
    this.width = columns;
    // convertEol: a tty's line discipline turns "\n" into "\r\n"; the emulator must do it itself.
    this.screen = new xterm.Terminal({
      cols: columns,
      rows,
      convertEol: true,
      scrollback: 10_000,
      allowProposedApi: true,
    });
  }

  get columns(): number {
    return this.width;
  }

  onResize(listener: () => void): void {
    this.listeners.push(listener);
  }

  write(text: string): void {
    this.written += text;
    this.screen.write(text);
  }

  /**
   * The window is resized: the emulator takes the new size between what was written before and what comes after
   * (its writes are parsed in order, later), and the program, told at once (SIGWINCH), draws again.
   */
  resize(columns: number): void {
    this.width = columns;
    this.screen.write("", () => this.screen.resize(columns, this.rows));
    for (const listener of this.listeners) listener();
  }

  /** Every row, scrollback and screen, once what was written is on it; blank rows at the end left out. */
  async read(): Promise<Row[]> {
    await new Promise<void>((resolve) => this.screen.write("", resolve));
    const buffer = this.screen.buffer.active;
    const rows: Row[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      rows.push({ text: line?.translateToString(true) ?? "", wrapped: line?.isWrapped ?? false });
    }
    while (rows.length > 0 && rows.at(-1)?.text === "") rows.pop();
    return rows;
  }

  /** An Io as the binary builds it on a terminal: stderr (and stdout, when asked) drawn on this one. */
  io(o: { stdout?: "terminal" | ((text: string) => void) } = {}): Io {
    const stdout = o.stdout ?? (() => {});
    return terminalIo({
      stdout: stdout === "terminal" ? (text) => this.write(text) : stdout,
      stderr: (text) => this.write(text),
      stderrTerminal: this,
      ...(stdout === "terminal" ? { stdoutTerminal: this } : {}),
      stdinIsTTY: false,
      ask: async () => "",
    });
  }
}
