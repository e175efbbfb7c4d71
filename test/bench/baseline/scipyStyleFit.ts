/**
 * Benchmark baseline (a): a faithful TypeScript port of the design smlm-stream grew out of — a
 * scipy fit whose negative log-likelihood and Jacobian are separate functions, each recomputing
 * the erf and exp terms of every pixel (4 erf per pixel in each, plus 4 exp per pixel in the
 * Jacobian), with the amplitude parameterised as the Gaussian's peak A (N = A·π·s², s = √2·σ the
 * erf scale). The original's y-Jacobian multiplied dexp(y0) along rows with derf(x0) along
 * columns — the transpose of the right term; this port uses the corrected term (it is checked
 * against finite differences in test/bench/scipyStyleFit.test.ts).
 *
 * Not for production: it is what "do not recompute the same terms" is measured against.
 */
import { erf } from '../../../src/fit/erf.js';
import { conjugateGradient } from '../../../src/fit/fmin.js';
import { FitStatus } from '../../../src/fit/FitStatus.js';
import type { FitStatusCode } from '../../../src/fit/FitStatus.js';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * Σ_k [μ_k − n_k log μ_k] for params (x0, y0, A, bg[, s]); recomputes every pixel's erf terms.
 */
export function negLogLikelihood(params: ArrayLike<number>, data: Float64Array, offset: number, box: number, sFixed: number): number {
  const x0 = params[0], y0 = params[1], amp = params[2], bg = params[3];
  const s = params.length > 4 ? params[4] : sFixed;
  const scale = (amp * Math.PI * s * s) / 4;
  let value = 0;
  for (let j = 0; j < box; j++) {
    for (let i = 0; i < box; i++) {
      const dx = erf((i + 1 - x0) / s) - erf((i - x0) / s);
      const dy = erf((j + 1 - y0) / s) - erf((j - y0) / s);
      const mu = scale * dx * dy + bg;
      if (!(mu > 0)) return Number.POSITIVE_INFINITY;
      const n = data[offset + j * box + i];
      value += mu - (n === 0 ? 0 : n * Math.log(mu));
    }
  }
  return value;
}

/**
 * ∂/∂params of {@link negLogLikelihood}, written into `out`; recomputes every pixel's erf and
 * exp terms again (the y term uses the row's exp difference and the column's erf difference).
 */
export function jacobian(params: ArrayLike<number>, data: Float64Array, offset: number, box: number, sFixed: number, out: Float64Array): void {
  const x0 = params[0], y0 = params[1], amp = params[2], bg = params[3];
  const fitS = params.length > 4;
  const s = fitS ? params[4] : sFixed;
  const area = (Math.PI * s * s) / 4;
  const scale = amp * area;
  out.fill(0);
  for (let j = 0; j < box; j++) {
    for (let i = 0; i < box; i++) {
      const ax0 = (i - x0) / s, ax1 = (i + 1 - x0) / s;
      const ay0 = (j - y0) / s, ay1 = (j + 1 - y0) / s;
      const dx = erf(ax1) - erf(ax0);
      const dy = erf(ay1) - erf(ay0);
      const ex0 = Math.exp(-ax0 * ax0), ex1 = Math.exp(-ax1 * ax1);
      const ey0 = Math.exp(-ay0 * ay0), ey1 = Math.exp(-ay1 * ay1);
      const ddxdx0 = (TWO_OVER_SQRT_PI / s) * (ex0 - ex1);
      const ddydy0 = (TWO_OVER_SQRT_PI / s) * (ey0 - ey1);
      const mu = scale * dx * dy + bg;
      const n = data[offset + j * box + i];
      const f = 1 - n / mu; // ∂(μ − n log μ)/∂μ
      out[0] += f * scale * ddxdx0 * dy;
      out[1] += f * scale * dx * ddydy0;
      out[2] += f * area * dx * dy;
      out[3] += f;
      if (fitS) {
        const ddxds = (-TWO_OVER_SQRT_PI / s) * (ax1 * ex1 - ax0 * ex0);
        const ddyds = (-TWO_OVER_SQRT_PI / s) * (ay1 * ey1 - ay0 * ey0);
        out[4] += f * ((2 * scale) / s * dx * dy + scale * (ddxds * dy + dx * ddyds));
      }
    }
  }
}

/** Result of one baseline fit. */
export interface BaselineFit {
  x: number;
  y: number;
  photons: number;
  background: number;
  sigma: number;
  status: FitStatusCode;
}

/**
 * Fit one patch the baseline way: fmin's conjugate gradient over u = (x0, y0, log A, log bg[,
 * log s]) — the same parameterisation and solver as smlm-stream's generic solver, so the
 * benchmark ratio measures the cost of recomputing terms, not a different optimizer — with
 * value and gradient from the two separate functions.
 */
export function scipyStyleFit(
  data: Float64Array,
  offset: number,
  box: number,
  sigmaPx: number,
  fitSigma: boolean,
  start: { x: number; y: number; photons: number; background: number },
  maxIterations = 1000,
): BaselineFit {
  const s0 = Math.SQRT2 * sigmaPx;
  const p = fitSigma ? 5 : 4;
  const params = new Float64Array(p);
  const u0 = new Float64Array(p);
  u0[0] = start.x;
  u0[1] = start.y;
  u0[2] = Math.log(start.photons / (Math.PI * s0 * s0));
  u0[3] = Math.log(start.background);
  if (fitSigma) u0[4] = Math.log(s0);
  const jac = new Float64Array(p);
  let counts = 0;
  for (let k = offset; k < offset + box * box; k++) counts += Math.abs(data[k]);
  const perPhoton = counts > 0 ? 1 / counts : 1; // as in the generic solver: −ℓ per photon
  const objective = (u: Float64Array, gradient: Float64Array): number => {
    params[0] = u[0];
    params[1] = u[1];
    params[2] = Math.exp(u[2]);
    params[3] = Math.exp(u[3]);
    if (fitSigma) params[4] = Math.exp(u[4]);
    const value = negLogLikelihood(params, data, offset, box, s0);
    if (!Number.isFinite(value)) {
      gradient.fill(0);
      return Number.POSITIVE_INFINITY;
    }
    jacobian(params, data, offset, box, s0, jac);
    gradient[0] = perPhoton * jac[0];
    gradient[1] = perPhoton * jac[1];
    gradient[2] = perPhoton * jac[2] * params[2];
    gradient[3] = perPhoton * jac[3] * params[3];
    if (fitSigma) gradient[4] = perPhoton * jac[4] * params[4];
    return perPhoton * value;
  };
  const result = conjugateGradient(objective, u0, maxIterations);
  const u = result.x;
  const s = fitSigma ? Math.exp(u[4]) : s0;
  let norm2 = 0;
  for (let a = 0; a < p; a++) norm2 += result.fxprime[a] ** 2;
  return {
    x: u[0],
    y: u[1],
    photons: Math.exp(u[2]) * Math.PI * s * s,
    background: Math.exp(u[3]),
    sigma: s / Math.SQRT2,
    status: Math.sqrt(norm2) <= 1e-5 ? FitStatus.converged : FitStatus.maxIterations,
  };
}
