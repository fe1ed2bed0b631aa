// DNS names as Route 53 returns them (lower-case, trailing dot, `*` as \052, alias targets maybe prefixed
// `dualstack.`), so that what we want and what is there compare equal when they mean the same thing.
import { InputError } from "../../core/errors.js";
import type { Validator } from "../../core/inputs.js";

export const fqdn = (name: string) => name.toLowerCase().replace(/\.?$/, ".");

export const sameName = (a: string, b: string) => fqdn(a).replace(/^\\052/, "*") === fqdn(b).replace(/^\\052/, "*");

export const sameAliasTarget = (a: string, b: string) =>
  fqdn(a).replace(/^dualstack\./, "") === fqdn(b).replace(/^dualstack\./, "");

/** A public DNS name: labels of letters, digits and inner hyphens, at least two of them. */
export const domainName: Validator = (key, value) => {
  const name = value.replace(/\.$/, "");
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
  const labels = name.split(".");
  if (name.length > 253 || labels.length < 2 || !labels.every((l) => label.test(l))) {
    throw new InputError(`${key}="${value}" is not a domain name (like example.com)`);
  }
};

/** API_DOMAIN_NAME must sit in DOMAIN_NAME's zone. */
export function requireWithin(key: string, name: string, domain: string): void {
  const n = fqdn(name);
  const d = fqdn(domain);
  if (n !== d && !n.endsWith(`.${d}`)) throw new InputError(`${key}="${name}" is not within DOMAIN_NAME ${domain}`);
}
