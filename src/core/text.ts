// Text made to fit a width, as a terminal counts it: by display width (a CJK character takes two columns, an
// emoji two, a colour code none), so a line cut or wrapped here never wraps again on the screen. Loaded only where
// a width applies: measuring text by display width loads Unicode data that a start-up does not need.
import { styleText } from "node:util";
import cliTruncate from "cli-truncate";
import stringWidth from "string-width";
import wrapAnsi from "wrap-ansi";

/** The columns text takes on a terminal. */
export const widthOf = (text: string): number => stringWidth(text);

/**
 * One line at most `width` columns wide: cut at the end, or in the middle where both ends say what it is (an id, an
 * ARN: "startupwebapp-…/1a2b3c"), with an ellipsis where text was taken out.
 */
export function cut(text: string, width: number, position: "end" | "middle" = "end"): string {
  if (width <= 0) return "";
  return cliTruncate(text, width, { position });
}

/**
 * Text as lines of at most `width` columns: broken between words, a word longer than a line broken within, and
 * the lines after the first indented so they read as one item's (a hanging indent). A line's own indent is kept.
 */
export function wrap(text: string, width: number, indent = 0): string[] {
  return text.split("\n").flatMap((line, i) => {
    const own = /^ */.exec(line)?.[0] ?? "";
    // A width too narrow for the indents and a few letters wraps without them.
    const lead = width - own.length - indent >= 12 ? own : "";
    const hanging = width - lead.length - indent >= 12 ? indent : 0;
    const body = line.slice(own.length);
    const room = Math.max(1, width - lead.length);
    // The first line takes the whole width, the others what the hanging indent leaves.
    const firstRoom = i > 0 ? Math.max(1, room - hanging) : room;
    const [first = "", ...others] = wrapAnsi(body, firstRoom, { hard: true }).split("\n");
    const rest = body.startsWith(first) ? body.slice(first.length).replace(/^ /, "") : others.join(" ");
    const more = rest ? wrapAnsi(rest, Math.max(1, room - hanging), { hard: true }).split("\n") : [];
    const indentFirst = i > 0 ? " ".repeat(hanging) : "";
    return [`${lead}${indentFirst}${first}`, ...more.map((part) => `${lead}${" ".repeat(hanging)}${part}`)];
  });
}

/** Text padded with spaces to `width` columns (by display width), on the right or, for numbers, on the left. */
export function pad(text: string, width: number, align: "left" | "right" = "left"): string {
  const fill = " ".repeat(Math.max(0, width - widthOf(text)));
  return align === "left" ? text + fill : fill + text;
}

export type Style = "green" | "yellow" | "red" | "dim";

/** Text in a colour when `colour` says so (a terminal, NO_COLOR unset); as it is otherwise. */
export function paint(colour: boolean, style: Style, text: string): string {
  // The caller has decided: styleText's own look at process.stdout would judge the wrong stream.
  return colour && text ? styleText(style, text, { validateStream: false }) : text;
}
