// A PostgreSQL client image (postgres:<version>), as a one-off task runs it for `infra dr-drill`: psql, given its
// connection in the libpq variables PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE, running the drill's check
// script (src/recovery/check-script.ts). The fake cannot run shell or SQL, so this is that script's effect on what
// the instance it reaches holds (rds-data.ts): the host psql reached, each database, the rows of each table (or of
// DR_CHECK_TABLES), and the newest row of DR_FRESHNESS_QUERY when it is `select max(<column>) from <table>`. A
// test runs the real script against a real PostgreSQL and this model on the same data, and compares what each says
// (test/recovery/check-script.test.ts). Any other command in this image exits 127, as a shell without it would.
import type { ContainerRun, Outcome } from "./ecs-run-task.js";

/** The image a task runs this model for: Docker's official PostgreSQL image, from any registry. */
export const POSTGRES_IMAGE = "postgres:";

export function postgresClient(run: ContainerRun): Outcome {
  const script = run.command[0] === "sh" && run.command[1] === "-c" ? (run.command[2] ?? "") : "";
  if (!script.startsWith("# infra dr-drill check"))
    return { exitCode: 127, log: [`sh: ${run.command[0] ?? ""}: not found (the fake models the drill's check only)`] };
  const env = run.env;
  const to = {
    host: env.PGHOST ?? "localhost",
    port: Number(env.PGPORT ?? 5432),
    user: env.PGUSER ?? "postgres",
    password: env.PGPASSWORD ?? "",
    database: env.PGDATABASE ?? env.PGUSER ?? "postgres",
  };
  const session = run.connect(to);
  if ("error" in session) return { exitCode: 2, log: [`psql: error: ${session.error}`, "dr-check failed connect"] };
  const log = [`dr-check connected ${to.host} ${to.port}`];
  const only = (env.DR_CHECK_TABLES ?? "").split(" ").filter(Boolean);
  for (const db of Object.keys(session.data.databases).sort()) {
    log.push(`dr-check database ${JSON.stringify({ database: db })}`);
    const tables = session.data.databases[db] ?? {};
    for (const table of Object.keys(tables).sort()) {
      if (only.length && !only.includes(`${db}:${table}`)) continue;
      log.push(`dr-check table ${JSON.stringify({ database: db, table, rows: tables[table]?.rows.length ?? 0 })}`);
    }
  }
  const query = env.DR_FRESHNESS_QUERY ?? "";
  if (query) {
    const m = /^\s*select\s+max\(\s*\w+\s*\)\s+from\s+([\w.]+)\s*$/i.exec(query);
    const name = m?.[1]?.includes(".") ? m[1] : `public.${m?.[1]}`;
    const table = m ? session.data.databases[to.database]?.[name.toLowerCase()] : undefined;
    if (!m) log.push("ERROR:  the fake models only select max(<column>) from <table>", "dr-check failed newest");
    else if (!table) log.push(`ERROR:  relation "${m[1]}" does not exist`, "dr-check failed newest");
    else {
      const newest = table.rows.length ? Math.max(...table.rows) : undefined;
      log.push(`dr-check newest ${newest === undefined ? "none" : Math.floor(newest / 1000)}`);
    }
  }
  log.push("dr-check done");
  return { exitCode: 0, log };
}
