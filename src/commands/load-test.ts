// `infra load-test`: its command line. What it does (bounded load on the stack's own endpoint, checked before the
// first request, guarded against Ctrl-C, a CI gate with --expect) is in actions/load-test.ts, loaded when it runs.
import { defaultOf } from "../core/keys.js";
import { DEFAULT_OBSERVE_MS, SCALE_OUT_DATAPOINTS } from "../load/observation.js";
import { CAPS, DEFAULTS } from "../load/plan.js";
import { DEFAULT_STEPS, DEFAULT_STOP_WHEN } from "../load/ramp.js";
import type { Commands } from "./registration.js";

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
/** A list option given more than once: every list applies, as one (a later one must not silently drop the earlier). */
const joined = (value: string, previous: string | undefined) =>
  previous === undefined ? value : `${previous},${value}`;

export function registerLoadTest({ program, lazy }: Commands): void {
  const load = () => import("./actions/load-test.js");
  const { normal } = CAPS;
  program
    .command("load-test")
    .description("bounded load on the stack's own endpoint: latency, errors, what auto scaling did")
    .option(
      "--rate <req/s>",
      `requests started per second, on schedule (default: ${DEFAULTS.rate}, at most ${normal.rate})`,
    )
    .option(
      "--duration <duration>",
      `how long to send (default: ${DEFAULTS.duration}, at most ${normal.durationMs / 60_000}m)`,
    )
    .option(
      "--ramp <from>-<to>/<duration>",
      "raise the rate step by step (or name the steps: 10,20,40/2m) until a step breaks --stop-when, and report the highest rate that held",
    )
    .option("--steps <n>", `how many steps a <from>-<to> ramp takes (default: ${DEFAULT_STEPS})`)
    .option(
      "--stop-when <list>",
      `when a ramp's step breaks (default: ${DEFAULT_STOP_WHEN}; repeatable: any breaks it)`,
      joined,
    )
    .option("--connections <n>", `connections to open at most (at most ${normal.connections})`, DEFAULTS.connections)
    .option(
      "--path <path>",
      `a path to request, repeatable (default: HEALTH_CHECK_PATH, else ${defaultOf("HEALTH_CHECK_PATH", () => undefined)})`,
      collect,
    )
    .option("--paths-file <file>", "weighted paths, one per line: <weight> <path>")
    .option(
      "--request-timeout <duration>",
      "how long a request may take from its scheduled start",
      DEFAULTS.requestTimeout,
    )
    .option("--target <url>", "another origin than https://<API_DOMAIN_NAME>, such as the ALB's DNS name")
    .option("--outside-stack", "allow a --target that is not this stack's endpoint")
    .option("--lift-caps", "allow up to 2000 req/s, 1h and 1000 connections")
    .option(
      "--expect <list>",
      "thresholds such as p99<500ms,errors<1%: exit 1 when one is missed (repeatable: all apply)",
      joined,
    )
    .option(
      "--abort-on <list>",
      "stop sending when the last seconds' requests show this, such as errors>20%: exit 1 (repeatable: any stops)",
      joined,
    )
    .option("--allow-redirects", "count 3xx answers as answers, not errors (they are counted apart either way)")
    .option(
      "--observe <duration>",
      `how long to keep sampling the stack after the load before saying whether auto scaling acted (default: ${DEFAULT_OBSERVE_MS / 1000}s: target tracking's scale-out alarm needs ${SCALE_OUT_DATAPOINTS} datapoints of 60 s, plus one sample; 0 skips)`,
    )
    .option("--no-sample", "do not read the ECS service, ALB metrics and alarms during the run (nor after it)")
    .action(lazy(load, "loadTest"));
}
