// How the stack's part of a load test reads: a line per sample, during the load and after it, then what auto
// scaling and the alarms did, or why it cannot tell yet.
import { alarmsVerdict, scalingVerdict } from "./observation.js";
import type { Sample, Sampling } from "./sampler.js";

const WIDTH = 80;

/** Text wrapped to 80 columns, its first line indented 2 and the others 4. */
function wrapped(text: string): string[] {
  const lines: string[] = [];
  let line = " ";
  for (const word of text.split(" ")) {
    if (line.length + 1 + word.length > WIDTH && line.trim() !== "") {
      lines.push(line);
      line = "   ";
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

export function stackLines(sampling: Sampling): string[] {
  const w = sampling.window;
  const after = w && w.observedMs > 0 ? ` and the ${Math.round(w.observedMs / 1000)} s after it` : "";
  const out = [`The stack during the load${after}`];
  for (const sample of sampling.samples)
    out.push(`  at ${sample.at} s${sample.afterTheLoad ? " (after the load)" : ""}: ${describeSample(sample)}`);
  const scaling = sampling.autoScaling;
  if (scaling && w)
    out.push(
      ...wrapped(
        scaling.acted
          ? `auto scaling acted: ${scaling.activities.map((a) => `${a.at.slice(11, 19)} ${a.description} (${a.cause}; ${a.status})`).join("; ")}`
          : scalingVerdict(w).words,
      ),
    );
  const fired = sampling.alarmsFired;
  if (fired && w)
    out.push(
      ...wrapped(
        fired.length
          ? `alarms that fired: ${fired.map((f) => `${f.name} at ${f.at.slice(11, 19)}`).join(", ")}`
          : alarmsVerdict(w).words,
      ),
    );
  for (const note of sampling.notes) out.push(`  note: ${note}`);
  return out;
}

export function describeSample(s: Sample): string {
  const parts = [];
  if (s.service) parts.push(`${s.service.running}/${s.service.desired} tasks running`);
  if (s.alb) {
    const { targetResponseMs: avg, target5xx, elb5xx, minute } = s.alb;
    parts.push(
      minute === undefined
        ? "ALB: no data in the last 5 minutes"
        : `ALB at ${minute.slice(11, 16)}: target ${avg ?? "-"} ms avg, ${(target5xx ?? 0) + (elb5xx ?? 0)} 5xx`,
    );
  }
  if (s.alarms) parts.push(s.alarms.inAlarm.length ? `in ALARM: ${s.alarms.inAlarm.join(", ")}` : "no alarm in ALARM");
  return parts.join("; ") || "nothing to sample";
}
