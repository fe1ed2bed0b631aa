// The screen: stderr's terminal with the live block at its bottom, through which everything written to the
// terminal goes once a command opens it (render.ts, terminalIo). Loaded only then.
import type { Clock } from "../core/clock.js";
import { widthOf, wrap } from "../core/text.js";
import { LiveBlock } from "./live-block.js";
import { blockProgress } from "./progress-block.js";
import type { Screen, Terminal } from "./render.js";

export function openScreen(terminal: Terminal, write: (text: string) => void): Screen {
  const block = new LiveBlock(terminal, write);
  return {
    terminal,
    // Whatever is written above the block fits too: a line too long is wrapped under itself.
    print: (text) => block.print(fitLines(text, terminal.columns)),
    around: (output) => block.around(output),
    fit: (lines) => `${lines.flatMap((line) => wrap(line, terminal.columns, 4)).join("\n")}\n`,
    progress: (clock: Clock) => blockProgress(block, clock),
    clear: () => block.clear(),
  };
}

const fitLines = (text: string, columns: number) =>
  text
    .split("\n")
    .flatMap((line) => (widthOf(line) > columns ? wrap(line, columns, 4) : [line]))
    .join("\n");
