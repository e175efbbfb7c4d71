import { formatValue } from './drawOverlays.js';

/** Options of {@link drawHistogram}. */
export interface HistogramOptions {
  /** The quantity, e.g. 'photons', 'uncertainty', 'σ'. */
  label: string;
  /** Its unit, e.g. 'nm', 'photon' ('' for none). */
  unit: string;
  /** Number of bins. @default 60 */
  bins?: number;
}

/** A histogram's bins: `counts[k]` values in [lo + k·w, lo + (k+1)·w), w = (hi − lo)/counts.length. */
export interface Binned {
  readonly counts: Uint32Array;
  readonly lo: number;
  readonly hi: number;
  /** Values counted in the bins (inside [lo, hi]). */
  readonly total: number;
  /** Finite values in all (the outliers beyond the axis too): the n shown. */
  readonly values: number;
  /** The median of the values, NaN for none. */
  readonly median: number;
}

/** Defaults of the histograms: bins, and the percentiles of the values at the two ends of the axis (outliers left out). */
export const HISTOGRAM_DEFAULTS = { bins: 60, percentiles: [0.5, 99.5] } as const;

/**
 * The axis range of values from a sorted sample: the percentiles of HISTOGRAM_DEFAULTS (a few
 * huge photon counts would otherwise squeeze the rest into one bin), widened when all are equal.
 * @param sorted - finite values, ascending
 */
export function histogramRange(sorted: Float32Array): { lo: number; hi: number; median: number } {
  if (sorted.length === 0) return { lo: 0, hi: 1, median: Number.NaN };
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))))];
  let lo = at(HISTOGRAM_DEFAULTS.percentiles[0]);
  let hi = at(HISTOGRAM_DEFAULTS.percentiles[1]);
  if (!(hi > lo)) {
    lo -= 0.5 * Math.max(1, Math.abs(lo));
    hi = lo + Math.max(1, Math.abs(lo));
  }
  return { lo, hi, median: at(50) };
}

/**
 * Bin values into `bins` equal bins over the range of {@link histogramRange}; NaN and values
 * outside it are left out.
 * @param values - e.g. the photons of the shown localizations
 * @param bins - number of bins
 */
export function binValues(values: Float32Array, bins: number = HISTOGRAM_DEFAULTS.bins): Binned {
  let finite = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite++;
  const sorted = new Float32Array(finite);
  for (let i = 0, k = 0; i < values.length; i++) if (Number.isFinite(values[i])) sorted[k++] = values[i];
  sorted.sort();
  const { lo, hi, median } = histogramRange(sorted);
  const counts = new Uint32Array(bins);
  const total = addToBins(values, 0, values.length, 1, counts, lo, hi);
  return { counts, lo, hi, total, values: finite, median };
}

/**
 * Count values[from + k·stride] (k while < to) into the bins over [lo, hi] (the top edge in the
 * last bin).
 * @returns how many were counted
 */
export function addToBins(values: Float32Array, from: number, to: number, stride: number, counts: Uint32Array, lo: number, hi: number): number {
  const bins = counts.length;
  const perValue = bins / (hi - lo);
  let total = 0;
  for (let i = from; i < to; i += stride) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, ((v - lo) * perValue) | 0)]++;
    total++;
  }
  return total;
}

/**
 * Draw a histogram of values on a canvas: bars, the x axis with round ticks and the quantity
 * with its unit, the y axis with the largest count, and the median.
 * @param canvas - the canvas (its width and height in px are used as they are)
 * @param values - the values (NaN left out)
 * @param options - label, unit, bins
 * @returns the bins drawn
 */
export function drawHistogram(canvas: HTMLCanvasElement, values: Float32Array, options: HistogramOptions): Binned {
  const binned = binValues(values, options.bins ?? HISTOGRAM_DEFAULTS.bins);
  drawBinned(canvas, binned, options);
  return binned;
}

/** Axis margins, px: left (counts), bottom (ticks and label), top, right. */
const PAD = { left: 44, bottom: 34, top: 18, right: 10 } as const;

/**
 * Draw binned values (see {@link drawHistogram}).
 * @param canvas - the canvas
 * @param binned - the bins
 * @param options - label and unit
 */
export function drawBinned(canvas: HTMLCanvasElement, binned: Binned, options: HistogramOptions): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const { width, height } = canvas;
  const plotWidth = Math.max(1, width - PAD.left - PAD.right);
  const plotHeight = Math.max(1, height - PAD.top - PAD.bottom);
  const { counts, lo, hi } = binned;
  let most = 0;
  for (let k = 0; k < counts.length; k++) most = Math.max(most, counts[k]);
  const xOf = (v: number) => PAD.left + ((v - lo) / (hi - lo)) * plotWidth;
  ctx.save();
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#4a78b5';
  const binWidth = plotWidth / counts.length;
  for (let k = 0; k < counts.length; k++) {
    if (counts[k] === 0) continue;
    const h = (counts[k] / most) * plotHeight;
    ctx.fillRect(PAD.left + k * binWidth, PAD.top + plotHeight - h, Math.max(1, binWidth - 0.5), h);
  }
  ctx.strokeStyle = '#333';
  ctx.fillStyle = '#222';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(PAD.left, PAD.top);
  ctx.lineTo(PAD.left, PAD.top + plotHeight + 0.5);
  ctx.lineTo(PAD.left + plotWidth, PAD.top + plotHeight + 0.5);
  ctx.stroke();
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const step = tickStep((hi - lo) / 4);
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) {
    const x = xOf(t);
    ctx.beginPath();
    ctx.moveTo(x, PAD.top + plotHeight);
    ctx.lineTo(x, PAD.top + plotHeight + 4);
    ctx.stroke();
    ctx.fillText(formatValue(Number(t.toPrecision(12))), x, PAD.top + plotHeight + 5);
  }
  const unit = options.unit === '' ? '' : ` [${options.unit}]`;
  ctx.fillText(`${options.label}${unit}`, PAD.left + plotWidth / 2, height - 14);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.fillText(String(most), PAD.left - 4, PAD.top);
  ctx.fillText('0', PAD.left - 4, PAD.top + plotHeight);
  ctx.save();
  ctx.translate(10, PAD.top + plotHeight / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText('count', 0, 0);
  ctx.restore();
  if (Number.isFinite(binned.median)) {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'top';
    ctx.fillText(`median ${formatValue(binned.median)}${options.unit === '' ? '' : ` ${options.unit}`}, n = ${binned.values.toLocaleString('en-US')}`, width - PAD.right, 2);
    ctx.strokeStyle = '#c0392b';
    ctx.beginPath();
    ctx.moveTo(xOf(binned.median), PAD.top);
    ctx.lineTo(xOf(binned.median), PAD.top + plotHeight);
    ctx.stroke();
  }
  ctx.restore();
}

/** A round tick step (1, 2 or 5 × 10^k) not below `rough`. */
function tickStep(rough: number): number {
  const decade = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 5, 10]) if (m * decade >= rough * (1 - 1e-9)) return m * decade;
  return 10 * decade;
}
