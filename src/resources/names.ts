// The resources' names, in the order they are built: what the command line accepts and its help lists, known
// without loading any resource (registry.ts holds the resources themselves, in this order).
export const RESOURCE_NAMES = [
  "alb",
  "acm-certificate",
  "route53-records",
  "ecs-service-task-definition",
  "ecs-service",
  "ecs-autoscaling",
  "monitoring",
  "waf",
] as const;

export type ResourceName = (typeof RESOURCE_NAMES)[number];
