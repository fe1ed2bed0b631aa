// The `infra` executable as shipped: infra's own modules, compiled by tsc into dist/src, joined into a few files in
// dist/bin. `npm run build` runs this file after tsc (through rolldown's API: its command line prints a table of
// every chunk). Nothing is minified, so a stack trace under --verbose names infra's own functions.
//
// Start-up is what this arrangement is for (`npm run bench`, "CLI start-up"):
// - The executable is CommonJS (dist/bin/package.json says so). Node's ES module loader resolves, links and
//   evaluates a graph of files asynchronously before any of it runs; its CommonJS loader reads a file and runs it.
//   Measured on `infra --help`, that is about 14 ms of a 100 ms start.
// - What every command loads before it runs (the commands' definitions, commander, and what they import:
//   src/commands/program.ts) is one file; each command's action, and everything it uses, is a part loaded when
//   that command runs. Commander is joined in too: it is the one dependency every run loads, and its eight files
//   cost more to find than to parse.
// - The AWS SDK and the other dependencies Node can load as CommonJS stay in node_modules, loaded as they are, when
//   a command needs them: the SDK's CommonJS build is one file a package, where its ES build is hundreds.
// - A dependency published only as ES modules (log-update, string-width and the like) is joined in: loading one
//   with require() is new in Node 20.19, and its default export would not come through as the code expects.
// Whatever is joined in stays a dependency in package.json, so that its licence is installed beside the code
// copied from it.
import { writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build, rolldown } from "rolldown";
import { externalFor } from "./bundle-rules.mjs";

const options = {
  input: "dist/src/cli.js",
  platform: "node",
  external: externalFor(dirname(fileURLToPath(import.meta.url))),
  logLevel: "warn",
};

// First, which modules the executable loads before any dynamic import: rolldown's own chunks, read without writing.
const startup = new Set();
const first = await rolldown(options);
const { output } = await first.generate({ format: "cjs" });
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
// The entry runs the command when it is loaded: nothing may import from its file. It stays alone in infra.js; every
// part imports what it shares from the one start-up file.
startup.delete(entry.facadeModuleId);

await build({
  ...options,
  output: {
    dir: "dist/bin",
    format: "cjs",
    // import() becomes require(): a package imported would load its ES build, beside the CommonJS build required
    // elsewhere (two copies of the SDK, each with its own classes).
    dynamicImportInCjs: false,
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
await writeFile("dist/bin/package.json", `${JSON.stringify({ type: "commonjs" })}\n`);
