// --ramp: a run that raises its rate step by step until the service breaks, to find the highest rate it holds.
// "10-100/5m" climbs from 10 to 100 req/s over 5 minutes in --steps equal steps (10 unless told: 10, 20, ... 100,
// 30 s each); "10,20,40,80/2m" names the rates, each held an equal share of the time. A step breaks when one of
// --stop-when's conditions holds for the requests it sent (p95>500ms,errors>1% unless told), and the ramp stops
// there. Every step must last a second at least, so that its percentiles mean something.
import { parseDuration } from "../core/duration.js";
import { InputError } from "../core/errors.js";
import type { Step } from "./plan.js";
import { type Expectation, parseExpect } from "./thresholds.js";

export const DEFAULT_STEPS = 10;
export const DEFAULT_STOP_WHEN = "p95>500ms,errors>1%";
const MAX_STEPS = 100;
const MIN_STEP_MS = 1000;

const RATE = String.raw`\d+(?:\.\d+)?`;
const RANGE = new RegExp(`^(${RATE})-(${RATE})/(\\S+)$`);
const LIST = new RegExp(`^(${RATE}(?:,${RATE})+)/(\\S+)$`);

/** The steps of --ramp, each with its rate and how long it is held. */
export function parseRamp(text: string, stepsText: string | undefined): Step[] {
  const range = RANGE.exec(text);
  const list = LIST.exec(text);
  if (!range && !list)
    throw new InputError(
      `--ramp ${text} is not <from>-<to>/<duration> or <rate>,<rate>,.../<duration>`,
      "write it like 10-100/5m or 10,20,40,80/2m",
    );
  if (list && stepsText !== undefined)
    throw new InputError(`--steps ${stepsText}: --ramp ${text} names its steps already`);
  const [rateText, durationText] = range ? [`${range[1]}-${range[2]}`, range[3]] : [list?.[1], list?.[2]];
  const totalMs = parseDuration(durationText ?? "", "--ramp's duration");
  const rates = range
    ? evenly(Number(range[1]), Number(range[2]), stepCount(stepsText))
    : (rateText ?? "").split(",").map(Number);
  if (rates.some((r) => r <= 0)) throw new InputError(`--ramp ${text}: every rate must be above 0`);
  if (rates.some((r, i) => i > 0 && r <= (rates[i - 1] as number)))
    throw new InputError(`--ramp ${text}: the rates must rise from step to step`);
  const stepMs = Math.floor(totalMs / rates.length);
  if (stepMs < MIN_STEP_MS)
    throw new InputError(
      `--ramp ${text}: each of its ${rates.length} steps would last ${stepMs} ms, less than a second`,
      "give the ramp more time, or fewer --steps",
    );
  return rates.map((rate) => ({ rate, durationMs: stepMs }));
}

function stepCount(text: string | undefined): number {
  if (text === undefined) return DEFAULT_STEPS;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 2 || n > MAX_STEPS)
    throw new InputError(`--steps ${text} is not a whole number from 2 to ${MAX_STEPS}`);
  return n;
}

/** n rates from `from` to `to`, evenly apart, to a tenth of a request per second. */
function evenly(from: number, to: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round((from + ((to - from) * i) / (n - 1)) * 10) / 10);
}

/** --stop-when's conditions: a step breaks when one holds. */
export function parseStopWhen(text: string | undefined): Expectation[] {
  return parseExpect(text ?? DEFAULT_STOP_WHEN, "--stop-when");
}
