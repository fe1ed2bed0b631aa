// The stack's claim on one machine: `<env file>.run.lock`, next to the file it guards, holding its owner as JSON.
// Every change to it is a compare-and-swap made under the env file's own short lock (file-lock.ts), so two processes
// that read the same claim cannot both replace it. A claim written by an older infra ({pid, host, at}) reads as one
// whose lease has run out: taken over unless its process is alive on this host.
import { readFileSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import type { ClaimOwner, ClaimSlot } from "./claim.js";
import { unwritable, withLock } from "./file-lock.js";
import { replaceFileSync } from "./replace-file.js";

/** The version of a run lock: its text, "" when there is none. */
export class RunLock implements ClaimSlot<string> {
  readonly path: string;

  /** realPath: the env file itself, whose own lock guards each swap. */
  constructor(private readonly realPath: string) {
    this.path = `${realPath}.run.lock`;
  }

  get where(): string {
    return this.path;
  }

  async read(): Promise<{ owner: ClaimOwner | undefined; version: string }> {
    const text = await this.text();
    return { owner: parse(text), version: text };
  }

  swap(version: string, owner: ClaimOwner | undefined): Promise<string | undefined> {
    return withLock(this.realPath, async () => {
      if ((await this.text()) !== version) return undefined;
      if (!owner) {
        await fs.rm(this.path, { force: true });
        return "";
      }
      const text = `${JSON.stringify(owner)}\n`;
      try {
        replaceFileSync(this.path, text);
      } catch (err) {
        throw unwritable(this.path, err);
      }
      return text;
    });
  }

  private text(): Promise<string> {
    return fs.readFile(this.path, "utf8").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return "";
      throw err;
    });
  }

  /** For a process exiting at once (Ctrl-C): removes the lock if this process still holds it. */
  releaseNow(pid: number): void {
    try {
      if (parse(readFileSync(this.path, "utf8"))?.pid === pid) rmSync(this.path, { force: true });
    } catch {}
  }
}

function parse(text: string): ClaimOwner | undefined {
  if (text.trim() === "") return undefined;
  try {
    const o = JSON.parse(text) as Partial<ClaimOwner> & { at?: number };
    if (typeof o.pid !== "number") return broken(text);
    if (typeof o.expiresAt === "string" && typeof o.id === "string") return o as ClaimOwner;
    const at = new Date(o.at ?? 0).toISOString();
    return {
      id: `pid${o.pid}`,
      command: "(an older infra)",
      host: o.host ?? "",
      pid: o.pid,
      takenAt: at,
      expiresAt: at,
    };
  } catch {
    return broken(text);
  }
}

/** A lock file that is not one (half-written by a killed process, or edited by hand): over, so it can be replaced. */
const broken = (text: string): ClaimOwner => ({
  id: "unreadable",
  command: `(unreadable lock: ${text.slice(0, 40)})`,
  host: "",
  pid: 0,
  takenAt: new Date(0).toISOString(),
  expiresAt: new Date(0).toISOString(),
});
