import { borderMedian } from './borderMedian.js';
import { MIN_BACKGROUND_GUESS, MIN_START_PHOTONS } from './fitConstants.js';
import type { FitWorkspace } from './FitWorkspace.js';

/**
 * Start values for a fit from the patch alone (design.md §3), written into
 * `workspace.likelihood.theta`:
 * - b: the median of the patch's border pixels (robust to a spot sitting on the border or in a corner);
 * - x, y: in the 3×3 window (inside the patch) of largest sum — so a spot near a corner gets a
 *   start near it and a lone noise pixel does not pull it away — the vertex of the parabola
 *   through the logs of its background-subtracted column (row) sums, or where that is undefined
 *   the centroid of (n − b)₊;
 * - N and b: linear least squares of n ≈ N·Ex·Ey + b with the PSF shape at (x, y), falling back
 *   to the border median for b and the sum above it for N when that gives no positive pair;
 * - σ: the configured PSF σ.
 *
 * @param workspace - fit workspace (its `border` scratch is used)
 * @param data - photon counts
 * @param offset - index of the patch's first pixel
 * @returns false when the patch holds a non-finite value or no positive value (bad data)
 */
export function initialGuess(workspace: FitWorkspace, data: Float64Array, offset: number): boolean {
  const box = workspace.options.box;
  const border = workspace.border;
  let sum = 0;
  let peak = -Infinity;
  let nBorder = 0;
  for (let row = 0; row < box; row++) {
    const onEdgeRow = row === 0 || row === box - 1;
    for (let column = 0; column < box; column++) {
      const v = data[offset + row * box + column];
      if (!Number.isFinite(v)) return false;
      sum += v;
      if (v > peak) peak = v;
      if (onEdgeRow || column === 0 || column === box - 1) border[nBorder++] = v;
    }
  }
  if (!(peak > 0)) return false;

  const median = borderMedian(border, nBorder);
  const background = median > MIN_BACKGROUND_GUESS ? median : MIN_BACKGROUND_GUESS;

  // The 3×3 window (inside the patch) with the largest sum: robust to a single bright noise
  // pixel, which the raw maximum is not at low signal.
  let row0 = 0;
  let column0 = 0;
  let best = -Infinity;
  for (let r = 0; r + 3 <= box; r++) {
    for (let c = 0; c + 3 <= box; c++) {
      let s = 0;
      for (let k = offset + r * box + c, rr = 0; rr < 3; rr++, k += box) s += data[k] + data[k + 1] + data[k + 2];
      if (s > best) {
        best = s;
        row0 = r;
        column0 = c;
      }
    }
  }
  // Within the window: the centroid of (n − b)₊, and the row and column sums of n − b.
  let weight = 0;
  let sx = 0;
  let sy = 0;
  let c0 = 0, c1 = 0, c2 = 0, r0 = 0, r1 = 0, r2 = 0;
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      const w = data[offset + (row0 + r) * box + column0 + c] - background;
      if (c === 0) c0 += w;
      else if (c === 1) c1 += w;
      else c2 += w;
      if (r === 0) r0 += w;
      else if (r === 1) r1 += w;
      else r2 += w;
      if (w > 0) {
        weight += w;
        sx += w * (column0 + c + 0.5);
        sy += w * (row0 + r + 0.5);
      }
    }
  }
  const theta = workspace.likelihood.theta;
  // The vertex of the parabola through the logs of the three sums (exact for a Gaussian
  // sampled at points, close for pixel-integrated ones) places the spot better than the
  // centroid, which the window's edges pull towards its centre: the Newton fit then needs one
  // iteration less (mean 3.81 → 3.12 for 5×5, N = 1500, b = 20). The centroid stays where a sum
  // is not positive or the vertex falls outside the window's middle pixel ± 1.
  const vx = logParabolaVertex(c0, c1, c2);
  const vy = logParabolaVertex(r0, r1, r2);
  const x0 = !Number.isNaN(vx) ? column0 + 1.5 + vx : weight > 0 ? sx / weight : column0 + 1.5;
  const y0 = !Number.isNaN(vy) ? row0 + 1.5 + vy : weight > 0 ? sy / weight : row0 + 1.5;
  const sigma = workspace.options.sigmaPx;
  theta[0] = x0;
  theta[1] = y0;
  theta[4] = sigma;
  // N and b by linear least squares on the model shape at (x0, y0): n ≈ N·Ex·Ey + b.
  // In a small box the border is not free of the spot, so the border median alone overestimates b.
  const lik = workspace.likelihood;
  lik.evaluateShape(); // reused by the first pass of the solver (same x, y, σ)
  const ex = lik.xAxis.value;
  const ey = lik.yAxis.value;
  let sp = 0, spp = 0, snp = 0;
  for (let row = 0, k = offset; row < box; row++) {
    const e = ey[row];
    for (let column = 0; column < box; column++, k++) {
      const shape = ex[column] * e;
      sp += shape;
      spp += shape * shape;
      snp += data[k] * shape;
    }
  }
  const area = box * box;
  const det = area * spp - sp * sp;
  const photons = (area * snp - sp * sum) / det;
  const backgroundLs = (sum - photons * sp) / area;
  if (det > 0 && photons > 0 && backgroundLs > MIN_BACKGROUND_GUESS) {
    theta[2] = photons;
    theta[3] = backgroundLs;
  } else {
    theta[2] = Math.max(sum - area * background, peak - background, MIN_START_PHOTONS);
    theta[3] = background;
  }
  return true;
}

/**
 * Offset of the vertex of the parabola through (−1, ln a), (0, ln b), (1, ln c) — for a
 * Gaussian profile, its centre relative to the middle sample.
 * @returns the offset in (−1, 1), or NaN where a sum is not positive, the logs do not curve
 *   downwards, or the vertex lies beyond the outer samples
 */
function logParabolaVertex(a: number, b: number, c: number): number {
  if (!(a > 0 && b > 0 && c > 0)) return Number.NaN;
  const la = Math.log(a);
  const lc = Math.log(c);
  const curvature = la - 2 * Math.log(b) + lc;
  if (!(curvature < 0)) return Number.NaN;
  const v = (0.5 * (la - lc)) / curvature;
  return v > -1 && v < 1 ? v : Number.NaN;
}
