import { MIN_RESIDUAL_VARIANCE } from './fitConstants.js';

/** Where a window's residual is largest: {@link residualPeak}'s output (caller-owned, reused). */
export interface ResidualPeak {
  /** The pixel's column and row in the window. */
  column: number;
  row: number;
  /** The residual n − μ summed over the 3×3 pixels about it, photons. */
  excess: number;
  /** That sum over its Poisson standard deviation √Σμ: how many σ the excess is. */
  significance: number;
}

/**
 * The residual n − μ of a fit, smoothed over 3×3 pixels, and the pixel where it is largest:
 * where the next emitter of a multi-emitter fit starts (Huang et al. 2011; ThunderSTORM's
 * multi-emitter analysis). One home for every model's selection (2-D and 3-D).
 * @param data - photons; the window at `data[at … at + box² − 1]`, row-major
 * @param at - its first pixel
 * @param mu - the model's μ of every pixel, photons (box² values)
 * @param box - window width, px
 * @param out - receives the peak (first of equals in row-major order)
 * @param margin - pixels this close to the window's edge are not peaks (their 3×3 sums still
 *   read the pixels there), px @default 0
 * @returns `out`
 */
export function residualPeak(data: Float64Array, at: number, mu: Float64Array, box: number, out: ResidualPeak, margin = 0): ResidualPeak {
  let best = Number.NEGATIVE_INFINITY;
  let bestVariance = 1;
  let column = box >> 1;
  let row = box >> 1;
  for (let r = margin; r < box - margin; r++) {
    for (let c = margin; c < box - margin; c++) {
      let s = 0;
      let variance = 0;
      for (let dr = -1; dr <= 1; dr++) {
        const rr = r + dr;
        if (rr < 0 || rr >= box) continue;
        for (let dc = -1; dc <= 1; dc++) {
          const cc = c + dc;
          if (cc < 0 || cc >= box) continue;
          const i = rr * box + cc;
          s += data[at + i] - mu[i];
          variance += mu[i];
        }
      }
      if (s > best) {
        best = s;
        bestVariance = variance;
        column = c;
        row = r;
      }
    }
  }
  out.column = column;
  out.row = row;
  out.excess = best;
  out.significance = best / Math.sqrt(Math.max(bestVariance, MIN_RESIDUAL_VARIANCE));
  return out;
}
