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
 * @param rowSums - scratch of at least 2·box² values: given, the 3×3 sums are taken as sums over
 *   3 columns of each row, then over 3 rows of those (6 reads a pixel instead of 9: the same
 *   sums added in another order, so the last bits may differ). The selections (JS and the
 *   kernel's multiResidualPeak, which must agree bit for bit) leave it out; the crowding
 *   resolver's check of a chosen model (CrowdingResolver.explains) passes it. @default none
 * @returns `out`
 */
export function residualPeak(data: Float64Array, at: number, mu: Float64Array, box: number, out: ResidualPeak, margin = 0, rowSums?: Float64Array): ResidualPeak {
  if (rowSums) return separablePeak(data, at, mu, box, out, margin, rowSums);
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
  return settle(out, column, row, best, bestVariance);
}

/** {@link residualPeak} with its 3×3 sums as row sums then column sums (`rowSums`: residual sums, then μ sums, box² each). */
function separablePeak(data: Float64Array, at: number, mu: Float64Array, box: number, out: ResidualPeak, margin: number, rowSums: Float64Array): ResidualPeak {
  const area = box * box;
  for (let r = 0; r < box; r++) {
    const o = r * box;
    for (let c = 0; c < box; c++) {
      let s = 0;
      let v = 0;
      for (let i = Math.max(0, c - 1); i <= Math.min(box - 1, c + 1); i++) {
        s += data[at + o + i] - mu[o + i];
        v += mu[o + i];
      }
      rowSums[o + c] = s;
      rowSums[area + o + c] = v;
    }
  }
  let best = Number.NEGATIVE_INFINITY;
  let bestVariance = 1;
  let column = box >> 1;
  let row = box >> 1;
  for (let r = margin; r < box - margin; r++) {
    const r0 = Math.max(0, r - 1);
    const r1 = Math.min(box - 1, r + 1);
    for (let c = margin; c < box - margin; c++) {
      let s = 0;
      for (let j = r0; j <= r1; j++) s += rowSums[j * box + c];
      if (s > best) {
        best = s;
        let v = 0;
        for (let j = r0; j <= r1; j++) v += rowSums[area + j * box + c];
        bestVariance = v;
        column = c;
        row = r;
      }
    }
  }
  return settle(out, column, row, best, bestVariance);
}

/** The peak found, into `out`: its pixel, its excess and its significance (excess over √variance, the variance floored at MIN_RESIDUAL_VARIANCE). */
function settle(out: ResidualPeak, column: number, row: number, excess: number, variance: number): ResidualPeak {
  out.column = column;
  out.row = row;
  out.excess = excess;
  out.significance = excess / Math.sqrt(Math.max(variance, MIN_RESIDUAL_VARIANCE));
  return out;
}
