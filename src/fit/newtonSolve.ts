import { choleskyFactor, choleskySolve } from './cholesky.js';
import { FitStatus } from './FitStatus.js';
import type { FitWorkspace } from './FitWorkspace.js';
import { PassMode } from './PatchLikelihood.js';

import {
  ANTICIPATE_END,
  DAMPING_DIAGONAL_FLOOR,
  DAMPING_GROWTH,
  DAMPING_LIMIT,
  DAMPING_START,
  LEAVE_PATCH_PX,
  LL_GUARD,
  MAX_BACKTRACKS,
  MAX_SHRINK,
  MAX_SIGMA_STEP,
  MIN_BACKGROUND,
  MIN_PHOTONS,
  SIGMA_RELEASE,
  SIGMA_RELEASE_ITERATIONS,
} from './fitConstants.js';

/**
 * Solve (−H)·δ = ∇ℓ over the leading `active` parameters (H has stride `p`) by Cholesky,
 * damping the diagonal Levenberg–Marquardt style, −H + λ·diag(|H|), with λ raised tenfold
 * until the system is positive definite.
 * @returns false when no λ makes it so (NaN curvature)
 */
function solveDamped(
  hessian: Float64Array,
  p: number,
  active: number,
  gradient: Float64Array,
  a: Float64Array,
  lower: Float64Array,
  step: Float64Array,
): boolean {
  if (p === 4 && solveUndamped4(hessian, gradient, step)) return true;
  let lambda = 0;
  for (;;) {
    for (let r = 0; r < active; r++) {
      for (let c = 0; c < active; c++) a[r * active + c] = -hessian[r * p + c];
      if (lambda > 0) {
        const diag = Math.abs(hessian[r * p + r]);
        a[r * active + r] += lambda * (diag > DAMPING_DIAGONAL_FLOOR ? diag : DAMPING_DIAGONAL_FLOOR);
      }
    }
    if (choleskyFactor(a, active, lower)) break;
    lambda = lambda === 0 ? DAMPING_START : lambda * DAMPING_GROWTH;
    if (lambda > DAMPING_LIMIT) return false;
  }
  choleskySolve(lower, active, gradient, step);
  return true;
}

/**
 * (−H)·δ = ∇ℓ for 4 parameters by an unrolled Cholesky factorization (the common case: −H
 * positive definite near the optimum), the hot path of every fixed-σ iteration.
 * @returns false when −H is not positive definite (the caller damps it)
 */
function solveUndamped4(h: Float64Array, g: Float64Array, step: Float64Array): boolean {
  const a00 = -h[0];
  if (!(a00 > 0)) return false;
  const l00 = Math.sqrt(a00);
  const l10 = -h[4] / l00;
  const l20 = -h[8] / l00;
  const l30 = -h[12] / l00;
  const d1 = -h[5] - l10 * l10;
  if (!(d1 > 0)) return false;
  const l11 = Math.sqrt(d1);
  const l21 = (-h[9] - l20 * l10) / l11;
  const l31 = (-h[13] - l30 * l10) / l11;
  const d2 = -h[10] - l20 * l20 - l21 * l21;
  if (!(d2 > 0)) return false;
  const l22 = Math.sqrt(d2);
  const l32 = (-h[14] - l30 * l20 - l31 * l21) / l22;
  const d3 = -h[15] - l30 * l30 - l31 * l31 - l32 * l32;
  if (!(d3 > 0)) return false;
  const l33 = Math.sqrt(d3);
  const z0 = g[0] / l00;
  const z1 = (g[1] - l10 * z0) / l11;
  const z2 = (g[2] - l20 * z0 - l21 * z1) / l22;
  const z3 = (g[3] - l30 * z0 - l31 * z1 - l32 * z2) / l33;
  const x3 = z3 / l33;
  const x2 = (z2 - l32 * x3) / l22;
  const x1 = (z1 - l21 * x2 - l31 * x3) / l11;
  step[0] = (z0 - l10 * x1 - l20 * x2 - l30 * x3) / l00;
  step[1] = x1;
  step[2] = x2;
  step[3] = x3;
  return true;
}

/**
 * Damped Newton–Raphson maximization of the Poisson log-likelihood (Smith et al., Nat. Methods
 * 7:373, 2010, with the full Hessian instead of its diagonal), starting from
 * `workspace.likelihood.theta` and leaving θ̂ there.
 *
 * Each iteration is one cached pass (gradient + Hessian; no `log` until the last steps, see
 * `informationReady`) and one Cholesky solve of (−H)·δ = ∇ℓ. Where −H is not positive definite (far from the optimum, or negative counts
 * from read noise) the system is damped Levenberg–Marquardt style, −H + λ·diag(|−H|), with λ
 * raised until it is. Steps are scaled down as a whole (direction kept) so that |δx|, |δy| ≤
 * maxStepPx, N and b shrink by at most half and σ changes by at most a quarter; σ stays in its
 * range. Stops when every step is below the tolerance (converged), when x or y leaves the patch
 * by more than 1 px, or at the iteration limit. Never throws.
 *
 * With σ free, x, y, N, b are first fitted with σ held (until their steps fall below 1e-2), and
 * every step must not lower ℓ (it is halved back otherwise), because a free-σ Newton step from
 * a rough start at low signal can shrink σ onto a noise pixel and let N collapse.
 *
 * The single 2-D fit's fast path: every other model's fit runs FisherScoring.ts through
 * PoissonEstimator.ts; this one keeps the full Hessian, step scaling and the anticipated final
 * pass because they are measured faster for the 4- and 5-parameter Gaussian.
 *
 * Sets `workspace.status` and `workspace.iterations`; when the converging pass also computed the
 * Fisher information and ℓ, sets `workspace.informationReady` and `workspace.logLikelihood`.
 *
 * @param workspace - workspace with the start value in `likelihood.theta`
 * @param data - photon counts
 * @param offset - index of the patch's first pixel
 */
export function newtonSolve(workspace: FitWorkspace, data: Float64Array, offset: number): void {
  const { box, maxIterations, tolerance, maxStepPx, sigmaMinPx, sigmaMaxPx } = workspace.options;
  const lik = workspace.likelihood;
  const p = lik.parameterCount;
  const theta = lik.theta;
  const gradient = lik.gradient;
  const hessian = lik.hessian;
  const a = workspace.matrix;
  const lower = workspace.lower;
  const step = workspace.step;
  workspace.status = FitStatus.maxIterations;
  // With σ free, the first iterations keep σ fixed (the leading 4×4 system) until x, y, N, b
  // have settled.
  let active = p === 5 ? 4 : p;
  // With σ free, steps must also not lower ℓ (each pass then computes ℓ as well); a step that
  // does is halved back towards the last accepted point. Fixed-σ fits do not need the guard.
  const guarded = p === 5;
  const accepted = workspace.accepted;
  let llAccepted = Number.NEGATIVE_INFINITY;
  let backtracks = 0;
  let iteration = 0;
  let lastChange = Number.POSITIVE_INFINITY;
  workspace.informationReady = false;
  while (iteration < maxIterations) {
    iteration++;
    // Near convergence (Newton: the next step ≈ the square of the last), this pass also
    // computes the Fisher information and ℓ; if its step then meets the tolerance, the fit
    // needs no separate final pass (see `informationReady`).
    const anticipate = active === p && lastChange < ANTICIPATE_END;
    let mode = PassMode.hessian;
    if (guarded) mode |= PassMode.logLikelihood;
    if (anticipate) mode |= PassMode.fisher | PassMode.logLikelihood;
    const ll = lik.evaluate(data, offset, mode);
    if (guarded) {
      if (!(ll >= llAccepted - LL_GUARD * Math.abs(llAccepted))) {
        if (++backtracks > MAX_BACKTRACKS) {
          theta.set(accepted);
          break;
        }
        for (let e = 0; e < 5; e++) theta[e] = 0.5 * (theta[e] + accepted[e]);
        continue;
      }
      backtracks = 0;
      llAccepted = ll;
      accepted.set(theta);
    }
    if (!solveDamped(hessian, p, active, gradient, a, lower, step)) break; // NaN curvature: θ stays, status maxIterations

    // Limit the step by scaling it as a whole (keeping its direction, an ascent direction):
    // |δx|, |δy| ≤ maxStepPx; N and b shrink by at most half; σ changes by at most a quarter.
    const n0 = theta[2];
    const b0 = theta[3];
    const s0 = theta[4];
    let dx = step[0];
    let dy = step[1];
    let dn = step[2];
    let db = step[3];
    let ds = active === 5 ? step[4] : 0;
    if (!(Number.isFinite(dx) && Number.isFinite(dy) && Number.isFinite(dn) && Number.isFinite(db) && Number.isFinite(ds))) break;
    let f = 1;
    const ax = Math.abs(dx);
    const ay = Math.abs(dy);
    const as = Math.abs(ds);
    if (ax * f > maxStepPx) f = maxStepPx / ax;
    if (ay * f > maxStepPx) f = maxStepPx / ay;
    if (-dn * f > MAX_SHRINK * n0) f = (MAX_SHRINK * n0) / -dn;
    if (-db * f > MAX_SHRINK * b0) f = (MAX_SHRINK * b0) / -db;
    if (as * f > MAX_SIGMA_STEP * s0) f = (MAX_SIGMA_STEP * s0) / as;
    if (f < 1) {
      dx *= f;
      dy *= f;
      dn *= f;
      db *= f;
      ds *= f;
    }
    theta[0] += dx;
    theta[1] += dy;
    theta[2] = Math.max(n0 + dn, MIN_PHOTONS);
    theta[3] = Math.max(b0 + db, MIN_BACKGROUND);
    if (active === 5) theta[4] = Math.min(Math.max(s0 + ds, sigmaMinPx), sigmaMaxPx);
    const sigmaConverged = Math.abs(theta[4] - s0) < tolerance;
    if (theta[0] < -LEAVE_PATCH_PX || theta[0] > box + LEAVE_PATCH_PX || theta[1] < -LEAVE_PATCH_PX || theta[1] > box + LEAVE_PATCH_PX) {
      workspace.status = FitStatus.leftPatch;
      break;
    }
    const change = Math.max(
      Math.abs(dx),
      Math.abs(dy),
      Math.abs(theta[2] - n0) / n0,
      Math.abs(theta[3] - b0) / (b0 > 1 ? b0 : 1),
    );
    lastChange = Math.max(change, Math.abs(theta[4] - s0));
    if (active < p) {
      if (change < SIGMA_RELEASE || iteration >= SIGMA_RELEASE_ITERATIONS) active = p;
      lastChange = Number.POSITIVE_INFINITY;
    } else if (sigmaConverged && change < tolerance) {
      workspace.status = FitStatus.converged;
      if (anticipate) {
        // ℓ at θ̂ = θ + δ from the pass at θ: for the local quadratic model the Newton step gains
        // ½ ∇ℓ·δ (exact to third order in δ, |δ| < tolerance). The Fisher information and the
        // residuals are those at θ, a step below the tolerance away.
        let gain = gradient[0] * dx + gradient[1] * dy + gradient[2] * dn + gradient[3] * db;
        if (p === 5) gain += gradient[4] * ds;
        workspace.logLikelihood = ll + 0.5 * gain;
        workspace.informationReady = true;
      }
      break;
    }
  }
  workspace.iterations = iteration;
}
