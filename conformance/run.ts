// `npm run conformance`: the whole lifecycle through the built binary against an AWS-compatible endpoint that this
// project did not write (moto, LocalStack), to find what infra assumes beyond what the endpoint gives. The endpoint
// comes from --endpoint-url or INFRA_CONFORMANCE_ENDPOINT; without one it says so and exits 0 (CI has none).
// Its account is seeded with the prerequisites (seed.ts), or they are read from --inputs <env file> when it holds
// them already. Exit 0 when every step went as it does on AWS, 1 when one did not, 2 on bad usage.
// docs/conformance.md says how to run it and what it found.
import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { leftovers } from "./leftovers.js";
import { type Run, runStep, STEPS, type StepResult, startHealthServer } from "./lifecycle.js";
import { startProxy } from "./proxy.js";
import { conforms, renderReport } from "./report.js";
import { type Endpoint, seed } from "./seed.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const USAGE = "usage: npm run conformance -- [--endpoint-url <url>] [--region <region>] [--inputs <env file>]";

export async function conformance(argv: string[], env: NodeJS.ProcessEnv, print: (s: string) => void): Promise<number> {
  let options: { "endpoint-url"?: string; region?: string; inputs?: string };
  try {
    options = parseArgs({
      args: argv,
      options: { "endpoint-url": { type: "string" }, region: { type: "string" }, inputs: { type: "string" } },
    }).values;
  } catch (err) {
    print(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const url = options["endpoint-url"] ?? env.INFRA_CONFORMANCE_ENDPOINT;
  if (!url) {
    print(
      "conformance: skipped: no endpoint to run against (give --endpoint-url <url> or set INFRA_CONFORMANCE_ENDPOINT; docs/conformance.md says how to start moto)\n",
    );
    return 0;
  }
  if (!/^https?:\/\/[^/]+\/?$/.test(url)) {
    print(`conformance: ${url} is not an endpoint URL (http://host:port)\n${USAGE}\n`);
    return 2;
  }
  const endpoint: Endpoint = {
    url,
    region: options.region ?? "us-east-1",
    // An emulator takes any key; a real account's would come from the usual variables.
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? "conformance",
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "conformance",
    },
  };
  const cwd = mkdtempSync(join(tmpdir(), "infra-conformance-"));
  const envFile = join(cwd, "aws-resources.env");
  print(`conformance: ${options.inputs ? `inputs from ${options.inputs}` : `seeding the prerequisites at ${url}`}\n`);
  const inputs = options.inputs ? await readFile(options.inputs, "utf8") : await seed(endpoint);
  writeFileSync(envFile, `${inputs.trimEnd()}\n`);

  const [proxy, health] = await Promise.all([startProxy(url), startHealthServer()]);
  const run: Run = {
    proxy,
    envFile,
    cwd,
    health,
    env: {
      PATH: env.PATH ?? "",
      HOME: cwd,
      AWS_CONFIG_FILE: join(cwd, "aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(cwd, "aws-credentials"),
      AWS_ACCESS_KEY_ID: endpoint.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: endpoint.credentials.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  };
  const results: StepResult[] = [];
  try {
    for (const step of STEPS) {
      print(`conformance: ${step.name} (infra ${step.args.join(" ")})\n`);
      results.push(await runStep(run, step));
    }
  } finally {
    await Promise.all([proxy.close(), health.close()]);
  }
  const input = (key: string, fallback: string) => new RegExp(`^${key}="([^"]*)"`, "m").exec(inputs)?.[1] || fallback;
  const project = input("PROJECT_NAME", "startupwebapp");
  const left = await leftovers(endpoint, {
    project,
    domain: input("DOMAIN_NAME", "startupwebapp.com"),
    cluster: input("ECS_CLUSTER_NAME", `${project}-cluster`),
    service: input("ECS_SERVICE_NAME", `${project}-service`),
  });
  print(`\n${renderReport(url, results, left)}`);
  print(`the run's folder (env file, nothing secret): ${cwd}\n`);
  return results.every(conforms) && left.length === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  conformance(process.argv.slice(2), process.env, (s) => process.stdout.write(s)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`conformance: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 3;
    },
  );
}
