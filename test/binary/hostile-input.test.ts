// What a careless or hostile hand can put in front of infra (a value a shell would run, a terminal would obey or AWS
// would misread; a file that is not the one meant), through the built binary: each is refused with exit 2 and a
// message that names the key, line or option and what was expected, before any AWS call, and shows nothing it read.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KEYS } from "../../src/core/keys.js";
import { boolean } from "../../src/core/validators.js";
import { INPUTS } from "../../src/sandbox/aws/inputs.js";
import { isolatedEnv, runBinary } from "./support.js";

/** No credentials, and no instance metadata endpoint to wait for: what runs, runs offline. */
const OFFLINE = () => isolatedEnv({ AWS_EC2_METADATA_DISABLED: "true" });

/** A folder with an env file: the inputs, with some keys set (or replaced) to the given raw lines. */
function envFile(lines: Record<string, string> = {}, extra = ""): { folder: string; path: string } {
  const folder = mkdtempSync(join(tmpdir(), "infra-hostile-"));
  let text = INPUTS;
  for (const [key, line] of Object.entries(lines)) {
    const re = new RegExp(`^${key}=.*$`, "m");
    text = re.test(text) ? text.replace(re, () => line) : `${text}${line}\n`;
  }
  const path = join(folder, "aws-resources.env");
  writeFileSync(path, text + extra);
  return { folder, path };
}

const run = (args: string[], cwd?: string) =>
  runBinary(args, { env: OFFLINE(), killAfterMs: 15_000, ...(cwd ? { cwd } : {}) });

/** What a terminal would obey or reorder: C0 and C1 controls (a line break ends a line and is allowed) and bidi marks. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;

describe("true/false keys, through the binary", () => {
  const booleanKeys = Object.entries(KEYS)
    .filter(([, spec]) => spec.rule === boolean)
    .map(([key]) => key);

  it("knows the true/false keys", () => {
    expect(booleanKeys).toEqual(expect.arrayContaining(["WAF_ENABLED", "ALB_DELETION_PROTECTION"]));
  });

  it.each(booleanKeys.flatMap((key) => ["yes", "True", "1"].map((value) => [key, value])))(
    "refuses %s=%s with exit 2 in plan, rather than reading it as false",
    async (key, value) => {
      const { path } = envFile({ [key]: `${key}="${value}"` });

      const result = await run(["plan", "all", "-f", path]);

      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`error: ${key}="${value}" must be true or false\n`);
    },
  );

  it("refuses INFRA_SANDBOX=yes, the sandbox's own mark, rather than reading it as not the sandbox's", async () => {
    const { path } = envFile({ INFRA_SANDBOX: 'INFRA_SANDBOX="yes"' });

    const result = await run(["plan", "all", "-f", path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/: INFRA_SANDBOX="yes" must be true or false\n$/);
  });

  it("refuses WAF_ENABLED=yes in cost too, which would otherwise leave the WAF out of the estimate", async () => {
    const { path } = envFile({ WAF_ENABLED: 'WAF_ENABLED="yes"' });

    const result = await run(["cost", "-f", path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: WAF_ENABLED="yes" must be true or false\n');
  });
});

describe("ARNs, each in its service's form, through the binary", () => {
  const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds/startupwebapp/master";
  it.each([
    ["DB_SECRET_ARN", `${SECRET}-$(id)`, /a Secrets Manager secret ARN/],
    ["DB_SECRET_ARN", `${SECRET}-\`id\``, /a Secrets Manager secret ARN/],
    ["DB_SECRET_ARN", `${SECRET}-\${HOME}`, /a Secrets Manager secret ARN/],
    ["DB_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:master", /a Secrets Manager secret ARN/],
    ["DB_SECRET_ARN", "arn:aws:ssm:us-east-1:123456789012:parameter/db", /a Secrets Manager secret ARN/],
    [
      "ALB_ARN",
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/startupwebapp-tg/0123456789abcdef",
      /an Application Load Balancer ARN/,
    ],
    ["ACM_CERTIFICATE_ARN", "arn:aws:acm:us-east-1:123456789012:certificate/$(id)", /an ACM certificate ARN/],
    [
      "TARGET_GROUP_ARN",
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef;id",
      /a target group ARN/,
    ],
    ["ECS_SERVICE_TASK_DEFINITION_ARN", "arn:aws:ecs:us-east-1:123456789012:service/c/s", /a task definition ARN/],
  ])("refuses %s=%s with exit 2", async (key, value, what) => {
    const { path } = envFile({ [key]: `${key}='${value}'` });

    const result = await run(["plan", "all", "-f", path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: ${key}=".*" (\\(\\d+ characters\\) )?is not ${what.source}`));
  });

  it("takes the ARNs AWS gives: the sandbox's inputs plan as they are", async () => {
    const { path } = envFile();

    const result = await run(["plan", "all", "-f", path]);

    expect(result.code, result.stderr).toBe(0);
  });
});

describe("an e-mail address and domain names, through the binary", () => {
  it.each([
    ["$(id)@example.com"],
    ["ops\u202e@example.com"],
    ["ops\u009b@example.com"],
    ["ops@127.0.0.1"],
    ['"ops"@example.com'],
    ["ops..alerts@example.com"],
  ])("refuses ALARM_EMAIL=%s with exit 2", async (value) => {
    const { path } = envFile({ ALARM_EMAIL: `ALARM_EMAIL='${value}'` });

    const result = await run(["plan", "all", "-f", path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: ALARM_EMAIL=".*" is not an email address/);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });

  it("takes an ordinary address, plus-tag included", async () => {
    const { path } = envFile({ ALARM_EMAIL: 'ALARM_EMAIL="ops+alerts@example.com"' });

    expect((await run(["plan", "all", "-f", path])).code).toBe(0);
  });

  it.each([
    ["127.0.0.1", "0.0.1"],
    ["169.254.169.254", "169.254.254"],
    ["0x7f.1", "1"],
  ])("refuses API_DOMAIN_NAME=%s (an IP address) with exit 2, in plan and in load-test", async (api, domain) => {
    const { path } = envFile({ API_DOMAIN_NAME: `API_DOMAIN_NAME="${api}"`, DOMAIN_NAME: `DOMAIN_NAME="${domain}"` });

    const plan = await run(["plan", "all", "-f", path]);
    const load = await run(["load-test", "-f", path, "--yes", "--duration", "1s", "--no-sample"]);

    for (const result of [plan, load]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/ is not a domain name \(like example\.com; not an IP address\)/);
    }
    expect(load.stdout).not.toMatch(/Requests/);
  });
});

describe("env file lines bash would not read as an assignment, through the binary", () => {
  it.each([
    ['PROJECT_NAME = "otherproj"', "before"],
    ['PROJECT_NAME= "otherproj"', "after"],
  ])("refuses %s with exit 2, naming the line, where it would otherwise take the value", async (line, where) => {
    const { path } = envFile({}, `${line}\n`);
    const lineNumber = INPUTS.split("\n").length;

    const result = await run(["plan", "all", "-f", path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: ${path}:${lineNumber}: PROJECT_NAME has a space ${where} "=", so bash would not assign it the value - write PROJECT_NAME="value"\n`,
    );
  });
});

describe("error messages a terminal shows as they are, through the binary", () => {
  it.each([
    ["ESC and CR in a line", 'PROJECT_NAME="ok\u001b[32m OK\r"'],
    ["a C1 control in a value", 'PROJECT_NAME="ok\u009b32m"'],
    ["a bidi override in a value", 'PROJECT_NAME="ok\u202eevil"'],
  ])("escapes %s: nothing reaches stderr that moves the cursor, recolours or reorders", async (_what, line) => {
    const { path } = envFile({ PROJECT_NAME: line });

    const text = await run(["plan", "all", "-f", path]);
    const json = await run(["plan", "all", "-f", path, "--json"]);

    for (const result of [text, json]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/PROJECT_NAME|:\d+:/);
      expect(result.stderr).not.toMatch(RAW_CONTROL);
      expect(result.stdout).not.toMatch(RAW_CONTROL);
    }
    expect(text.stderr).toMatch(/\\x1b|\\x9b|\\u202e|KEY="value" line/);
  });

  it("escapes a resource name from the command line in commander's own error", async () => {
    const result = await run(["create", "\u001b[32mOK\u001b[0m"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\\x1b\[32mOK/);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });
});

describe("files named by the user, through the binary", () => {
  const SECRET = "hunter2-0b5f";
  /** A file that is not an env file, a paths file or JSON, holding something that must not be shown. */
  const secretFile = (folder: string) => {
    const path = join(folder, "secret.env");
    writeFileSync(path, `root:${SECRET}:19000:0:99999:7:::\nTOKEN=${SECRET}\n`);
    return path;
  };

  it("names the line of -f's file, not what it holds", async () => {
    const { folder } = envFile();

    const result = await run(["plan", "all", "-f", secretFile(folder)]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/secret\.env:1: not a KEY="value" line, a comment or a blank line/);
    expect(result.stderr).not.toContain(SECRET);
  });

  it("names the line of --paths-file, not what it holds", async () => {
    const { folder, path } = envFile();

    const result = await run(["load-test", "-f", path, "--paths-file", secretFile(folder), "--yes"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--paths-file .*secret\.env line 1 is not a weighted path/);
    expect(result.stderr).not.toContain(SECRET);
  });

  it("says CONTAINER_DEFINITION_FILE is not JSON, not what it holds", async () => {
    const folder = mkdtempSync(join(tmpdir(), "infra-hostile-"));
    const { path } = envFile({ CONTAINER_DEFINITION_FILE: `CONTAINER_DEFINITION_FILE="${secretFile(folder)}"` });

    const result = await run(["plan", "ecs-service-task-definition", "-f", path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/CONTAINER_DEFINITION_FILE .*secret\.env is not valid JSON/);
    expect(result.stderr).not.toContain(SECRET);
  });

  const fifo = () => {
    const path = join(mkdtempSync(join(tmpdir(), "infra-fifo-")), "pipe");
    execFileSync("mkfifo", [path]);
    return path;
  };
  const big = () => {
    const path = join(mkdtempSync(join(tmpdir(), "infra-big-")), "big");
    writeFileSync(path, `# ${"x".repeat(2 * 1024 * 1024)}\n`);
    return path;
  };
  const folderPath = () => {
    const path = join(mkdtempSync(join(tmpdir(), "infra-dir-")), "dir");
    mkdirSync(path);
    return path;
  };
  const sources: [string, () => string, RegExp][] = [
    ["/dev/zero", () => "/dev/zero", /is a device, not a regular file/],
    ["a named pipe", fifo, /is a named pipe, not a regular file/],
    ["a folder", folderPath, /is a folder, not a regular file/],
    ["a 2 MiB file", big, /is larger than/],
  ];

  it.each(sources)("refuses %s as the env file (-f), at once", async (_what, make, why) => {
    const result = await run(["plan", "all", "-f", make()]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: env file .* ${why.source}`));
  });

  it.each(sources)("refuses %s as --paths-file, at once", async (_what, make, why) => {
    const { path } = envFile();

    const result = await run(["load-test", "-f", path, "--paths-file", make(), "--yes"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: --paths-file .* ${why.source}`));
  });

  it.each(sources)("refuses %s as CONTAINER_DEFINITION_FILE, at once", async (_what, make, why) => {
    const { path } = envFile({ CONTAINER_DEFINITION_FILE: `CONTAINER_DEFINITION_FILE="${make()}"` });

    const result = await run(["plan", "ecs-service-task-definition", "-f", path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: CONTAINER_DEFINITION_FILE .* ${why.source}`));
  });
});

describe("--json, through the binary", () => {
  it.each([
    [["--json", "--version"], { ok: true, version: "0.1.0" }],
    [["--version", "--json"], { ok: true, version: "0.1.0" }],
    [["--json", "help"], { ok: true, help: expect.stringMatching(/^Usage: infra /) }],
    [["--json", "--help"], { ok: true, help: expect.stringMatching(/^Usage: infra /) }],
    [["--json", "plan", "--help"], { ok: true, help: expect.stringMatching(/^Usage: infra plan /) }],
    [["--json", "help", "deploy"], { ok: true, help: expect.stringMatching(/^Usage: infra deploy /) }],
    [["--json", "--env-file", "x"], { ok: false, exitCode: 2, error: expect.stringMatching(/--env-file/) }],
    [["--json"], { ok: false, exitCode: 2, error: "no command given (infra --help lists them)" }],
  ])("prints one JSON document for infra %j, and only NDJSON on stderr", async (args, document) => {
    const result = await run(args);

    expect(JSON.parse(result.stdout)).toEqual(document);
    for (const line of result.stderr.split("\n").filter(Boolean)) expect(() => JSON.parse(line), line).not.toThrow();
  });
});

describe("load-test --expect, through the binary", () => {
  it("applies every --expect given, not only the last", async () => {
    const { path } = envFile();
    const target = ["--target", "https://127.0.0.1:1", "--outside-stack"];

    const result = await run([
      ...["load-test", "-f", path, "--yes", "--duration", "1s", "--no-sample", "--json", ...target],
      ...["--expect", "errors<1%", "--expect", "errors<=100%"],
    ]);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).expectations).toEqual([
      expect.objectContaining({ expectation: "errors<1%", ok: false }),
      expect.objectContaining({ expectation: "errors<=100%", ok: true }),
    ]);
  });
});

describe("the sandbox's own files, through the binary", () => {
  it("refuses a default sandbox env file that is a symbolic link, and writes nothing where it points", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "infra-sandbox-link-"));
    const outside = join(mkdtempSync(join(tmpdir(), "infra-outside-")), "written.env");
    execFileSync("ln", ["-s", outside, join(cwd, "aws-resources.sandbox.env")]);

    const result = await run(["--sandbox", "status"], cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: \.\/aws-resources\.sandbox\.env is a symbolic link/);
    expect(() => execFileSync("test", ["-e", outside])).toThrow();
  });

  it.each(["0x10", "1e3", "+80", " 80", "080.0", "65536"])("refuses sandbox serve --port %j", async (port) => {
    const cwd = mkdtempSync(join(tmpdir(), "infra-serve-"));

    const result = await run(["sandbox", "serve", "--port", port], cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --port .* is not a port \(a decimal number from 0 to 65535/);
  });
});
