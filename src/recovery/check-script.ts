// The drill's own check of a restored database: a POSIX sh script around psql, run in a PostgreSQL client image
// with the host given explicitly and the app's login taken from the database secret. It reads, in read-only
// transactions: which host it reached (psql's own :HOST), every database the login can list, the rows of every table
// of each (or of DR_CHECK_TABLES), and the newest row of DR_FRESHNESS_QUERY. It says so in "dr-check" lines on its
// output, which the drill reads back from the task's log (parseCheckOutput). The script is constant; what it checks
// comes in its environment, so nothing the env file holds is pasted into shell or SQL text.
//
// Each table's rows are counted with query_to_xml (a query built with format('%I.%I') per table, run inside one
// SELECT), so the check needs no function of its own on the database and can run on a read-only copy.

/** The marker every line of the check's output starts with. */
export const MARK = "dr-check";

export const CHECK_SCRIPT = `# infra dr-drill check: reads the database at PGHOST, read-only, and says what it holds in "${MARK}" lines.
set -u
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
sql <<'SQL' || { echo "${MARK} failed connect"; exit 2; }
\\echo ${MARK} connected :HOST :PORT
SQL
databases=$(sql <<'SQL'
select datname from pg_database where datallowconn and not datistemplate and datname <> 'rdsadmin' order by 1;
SQL
) || { echo "${MARK} failed list-databases"; exit 2; }
printf '%s\\n' "$databases" | while IFS= read -r db; do
  [ -n "$db" ] || continue
  PGDATABASE="$db" sql -v only="\${DR_CHECK_TABLES:-}" <<'SQL' || echo "${MARK} unreadable $db"
select '${MARK} database ' || json_build_object('database', current_database());
select '${MARK} table ' || json_build_object('database', current_database(), 'table', n.nspname || '.' || c.relname,
  'rows', (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%'
  and (:'only' = '' or current_database() || ':' || n.nspname || '.' || c.relname = any(string_to_array(:'only', ' ')))
order by n.nspname, c.relname;
SQL
done
if [ -n "\${DR_FRESHNESS_QUERY:-}" ]; then
  sql -v query="$DR_FRESHNESS_QUERY" <<'SQL' || echo "${MARK} failed newest"
select '${MARK} newest ' || coalesce(extract(epoch from q.v)::bigint::text, 'none') from (:query) as q(v);
SQL
fi
echo "${MARK} done"
`;

export interface TableCount {
  database: string;
  /** schema.table */
  table: string;
  rows: number;
}

/** What the check's output says. */
export interface CheckFindings {
  /** The host and port psql reached; undefined when the output names none. */
  connected?: { host: string; port: number };
  databases: string[];
  unreadable: string[];
  tables: TableCount[];
  /** The newest row's time (ms); null when the query found none; undefined when none was asked for or read. */
  newest?: number | null;
  /** What the script could not do: connect, list-databases, newest. */
  failed: string[];
  /** Whether it ran to its end. */
  done: boolean;
}

/** Reads the "dr-check" lines of a log; other lines (psql's errors, an app's own output) are left alone. */
export function parseCheckOutput(lines: readonly string[]): CheckFindings {
  const f: CheckFindings = { databases: [], unreadable: [], tables: [], failed: [], done: false };
  for (const line of lines) {
    const m = new RegExp(`^${MARK} (\\w[\\w-]*)(?: (.*))?$`).exec(line.trimEnd());
    if (!m) continue;
    const [, word, rest = ""] = m;
    const json = () => {
      try {
        return JSON.parse(rest) as Record<string, unknown>;
      } catch {
        return {};
      }
    };
    if (word === "connected") {
      const [host, port] = rest.split(" ");
      if (host) f.connected = { host, port: Number(port) };
    } else if (word === "database" && typeof json().database === "string") f.databases.push(json().database as string);
    else if (word === "table") {
      const t = json();
      if (typeof t.database === "string" && typeof t.table === "string" && typeof t.rows === "number")
        f.tables.push({ database: t.database, table: t.table, rows: t.rows });
    } else if (word === "unreadable") f.unreadable.push(rest);
    else if (word === "newest")
      f.newest = rest === "none" ? null : /^\d+$/.test(rest) ? Number(rest) * 1000 : undefined;
    else if (word === "failed") f.failed.push(rest);
    else if (word === "done") f.done = true;
  }
  return f;
}
