// What a DB instance holds, as far as a check of a restored copy can tell: its databases, their tables (when each was
// made) and when each row was written, and the logins that may connect. A snapshot holds the data as it was when
// the snapshot was taken, a point-in-time restore as it was at that time, and a restored instance starts with that
// (docs/aws-behaviours.md, "RDS", "What an instance holds"). A container reaches an instance by its endpoint,
// as libpq does from PGHOST: `connect` is what a PostgreSQL client in a task finds there.
import { endpointOf, type InstanceRecord, RDS_TIMINGS, statusOf } from "./rds-state.js";

/** The production database of the fake account, and the logins its secret holds (docs/earlier-scripts.md). */
export const PRODUCTION_DATABASE = "startupwebapp-multi-tenant-prod";
export const DB_LOGINS = { postgres: "fake-master-password", django_app: "fake-app-password" } as const;

export interface TableData {
  createdAt: number;
  /** When each row was written. */
  rows: number[];
}

export interface InstanceData {
  /** database -> "schema.table" -> its data. */
  databases: Record<string, Record<string, TableData>>;
  /** user -> password. */
  logins: Record<string, string>;
}

/** What the earlier scripts made on the instance: the app's three databases, owned by its login, still empty. */
export function emptyData(): InstanceData {
  const databases = Object.fromEntries(
    ["postgres", "startupwebapp_prod", "healthtech_experiment", "fintech_experiment"].map((d) => [d, {}]),
  );
  return { databases, logins: { ...DB_LOGINS } };
}

/** The data as it was at `at`: tables made by then, rows written by then. */
export function dataAsOf(data: InstanceData, at: number): InstanceData {
  const databases: InstanceData["databases"] = {};
  for (const [db, tables] of Object.entries(data.databases)) {
    const kept: Record<string, TableData> = {};
    for (const [name, t] of Object.entries(tables))
      if (t.createdAt <= at) kept[name] = { createdAt: t.createdAt, rows: t.rows.filter((r) => r <= at) };
    databases[db] = kept;
  }
  return { databases, logins: { ...data.logins } };
}

/** Rows written to a table at the given times (the table made with the first of them, if it is new). */
export function write(data: InstanceData, database: string, table: string, at: number[]): void {
  const db = data.databases[database];
  if (!db) throw new Error(`no database ${database}`);
  const name = table.includes(".") ? table : `public.${table}`;
  db[name] ??= { createdAt: Math.min(...at), rows: [] };
  db[name].rows.push(...at);
}

/** A session a client opened: the databases it may read, as the instance holds them now. */
export interface Session {
  instance: string;
  data: InstanceData;
}

/**
 * What a PostgreSQL client finds at host:port with user and password: a session, or the error text libpq prints.
 * An instance is reachable by its endpoint once it has one and is not being deleted.
 */
export function connect(
  instances: Iterable<InstanceRecord>,
  now: number,
  to: { host: string; port: number; user: string; password: string; database: string },
  timings = RDS_TIMINGS,
): Session | { error: string } {
  const instance = [...instances].find((i) => endpointOf(i.id) === to.host);
  const status = instance ? statusOf(instance, now, timings) : "gone";
  if (!instance || status === "creating" || status === "deleting" || status === "gone")
    return { error: `could not translate host name "${to.host}" to address: Name or service not known` };
  if (instance.port !== to.port)
    return { error: `connection to server at "${to.host}", port ${to.port} failed: Connection timed out` };
  const data = instance.data ?? emptyData();
  if (data.logins[to.user] !== to.password)
    return { error: `FATAL:  password authentication failed for user "${to.user}"` };
  if (!data.databases[to.database]) return { error: `FATAL:  database "${to.database}" does not exist` };
  return { instance: instance.id, data: dataAsOf(data, now) };
}
