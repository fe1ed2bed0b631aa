// The block of lines at the bottom of a terminal that shows what is in progress: each line cut to the terminal's
// width, redrawn in place by log-update, drawn again when the terminal is resized; text that stays (finished steps,
// messages) is written above it. log-update erases as many rows as it drew, which holds while the width does: a
// terminal made narrower reflows each drawn line onto as many rows as it now needs (xterm.js, VTE, iTerm2, Windows
// Terminal and tmux all do), so after a resize the block is erased by that count before it is drawn again.
import ansiEscapes from "ansi-escapes";
import { createLogUpdate } from "log-update";
import { cut, widthOf } from "../core/text.js";
import type { Terminal } from "./render.js";

/** The block's lines for a width: a block laid out for the width it is drawn at, again after each resize. */
export type BlockLines = (columns: number) => string[];

export class LiveBlock {
  private lines: BlockLines = () => [];
  /** What is on the screen: the lines, as cut, and the width they were cut for. */
  private shown: { lines: string[]; columns: number } = { lines: [], columns: 0 };
  private readonly update: ReturnType<typeof createLogUpdate>;

  /** While set, what is written waits here, to go out as one write (the terminal never shows half a redraw). */
  private batch: string[] | undefined;

  constructor(
    readonly terminal: Terminal,
    private readonly output: (text: string) => void,
  ) {
    // log-update reads only these of its stream: where to write, the terminal's size, and that it is a terminal.
    const stream = {
      isTTY: true,
      write: (text: string) => {
        this.write(text);
        return true;
      },
      get columns() {
        return terminal.columns;
      },
      get rows() {
        return terminal.rows;
      },
    };
    // The cursor stays visible: hiding it would need restoring on every way out of the process.
    this.update = createLogUpdate(stream as unknown as NodeJS.WriteStream, { showCursor: true });
    terminal.onResize(() => this.together(() => this.draw()));
  }

  private write(text: string): void {
    if (this.batch) this.batch.push(text);
    else this.output(text);
  }

  private together(work: () => void): void {
    if (this.batch) {
      work();
      return;
    }
    this.batch = [];
    try {
      work();
    } finally {
      const text = this.batch.join("");
      this.batch = undefined;
      if (text) this.output(text);
    }
  }

  /** What is in progress, as lines made when the block is drawn; drawn now in place of what was. */
  show(lines: BlockLines): void {
    this.lines = lines;
    this.together(() => this.draw());
  }

  /** Draws the block again: what it shows has changed. */
  redraw(): void {
    this.together(() => this.draw());
  }

  /** Text that stays: written above the block, which is then drawn again below it. */
  print(text: string): void {
    this.together(() => {
      this.erase();
      this.write(text);
      this.draw();
    });
  }

  /** Output to the terminal by another stream (stdout): the block steps aside while it is written. */
  around(write: () => void): void {
    this.erase();
    write();
    this.draw();
  }

  /** Nothing is in progress any more. */
  clear(): void {
    this.lines = () => [];
    this.together(() => this.erase());
  }

  private draw(): void {
    const { columns, rows } = this.terminal;
    if (columns !== this.shown.columns) this.erase();
    // One row stays free for the cursor below the block, so the block never scrolls its own first line away.
    const lines = this.lines(columns)
      .slice(-Math.max(1, rows - 1))
      .map((line) => cut(line, columns));
    if (lines.length === 0) {
      this.erase();
      return;
    }
    this.update(lines.join("\n"));
    this.shown = { lines, columns };
  }

  private erase(): void {
    const { lines, columns } = this.shown;
    if (lines.length === 0) return;
    const now = this.terminal.columns;
    if (now === columns) this.update.clear();
    else {
      // Reflowed: each line now takes as many rows as its width needs at the new width (and the cursor's row).
      const reflowed = lines.reduce((n, line) => n + Math.max(1, Math.ceil(widthOf(line) / now)), 0);
      this.write(ansiEscapes.eraseLines(reflowed + 1));
      this.update.done();
    }
    this.shown = { lines: [], columns: now };
  }
}
