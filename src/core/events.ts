// Resource code never prints: it reports what it does here, and the CLI decides how to show it.
export type EventKind = "step" | "created" | "updated" | "deleted" | "exists" | "skipped" | "waiting" | "warning";

export interface InfraEvent {
  resource: string;
  kind: EventKind;
  message: string;
  /** For waits: what state the awaited thing is in, and for how long we have waited. */
  state?: string;
  elapsedMs?: number;
  /** For the wait on an ECS deployment: its state in full, for a terminal to show as a table. */
  deployment?: DeploymentView;
}

export type DeploymentPhase = "starting" | "healthy" | "draining";

/** An ECS deployment as it stands at one poll, from what following it reads anyway (and its targets' health). */
export interface DeploymentView {
  service: string;
  /** Where the followed deployment is: its tasks starting, the old tasks draining, or healthy (ECS to call it done). */
  phase?: DeploymentPhase;
  /** The deployment followed first, then the ones it replaces. */
  deployments: {
    id: string;
    /** "family:revision" of the task definition it runs. */
    revision: string;
    followed: boolean;
    rolloutState?: string;
    running: number;
    pending: number;
    desired: number;
    failed: number;
  }[];
  /** Targets in the service's target group, by state (healthy, initial, draining...); absent when not read. */
  targets?: Record<string, number>;
  /** The newest task of the followed deployment that stopped, and why. */
  lastStopped?: { task: string; reason: string };
}

/** A renderer: each event as it comes; `end` once the command's run is over (what is in progress is then not). */
export type EventSink = ((event: InfraEvent) => void) & { end?: () => void };

/** Collects events (for tests and --json), forwarding them to a renderer. */
export class Events {
  readonly log: InfraEvent[] = [];

  constructor(private readonly sink: EventSink = () => {}) {}

  emit(event: InfraEvent): void {
    this.log.push(event);
    this.sink(event);
  }

  /** The run is over: a renderer clears what it showed as in progress and may sum the run up. */
  end(): void {
    this.sink.end?.();
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
      waiting: (message: string, state: string, elapsedMs: number, detail: Pick<InfraEvent, "deployment"> = {}) =>
        this.emit({ resource, kind: "waiting", message, state, elapsedMs, ...detail }),
    };
  }
}

export type ResourceEvents = ReturnType<Events["for"]>;
