// Whether a load test can say what auto scaling and the alarms did. A CloudWatch alarm goes to ALARM only after
// enough breaching datapoints: target tracking's scale-out alarm, 3 datapoints of 60 s above the target
// (docs/aws-behaviours.md, "Target tracking's alarms"). So the load must last that long to move it, and the run
// must watch for that long after the load (plus one sample, for the last minute's datapoint to arrive) before
// "did not act" means anything; until then it says it cannot tell. The alarms' own periods and datapoints are read
// from DescribeAlarms while sampling; these are what AWS sets when none could be read.
export const SAMPLE_EVERY_MS = 30_000;
export const SCALE_OUT_DATAPOINTS = 3;
export const SCALE_OUT_PERIOD_MS = 60_000;
export const SCALE_OUT_MS = SCALE_OUT_DATAPOINTS * SCALE_OUT_PERIOD_MS;
/** The default --observe: target tracking's scale-out evaluation, plus one sample. */
export const DEFAULT_OBSERVE_MS = SCALE_OUT_MS + SAMPLE_EVERY_MS;

/** How long an alarm must breach to fire: its period x the datapoints it needs. */
export interface AlarmEvaluation {
  name: string;
  periodMs: number;
  datapoints: number;
}

export interface ObservationWindow {
  /** How long the load lasted, and how long the run watched after it, in AWS's time. */
  loadMs: number;
  observedMs: number;
  /** What the slowest scale-out alarm needs (target tracking's AlarmHigh). */
  scaleOutMs: number;
  /** What the slowest of the stack's other alarms needs, and its name. */
  alarmsMs: number;
  alarm?: string;
  /** How long after the load its last period's datapoint can take to be judged: the longest period, one sample more. */
  alarmsAfterMs: number;
}

const needs = (e: AlarmEvaluation) => e.periodMs * e.datapoints;

/** The window, from the alarms seen while sampling (scale-in alarms left out: a load does not make them fire). */
export function observationWindow(loadMs: number, observedMs: number, alarms: AlarmEvaluation[]): ObservationWindow {
  const scaleOut = alarms.filter((a) => a.name.includes("-AlarmHigh-"));
  const others = alarms.filter((a) => !a.name.includes("-AlarmLow-"));
  const slowest = others.reduce<AlarmEvaluation | undefined>((s, a) => (!s || needs(a) > needs(s) ? a : s), undefined);
  return {
    loadMs,
    observedMs,
    scaleOutMs: Math.max(0, ...scaleOut.map(needs)) || SCALE_OUT_MS,
    alarmsMs: slowest ? needs(slowest) : SCALE_OUT_MS,
    ...(slowest ? { alarm: slowest.name } : {}),
    alarmsAfterMs: Math.max(SCALE_OUT_PERIOD_MS, ...others.map((a) => a.periodMs)) + SAMPLE_EVERY_MS,
  };
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
const asOption = (ms: number) =>
  ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.floor(ms / 60_000)}m${(ms % 60_000) / 1000}s`;
const datapoints = (ms: number) => `${ms / SCALE_OUT_PERIOD_MS} datapoints of 60 s`;

/** What can be said of auto scaling when it did not act. */
export function scalingVerdict(w: ObservationWindow): { known: boolean; words: string } {
  const alarm = `its scale-out alarm needs ${datapoints(w.scaleOutMs)} above its target`;
  if (w.loadMs < w.scaleOutMs)
    return {
      known: false,
      words: `auto scaling: cannot tell whether it acts: ${alarm}, and the load lasted ${seconds(w.loadMs)} (run ${asOption(w.scaleOutMs)} or longer)`,
    };
  const enough = w.scaleOutMs + SAMPLE_EVERY_MS;
  if (w.observedMs < enough)
    return {
      known: false,
      words: `auto scaling: did not wait long enough to know whether it acts: ${alarm}, and the run watched ${seconds(w.observedMs)} after the load (--observe ${asOption(enough)} waits long enough)`,
    };
  return {
    known: true,
    words: `auto scaling did not act: the load lasted ${seconds(w.loadMs)} and the run watched ${seconds(w.observedMs)} after it, as long as its scale-out alarm needs (${datapoints(w.scaleOutMs)}) and one sample more`,
  };
}

/** What can be said of the stack's alarms when none fired. */
export function alarmsVerdict(w: ObservationWindow): { known: boolean; words: string } {
  const slowest = `${w.alarm ?? "an alarm"} needs ${seconds(w.alarmsMs)} of breaching datapoints`;
  if (w.loadMs < w.alarmsMs)
    return {
      known: false,
      words: `alarms: none fired, but the load lasted ${seconds(w.loadMs)} and ${slowest}: it cannot tell whether it fires`,
    };
  if (w.observedMs < w.alarmsAfterMs)
    return {
      known: false,
      words: `alarms: none fired during the load; did not wait long enough to know whether its last datapoints make one fire (the run watched ${seconds(w.observedMs)} after the load; --observe ${asOption(w.alarmsAfterMs)} waits long enough)`,
    };
  return {
    known: true,
    words: "no alarm fired: the load and the window after it were as long as the stack's alarms need",
  };
}
