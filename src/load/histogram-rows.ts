// The terminal's latency histogram: counts in rows of a 1-2-5 series of bounds in ms, so that a tail ten times
// the median shows.
export const BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 60_000];

export interface HistogramRow {
  fromMs: number;
  toMs: number | null;
  count: number;
}

export class HistogramRows {
  private readonly counts = new Array<number>(BUCKETS_MS.length + 1).fill(0);

  put(ms: number): void {
    const i = BUCKETS_MS.findIndex((upper) => ms < upper);
    const row = i === -1 ? BUCKETS_MS.length : i;
    this.counts[row] = (this.counts[row] as number) + 1;
  }

  add(other: HistogramRows): void {
    for (const [i, n] of other.counts.entries()) this.counts[i] = (this.counts[i] as number) + n;
  }

  /** The rows from the first to the last that hold a request. */
  rows(): HistogramRow[] {
    const rows = this.counts.map((count, i) => ({
      fromMs: i === 0 ? 0 : (BUCKETS_MS[i - 1] as number),
      toMs: BUCKETS_MS[i] ?? null,
      count,
    }));
    const first = rows.findIndex((r) => r.count > 0);
    if (first === -1) return [];
    const last = rows.findLastIndex((r) => r.count > 0);
    return rows.slice(first, last + 1);
  }
}
