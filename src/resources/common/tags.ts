// Every object infra makes carries these tags; destroy removes only what carries ManagedBy=infra
// or what the env file recorded.
export interface StackIdentity {
  project: string;
  environment: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

export const MANAGED_BY: Tag = { Key: "ManagedBy", Value: "infra" };

export function stackTags(stack: StackIdentity, name: string): Tag[] {
  return [
    { Key: "Name", Value: name },
    { Key: "Project", Value: stack.project },
    { Key: "Environment", Value: stack.environment },
    MANAGED_BY,
  ];
}

export function isManaged(tags: readonly { Key?: string; Value?: string }[] | undefined): boolean {
  return (tags ?? []).some((t) => t.Key === MANAGED_BY.Key && t.Value === MANAGED_BY.Value);
}

/** The tags of want that have carries lacks (or has with another value). */
export function missingTags(want: Tag[], has: readonly { Key?: string; Value?: string }[] | undefined): Tag[] {
  return want.filter((w) => !(has ?? []).some((h) => h.Key === w.Key && h.Value === w.Value));
}

/**
 * The project of another infra stack an object belongs to (ManagedBy=infra, another Project tag): staging and
 * production in one account never change, adopt or delete each other's objects.
 */
export function otherStack(tags: readonly { Key?: string; Value?: string }[] | undefined, project: string) {
  const theirs = (tags ?? []).find((t) => t.Key === "Project")?.Value;
  return isManaged(tags) && theirs !== undefined && theirs !== project ? theirs : undefined;
}
