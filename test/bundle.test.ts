// What the build (bundle.mjs) joins into the CommonJS executable and what it leaves in node_modules, required at run
// time: a package left out must load with require(), and one joined in must be all of a dependency's code.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

type External = (id: string, importer: string | undefined, resolved: boolean) => boolean;
const rules: {
  loadsAsCommonJs: (id: string, from?: string) => boolean;
  externalFor: (root: string) => External;
} = await import(pathToFileURL(fileURLToPath(new URL("../bundle-rules.mjs", import.meta.url))).href);

/** A folder whose node_modules holds these files (path -> content); where to resolve from, inside it. */
function installed(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), "infra-bundle-"));
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, "node_modules", path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  }
  return pathToFileURL(join(root, "index.js")).href;
}

describe("which packages load as CommonJS", () => {
  it("a package whose require() entry is CommonJS, though its main is an ES module, does", () => {
    const from = installed({
      "dual/package.json": {
        type: "module",
        main: "./index.js",
        exports: { ".": { import: "./index.js", require: "./index.cjs" } },
      },
      "dual/index.js": "export default 1;",
      "dual/index.cjs": "module.exports = 1;",
    });

    expect(rules.loadsAsCommonJs("dual", from)).toBe(true);
  });

  it("a scoped package's subpath in a folder that says commonjs, inside an ES package, does", () => {
    const from = installed({
      "@scope/pkg/package.json": { type: "module", exports: { "./sub": { require: "./dist/cjs/sub.js" } } },
      "@scope/pkg/dist/cjs/package.json": { type: "commonjs" },
      "@scope/pkg/dist/cjs/sub.js": "module.exports = 1;",
    });

    expect(rules.loadsAsCommonJs("@scope/pkg/sub", from)).toBe(true);
  });

  it("a package whose exports refuse require() does not: it is joined in, the build does not fail", () => {
    const from = installed({
      "import-only/package.json": { type: "module", exports: { ".": { import: "./index.js" } } },
      "import-only/index.js": "export default 1;",
    });

    expect(rules.loadsAsCommonJs("import-only", from)).toBe(false);
  });

  it("of infra's own dependencies: the SDK and @smithy/core's subpaths do, log-update does not", () => {
    expect(rules.loadsAsCommonJs("@aws-sdk/client-ecs")).toBe(true);
    expect(rules.loadsAsCommonJs("@smithy/core/schema")).toBe(true);
    expect(rules.loadsAsCommonJs("log-update")).toBe(false);
  });
});

describe("what is left out of the bundle", () => {
  it("for a checkout inside a node_modules folder (a git dependency built in place), still the SDK", () => {
    const root = "/home/u/project/node_modules/infra";
    const external = rules.externalFor(root);

    // infra's own files import the SDK: required at run time, not joined in.
    expect(external("@aws-sdk/client-ecs", `${root}/dist/src/core/aws.js`, false)).toBe(true);
    expect(external("node:fs", `${root}/dist/src/core/aws.js`, false)).toBe(true);
    // What a joined-in package imports is joined in with it.
    expect(external("string-width", `${root}/node_modules/cli-truncate/index.js`, false)).toBe(false);
    expect(external("string-width", "/home/u/project/node_modules/cli-truncate/index.js", false)).toBe(false);
    // Packages published only as ES modules, and commander, are joined in.
    expect(external("log-update", `${root}/dist/src/commands/screen.js`, false)).toBe(false);
    expect(external("commander", `${root}/dist/src/commands/program.js`, false)).toBe(false);
  });
});
