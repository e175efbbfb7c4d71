import { borderMedian } from '../borderMedian.js';
import { MIN_BACKGROUND_GUESS, MIN_START_PHOTONS } from '../fitConstants.js';

/**
 * The start every {@link PsfModel} takes from a window alone (a model adds its own further
 * parameters): b = the median of the window's border pixels (at least MIN_BACKGROUND_GUESS),
 * x, y = the centroid of the counts above b (px in the window, pixel i centred at i + ½; the
 * window's centre when nothing is above b), N = the sum above b (at least MIN_START_PHOTONS).
 * Written as θ = (x, y, N, b) into `theta[0 … 3]`. Allocates nothing: `border` is the caller's
 * scratch.
 * The single 2-D fit's own, finer guess is initialGuess.ts (the fast path).
 * @param data - photons; the window at `data[at … at + box² − 1]`, row-major
 * @param at - index of its first pixel
 * @param box - window width, px (≥ 2)
 * @param border - scratch of at least 4·(box − 1) values
 * @param theta - receives x, y (px), N (photons), b (photons/px)
 * @returns false where the window holds a non-finite value or no value above b
 */
export function windowStart(data: Float64Array, at: number, box: number, border: Float64Array, theta: Float64Array): boolean {
  let count = 0;
  for (let r = 0; r < box; r++) {
    for (let c = 0; c < box; c++) {
      const v = data[at + r * box + c];
      if (!Number.isFinite(v)) return false;
      if (r === 0 || r === box - 1 || c === 0 || c === box - 1) border[count++] = v;
    }
  }
  const median = borderMedian(border, count);
  const b = Math.max(median, MIN_BACKGROUND_GUESS);
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let r = 0; r < box; r++) {
    for (let c = 0; c < box; c++) {
      const w = data[at + r * box + c] - b;
      if (w > 0) {
        sum += w;
        sx += w * (c + 0.5);
        sy += w * (r + 0.5);
      }
    }
  }
  if (!(sum > 0)) return false;
  theta[0] = sx / sum;
  theta[1] = sy / sum;
  theta[2] = Math.max(sum, MIN_START_PHOTONS);
  theta[3] = b;
  return true;
}
