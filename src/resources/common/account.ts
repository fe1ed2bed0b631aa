// The partition and account the stack lives in, as the env file shows them, for ARNs AWS derives from a name (an SNS
// topic's is arn:<partition>:sns:<region>:<account>:<name>). What the endpoint answered comes first (an ARN infra
// recorded), then the task roles' ARNs, inputs of every stack. Unknown when the file holds none of them.
import type { EnvReader } from "../../core/inputs.js";

const ARN_KEYS = ["ALB_ARN", "ECS_SERVICE_ARN", "ECS_TASK_EXECUTION_ROLE_ARN", "ECS_TASK_ROLE_ARN"];

export interface Account {
  partition: string;
  account: string;
}

export function accountOf(env: EnvReader): Account | undefined {
  for (const key of ARN_KEYS) {
    const m = /^arn:([a-z-]+):[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(env.get(key) ?? "");
    if (m) return { partition: m[1] as string, account: m[2] as string };
  }
  return undefined;
}
