// A dotenv-style document that keeps every byte it does not own: parsing records where each value sits
// in its line, and an update rewrites only that span, so comments, blank lines, order, quoting of other keys
// and line endings survive (the users' bash scripts and their `sed` edits keep working beside us).
import { InputError } from "./errors.js";
import { rejectControlCharacters } from "./keys.js";

interface Line {
  text: string; // without its line ending
  eol: string; // "\n", "\r\n" or "" (last line without a newline)
  key?: string;
  value?: string;
  valueStart?: number; // span of the raw value token (quotes included) in text
  valueEnd?: number;
}

// KEY=value, as bash assigns it when the file is sourced: no space before the "=" (bash would run KEY as a command),
// and none after it but before a comment (bash would assign nothing and run the rest).
const ASSIGNMENT = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*)=(.*)$/;

export class EnvDocument {
  private constructor(private readonly lines: Line[]) {}

  static parse(text: string, label: string): EnvDocument {
    const lines: Line[] = [];
    const parts = text.split(/(\r?\n)/);
    for (let i = 0; i < parts.length; i += 2) {
      const lineText = parts[i] ?? "";
      const eol = parts[i + 1] ?? "";
      if (lineText === "" && eol === "" && i > 0) break; // text ended with a newline
      lines.push(parseLine(lineText, eol, `${label}:${i / 2 + 1}`));
    }
    return new EnvDocument(lines);
  }

  /** The value of key ("" when set empty), or undefined when the file has no line for it. The last line wins, as in `source`. */
  get(key: string): string | undefined {
    return this.lastLineOf(key)?.value;
  }

  keys(): string[] {
    return [...new Set(this.lines.flatMap((l) => (l.key ? [l.key] : [])))];
  }

  /** Sets key: rewrites only the value span of its (last) line, or appends a line when the file has none. */
  set(key: string, value: string): void {
    const line = this.lastLineOf(key);
    if (line?.value === value) return;
    if (!line && value === "") return; // emptying a key the file never had: nothing to write
    const quoted = quote(value);
    if (line && line.valueStart !== undefined && line.valueEnd !== undefined) {
      line.text = line.text.slice(0, line.valueStart) + quoted + line.text.slice(line.valueEnd);
      line.valueEnd = line.valueStart + quoted.length;
      line.value = value;
      return;
    }
    // A new line ends as the file's lines do: a file kept with CRLF (edited on Windows) stays CRLF.
    const eol = this.lines.some((l) => l.eol === "\r\n") ? "\r\n" : "\n";
    const last = this.lines.at(-1);
    if (last && last.eol === "" && last.text !== "") last.eol = eol;
    const text = `${key}=${quoted}`;
    if (last && last.eol === "" && last.text === "") this.lines.pop(); // empty document
    this.lines.push({ text, eol, key, value, valueStart: key.length + 1, valueEnd: text.length });
  }

  toString(): string {
    return this.lines.map((l) => l.text + l.eol).join("");
  }

  private lastLineOf(key: string): Line | undefined {
    return this.lines.findLast((l) => l.key === key);
  }
}

function parseLine(text: string, eol: string, where: string): Line {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return { text, eol };
  // What a line holds is never repeated in a message: the file may be one the user did not mean (-f secrets.env).
  const m = ASSIGNMENT.exec(text);
  if (!m) throw new InputError(`${where}: not a KEY="value" line, a comment or a blank line`);
  const [, prefix = "", key = "", space = "", rest = ""] = m;
  const spacedValue = /^\s/.test(rest) && rest.trim() !== "" && !rest.trim().startsWith("#");
  if (space || spacedValue)
    throw new InputError(
      `${where}: ${key} has a space ${space ? "before" : "after"} "=", so bash would not assign it the value`,
      `write ${key}="value"`,
    );
  const valueStart = prefix.length + key.length + 1;
  const { value, length } = parseValue(rest, where);
  rejectControlCharacters(key, value, where);
  const after = rest.slice(length);
  if (after.trim() !== "" && !after.trim().startsWith("#")) {
    throw new InputError(
      `${where}: text after the value of ${key}, where only a # comment may follow (bash would run it)`,
      `quote the value: ${key}="..."`,
    );
  }
  return { text, eol, key, value, valueStart, valueEnd: valueStart + length };
}

/** Reads the value token at the start of rest; returns its value and its raw length. */
function parseValue(rest: string, where: string): { value: string; length: number } {
  const q = rest[0];
  if (q === '"' || q === "'") {
    let value = "";
    for (let i = 1; i < rest.length; i++) {
      const c = rest[i];
      if (c === q) return { value, length: i + 1 };
      if (q === '"' && c === "\\" && i + 1 < rest.length) {
        const next = rest[++i] as string;
        value += next === "n" ? "\n" : next;
      } else value += c;
    }
    throw new InputError(`${where}: unterminated ${q === '"' ? "double" : "single"} quote`);
  }
  // Unquoted, a value ends at the first space, as in bash: what follows is a comment, or refused by the caller.
  const value = /^\S*/.exec(rest)?.[0] ?? "";
  return { value, length: value.length };
}

/** Double quotes, with what bash expands inside them ($, backtick) escaped: users `source` this file. */
function quote(value: string): string {
  return `"${value.replace(/[\\"$`]/g, "\\$&").replace(/\n/g, "\\n")}"`;
}
