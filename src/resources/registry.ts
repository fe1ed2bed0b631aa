// The resources in Phase 5.15 order: create walks this list forwards, destroy backwards.
import { InputError } from "../core/errors.js";
import { acmResource } from "./acm-certificate/config.js";
import { albResource } from "./alb/config.js";
import { autoScalingResource } from "./ecs-autoscaling/config.js";
import { serviceResource } from "./ecs-service/config.js";
import { taskDefinitionResource } from "./ecs-service-task-definition/config.js";
import { monitoringResource } from "./monitoring/config.js";
import type { Resource } from "./resource.js";
import { route53RecordsResource } from "./route53-records/config.js";

// biome-ignore lint/suspicious/noExplicitAny: each resource has its own config type; the registry only orders them.
export const RESOURCES: readonly Resource<any>[] = [
  albResource,
  acmResource,
  route53RecordsResource,
  taskDefinitionResource,
  serviceResource,
  autoScalingResource,
  monitoringResource,
];

/** SPEC.md section 2's resources that later issues add: named so users get a clearer message than "unknown". */
const COMING = ["waf"];

/** The resources named on the command line, in create order; "all" means every one. */
// biome-ignore lint/suspicious/noExplicitAny: see RESOURCES.
export function selectResources(names: string[]): Resource<any>[] {
  if (names.length === 0) throw new InputError("name at least one resource, or all", `resources: ${known()}`);
  if (names.includes("all")) return [...RESOURCES];
  for (const name of names) {
    if (RESOURCES.some((r) => r.name === name)) continue;
    if (COMING.includes(name))
      throw new InputError(`resource ${name} is not available in this version of infra yet`, `available: ${known()}`);
    throw new InputError(`unknown resource ${name}`, `resources: ${known()}`);
  }
  return RESOURCES.filter((r) => names.includes(r.name));
}

const known = () => ["all", ...RESOURCES.map((r) => r.name)].join(", ");
