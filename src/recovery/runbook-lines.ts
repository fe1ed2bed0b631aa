// What the runbook's sections share: its commands, as they run where it was written, and how it says things.
import type { Read } from "./runbook-facts.js";

/** The commands of a runbook: `infra ...` and `aws ...` lines carrying its file, region, profile and endpoint. */
export interface Lines {
  infra: (...args: string[]) => string;
  aws: (...args: string[]) => string;
}

export const block = (lines: string[]) => ["```sh", ...lines, "```"].join("\n");

export const utc = (iso: string | Date | number) => `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** What AWS could not answer, said so: never a false "none". */
export const unknown = (r: Read<unknown>) => (r.ok ? "" : `unknown (${r.why})`);
