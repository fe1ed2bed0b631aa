// The project's own rules, checked: one owner per recorded key, no resource reaching into another's folder, imports
// that follow the layers docs/architecture.md lists, a step graph without unknown names or cycles, and an env example
// that documents exactly the keys infra reads.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { checkGraph } from "../src/commands/steps.js";
import { EnvDocument } from "../src/core/env-document.js";
import { KEYS } from "../src/core/keys.js";
import { recordOwned } from "../src/core/owners.js";
import { drillRecords } from "../src/recovery/record.js";
import { RESOURCE_NAMES } from "../src/resources/names.js";
import { RESOURCES } from "../src/resources/registry.js";
import type { Action } from "../src/resources/resource.js";
import { storeRecords } from "../src/store/location.js";

const ROOT = new URL("..", import.meta.url).pathname;
const example = EnvDocument.parse(readFileSync(join(ROOT, "aws-resources.env.example"), "utf8"), "example");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** The layers table of docs/architecture.md: each layer's paths under src/, and the layers it may import from. */
function documentedLayers(): { name: string; paths: string[]; uses: string[] }[] {
  const doc = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
  const section = doc.slice(doc.indexOf("## The layers"), doc.indexOf("\n## ", doc.indexOf("## The layers") + 1));
  const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `src/"))
    .map((line) => {
      const cells = line.split("|").map((c) => c.trim());
      const paths = ticked(cells[1] as string).map((p) => p.replace(/^src\//, "").replace(/\/$/, ""));
      return { name: paths[0] as string, paths, uses: ticked(cells[3] as string) };
    });
}

/** The layer a file under src/ belongs to, and its unit: the layer, or for a resource folder that folder. */
function layerOf(
  layers: ReturnType<typeof documentedLayers>,
  file: string,
): { layer: string; unit: string } | undefined {
  const folder = /^resources\/([^/]+)\//.exec(file)?.[1];
  if (folder && folder !== "common") return { layer: "resources/<name>", unit: `resources/${folder}` };
  const matches = layers.flatMap((l) =>
    l.paths.filter((p) => file === p || file.startsWith(`${p}/`)).map((p) => ({ layer: l.name, length: p.length })),
  );
  const best = matches.sort((a, b) => b.length - a.length)[0];
  return best && { layer: best.layer, unit: best.layer };
}

/** What a module loads before it runs, read by TypeScript's parser: its imports and re-exports, less type-only ones. */
function staticImports(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest);
  return source.statements.flatMap((s) => {
    const from =
      (ts.isImportDeclaration(s) && !s.importClause?.isTypeOnly) || (ts.isExportDeclaration(s) && !s.isTypeOnly)
        ? s.moduleSpecifier
        : undefined;
    return from && ts.isStringLiteral(from) ? [from.text] : [];
  });
}

/** Source files under src/ (the in-memory AWS excepted: it is AWS's side), with their text and path from src/. */
const sources = () =>
  filesUnder(join(ROOT, "src"))
    .map((path) => ({ file: path.slice(ROOT.length + "src/".length), text: readFileSync(path, "utf8") }))
    .filter((s) => !s.file.startsWith("sandbox/aws/"));

/** Every place a file writes the env file, or calls something that does: `.record(`, `recordOwned(`, `writeFile`. */
const envWrites = (text: string) =>
  [...text.matchAll(/\.record\(|\brecordOwned\(|\b(?:writeFile|replaceFile)(?:Sync)?\(/g)].map((m) =>
    m[0].replace(/^\./, ""),
  );

/**
 * Who may write the env file, and what: resources record their own `records` through the lifecycle, and the few keys
 * no resource makes are recorded by the module that owns them. Files that write something that is not the env
 * file (a lock, the sandbox's state) say so.
 */
const ENV_WRITERS: Record<string, string> = {
  "core/owners.ts": "the one write, after the owner's keys are checked",
  "core/env-file.ts": "the file itself: read-compare-write under its lock, replaced by rename",
  "core/file-lock.ts": "the lock file beside the env file, not the env file",
  "state/lifecycle.ts": "a resource's records, from its model's recorded()",
  "resources/ecs-service-task-definition/revisions.ts": "the revision that runs, as that resource's own keys",
  "recovery/record.ts": "the last drill's record (drillRecords)",
  "store/open.ts": "the INFRA_STATE line that turns the store on (storeRecords)",
  "core/run-lock.ts": "the stack's claim beside the env file, not the env file",
  "sandbox/session.ts": "a new env file for the sandbox, only where none exists",
  "sandbox/account-file.ts": "the sandbox's account state, not the env file",
  "core/replace-file.ts": "a small file replaced whole for the two above (the claim, the account), not the env file",
};

/** AWS calls that change nothing: every other command an SDK client sends is a mutating call. */
const READ_ONLY = /^(Describe|List|Get)/;

/** The mutating AWS commands a file sends (`new XCommand(` of a command imported from an SDK client). */
function mutatingCalls(text: string): string[] {
  const imported = new Set(
    [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-[a-z0-9-]+"/g)].flatMap((m) =>
      (m[1] as string).split(",").map((n) => n.trim().replace(/^type\s+/, "")),
    ),
  );
  return [...text.matchAll(/new (\w+Command)\(/g)]
    .map((m) => m[1] as string)
    .filter((c) => imported.has(c) && !READ_ONLY.test(c));
}

/**
 * Who changes AWS objects outside the resources' own folders (a resource folder changes its own objects only: it
 * cannot import another's). Each names the calls it may send and what they change.
 */
const MUTATORS: Record<string, { calls: string[]; owns: string }> = {
  "resources/common/known-good.ts": { calls: ["TagResourceCommand"], owns: "the KnownGood mark on a revision" },
  "resources/common/dns/records.ts": {
    calls: ["ChangeResourceRecordSetsCommand"],
    owns: "the DNS records of the resource that asks (the validation CNAME, the alias records)",
  },
  "deploy/migrate.ts": { calls: ["RunTaskCommand"], owns: "the one-off migration task, run and not kept" },
  "recovery/rds.ts": {
    calls: [
      "RestoreDBInstanceFromDBSnapshotCommand",
      "RestoreDBInstanceToPointInTimeCommand",
      "AddTagsToResourceCommand",
      "DeleteDBInstanceCommand",
    ],
    owns: "the drill's restored database instance",
  },
  "recovery/check.ts": {
    calls: ["DeregisterTaskDefinitionCommand", "StopTaskCommand"],
    owns: "the drill's check and cutover families (registered through the task definition resource's one path), and the one-off tasks it runs from them",
  },
  "recovery/cutover.ts": {
    calls: ["CreateSecretCommand", "DeleteSecretCommand"],
    owns: "the rehearsal's copy of the database secret, deleted with the drill",
  },
  "store/bucket.ts": {
    calls: [
      "CreateBucketCommand",
      "PutBucketVersioningCommand",
      "PutBucketEncryptionCommand",
      "PutPublicAccessBlockCommand",
      "PutBucketPolicyCommand",
      "PutBucketTaggingCommand",
      "HeadBucketCommand",
    ],
    owns: "the bucket of the stacks' records, made and set up once per account and region (HeadBucket reads only)",
  },
  "store/s3-record.ts": { calls: ["PutObjectCommand"], owns: "the stack's record and claim object in that bucket" },
};

describe("one owner per key and per object", () => {
  it("has one owner recording each key: a resource, or the module that records what no resource makes", () => {
    const owners = new Map<string, string[]>();
    for (const r of [...RESOURCES, drillRecords, storeRecords])
      for (const k of r.records) owners.set(k, [...(owners.get(k) ?? []), r.name]);
    expect([...owners].filter(([, by]) => by.length > 1)).toEqual([]);
    expect(owners.get("DR_LAST_DRILL")).toEqual(["dr-drill"]);
  });

  it("refuses to record a key for an owner that does not declare it, before the file is touched", async () => {
    const written: Record<string, string>[] = [];
    const env = { record: async (u: Record<string, string>) => void written.push(u) };
    const taskDefinition = RESOURCES.find((r) => r.name === "ecs-service-task-definition");
    if (!taskDefinition) throw new Error("no task definition resource");
    await expect(recordOwned(env, drillRecords, { ECS_SERVICE_TASK_DEFINITION_ARN: "arn" })).rejects.toThrow(
      /dr-drill does not own ECS_SERVICE_TASK_DEFINITION_ARN/,
    );
    await recordOwned(env, taskDefinition, { ECS_SERVICE_TASK_DEFINITION_ARN: "arn" });
    expect(written).toEqual([{ ECS_SERVICE_TASK_DEFINITION_ARN: "arn" }]);
  });

  it("writes the env file only from the modules that own what they write", () => {
    const strays = sources().flatMap(({ file, text }) =>
      envWrites(text).length && !(file in ENV_WRITERS) ? [`${file}: ${envWrites(text).join(", ")}`] : [],
    );
    expect(strays).toEqual([]);
    // recordOwned is given the writer's own keys: a resource module passes its own resource.
    const revisions = sources().find((s) => s.file === "resources/ecs-service-task-definition/revisions.ts");
    expect(revisions?.text).toMatch(/recordOwned\(ctx\.env, taskDefinitionResource,/);
  });

  it("sends every mutating AWS call from the owner of the object it changes", () => {
    const strays = sources().flatMap(({ file, text }) => {
      if (/^resources\/(?!common\/)[^/]+\//.test(file)) return [];
      const allowed = MUTATORS[file]?.calls ?? [];
      return mutatingCalls(text)
        .filter((call) => !allowed.includes(call))
        .map((call) => `${file} sends ${call}`);
    });
    expect(strays).toEqual([]);
  });

  it("registers task definition revisions on one path, and marks them known good from one module", () => {
    const senders = (call: string) =>
      sources()
        .filter((s) => mutatingCalls(s.text).includes(call))
        .map((s) => s.file);
    expect(senders("RegisterTaskDefinitionCommand")).toEqual(["resources/ecs-service-task-definition/revisions.ts"]);
    const marking = sources()
      .filter((s) => /KNOWN_GOOD|"KnownGood"/.test(s.text))
      .map((s) => s.file);
    expect(marking).toEqual(["resources/common/known-good.ts"]);
  });
});

describe("the project's structure", () => {
  it("keeps each resource folder to itself: shared pieces live in src/resources/common", () => {
    const resourcesDir = join(ROOT, "src/resources");
    const folders = readdirSync(resourcesDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== "common")
      .map((e) => e.name);
    const crossings = folders.flatMap((folder) =>
      filesUnder(join(resourcesDir, folder)).flatMap((file) =>
        [...readFileSync(file, "utf8").matchAll(/from "\.\.\/([a-z0-9-]+)\//g)]
          .map((m) => m[1])
          .filter((target) => target !== "common" && folders.includes(target as string))
          .map((target) => `${file.slice(ROOT.length)} imports from ${target}`),
      ),
    );
    expect(crossings).toEqual([]);
  });

  it("imports only what docs/architecture.md's layers table allows each layer, and places every file in a layer", () => {
    const layers = documentedLayers();
    expect(layers.length).toBeGreaterThan(10);
    // The table lists each layer above every layer it uses.
    const named = (name: string) => layers.findIndex((l) => l.name === name);
    const row = (name: string) =>
      named(name) >= 0 || !name.startsWith("resources/") ? named(name) : named("resources/<name>");
    expect(layers.flatMap((l, i) => l.uses.filter((u) => !(row(u) > i)).map((u) => `${l.name} uses ${u}`))).toEqual([]);
    const src = join(ROOT, "src");
    const problems = filesUnder(src).flatMap((path) => {
      const file = path.slice(src.length + 1);
      const from = layerOf(layers, file);
      if (!from) return [`${file} is in no layer of the table`];
      const uses = layers.find((l) => l.name === from.layer)?.uses ?? [];
      return [...readFileSync(path, "utf8").matchAll(/(?:from|import\()\s*"(\.[^"]+)"/g)].flatMap((m) => {
        const target = posix.normalize(posix.join(dirname(file), m[1] as string)).replace(/\.js$/, ".ts");
        const to = layerOf(layers, target);
        if (!to) return [`${file} imports ${target}, which is in no layer`];
        const allowed = to.unit === from.unit || uses.includes(to.unit) || uses.includes(to.layer);
        return allowed ? [] : [`${file} (${from.layer}) imports ${target} (${to.unit})`];
      });
    });
    expect(problems).toEqual([]);
  });

  it("names the resources in names.ts as the registry holds them, in the same order", () => {
    expect(RESOURCES.map((r) => r.name)).toEqual([...RESOURCE_NAMES]);
  });

  it("starts every command, and --help, with the commands' definitions alone (docs/architecture.md, the build)", () => {
    // What src/cli.ts imports statically, and what that imports: every run loads it before a command's action.
    const src = join(ROOT, "src");
    const loaded = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const target of staticImports(join(src, file))) {
        if (!target.startsWith(".")) bare.add(target.replace(/^(node:).*/, "$1"));
        else visit(posix.normalize(posix.join(dirname(file), target)).replace(/\.js$/, ".ts"));
      }
    };
    visit("cli.ts");
    expect([...bare].sort()).toEqual(["commander", "node:"]);
    // Not the actions, the resources, the diff engine, the sandbox's AWS, the env file's code nor the AWS clients.
    const heavy = [...loaded].filter(
      (f) =>
        /^(commands\/actions|state|sandbox\/(aws|wire)|resources\/(?!common\/|names\.ts)[^/]+\/)/.test(f) ||
        [
          "resources/registry.ts",
          "sandbox/session.ts",
          "core/env-file.ts",
          "core/aws.ts",
          "commands/setup.ts",
        ].includes(f),
    );
    expect(heavy).toEqual([]);
    // Each group's command lines are loaded, so that --help lists them.
    expect([...loaded].filter((f) => f.startsWith("commands/")).length).toBeGreaterThan(8);
  });

  it("orders the resources in a graph without unknown names or cycles", () => {
    expect(() => checkGraph(RESOURCES)).not.toThrow();
    expect(() => checkGraph([{ name: "a", after: ["b"] }])).toThrow(/a comes after b, which is not a resource/);
    expect(() =>
      checkGraph([
        { name: "a", after: ["b"] },
        { name: "b", after: ["a"] },
      ]),
    ).toThrow(/cycle: a -> b -> a/);
  });

  it("documents in aws-resources.env.example exactly the keys infra reads", () => {
    expect(example.keys().filter((k) => !(k in KEYS))).toEqual([]);
    expect(Object.keys(KEYS).filter((k) => !example.keys().includes(k))).toEqual([]);
  });

  it("reads every key of the table somewhere (nothing documented is unread)", () => {
    const read = new Set<string>();
    const recording = {
      get: (key: string) => {
        read.add(key);
        return example.get(key) || undefined;
      },
    };
    for (const r of RESOURCES)
      for (const action of ["create", "verify", "destroy", "plan"] as Action[]) {
        try {
          r.config(recording, action);
        } catch {
          // A missing input still counts as read.
        }
      }
    const sources = filesUnder(join(ROOT, "src"))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    const unread = Object.keys(KEYS).filter((k) => !read.has(k) && !sources.includes(`"${k}"`));
    expect(unread).toEqual([]);
  });
});
