// The resources in the order they are built, each after what it needs: create walks this list forwards, destroy
// backwards. Their names, in this order, are names.ts's (test/architecture.test.ts holds the two to each other).
import { InputError } from "../core/errors.js";
import type { EnvReader } from "../core/inputs.js";
import { acmResource } from "./acm-certificate/config.js";
import { albResource } from "./alb/config.js";
import { autoScalingResource } from "./ecs-autoscaling/config.js";
import { serviceResource } from "./ecs-service/config.js";
import { taskDefinitionResource } from "./ecs-service-task-definition/config.js";
import { monitoringResource } from "./monitoring/config.js";
import { RESOURCE_NAMES } from "./names.js";
import type { Resource } from "./resource.js";
import { route53RecordsResource } from "./route53-records/config.js";
import { wafResource } from "./waf/config.js";

// biome-ignore lint/suspicious/noExplicitAny: each resource has its own config type; the registry only orders them.
export const RESOURCES: readonly Resource<any>[] = [
  albResource,
  acmResource,
  route53RecordsResource,
  taskDefinitionResource,
  serviceResource,
  autoScalingResource,
  monitoringResource,
  wafResource,
];

/** Rejects unknown names before anything is read: a typo must not cost a round trip. */
export function checkResourceNames(names: string[]): void {
  if (names.length === 0) throw new InputError("name at least one resource, or all", `resources: ${known()}`);
  const unknown = names.find((n) => n !== "all" && !(RESOURCE_NAMES as readonly string[]).includes(n));
  if (unknown) throw new InputError(`unknown resource ${unknown}`, `resources: ${known()}`);
}

/** The resources named, in create order; "all" means every one that is part of `all` for this env file. */
// biome-ignore lint/suspicious/noExplicitAny: see RESOURCES.
export function selectResources(names: string[], env: EnvReader): Resource<any>[] {
  checkResourceNames(names);
  return RESOURCES.filter((r) => names.includes(r.name) || (names.includes("all") && (r.inAll?.(env) ?? true)));
}

const known = () => ["all", ...RESOURCE_NAMES].join(", ");
