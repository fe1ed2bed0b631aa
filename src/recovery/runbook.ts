// `infra runbook`: the stack's recovery runbook in Markdown. Every command in it is a real `infra` or AWS CLI
// command with this stack's ids filled in, ready to paste; prose says when to run it and what to look for.
import type { DBInstance } from "@aws-sdk/client-rds";
import { RESOURCES } from "../resources/registry.js";
import { duration, verdict } from "./record.js";
import type { Read, RunbookFacts, SandboxAccess } from "./runbook-facts.js";

/** A word for a shell: quoted only when it has to be. */
export const shellWord = (w: string) => (/^[\w./:=@%+,-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`);
const line = (...words: string[]) => words.map(shellWord).join(" ");
const block = (lines: string[]) => ["```sh", ...lines, "```"].join("\n");
const utc = (iso: string | Date | number) => `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** The name a restore gets: the database's, shortened to fit RDS's 63 characters. */
export const restoredId = (id: string) => `${id.slice(0, 54).replace(/-+$/, "")}-restored`;

export function renderRunbook(f: RunbookFacts): string {
  // Written in the sandbox, its commands run there too: `infra --sandbox`, and the AWS CLI at the URL that
  // `infra sandbox serve` prints (a plain --sandbox run serves only while it runs).
  const infra = (...args: string[]) => line("infra", ...(f.sandbox ? ["--sandbox"] : []), ...args, "-f", f.file);
  const aws = (...args: string[]) =>
    `${line("aws", ...args, "--region", f.region)}${f.sandbox ? ` --endpoint-url "$${f.sandbox.urlVariable}"` : ""}`;
  return [
    `# Recovery runbook: ${f.project} (${f.environment}, ${f.region})`,
    `Written ${utc(f.generatedAt)} by \`${infra("runbook")}\` from the env file and what AWS reported then. Every command below is this stack's own; write the runbook again after the stack changes.`,
    ...(f.sandbox ? [sandboxNote(f.sandbox)] : []),
    targets(f, infra),
    rollback(f, infra, aws),
    restore(f, infra, aws),
    recreate(infra),
    alarms(f, aws),
  ].join("\n\n");
}

function sandboxNote({ urlVariable, accessKeyId, secretAccessKey }: SandboxAccess): string {
  return `This runbook is the sandbox's, not a real stack's: its \`infra\` lines carry \`--sandbox\`, and its \`aws\` lines reach the sandbox only while \`infra sandbox serve\` runs in another terminal, with ${urlVariable} exported as it prints it and the sandbox's credentials (\`export AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey}\`).`;
}

const unread = (what: string, r: Read<unknown>) => (r.ok ? "" : `(${what} could not be read from AWS: ${r.why})`);

function targets(f: RunbookFacts, infra: (...a: string[]) => string): string {
  const d = f.lastDrill;
  const rows = [
    "| | target | last drill |",
    "|---|---|---|",
    `| RTO: restore to available | ${f.targets.rto} | ${d?.rtoMs !== undefined ? duration(d.rtoMs) : "none yet"} |`,
    `| RPO: data lost at most | ${f.targets.rpo} | ${d?.rpoMs !== undefined ? duration(d.rpoMs) : "none yet"} |`,
  ];
  const last = d
    ? `Last drill ${utc(d.at)}, restored from ${d.from}: check ${d.check}, targets ${verdict(d, f.targets)}.`
    : "No drill is recorded: a restore that was never tried is a hope, not a plan.";
  return [
    "## Recovery targets",
    rows.join("\n"),
    last,
    `Prove them again (it restores into a temporary instance, checks it, deletes it; see \`${infra("cost")}\` for what it costs):`,
    block([infra("dr-drill")]),
  ].join("\n\n");
}

function rollback(f: RunbookFacts, infra: (...a: string[]) => string, aws: (...a: string[]) => string): string {
  const running = f.runningRevision.ok ? f.runningRevision.value : undefined;
  const good = f.goodRevisions;
  const before = good.filter((r) => r !== running).at(-1);
  const parts = [
    "## 1. Roll back a bad deploy",
    [
      f.cluster ? `Service ${f.service} in cluster ${f.cluster} runs ${running ?? "no revision AWS reported"}.` : "",
      unread("the service", f.runningRevision),
      good.length
        ? `Revisions deployed and verified healthy, oldest first: ${good.join(", ")}.`
        : "No revision is recorded as known-good yet.",
    ]
      .filter(Boolean)
      .join(" "),
    "Back to the newest known-good revision before the current one (followed and probed like a deploy; exit 1 if it fails):",
    block([infra("rollback"), infra("status")]),
  ];
  if (f.cluster && before) {
    parts.push(
      "By hand, if `infra` is not at hand:",
      block([
        aws("ecs", "update-service", "--cluster", f.cluster, "--service", f.service, "--task-definition", before),
        aws("ecs", "wait", "services-stable", "--cluster", f.cluster, "--services", f.service),
      ]),
    );
  }
  return parts.join("\n\n");
}

function restore(f: RunbookFacts, infra: (...a: string[]) => string, aws: (...a: string[]) => string): string {
  const head = "## 2. Restore the database";
  if (!f.databaseId)
    return `${head}\n\nRDS_INSTANCE_ID is not set in the env file: set it to the database's identifier and write the runbook again.`;
  if (!f.database.ok) return `${head}\n\n${unread(`DB instance ${f.databaseId}`, f.database)}`;
  if (!f.database.value)
    return `${head}\n\nDB instance ${f.databaseId} does not exist in ${f.region}: restore from its last snapshot (aws rds describe-db-snapshots) or correct RDS_INSTANCE_ID.`;
  const { instance: db, snapshot } = f.database.value;
  const target = restoredId(f.databaseId);
  const placement = placementArgs(db);
  const latest = db.LatestRestorableTime
    ? new Date(db.LatestRestorableTime).toISOString().replace(/\.\d{3}Z$/, "Z")
    : undefined;
  const parts = [
    head,
    `${f.databaseId}: ${db.Engine} ${db.EngineVersion}, ${db.DBInstanceClass}, ${db.MultiAZ ? "Multi-AZ" : "single-AZ"}, subnet group ${db.DBSubnetGroup?.DBSubnetGroupName}, security groups ${(db.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId).join(", ")}, automated backups kept ${db.BackupRetentionPeriod} days. Newest automated snapshot: ${snapshot?.kind === "snapshot" ? `${snapshot.snapshotId} (${utc(snapshot.time)})` : "none"}. Latest restorable time: ${latest ? utc(latest) : "none (backups are off)"}.`,
    `A restore makes a new instance, ${target}; the damaged one stays as it is until you delete it. Name the subnet group and security groups: without them RDS uses the default ones, where the service cannot reach the database.`,
  ];
  if (snapshot?.kind === "snapshot")
    parts.push(
      "From the newest snapshot:",
      block([
        aws(
          "rds",
          "restore-db-instance-from-db-snapshot",
          "--db-instance-identifier",
          target,
          "--db-snapshot-identifier",
          snapshot.snapshotId,
          ...placement,
        ),
      ]),
    );
  if (latest)
    parts.push(
      `Or to a point in time: set --restore-time to just before the damage (not later than ${latest}, the latest restorable time when this was written):`,
      block([
        aws(
          "rds",
          "restore-db-instance-to-point-in-time",
          "--source-db-instance-identifier",
          f.databaseId,
          "--target-db-instance-identifier",
          target,
          "--restore-time",
          latest,
          ...placement,
        ),
      ]),
    );
  parts.push(
    "Wait until it is available (typically tens of minutes), and read its endpoint:",
    block([
      aws("rds", "wait", "db-instance-available", "--db-instance-identifier", target),
      aws(
        "rds",
        "describe-db-instances",
        "--db-instance-identifier",
        target,
        "--query",
        "DBInstances[0].Endpoint.Address",
        "--output",
        "text",
      ),
    ]),
  );
  if (f.secretArn && f.cluster)
    parts.push(
      `Point the service at it. Its tasks read DATABASE_HOST from the \`host\` key of the secret ${f.secretArn} when they start: write the new endpoint there, then start new tasks.`,
      block([
        `${aws("secretsmanager", "get-secret-value", "--secret-id", f.secretArn, "--query", "SecretString", "--output", "text")} > db-secret.json`,
        "# edit the host value in db-secret.json to the endpoint above",
        aws(
          "secretsmanager",
          "put-secret-value",
          "--secret-id",
          f.secretArn,
          "--secret-string",
          "file://db-secret.json",
        ),
        "rm db-secret.json",
        aws("ecs", "update-service", "--cluster", f.cluster, "--service", f.service, "--force-new-deployment"),
        aws("ecs", "wait", "services-stable", "--cluster", f.cluster, "--services", f.service),
      ]),
    );
  parts.push(
    `Then record it: set RDS_INSTANCE_ID="${target}" in ${f.file}, move the alarms and dashboard to it, and check the stack:`,
    block([infra("create", "monitoring"), infra("verify", "all")]),
  );
  return parts.join("\n\n");
}

function placementArgs(db: DBInstance): string[] {
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

function recreate(infra: (...a: string[]) => string): string {
  const rows = RESOURCES.map((r) => `| \`${r.name}\` | ${r.summary} | \`${infra("create", r.name)}\` |`);
  return [
    "## 3. Recreate a lost piece of the stack",
    "`create` makes only what is missing and leaves the rest alone, so it is safe to run on a damaged stack. First see what is missing, then recreate it (or everything), then check:",
    block([infra("status"), infra("create", "all"), infra("verify", "all")]),
    ["| piece | what it is | recreate it alone |", "|---|---|---|", ...rows].join("\n"),
  ].join("\n\n");
}

const OPERATOR: Record<string, string> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: ">=",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "<=",
};

function alarms(f: RunbookFacts, aws: (...a: string[]) => string): string {
  const parts = ["## 4. Alarms and where they go"];
  if (!f.alarms.ok) parts.push(unread("the alarms", f.alarms));
  else if (f.alarms.value.length === 0)
    parts.push(`No alarms of ${f.project} exist: \`infra create monitoring\` makes them.`);
  else {
    const rows = f.alarms.value.map(
      (a) =>
        `| ${a.AlarmName} | ${a.Namespace} ${a.MetricName ?? ""} | ${OPERATOR[a.ComparisonOperator ?? ""] ?? a.ComparisonOperator} ${a.Threshold} for ${a.EvaluationPeriods} x ${a.Period} s | ${a.StateValue} |`,
    );
    parts.push(["| alarm | watches | fires when | state now |", "|---|---|---|---|", ...rows].join("\n"));
  }
  if (!f.topicArn) parts.push("No alerts topic is recorded (SNS_TOPIC_ARN): alarms notify nobody.");
  else {
    const subs = f.subscriptions.ok ? f.subscriptions.value : [];
    const who = subs.map(
      (s) =>
        `${s.Protocol} ${s.Endpoint}${s.SubscriptionArn === "PendingConfirmation" ? " (not confirmed yet: the mailbox must click AWS's link)" : ""}`,
    );
    parts.push(
      `They notify the SNS topic ${f.topicArn}, which sends to: ${who.length ? who.join("; ") : "nobody (set ALARM_EMAIL and run infra create monitoring)"}. ${unread("its subscriptions", f.subscriptions)}`.trim(),
    );
  }
  if (f.alarms.ok && f.alarms.value.length)
    parts.push(
      "What is firing now, and who is told:",
      block([
        aws(
          "cloudwatch",
          "describe-alarms",
          "--state-value",
          "ALARM",
          "--alarm-names",
          ...f.alarms.value.map((a) => a.AlarmName as string),
        ),
        ...(f.topicArn ? [aws("sns", "list-subscriptions-by-topic", "--topic-arn", f.topicArn)] : []),
      ]),
    );
  return parts.join("\n\n");
}
