// The drill's check script: what its output says (parseCheckOutput), and, where a PostgreSQL server is installed
// (Debian's postgresql package), the script itself run by sh and psql against a real server, read-only, with the
// fake's model of it (src/sandbox/aws/postgres-client.ts) run on the same data: both must say the same.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_SCRIPT, parseCheckOutput } from "../../src/recovery/check-script.js";
import { postgresClient } from "../../src/sandbox/aws/postgres-client.js";
import type { InstanceData } from "../../src/sandbox/aws/rds-data.js";

describe("the check's output, read", () => {
  it("takes its dr-check lines and leaves the rest (psql's errors, an app's output) alone", () => {
    const f = parseCheckOutput([
      "dr-check connected db.example.internal 5432",
      'dr-check database {"database" : "shop"}',
      'dr-check table {"database" : "shop", "table" : "public.orders", "rows" : 12}',
      'psql: error: connection to server failed: FATAL:  permission denied for database "other"',
      "dr-check unreadable other",
      "dr-check newest 1767214800",
      "dr-check done",
    ]);
    expect(f).toEqual({
      connected: { host: "db.example.internal", port: 5432 },
      databases: ["shop"],
      unreadable: ["other"],
      tables: [{ database: "shop", table: "public.orders", rows: 12 }],
      newest: 1_767_214_800_000,
      failed: [],
      done: true,
    });
    expect(parseCheckOutput(["dr-check newest none", "dr-check failed list-databases"])).toMatchObject({
      newest: null,
      failed: ["list-databases"],
      done: false,
    });
  });
});

const BIN = ["/usr/lib/postgresql"]
  .flatMap((root) => (existsSync(root) ? readdirSync(root).map((v) => join(root, v, "bin")) : []))
  .find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")));
const PSQL = spawnSync("psql", ["--version"]).status === 0;
const ROOT = process.getuid?.() === 0;
const POSTGRES_USER = ROOT && spawnSync("id", ["-u", "postgres"]).status === 0;

/** When each row was written: a day ago, five hours ago, an hour ago. */
const NOW = Date.UTC(2026, 0, 1);
const ORDERS = [NOW - 24 * 3_600_000, NOW - 5 * 3_600_000, NOW - 3_600_000];

describe.skipIf(!BIN || !PSQL || (ROOT && !POSTGRES_USER))("the check script against a real PostgreSQL", () => {
  const dir = mkdtempSync(join(tmpdir(), "infra-pg-"));
  let port = 0;
  // initdb and the server refuse to run as root: as root, they run as the postgres user.
  const asServer = (cmd: string, args: string[]) =>
    ROOT ? execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args]) : execFileSync(cmd, args);
  const env = (extra: Record<string, string>) => ({
    PATH: process.env.PATH ?? "",
    PGHOST: "127.0.0.1",
    PGPORT: String(port),
    ...extra,
  });
  const psql = (sql: string, db = "postgres") =>
    execFileSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql], {
      env: env({ PGUSER: "postgres", PGPASSWORD: "master-pw" }),
    });

  beforeAll(async () => {
    port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (ROOT) {
      chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString()), 0);
      chmodSync(dir, 0o700);
    }
    execFileSync("sh", ["-c", `echo master-pw > ${dir}/pw`]);
    if (ROOT) chownSync(`${dir}/pw`, Number(execFileSync("id", ["-u", "postgres"]).toString()), 0);
    asServer(join(BIN as string, "initdb"), [
      "-D",
      `${dir}/data`,
      "-U",
      "postgres",
      "-A",
      "scram-sha-256",
      `--pwfile=${dir}/pw`,
    ]);
    asServer(join(BIN as string, "pg_ctl"), [
      "-D",
      `${dir}/data`,
      "-w",
      "-l",
      `${dir}/log`,
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      "start",
    ]);
    psql("create user django_app password 'app-pw'");
    psql("create database startupwebapp_prod owner django_app");
    psql("create database fintech_experiment owner django_app");
    psql("create database closed_db");
    psql("revoke connect on database closed_db from public");
    const app = (sql: string) =>
      execFileSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "startupwebapp_prod", "-c", sql], {
        env: env({ PGUSER: "django_app", PGPASSWORD: "app-pw" }),
      });
    app("create table order_order (id serial primary key, created_date_time timestamptz not null)");
    for (const at of ORDERS)
      app(`insert into order_order (created_date_time) values ('${new Date(at).toISOString()}')`);
    app("create table user_member (id serial primary key)");
    app("insert into user_member default values; insert into user_member default values");
  }, 60_000);

  afterAll(() => {
    if (BIN) asServer(join(BIN, "pg_ctl"), ["-D", `${dir}/data`, "-m", "immediate", "stop"]);
  });

  /** The same data, as the fake's RDS holds it (closed_db: one the app's login may not connect to). */
  const data: InstanceData = {
    databases: {
      postgres: {},
      startupwebapp_prod: {
        "public.order_order": { createdAt: ORDERS[0] as number, rows: ORDERS },
        "public.user_member": { createdAt: ORDERS[0] as number, rows: [NOW, NOW] },
      },
      fintech_experiment: {},
    },
    logins: { django_app: "app-pw" },
  };

  const run = (extra: Record<string, string>) => {
    const variables = {
      PGUSER: "django_app",
      PGPASSWORD: "app-pw",
      PGDATABASE: "startupwebapp_prod",
      PGOPTIONS: "-c default_transaction_read_only=on",
      DR_CHECK_TABLES: "",
      DR_FRESHNESS_QUERY: "",
      ...extra,
    };
    const real = spawnSync("sh", ["-c", CHECK_SCRIPT], { env: env(variables) });
    const modeled = postgresClient({
      image: "postgres:16",
      command: ["sh", "-c", CHECK_SCRIPT],
      env: { PGHOST: "127.0.0.1", PGPORT: String(port), ...variables },
      connect: () => ({ instance: "db", data }),
      secret: () => undefined,
    });
    return { real: { status: real.status, out: real.stdout.toString().split("\n") }, modeled };
  };

  it("connects to the host it is given, lists the databases, counts every table's rows, reads the newest row", () => {
    const { real, modeled } = run({ DR_FRESHNESS_QUERY: "select max(created_date_time) from order_order" });

    expect(real.status).toBe(0);
    const f = parseCheckOutput(real.out);
    expect(f).toEqual({
      connected: { host: "127.0.0.1", port },
      databases: ["fintech_experiment", "postgres", "startupwebapp_prod"],
      unreadable: ["closed_db"],
      tables: [
        { database: "startupwebapp_prod", table: "public.order_order", rows: 3 },
        { database: "startupwebapp_prod", table: "public.user_member", rows: 2 },
      ],
      newest: ORDERS[2],
      failed: [],
      done: true,
    });
    // The fake's model says the same of the same data (it has no database the login cannot open).
    expect({ ...parseCheckOutput(modeled.log), unreadable: ["closed_db"] }).toEqual(f);
    expect(modeled.exitCode).toBe(0);
  });

  it("counts only DR_CHECK_TABLES when set, and says when the freshness query fails", () => {
    const { real, modeled } = run({
      DR_CHECK_TABLES: "startupwebapp_prod:public.order_order",
      DR_FRESHNESS_QUERY: "select max(created_date_time) from no_such_table",
    });

    const f = parseCheckOutput(real.out);
    expect(f.tables).toEqual([{ database: "startupwebapp_prod", table: "public.order_order", rows: 3 }]);
    expect(f.failed).toEqual(["newest"]);
    expect(parseCheckOutput(modeled.log)).toMatchObject({ tables: f.tables, failed: f.failed, done: true });
  });

  it("never writes: the read-only transaction refuses a freshness query that would", () => {
    const { real } = run({
      DR_FRESHNESS_QUERY:
        "with d as (delete from order_order returning created_date_time) select max(created_date_time) from d",
    });

    expect(parseCheckOutput(real.out).failed).toEqual(["newest"]);
    expect(psql("select count(*) from order_order", "startupwebapp_prod").toString()).toMatch(/\b3\b/);
  });

  it("fails to connect with a wrong password, saying so", () => {
    const { real } = run({ PGPASSWORD: "wrong" });
    expect(real.status).toBe(2);
    expect(parseCheckOutput(real.out)).toMatchObject({ failed: ["connect"], done: false });
  });
});
