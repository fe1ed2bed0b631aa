// The runbook's database procedures: pick a restore point, restore into a new instance, verify the restored data
// (the drill's own check, by hand), point the service at it and back, then clean up (delete the old instance, or
// rename the new one to the production id). The database secret is only ever read into a pipe or a variable.
import type { DBInstance } from "@aws-sdk/client-rds";
import { CHECK_SCRIPT } from "./check-script.js";
import type { RunbookFacts } from "./runbook-facts.js";
import { block, type Lines, unknown, utc } from "./runbook-lines.js";

/** The name a restore gets: the database's, shortened to fit RDS's 63 characters. */
export const restoredId = (id: string) => `${id.slice(0, 54).replace(/-+$/, "")}-restored`;

const database = (f: RunbookFacts) => (f.database.ok ? f.database.value : undefined);

/** `NAME=$(aws ... --query ... --output text)`: an endpoint into a shell variable, for the lines after it. */
const hostOf = (l: Lines, variable: string, id: string) =>
  `${variable}=$(${l.aws("rds", "describe-db-instances", "--db-instance-identifier", id, "--query", "DBInstances[0].Endpoint.Address", "--output", "text")})`;

export function pickPoint(f: RunbookFacts, l: Lines): string {
  const head = "## 3.1 Pick the restore point";
  if (!f.databaseId)
    return `${head}\n\nRDS_INSTANCE_ID is not set in the env file: set it to the database's identifier and write the runbook again.`;
  const db = database(f);
  const known = !f.snapshots.ok
    ? `The automated snapshots: ${unknown(f.snapshots)}.`
    : f.snapshots.value.length
      ? [
          "| snapshot | taken | status |",
          "|---|---|---|",
          ...f.snapshots.value.map(
            (s) =>
              `| ${s.DBSnapshotIdentifier} | ${s.SnapshotCreateTime ? utc(s.SnapshotCreateTime) : "?"} | ${s.Status} |`,
          ),
        ].join("\n")
      : "No automated snapshot exists: backups are off, or the database is gone.";
  const latest = db?.LatestRestorableTime ? utc(db.LatestRestorableTime) : undefined;
  return [
    head,
    `Restore from the newest snapshot taken before the damage, or to a point in time just before it. The snapshots of ${f.databaseId} when this was written, oldest first:`,
    known,
    `Latest restorable time then: ${!f.database.ok ? unknown(f.database) : (latest ?? "none (backups are off)")}. The list as it is now:`,
    block([
      l.aws(
        "rds",
        "describe-db-snapshots",
        "--db-instance-identifier",
        f.databaseId,
        "--snapshot-type",
        "automated",
        "--query",
        "DBSnapshots[*].[DBSnapshotIdentifier,SnapshotCreateTime,Status]",
        "--output",
        "table",
      ),
    ]),
  ].join("\n\n");
}

export function restore(f: RunbookFacts, l: Lines): string {
  const head = "## 3.2 Restore into a new instance";
  if (!f.databaseId) return `${head}\n\nunknown (RDS_INSTANCE_ID is not set)`;
  const db = database(f);
  if (!db)
    return `${head}\n\nDB instance ${f.databaseId}: ${f.database.ok ? `it does not exist in ${f.region}: restore from a snapshot that outlived it (3.1), or correct RDS_INSTANCE_ID` : unknown(f.database)}.`;
  const target = restoredId(f.databaseId);
  const snapshot = f.snapshots.ok ? f.snapshots.value.at(-1)?.DBSnapshotIdentifier : undefined;
  const latest = db.LatestRestorableTime?.toISOString().replace(/\.\d{3}Z$/, "Z");
  const parts = [
    head,
    `${f.databaseId}: ${db.Engine} ${db.EngineVersion}, ${db.DBInstanceClass}, ${db.MultiAZ ? "Multi-AZ" : "single-AZ"}, subnet group ${db.DBSubnetGroup?.DBSubnetGroupName}, security groups ${(db.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId).join(", ")}, automated backups kept ${db.BackupRetentionPeriod} days.`,
    `A restore makes a new instance, ${target}, of production's shape; the damaged one stays as it is until you delete it (3.6). Name the subnet group and security groups: without them RDS uses the default ones, where the service cannot reach the database.`,
  ];
  if (snapshot)
    parts.push(
      "From the newest snapshot (or another from 3.1):",
      block([
        l.aws(
          "rds",
          "restore-db-instance-from-db-snapshot",
          "--db-instance-identifier",
          target,
          "--db-snapshot-identifier",
          snapshot,
          ...placement(db),
        ),
      ]),
    );
  if (latest)
    parts.push(
      `Or to a point in time: set --restore-time to just before the damage (not later than ${latest}, the latest restorable time when this was written):`,
      block([
        l.aws(
          "rds",
          "restore-db-instance-to-point-in-time",
          "--source-db-instance-identifier",
          f.databaseId,
          "--target-db-instance-identifier",
          target,
          "--restore-time",
          latest,
          ...placement(db),
        ),
      ]),
    );
  parts.push(
    "Wait until it is available (typically tens of minutes):",
    block([l.aws("rds", "wait", "db-instance-available", "--db-instance-identifier", target)]),
  );
  return parts.join("\n\n");
}

function placement(db: DBInstance): string[] {
  return [
    "--db-instance-class",
    db.DBInstanceClass as string,
    "--db-subnet-group-name",
    db.DBSubnetGroup?.DBSubnetGroupName as string,
    "--vpc-security-group-ids",
    ...(db.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId as string),
    db.MultiAZ ? "--multi-az" : "--no-multi-az",
    "--no-publicly-accessible",
  ];
}

/** One key of the database secret, read into the shell (never onto disk). */
const secretKey = (l: Lines, arn: string, key: string) =>
  `$(${l.aws("secretsmanager", "get-secret-value", "--secret-id", arn, "--query", "SecretString", "--output", "text")} | jq -r .${key})`;

export function verifyData(f: RunbookFacts, l: Lines): string {
  const head = "## 3.3 Verify the restored data";
  if (!f.databaseId || !f.secretArn)
    return `${head}\n\nunknown (${!f.databaseId ? "RDS_INSTANCE_ID" : "DB_SECRET_ARN"} is not set in the env file)`;
  const target = restoredId(f.databaseId);
  return [
    head,
    `Before any cutover, read the copy: the same check \`${l.infra("dr-drill")}\` runs, by hand. The database is not public: run these on a machine in its VPC (a bastion host) with psql, the AWS CLI and jq. The login comes from the database secret into this shell's environment, never into a file.`,
    block([
      hostOf(l, "RESTORED_HOST", target),
      `export PGHOST="$RESTORED_HOST" PGPORT=5432 PGDATABASE=${f.databaseName} PGSSLMODE=require PGOPTIONS='-c default_transaction_read_only=on'`,
      `export PGUSER="${secretKey(l, f.secretArn, "username")}"`,
      `export PGPASSWORD="${secretKey(l, f.secretArn, "password")}"`,
      "sh dr-check.sh",
    ]),
    "where dr-check.sh is the drill's check (it lists the databases, counts every table's rows, and, with DR_FRESHNESS_QUERY exported, reads the newest row; every line it prints starts with dr-check):",
    ["```text", CHECK_SCRIPT.trimEnd(), "```"].join("\n"),
    "Compare the counts with what you expect, and the newest row with the restore point you chose.",
  ].join("\n\n");
}

/** The secret's host set to $variable: read into a pipe, changed by jq, written back from the pipe. */
const pointSecret = (l: Lines, arn: string, variable: string) =>
  `${l.aws("secretsmanager", "get-secret-value", "--secret-id", arn, "--query", "SecretString", "--output", "text")} | jq -c --arg host "$${variable}" '.host = $host' | ${l.aws("secretsmanager", "put-secret-value", "--secret-id", arn, "--secret-string", "file:///dev/stdin")}`;

export function cutover(f: RunbookFacts, l: Lines): string {
  const head = "## 3.4 Point the service at it, and back";
  if (!f.databaseId || !f.secretArn || !f.cluster)
    return `${head}\n\nunknown (RDS_INSTANCE_ID, DB_SECRET_ARN and ECS_CLUSTER_NAME are needed in the env file)`;
  const target = restoredId(f.databaseId);
  const restart = [
    l.aws("ecs", "update-service", "--cluster", f.cluster, "--service", f.service, "--force-new-deployment"),
    l.aws("ecs", "wait", "services-stable", "--cluster", f.cluster, "--services", f.service),
  ];
  const production = database(f)?.Endpoint?.Address;
  return [
    head,
    `The service's tasks read the database's host from the secret ${f.secretArn} (its \`host\` key) when they start. Write the restored endpoint there, then start new tasks (\`${l.infra("dr-drill", "--rehearse-cutover")}\` times this on copies):`,
    block([hostOf(l, "RESTORED_HOST", target), pointSecret(l, f.secretArn, "RESTORED_HOST"), ...restart]),
    `To go back to ${f.databaseId}${production ? ` (${production})` : ""}:`,
    block([hostOf(l, "PRODUCTION_HOST", f.databaseId), pointSecret(l, f.secretArn, "PRODUCTION_HOST"), ...restart]),
  ].join("\n\n");
}

export function cleanUp(f: RunbookFacts, l: Lines): string {
  const head = "## 3.6 Clean up: keep the new instance, or rename it";
  if (!f.databaseId) return `${head}\n\nunknown (RDS_INSTANCE_ID is not set)`;
  const target = restoredId(f.databaseId);
  const final = `${f.databaseId.slice(0, 45).replace(/-+$/, "")}-before-restore`;
  return [
    head,
    `Only once the service has run on ${target} for a day or two. First the damaged instance: take its deletion protection off and delete it, keeping a final snapshot (${final}):`,
    block([
      l.aws(
        "rds",
        "modify-db-instance",
        "--db-instance-identifier",
        f.databaseId,
        "--no-deletion-protection",
        "--apply-immediately",
      ),
      l.aws(
        "rds",
        "delete-db-instance",
        "--db-instance-identifier",
        f.databaseId,
        "--final-db-snapshot-identifier",
        final,
      ),
      l.aws("rds", "wait", "db-instance-deleted", "--db-instance-identifier", f.databaseId),
    ]),
    `Then either keep the new name (set RDS_INSTANCE_ID="${target}" in the env file, and move the alarms and dashboard to it):`,
    block([l.infra("create", "monitoring"), l.infra("verify", "all")]),
    `or rename it to ${f.databaseId}, so that nothing else changes. Its endpoint changes with its name: point the secret at the new endpoint (3.4, "back") once the rename is done, protect it again, and check:`,
    block([
      l.aws(
        "rds",
        "modify-db-instance",
        "--db-instance-identifier",
        target,
        "--new-db-instance-identifier",
        f.databaseId,
        "--apply-immediately",
      ),
      l.aws("rds", "wait", "db-instance-available", "--db-instance-identifier", f.databaseId),
      l.aws(
        "rds",
        "modify-db-instance",
        "--db-instance-identifier",
        f.databaseId,
        "--deletion-protection",
        "--apply-immediately",
      ),
      l.infra("verify", "all"),
    ]),
  ].join("\n\n");
}
