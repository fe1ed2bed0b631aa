// DNS names as Route 53 returns them (lower-case, trailing dot, `*` as \052, alias targets maybe prefixed
// `dualstack.`), so that what we want and what is there compare equal when they mean the same thing.
import { InputError } from "../../../core/errors.js";

export const fqdn = (name: string) => name.toLowerCase().replace(/\.?$/, ".");

export const sameName = (a: string, b: string) => fqdn(a).replace(/^\\052/, "*") === fqdn(b).replace(/^\\052/, "*");

export const sameAliasTarget = (a: string, b: string) =>
  fqdn(a).replace(/^dualstack\./, "") === fqdn(b).replace(/^dualstack\./, "");

/** API_DOMAIN_NAME must sit in DOMAIN_NAME's zone. */
export function requireWithin(key: string, name: string, domain: string): void {
  const n = fqdn(name);
  const d = fqdn(domain);
  if (n !== d && !n.endsWith(`.${d}`)) throw new InputError(`${key}="${name}" is not within DOMAIN_NAME ${domain}`);
}
