// What the commands' definitions are registered with and their actions are handed. program.ts makes it; it is apart
// from program.ts so that the definitions and the actions depend on this file alone, not on the one that imports them.
import type { Command } from "commander";
import type { GlobalOptions } from "./options.js";
import type { Deps } from "./setup.js";

/** What each group of commands is registered with. */
export interface Commands {
  program: Command;
  deps: Deps;
  opts: (cmd: Command) => GlobalOptions;
  resourceHelp: string;
  /** With --json: the command's one JSON document (printed once, by main). */
  result: (document: Record<string, unknown>) => void;
  /** A command's action, the function `name` of the module `load` imports (in actions/), loaded when it runs. */
  lazy: <M extends Record<K, Action>, K extends string>(
    load: () => Promise<M>,
    name: K,
  ) => (...args: unknown[]) => Promise<void>;
}

/** What an action module exports for each command: commander's arguments to the action, after the commands. */
export type Action = (commands: Commands, ...args: never[]) => Promise<void>;
