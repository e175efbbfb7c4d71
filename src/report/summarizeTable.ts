import type { PointTable } from '../evaluate/PointTable.js';

/**
 * A histogram of one column as the report draws it: equal bins between two quantiles of the
 * column's finite values (so a few outliers do not squash the plot), with the values left out on
 * either side counted, and the column's exact median.
 */
export interface ColumnHistogram {
  /** The CSV header, e.g. `intensity [photon]`. */
  readonly header: string;
  /** What a reader calls it, e.g. `photons`. */
  readonly label: string;
  /** Left edge of the first bin, in the column's unit. */
  readonly lo: number;
  /** Width of every bin, in the column's unit. */
  readonly binWidth: number;
  /** Rows in each bin ([lo + i·w, lo + (i+1)·w); the last bin holds its right edge too). */
  readonly counts: readonly number[];
  /** Rows with a finite value. */
  readonly values: number;
  /** Rows below `lo` and above the last bin's right edge (drawn in no bin). */
  readonly below: number;
  readonly above: number;
  /** The median of the finite values (the mean of the two middle ones for an even count). */
  readonly median: number;
}

/** Localizations per frame, in blocks of frames when there are many frames. */
export interface FrameCounts {
  /** First and last frame counted (1-based, as in the table). */
  readonly firstFrame: number;
  readonly lastFrame: number;
  /** Frames per block (1: every frame is a point). */
  readonly blockFrames: number;
  /** The first frame of each block. */
  readonly blockStart: readonly number[];
  /** The mean localizations per frame of each block. */
  readonly perFrame: readonly number[];
}

/** Bins of a report histogram, points of the per-frame plot, and the quantiles a histogram spans. */
export const REPORT_HISTOGRAM = { bins: 60, lowQuantile: 0.005, highQuantile: 0.995, maxFramePoints: 1000 } as const;

/**
 * The histogram of one column of a table (see {@link ColumnHistogram}).
 * @param values - the column (NaN and infinite values are not counted)
 * @param header - its CSV header
 * @param label - its name in the report
 * @param bins - bins @default {@link REPORT_HISTOGRAM}.bins
 */
export function columnHistogram(values: Float64Array, header: string, label: string, bins: number = REPORT_HISTOGRAM.bins): ColumnHistogram {
  const finite = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite[n++] = values[i];
  const sorted = finite.subarray(0, n).sort();
  if (n === 0) return { header, label, lo: 0, binWidth: 1, counts: new Array<number>(bins).fill(0), values: 0, below: 0, above: 0, median: Number.NaN };
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.round(q * (n - 1))))];
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  let lo = at(REPORT_HISTOGRAM.lowQuantile);
  let hi = at(REPORT_HISTOGRAM.highQuantile);
  // One value (a fixed σ): one bin a unit wide around it.
  if (!(hi > lo)) {
    const half = Math.max(Math.abs(lo) * 0.01, 0.5);
    lo -= half;
    hi += half;
  }
  const binWidth = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  let below = 0;
  let above = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i];
    if (v < lo) below++;
    else if (v > hi) above++;
    else counts[Math.min(bins - 1, Math.floor((v - lo) / binWidth))]++;
  }
  return { header, label, lo, binWidth, counts, values: n, below, above, median };
}

/**
 * Localizations per frame from the first frame to `lastFrame`, averaged over blocks of frames so
 * that there are at most `maxPoints` points.
 * @param table - the table (its frame column)
 * @param firstFrame - the run's first frame (1-based) @default the table's smallest frame
 * @param lastFrame - the run's last frame @default the table's largest frame
 * @param maxPoints - most points @default {@link REPORT_HISTOGRAM}.maxFramePoints
 */
export function frameCounts(table: Pick<PointTable, 'frame'>, firstFrame?: number, lastFrame?: number, maxPoints: number = REPORT_HISTOGRAM.maxFramePoints): FrameCounts {
  const { frame } = table;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < frame.length; i++) {
    if (frame[i] < min) min = frame[i];
    if (frame[i] > max) max = frame[i];
  }
  const first = Math.min(firstFrame ?? min, min === Infinity ? 1 : min);
  const last = Math.max(lastFrame ?? max, max === -Infinity ? first : max);
  const frames = last - first + 1;
  const blockFrames = Math.max(1, Math.ceil(frames / maxPoints));
  const blocks = Math.ceil(frames / blockFrames);
  const sums = new Float64Array(blocks);
  for (let i = 0; i < frame.length; i++) sums[Math.floor((frame[i] - first) / blockFrames)]++;
  const blockStart: number[] = [];
  const perFrame: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const start = first + b * blockFrames;
    blockStart.push(start);
    perFrame.push(sums[b] / (Math.min(last, start + blockFrames - 1) - start + 1));
  }
  return { firstFrame: first, lastFrame: last, blockFrames, blockStart, perFrame };
}
