import type { SplinePsf } from '../fit/spline/SplinePsf.js';
import { SplineEvaluator } from '../fit/spline/SplineEvaluator.js';

/** Where a bead sits in its windows and how much of each window is fitted. */
export interface BeadDepthWindows {
  /** Photons, `[(frame·window + row)·window + column]`, frames back to back. */
  readonly pixels: Float32Array | Float64Array;
  /** Index of the bead's first pixel in `pixels`. */
  readonly offset: number;
  /** Frames. */
  readonly frames: number;
  /** The windows' side, px. */
  readonly window: number;
  /**
   * The side of the central part fitted, px: it must lie inside the spline's samples, one pixel
   * short of them at least (a pixel on or beyond the last sample reads 0).
   */
  readonly box: number;
  /** The emitter in window coordinates (pixel centres on integers), px: column, row. */
  readonly x: number;
  readonly y: number;
}

/**
 * The depth of a fixed bead in each frame of its z-stack, through a spline PSF: at each frame
 * the Poisson log-likelihood ℓ(z) = max over N ≥ 0, b > 0 of Σ_k n_k log μ_k − μ_k,
 * μ_k = N·PSF(x_k − x, y_k − y, z) + b, is searched over z with x, y held at the bead's
 * (registered) position: on every half plane of the spline, then by golden section within
 * ±½ plane of the best (to 10⁻² plane). N and b at each z by Newton's method on the two-parameter
 * likelihood from a least-squares start. Used by calibrate-psf to measure how well a PSF built
 * without a bead predicts its depth (leave-one-bead-out).
 * @param spline - the PSF
 * @param bead - the bead's windows and position
 * @param zNm - out: the depth of each frame, nm (NaN where no photons)
 */
export function fitBeadDepths(spline: SplinePsf, bead: BeadDepthWindows, zNm: Float64Array): void {
  const { box, window, frames } = bead;
  const area = box * box;
  const evaluator = new SplineEvaluator(spline);
  const first = (window - box) >> 1;
  // Sample coordinates of the fitted part's first pixel; every pixel is a whole step from it.
  const u0 = spline.centerXPx + first - bead.x;
  const v0 = spline.centerYPx + first - bead.y;
  const ux = Math.floor(u0), vy = Math.floor(v0);
  const fx = u0 - ux, fy = v0 - vy;
  const psf = new Float64Array(area);
  const data = new Float64Array(area);
  const four = new Float64Array(4);
  const state = { n: 0, b: 0 };
  const planes = spline.voxelsZ;
  const fill = (w: number, into: Float64Array, at: number): void => {
    const iz = Math.min(planes - 1, Math.max(0, Math.floor(w)));
    evaluator.prepare(fx, fy, w - iz);
    for (let r = 0; r < box; r++) {
      for (let c = 0; c < box; c++) {
        evaluator.voxel(ux + c, vy + r, iz, four, 0);
        into[at + r * box + c] = four[0];
      }
    }
  };
  // The PSF on every half plane, once for all frames (the bead does not move).
  const grid = new Float64Array((2 * planes + 1) * area);
  for (let g = 0; g <= 2 * planes; g++) fill(g / 2, grid, g * area);
  const profile = (w: number): number => {
    fill(w, psf, 0);
    return fitAmplitude(psf, 0, data, state);
  };
  for (let k = 0; k < frames; k++) {
    const at = bead.offset + k * window * window;
    let total = 0;
    for (let r = 0; r < box; r++) for (let c = 0; c < box; c++) total += data[r * box + c] = bead.pixels[at + (first + r) * window + first + c];
    if (!(total > 0)) {
      zNm[k] = Number.NaN;
      continue;
    }
    let bestW = 0;
    let best = -Infinity;
    for (let g = 0; g <= 2 * planes; g++) {
      const l = fitAmplitude(grid, g * area, data, state);
      if (l > best) {
        best = l;
        bestW = g / 2;
      }
    }
    // Golden section on [bestW − ½, bestW + ½] ∩ [0, planes].
    let lo = Math.max(0, bestW - 0.5), hi = Math.min(planes, bestW + 0.5);
    const g = (Math.sqrt(5) - 1) / 2;
    let a = hi - g * (hi - lo), b = lo + g * (hi - lo);
    let la = profile(a), lb = profile(b);
    while (hi - lo > 1e-2) {
      if (la > lb) {
        hi = b;
        b = a;
        lb = la;
        a = hi - g * (hi - lo);
        la = profile(a);
      } else {
        lo = a;
        a = b;
        la = lb;
        b = lo + g * (hi - lo);
        lb = profile(b);
      }
    }
    zNm[k] = spline.zStartNm + ((lo + hi) / 2) * spline.dzNm;
  }
}

/**
 * max over N ≥ 0, b > 0 of Σ n log(N·f + b) − (N·f + b), f read from `f[at …]`: least squares, then Newton steps on
 * the two-parameter Poisson likelihood (kept inside the bounds by halving).
 * @returns the maximum (dropping the data's own constant)
 */
function fitAmplitude(f: Float64Array, at: number, n: Float64Array, state: { n: number; b: number }): number {
  const m = n.length;
  let sf = 0, sff = 0, sn = 0, sfn = 0;
  for (let i = 0; i < m; i++) {
    sf += f[at + i];
    sff += f[at + i] * f[at + i];
    sn += n[i];
    sfn += f[at + i] * n[i];
  }
  const det = m * sff - sf * sf;
  let amp = det > 0 ? (m * sfn - sf * sn) / det : 0;
  let bg = (sn - amp * sf) / m;
  amp = Math.max(amp, 1e-6);
  bg = Math.max(bg, 1e-3);
  let l = likelihood(f, at, n, amp, bg);
  for (let iteration = 0; iteration < 8; iteration++) {
    let gA = 0, gB = 0, hAA = 0, hAB = 0, hBB = 0;
    for (let i = 0; i < m; i++) {
      const mu = amp * f[at + i] + bg;
      if (!(mu > 0)) continue;
      const r = n[i] / mu - 1;
      const w = n[i] / (mu * mu);
      gA += r * f[at + i];
      gB += r;
      hAA += w * f[at + i] * f[at + i];
      hAB += w * f[at + i];
      hBB += w;
    }
    const d = hAA * hBB - hAB * hAB;
    if (!(d > 0)) break;
    let stepA = (hBB * gA - hAB * gB) / d;
    let stepB = (hAA * gB - hAB * gA) / d;
    let improved = false;
    for (let halving = 0; halving < 10; halving++) {
      const a2 = amp + stepA, b2 = bg + stepB;
      if (a2 >= 0 && b2 > 0) {
        const l2 = likelihood(f, at, n, a2, b2);
        if (l2 >= l) {
          improved = l2 - l > 1e-9 * Math.abs(l);
          amp = a2;
          bg = b2;
          l = l2;
          break;
        }
      }
      stepA /= 2;
      stepB /= 2;
    }
    if (!improved) break;
  }
  state.n = amp;
  state.b = bg;
  return l;
}

function likelihood(f: Float64Array, at: number, n: Float64Array, amp: number, bg: number): number {
  let l = 0;
  for (let i = 0; i < n.length; i++) {
    const mu = Math.max(amp * f[at + i] + bg, 1e-9);
    l += n[i] * Math.log(mu) - mu;
  }
  return l;
}
