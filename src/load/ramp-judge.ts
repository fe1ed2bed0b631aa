// Judging a ramp while it runs. Each step has its own measurements; a step is judged once every request it sent
// has answered, failed or timed out (the next step runs meanwhile, as it would for a service whose traffic keeps
// growing), against --stop-when. The first step that breaks stops the ramp: nothing more is sent, and what is in
// flight finishes. The limit is the highest rate that held below it.
import { type ConnectionUse, connectionUse } from "./connections.js";
import { Measurements, type Summary } from "./measure.js";
import { type LoadPlan, requestsOf } from "./plan.js";
import { evaluate, type Verdict } from "./thresholds.js";

export interface StepOutcome {
  rate: number;
  durationMs: number;
  /** not judged: it did not finish (the ramp stopped, or Ctrl-C), so its figures are partial. */
  verdict: "held" | "broke" | "not judged";
  /** The --stop-when conditions that held, when it broke. */
  brokeOn: Verdict[];
  summary: Summary;
  connections: ConnectionUse;
}

export interface RampOutcome {
  stopWhen: string[];
  steps: StepOutcome[];
  /** The highest rate that held, below the step that broke (or the last, when none did); null when none held. */
  held: number | null;
  broke: { rate: number; on: Verdict[] } | null;
  /** The generator's connections, not the service, set the latency of the step that broke. */
  brokenByConnections: boolean;
}

export class RampJudge {
  readonly steps: Measurements[];
  private readonly settledCount: number[];
  private readonly verdicts: (Verdict[] | undefined)[];
  private stopReason: string | undefined;

  constructor(private readonly plan: LoadPlan & Required<Pick<LoadPlan, "ramp">>) {
    this.steps = plan.steps.map((s) => new Measurements(requestsOf(s), plan.allowRedirects));
    this.settledCount = plan.steps.map(() => 0);
    this.verdicts = plan.steps.map(() => undefined);
  }

  /** A request of this step is done: once all are, the step is judged. */
  settled(step: number): void {
    this.settledCount[step] = (this.settledCount[step] ?? 0) + 1;
    const m = this.steps[step] as Measurements;
    if (this.settledCount[step] === m.planned && m.cancelled === 0) this.judge(step);
  }

  /** Why the ramp stops, once a step broke. */
  stop(): string | undefined {
    return this.stopReason;
  }

  private judge(step: number): void {
    const { rate, durationMs } = this.plan.steps[step] as LoadPlan["steps"][number];
    const m = this.steps[step] as Measurements;
    const broke = evaluate(this.plan.ramp.stopWhen, m.summary(durationMs), (p) => m.latencyAt(p)).filter((v) => v.ok);
    this.verdicts[step] = broke;
    if (broke.length > 0)
      this.stopReason ??= `the step at ${rate} req/s broke ${broke.map((v) => `${v.expectation} (${v.actual})`).join(", ")}`;
  }

  outcome(): RampOutcome {
    const steps = this.plan.steps.map(({ rate, durationMs }, i): StepOutcome => {
      const m = this.steps[i] as Measurements;
      const summary = m.summary(durationMs);
      const verdict = this.verdicts[i];
      return {
        rate,
        durationMs,
        verdict: verdict === undefined ? "not judged" : verdict.length > 0 ? "broke" : "held",
        brokeOn: verdict ?? [],
        summary,
        connections: connectionUse(summary, rate, this.plan.connections, m.peakInUse),
      };
    });
    let held: number | null = null;
    let broken: StepOutcome | undefined;
    for (const step of steps) {
      if (step.verdict === "not judged") break;
      if (step.verdict === "broke") {
        broken = step;
        break;
      }
      held = step.rate;
    }
    return {
      stopWhen: this.plan.ramp.stopWhen.map((e) => e.text),
      steps,
      held,
      broke: broken ? { rate: broken.rate, on: broken.brokeOn } : null,
      brokenByConnections: Boolean(broken?.connections.setTheLatency),
    };
  }
}
