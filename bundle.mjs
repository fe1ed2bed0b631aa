// The `infra` executable as shipped: infra's own modules, compiled by tsc into dist/src, joined into a few files in
// dist/bin (one for what every command loads, one per part loaded when a command needs it). `npm run build` runs this
// file after tsc (through rolldown's API: its command line prints a table of every chunk). Node's ES module loader
// pays for each file it resolves and reads, and `infra --help` loaded about 80 of them; joined (36), infra's share
// of the start-up beyond Node's own is about a quarter shorter (`npm run bench`, "CLI start-up"). Dependencies stay in node_modules, loaded as they are; nothing is
// minified, so a stack trace under --verbose names infra's own functions.
import { build } from "rolldown";

await build({
  input: "dist/src/cli.js",
  platform: "node",
  // Bare specifiers (node:fs, @aws-sdk/client-ecs, commander) are imported from node_modules at run time.
  external: /^[^./]/,
  output: {
    dir: "dist/bin",
    format: "esm",
    entryFileNames: "infra.js",
    chunkFileNames: "[name]-[hash].js",
    cleanDir: true,
    // Two modules may each have a function or class of one name; joined, one is renamed. Errors and messages built
    // from constructor names must not change with the build.
    keepNames: true,
    // The entry's first two lines start Node after `--` (see src/cli.ts): the bundler keeps the first and drops the
    // second, a comment to JavaScript.
    postBanner: (chunk) => (chunk.isEntry ? '//bin/sh -c :; exec node -- "$0" "$@"' : ""),
  },
});
