// A command a one-off task runs (the migration, the drill's check), as the env file or an option gives it. It runs
// without a shell (ECS hands the words to the container as its command), so shell syntax is refused rather than
// passed on as literal words.
import { InputError } from "./errors.js";

/** A command as words: `python manage.py check` or a JSON array of strings (for arguments with spaces). */
export function parseCommand(key: string, text: string, example: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let words: unknown;
    try {
      words = JSON.parse(trimmed);
    } catch {
      throw new InputError(`${key} is not a JSON array of strings: ${trimmed}`);
    }
    if (!Array.isArray(words) || words.length === 0 || !words.every((w) => typeof w === "string" && w !== ""))
      throw new InputError(`${key} is not a JSON array of strings: ${trimmed}`);
    return words;
  }
  if (trimmed === "") throw new InputError(`${key} is empty`, `for example "${example}"`);
  if (/["'\\$`;|&<>]/.test(trimmed))
    throw new InputError(
      `${key} "${trimmed}" has shell syntax, but it runs without a shell`,
      `write it as words (${example}) or as a JSON array, e.g. ["sh","-c","..."]`,
    );
  return trimmed.split(/\s+/);
}
