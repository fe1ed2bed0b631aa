// What each kind of env file value must look like, from what it becomes in AWS (the constraints AWS documents for
// that name or id), so a bad value stops the run with exit 2 before any call, and nothing reaches AWS, a container
// or a shell that AWS itself would not accept.
import { InputError } from "./errors.js";

export type Validator = (key: string, value: string) => void;

/** KEY="value" for an error line: a long value is cut, so the one line stays a line a person can read. */
export const setting = (key: string, value: string) =>
  value.length <= 80 ? `${key}="${value}"` : `${key}="${value.slice(0, 60)}..." (${value.length} characters)`;

export const pattern =
  (re: RegExp, what: string): Validator =>
  (key, value) => {
    if (!re.test(value)) throw new InputError(`${setting(key, value)} is not ${what}`);
  };

export const oneOf =
  (...values: string[]): Validator =>
  (key, value) => {
    if (!values.includes(value)) throw new InputError(`${setting(key, value)} must be ${values.join(" or ")}`);
  };

export const awsId = (prefix: string) => pattern(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `a ${prefix}-... id`);

/**
 * An ARN of one service's kind of resource: arn:<partition>:<service>:<region>:<account>:<resource>, the resource
 * part in the form that service gives it (its ARN format in the Service Authorization Reference), so nothing else
 * (a shell's `$(...)`, a quote, a space) rides along into a task definition, a policy or a runbook line.
 */
const arnOf = (service: string, resource: string, what: string) =>
  pattern(new RegExp(`^arn:aws(-[a-z]+)*:${service}:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:${resource}$`), what);

const ELB_NAME = "[A-Za-z0-9-]{1,32}";
const ID = "[A-Za-z0-9]{1,64}";
const ECS_NAME = "[A-Za-z0-9_-]{1,255}";

/** A Secrets Manager secret: secret:<name>-<the six characters Secrets Manager adds>. */
export const secretArn = arnOf(
  "secretsmanager",
  "secret:[A-Za-z0-9/_+=.@-]{1,512}-[A-Za-z0-9]{6}",
  "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 letters or digits>)",
);
export const loadBalancerArn = arnOf(
  "elasticloadbalancing",
  `loadbalancer/app/${ELB_NAME}/${ID}`,
  "an Application Load Balancer ARN (...:loadbalancer/app/<name>/<id>)",
);
export const targetGroupArn = arnOf(
  "elasticloadbalancing",
  `targetgroup/${ELB_NAME}/${ID}`,
  "a target group ARN (...:targetgroup/<name>/<id>)",
);
export const listenerArn = arnOf(
  "elasticloadbalancing",
  `listener/app/${ELB_NAME}/${ID}/${ID}`,
  "a listener ARN (...:listener/app/<load balancer>/<id>/<id>)",
);
export const certificateArn = arnOf("acm", "certificate/[A-Za-z0-9-]{1,64}", "an ACM certificate ARN");
export const taskDefinitionArn = arnOf(
  "ecs",
  `task-definition/${ECS_NAME}:[1-9]\\d{0,8}`,
  "a task definition ARN (...:task-definition/<family>:<revision>)",
);
export const serviceArn = arnOf("ecs", `service/(${ECS_NAME}/)?${ECS_NAME}`, "an ECS service ARN");
export const topicArn = arnOf("sns", "[A-Za-z0-9_-]{1,256}(\\.fifo)?", "an SNS topic ARN");
export const webAclArn = arnOf(
  "wafv2",
  "regional/webacl/[A-Za-z0-9_-]{1,128}/[A-Za-z0-9-]{1,64}",
  "a regional WAF web ACL ARN",
);

export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$/;
export const region = pattern(REGION_NAME, "an AWS region name (like us-east-1)");

export const port: Validator = (key, value) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535)
    throw new InputError(`${setting(key, value)} is not a port (1-65535)`);
};

/**
 * A URL path for the health checks: the target group's (at most 1024 characters) and the container's, which ECS
 * runs through a shell (`CMD-SHELL curl -f http://localhost:<port><path>`), so only unreserved characters, `/` and
 * percent-escapes: nothing a shell would read.
 */
export const urlPath = pattern(
  /^(?=.{1,1024}$)\/([A-Za-z0-9._~/-]|%[0-9A-Fa-f]{2})*$/,
  "a URL path: / then letters, digits, . _ ~ - / or %XX escapes",
);

export const httpUrl = pattern(
  /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/([A-Za-z0-9._~/-]|%[0-9A-Fa-f]{2})*)?$/,
  "an http(s) URL",
);

/** Project names become parts of AWS names: keep them to what every service accepts. */
export const projectName = pattern(
  /^[a-z0-9]([a-z0-9-]{0,26}[a-z0-9])?$/,
  "a project name (at most 28 lower-case letters, digits, -)",
);

/** Tag values: up to 256 Unicode letters, digits, spaces and + - = . _ : / @ (the tagging rules AWS documents). */
export const tagValue = pattern(/^[\p{L}\p{N} +\-=._:/@]{1,256}$/u, "a valid tag value");

/** ELBv2 names: at most 32 of [A-Za-z0-9-], no hyphen at either end, not internal-... */
export const elbName: Validator = (key, value) => {
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(value)) {
    throw new InputError(
      `${setting(key, value)} is not a valid load balancer or target group name (1-32 of A-Z a-z 0-9 -)`,
    );
  }
  if (value.startsWith("internal-")) throw new InputError(`${setting(key, value)} must not start with "internal-"`);
};

/** EC2 security group names in a VPC: up to 255 of a-z A-Z 0-9 spaces ._-:/()#,@[]+=&;{}!$*, not starting sg-. */
export const securityGroupName = pattern(
  /^(?!sg-)[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/,
  "a security group name (up to 255 of letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*, not starting sg-)",
);

/** ECS cluster, service and task definition family names: up to 255 letters, digits, hyphens and underscores. */
export const ecsName = pattern(/^[A-Za-z0-9_-]{1,255}$/, "an ECS name (up to 255 letters, digits, - and _)");

/** Secrets Manager secret names: up to 512 of letters, digits and /_+=.@- */
export const secretName = pattern(/^[A-Za-z0-9/_+=.@-]{1,512}$/, "a Secrets Manager secret name (/_+=.@- allowed)");

/** A database name as RDS for PostgreSQL takes it: 1-63 letters, digits or underscores, starting with a letter. */
export const databaseName = pattern(
  /^[A-Za-z][A-Za-z0-9_]{0,62}$/,
  "a database name (a letter, then letters, digits, _)",
);

/** An RDS DB instance identifier: 1-63 letters, digits or hyphens, first a letter, no -- and no - at the end. */
export const dbInstanceId = pattern(/^[A-Za-z](?!.*--)([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/, "an RDS instance identifier");

/** A Python module path, as DJANGO_SETTINGS_MODULE is. */
export const pythonModule = pattern(/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/, "a Python module path (like app.settings)");

/** A Route 53 hosted zone id: up to 32 characters (the API model), with or without the /hostedzone/ prefix. */
export const hostedZoneId = pattern(
  /^(\/hostedzone\/)?[A-Za-z0-9]{1,32}$/,
  "a hosted zone id (up to 32 letters and digits)",
);

export const positiveInt: Validator = (key, value) => {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InputError(`${setting(key, value)} is not a whole number above 0`);
};

export const nonNegativeInt: Validator = (key, value) => {
  if (!/^\d{1,9}$/.test(value)) throw new InputError(`${setting(key, value)} is not a whole number`);
};

export const positiveNumber: Validator = (key, value) => {
  if (!/^\d{1,9}(\.\d+)?$/.test(value) || Number(value) <= 0)
    throw new InputError(`${setting(key, value)} is not a number above 0`);
};

export const percent: Validator = (key, value) => {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 100)
    throw new InputError(`${setting(key, value)} is not a percentage above 0 and at most 100`);
};

export const seconds: Validator = (key, value) => {
  if (!/^\d+$/.test(value) || Number(value) > 86_400)
    throw new InputError(`${setting(key, value)} is not a number of seconds (0-86400)`);
};

/**
 * An e-mail address for SNS to write to: a plain local part (letters, digits and . _ % + -, no dot at either end or
 * twice) @ a domain name. Quoted local parts and the rarer characters RFC 5322 allows are left out: they are what
 * a shell, a terminal or a runbook line would read as something else.
 */
export const email: Validator = (key, value) => {
  const at = value.lastIndexOf("@");
  const local = value.slice(0, at);
  if (
    at < 1 ||
    local.length > 64 ||
    !/^[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*$/.test(local) ||
    !isDomainName(value.slice(at + 1))
  )
    throw new InputError(`${setting(key, value)} is not an email address (like ops@example.com)`);
};

export const roleArn = pattern(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "an IAM role ARN");

/** An image repository without a tag or digest: registry/name, as ECR_REPOSITORY_URI is recorded. */
export const imageRepository = pattern(
  /^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
  "an image repository URI (like 123456789012.dkr.ecr.us-east-1.amazonaws.com/app, without a tag)",
);

export const imageTag = pattern(/^\w[\w.-]{0,127}$/, "an image tag (letters, digits, _ . -, at most 128)");

/**
 * A public DNS name: labels of letters, digits and inner hyphens, at least two of them, the last (the top-level
 * domain) not all digits, so no IP address passes for one (127.0.0.1, 169.254.169.254, 0x7f.1).
 */
export function isDomainName(value: string): boolean {
  const name = value.replace(/\.$/, "");
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
  const labels = name.split(".");
  return (
    name.length <= 253 && labels.length >= 2 && labels.every((l) => label.test(l)) && !/^\d+$/.test(labels.at(-1) ?? "")
  );
}

export const domainName: Validator = (key, value) => {
  if (!isDomainName(value))
    throw new InputError(`${setting(key, value)} is not a domain name (like example.com; not an IP address)`);
};

/** A path to a local file: any characters but control characters (rejected for every value already). */
export const filePath = pattern(/^.{1,4096}$/, "a file path");

export const boolean = oneOf("true", "false");
