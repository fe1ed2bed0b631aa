// What bundle.mjs joins into the executable and what it leaves to node_modules (test/bundle.test.ts).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";

/**
 * Whether Node loads a package's entry, as require() resolves it from `from`, as CommonJS: by its extension, else by
 * the "type" of the package.json nearest to it. A package whose "exports" refuse require() does not (it is joined in).
 */
export const loadsAsCommonJs = (id, from = import.meta.url) => {
  let file;
  try {
    file = createRequire(from).resolve(id);
  } catch (err) {
    if (err.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return false;
    throw err;
  }
  if (/\.[cm]js$/.test(file)) return file.endsWith(".cjs");
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    } catch {
      continue;
    }
    return manifest.type !== "module";
  }
  return true;
};

/**
 * Rolldown's `external` for a checkout at `root`. Node's own modules, and the packages infra's own code imports that
 * load as CommonJS other than commander (@aws-sdk/client-ecs), are required from node_modules at run time. What a
 * joined-in package imports is joined in with it: required from dist/bin, a package could resolve to another version
 * than the one it was installed with. A package's file is one in a node_modules folder below the checkout (or above
 * it), not merely one whose path names one: the checkout itself may be in node_modules (a git dependency that pnpm
 * or yarn builds in place), and its own files are still its own.
 * Asked of resolved paths too: those are never external (on Windows they start with a drive letter, not "/").
 */
export const externalFor = (root) => (id, importer, resolved) =>
  id.startsWith("node:") ||
  (!resolved &&
    !/^[./]/.test(id) &&
    !(importer !== undefined && relative(root, importer).split(/[\\/]/).includes("node_modules")) &&
    !/^commander($|\/)/.test(id) &&
    loadsAsCommonJs(id));
