// `infra runbook`: the stack's recovery runbook in Markdown. Every command in it is a real `infra` or AWS CLI
// command with this stack's ids filled in and the file, region, profile and endpoint it was written with, ready to
// paste; prose says when to run it and what to look for. No command writes a secret to disk: a secret's value only
// ever goes through a pipe. What AWS could not answer is "unknown (why)". Its procedures are those a recovery
// document of the usual shape has (PROCEDURES; test/recovery/runbook-procedures.test.ts checks them).
import { awsLine, infraLine } from "../core/invocation.js";
import { describeDrill, duration } from "./record.js";
import type { RunbookFacts, SandboxAccess } from "./runbook-facts.js";
import { block, type Lines, unknown, utc } from "./runbook-lines.js";
import { rebuildPrerequisites, recreate } from "./runbook-rebuild.js";
import { cleanUp, cutover, pickPoint, restore, verifyData } from "./runbook-restore.js";

/** The procedures of a recovery document, and the section of this runbook that carries each. */
export const PROCEDURES: { procedure: RegExp; section: string }[] = [
  { procedure: /recovery point|older snapshot|which snapshot/i, section: "3.1 Pick the restore point" },
  {
    procedure: /restore .*(new instance|snapshot)|restore the database|database .*(damaged|corrupt)|data (was )?lost/i,
    section: "3.2 Restore into a new instance",
  },
  { procedure: /verify .*(restored|data)/i, section: "3.3 Verify the restored data" },
  {
    procedure: /swap|cut ?over|point .*(application|service)|switch/i,
    section: "3.4 Point the service at it, and back",
  },
  { procedure: /verify .*application/i, section: "3.5 Check the service" },
  { procedure: /clean ?up|rename|delete the old/i, section: "3.6 Clean up: keep the new instance, or rename it" },
  { procedure: /bad .*deploy|roll ?back(?! .*migration)|previous .*image/i, section: "1. Roll back a bad deploy" },
  { procedure: /migration/i, section: "2. Roll back a migration" },
  { procedure: /deletion|deleted|lost piece|recreate/i, section: "4. Recreate a lost piece of the stack" },
  { procedure: /infrastructure failure|rebuild|from scratch|earlier/i, section: "5. Rebuild a prerequisite" },
  { procedure: /test|drill|verification schedule/i, section: "Recovery targets and drills" },
  { procedure: /contact|escalat|whom to call/i, section: "Contacts and escalation" },
];

export function renderRunbook(f: RunbookFacts): string {
  const l: Lines = { infra: (...a) => infraLine(f.invocation, ...a), aws: (...a) => awsLine(f.invocation, ...a) };
  return [
    `# Recovery runbook: ${f.project} (${f.environment}, ${f.region})`,
    `Written ${utc(f.generatedAt)} by \`${l.infra("runbook")}\` from the env file and what AWS reported then. Every command below is this stack's own, with the env file, region${f.invocation.profile ? ", profile" : ""} and endpoint it was written with; write the runbook again after the stack changes. No command here writes a secret to a file: secret values only go through pipes.`,
    ...(f.sandbox ? [sandboxNote(f.sandbox)] : []),
    contacts(f, l),
    drills(f, l),
    rollback(f, l),
    migration(f, l),
    "## 3. Restore the database",
    pickPoint(f, l),
    restore(f, l),
    verifyData(f, l),
    cutover(f, l),
    `## 3.5 Check the service\n\nAfter a cutover or a rollback: the service is healthy, and answers through its domain.\n\n${block([l.infra("verify", "all"), l.infra("status")])}`,
    cleanUp(f, l),
    recreate(l),
    rebuildPrerequisites(f, l),
    alarms(f, l),
  ].join("\n\n");
}

function sandboxNote({ urlVariable, accessKeyId, secretAccessKey }: SandboxAccess): string {
  return `This runbook is the sandbox's, not a real stack's: its \`infra\` lines carry \`--sandbox\`, and its \`aws\` lines reach the sandbox only while \`infra sandbox serve\` runs in another terminal, with ${urlVariable} exported as it prints it and the sandbox's credentials (\`export AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey}\`).`;
}

function contacts(f: RunbookFacts, l: Lines): string {
  const people = f.contacts.length
    ? f.contacts.map((c) => `- ${c}`).join("\n")
    : "- unknown (RUNBOOK_CONTACTS is not set in the env file: set it to who to call, first to last, separated by ;)";
  const subs = f.subscriptions.ok ? f.subscriptions.value : [];
  const alerts = !f.topicArn
    ? `unknown (SNS_TOPIC_ARN is not recorded: \`${l.infra("create", "monitoring")}\` makes the alerts topic)`
    : !f.subscriptions.ok
      ? unknown(f.subscriptions)
      : subs.length
        ? subs.map((s) => `${s.Protocol} ${s.Endpoint}`).join("; ")
        : `nobody subscribes to the alerts topic (set ALARM_EMAIL and run \`${l.infra("create", "monitoring")}\`)`;
  return [
    "## Contacts and escalation",
    "Whom to call, in this order:",
    people,
    `Alarms notify: ${alerts}.`,
    "When AWS itself is at fault (a region or a service down, an instance that will not restore), open a case with AWS Support (https://console.aws.amazon.com/support/home) and check the AWS Health Dashboard (https://health.aws.amazon.com/health/status).",
  ].join("\n\n");
}

function drills(f: RunbookFacts, l: Lines): string {
  const t = f.targets;
  const d = f.lastDrill;
  const good = f.lastSuccessfulDrill;
  const measured = (ms: number | undefined) => (ms === undefined ? "not measured" : duration(ms));
  const rows = [
    "| | target | last successful drill |",
    "|---|---|---|",
    `| RTO: restore to usable | ${t.rto} | ${good ? measured(good.rtoMs) : "none yet"} |`,
    `| RPO: data lost at most | ${t.rpo} | ${good ? measured(good.rpoMs) : "none yet"} |`,
  ];
  const due = good ? Date.parse(good.at) + t.maxAgeMs : undefined;
  return [
    "## Recovery targets and drills",
    rows.join("\n"),
    d
      ? `Last drill: ${describeDrill(d, t)}.`
      : "No drill is recorded: a restore that was never tried is a hope, not a plan.",
    good && good.at !== d?.at ? `Last successful drill: ${describeDrill(good, t)}.` : "",
    `Run the next drill ${due ? `by ${utc(due)}` : "now"} (DR_MAX_AGE ${t.maxAge}; \`${l.infra("verify", "all")}\` fails after that). It restores the newest snapshot into a temporary instance of production's shape, checks the restored data, times it, and deletes it (\`${l.infra("cost")}\` shows what one costs); \`--rehearse-cutover\` also times the cutover on a copy of the secret:`,
    block([l.infra("dr-drill"), l.infra("dr-drill", "--rehearse-cutover")]),
  ]
    .filter(Boolean)
    .join("\n\n");
}

function rollback(f: RunbookFacts, l: Lines): string {
  const running = f.running.ok ? f.running.value : undefined;
  const good = running?.good ?? [];
  const before = good.filter((r) => r !== running?.revision).at(-1);
  const what = !f.cluster
    ? "ECS_CLUSTER_NAME is not set: which revision the service runs is unknown."
    : !f.running.ok
      ? `Service ${f.service} in cluster ${f.cluster} runs ${unknown(f.running)}; its known-good revisions are unknown too.`
      : `Service ${f.service} in cluster ${f.cluster} runs ${running?.revision ?? "nothing (AWS has no active service of that name)"}. ${good.length ? `Revisions deployed and verified healthy, oldest first: ${good.join(", ")}.` : "No revision is tagged known-good in AWS yet."}`;
  const parts = [
    "## 1. Roll back a bad deploy",
    what,
    "Back to the newest known-good revision before the current one (followed and probed like a deploy; exit 1 if it fails):",
    block([l.infra("rollback"), l.infra("status")]),
  ];
  if (f.cluster && before)
    parts.push(
      "By hand, if `infra` is not at hand:",
      block([
        l.aws("ecs", "update-service", "--cluster", f.cluster, "--service", f.service, "--task-definition", before),
        l.aws("ecs", "wait", "services-stable", "--cluster", f.cluster, "--services", f.service),
      ]),
    );
  return parts.join("\n\n");
}

function migration(f: RunbookFacts, l: Lines): string {
  const head = "## 2. Roll back a migration";
  const container = f.migrationContainer.ok ? f.migrationContainer.value : undefined;
  if (!f.cluster || !f.migrationFamily || !f.securityGroup || f.subnets.length === 0 || !container)
    return `${head}\n\nThe migration task is ${!f.migrationFamily ? "unknown (ECS_TASK_DEFINITION_FAMILY is not set)" : !f.migrationContainer.ok ? unknown(f.migrationContainer) : "not fully described in the env file (cluster, subnets, backend group)"}: roll back from a machine that reaches the database, with \`python manage.py migrate <app> <migration>\`.`;
  const run = (command: string[]) =>
    l.aws(
      "ecs",
      "run-task",
      "--cluster",
      f.cluster as string,
      "--task-definition",
      f.migrationFamily as string,
      "--launch-type",
      "FARGATE",
      "--network-configuration",
      `awsvpcConfiguration={subnets=[${f.subnets.join(",")}],securityGroups=[${f.securityGroup}],assignPublicIp=DISABLED}`,
      "--overrides",
      JSON.stringify({ containerOverrides: [{ name: container, command }] }),
    );
  return [
    head,
    `A migration that broke the app is undone by migrating back, from the migration task (${f.migrationFamily}, container ${container}), then rolling the image back (section 1). Which migrations are applied (the task's log shows them):`,
    block([run(["python", "manage.py", "showmigrations", "--plan"])]),
    "Back to the migration before the bad one (replace <app> and <migration> with what showmigrations listed):",
    block([run(["python", "manage.py", "migrate", "<app>", "<migration>"]), l.infra("rollback")]),
    "A migration that destroyed data cannot be undone this way: restore the database from a snapshot taken before it (section 3).",
  ].join("\n\n");
}

const OPERATOR: Record<string, string> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: ">=",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "<=",
};

function alarms(f: RunbookFacts, l: Lines): string {
  const parts = ["## 6. Alarms and where they go"];
  if (!f.alarms.ok) parts.push(`The alarms: ${unknown(f.alarms)}.`);
  else if (f.alarms.value.length === 0)
    parts.push(`No alarms of ${f.project} exist: \`${l.infra("create", "monitoring")}\` makes them.`);
  else {
    const rows = f.alarms.value.map(
      (a) =>
        `| ${a.AlarmName} | ${a.Namespace} ${a.MetricName ?? ""} | ${OPERATOR[a.ComparisonOperator ?? ""] ?? a.ComparisonOperator} ${a.Threshold} for ${a.EvaluationPeriods} x ${a.Period} s | ${a.StateValue} |`,
    );
    parts.push(["| alarm | watches | fires when | state now |", "|---|---|---|---|", ...rows].join("\n"));
  }
  if (f.topicArn) {
    const subs = f.subscriptions.ok ? f.subscriptions.value : [];
    const who = !f.subscriptions.ok
      ? unknown(f.subscriptions)
      : subs.length
        ? subs
            .map(
              (s) =>
                `${s.Protocol} ${s.Endpoint}${s.SubscriptionArn === "PendingConfirmation" ? " (not confirmed yet: the mailbox must click AWS's link)" : ""}`,
            )
            .join("; ")
        : `nobody (set ALARM_EMAIL and run \`${l.infra("create", "monitoring")}\`)`;
    parts.push(`They notify the SNS topic ${f.topicArn}, which sends to: ${who}.`);
  } else parts.push("Where they notify: unknown (SNS_TOPIC_ARN is not recorded in the env file).");
  if (f.alarms.ok && f.alarms.value.length)
    parts.push(
      "What is firing now, and who is told:",
      block([
        l.aws(
          "cloudwatch",
          "describe-alarms",
          "--state-value",
          "ALARM",
          "--alarm-names",
          ...f.alarms.value.map((a) => a.AlarmName as string),
        ),
        ...(f.topicArn ? [l.aws("sns", "list-subscriptions-by-topic", "--topic-arn", f.topicArn)] : []),
      ]),
    );
  return parts.join("\n\n");
}
