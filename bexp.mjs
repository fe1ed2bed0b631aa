import { build } from "rolldown";
await build({
  input: "dist/src/cli.js", platform: "node",
  external: (id, _i, resolved) => !resolved && !/^[./]/.test(id) && !/^commander($|\/)/.test(id),
  logLevel: "warn",
  output: { dir: "dist/cjs", format: "cjs", entryFileNames: "infra.cjs", chunkFileNames: "[name]-[hash].cjs", cleanDir: true, keepNames: true },
});
