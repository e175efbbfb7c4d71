/**
 * A histogram of positive values in logarithmic bins, for medians and other quantiles of a run
 * of any length in fixed memory (a few kB): each bin spans a factor of 1 + `resolution`, so a
 * quantile is known to within half of that, relatively. Values ≤ `min` fall in the first bin,
 * values ≥ `max` in the last; NaN is not counted.
 */
export class LogHistogram {
  /** Values counted. */
  count = 0;
  private readonly bins: Uint32Array;
  private readonly logMin: number;
  private readonly logStep: number;

  /**
   * @param min - smallest value resolved @default 1e-3
   * @param max - largest value resolved @default 1e9
   * @param resolution - relative width of a bin @default 0.005 (quantiles within ±0.25 %)
   */
  constructor(min = 1e-3, max = 1e9, resolution = 0.005) {
    this.logMin = Math.log(min);
    this.logStep = Math.log1p(resolution);
    this.bins = new Uint32Array(Math.ceil((Math.log(max) - this.logMin) / this.logStep) + 1);
  }

  /** Count one value. */
  add(value: number): void {
    if (Number.isNaN(value)) return;
    const last = this.bins.length - 1;
    const at = value > 0 ? Math.floor((Math.log(value) - this.logMin) / this.logStep) : 0;
    this.bins[at < 0 ? 0 : at > last ? last : at]++;
    this.count++;
  }

  /**
   * The q-quantile of the values counted (the geometric middle of its bin).
   * @param q - 0…1 (0.5: the median)
   * @returns the quantile, or NaN when nothing was counted
   */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < this.bins.length; b++) {
      seen += this.bins[b];
      if (seen >= rank) return Math.exp(this.logMin + (b + 0.5) * this.logStep);
    }
    return Number.NaN;
  }
}
