// The `infra` executable as shipped: infra's own modules, compiled by tsc into dist/src, joined into a few files in
// dist/bin. `npm run build` runs this file after tsc (through rolldown's API: its command line prints a table of
// every chunk). Nothing is minified, so a stack trace under --verbose names infra's own functions.
//
// Start-up is what this arrangement is for (`npm run bench`, "CLI start-up"). Node's ES module loader pays for each
// file it resolves and reads, so what every command loads before it runs (the commands' definitions, commander,
// and what they import: src/commands/program.ts) is one file; each command's action, and everything it uses, is a
// part loaded when that command runs. Commander is joined in too: it is the one dependency every run loads, and
// its eight files cost more to find than to parse (it stays a dependency in package.json, so that its licence is
// installed beside the code copied from it). The AWS SDK and the rest stay in node_modules, loaded as they are, when
// a command needs them.
import { build, rolldown } from "rolldown";

const options = {
  input: "dist/src/cli.js",
  platform: "node",
  // Bare specifiers other than commander (node:fs, @aws-sdk/client-ecs) are imported from node_modules at run time.
  // Asked of resolved paths too: those are never external (on Windows they start with a drive letter, not "/").
  external: (id, _importer, resolved) => !resolved && !/^[./]/.test(id) && !/^commander($|\/)/.test(id),
  logLevel: "warn",
};

// First, which modules the executable loads before any dynamic import: rolldown's own chunks, read without writing.
const startup = new Set();
const first = await rolldown(options);
const { output } = await first.generate({ format: "esm" });
await first.close();
const chunks = new Map(output.filter((c) => c.type === "chunk").map((c) => [c.fileName, c]));
const entry = output.find((c) => c.type === "chunk" && c.isEntry);
const seen = new Set();
const visit = (chunk) => {
  if (seen.has(chunk.fileName)) return;
  seen.add(chunk.fileName);
  for (const id of chunk.moduleIds) startup.add(id);
  for (const name of chunk.imports) if (chunks.has(name)) visit(chunks.get(name));
};
visit(entry);
// The entry itself waits at its top level for the command to finish: a part that imported from its file would wait
// for that too. It stays alone in infra.js; every part imports what it shares from the one start-up file.
startup.delete(entry.facadeModuleId);

await build({
  ...options,
  output: {
    dir: "dist/bin",
    format: "esm",
    entryFileNames: "infra.js",
    chunkFileNames: "[name]-[hash].js",
    cleanDir: true,
    codeSplitting: { groups: [{ name: "start", test: (id) => startup.has(id) }] },
    // Two modules may each have a function or class of one name; joined, one is renamed. Errors and messages built
    // from constructor names must not change with the build.
    keepNames: true,
    // The entry's first two lines start Node after `--` (see src/cli.ts): the bundler keeps the first and drops the
    // second, a comment to JavaScript.
    postBanner: (chunk) => (chunk.isEntry ? '//bin/sh -c :; exec node -- "$0" "$@"' : ""),
  },
});
