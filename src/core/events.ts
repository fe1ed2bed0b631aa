// Resource code never prints: it reports what it does here, and the CLI decides how to show it.
export type EventKind = "step" | "created" | "updated" | "deleted" | "exists" | "skipped" | "waiting" | "warning";

export interface InfraEvent {
  resource: string;
  kind: EventKind;
  message: string;
  /** For waits: what state the awaited thing is in, and for how long we have waited. */
  state?: string;
  elapsedMs?: number;
}

export type EventSink = (event: InfraEvent) => void;

/** Collects events (for tests and --json), forwarding them to a renderer. */
export class Events {
  readonly log: InfraEvent[] = [];

  constructor(private readonly sink: EventSink = () => {}) {}

  emit(event: InfraEvent): void {
    this.log.push(event);
    this.sink(event);
  }

  for(resource: string) {
    const emit = (kind: EventKind) => (message: string) => this.emit({ resource, kind, message });
    return {
      step: emit("step"),
      created: emit("created"),
      updated: emit("updated"),
      deleted: emit("deleted"),
      exists: emit("exists"),
      skipped: emit("skipped"),
      warning: emit("warning"),
      waiting: (message: string, state: string, elapsedMs: number) =>
        this.emit({ resource, kind: "waiting", message, state, elapsedMs }),
    };
  }
}

export type ResourceEvents = ReturnType<Events["for"]>;
