// ../newtonSolve.ts in the fit kernel: Newton's method for the 2-D fit, on 4 parameters (x, y,
// N, b) or, with σ free, 5 (σ held until x, y, N, b settle; steps that lower ℓ are halved back):
// each step from a pass of PatchLikelihood.ts, solved by an unrolled Cholesky or, where the
// Hessian is not negative definite, damped; scaled as a whole to the step limits.
import {
  ANTICIPATE_END, DAMPING_DIAGONAL_FLOOR, DAMPING_GROWTH, DAMPING_LIMIT, DAMPING_START, LEAVE_PATCH_PX, LL_GUARD,
  MAX_BACKTRACKS, MAX_SHRINK, MAX_SIGMA_STEP, MIN_BACKGROUND, MIN_PHOTONS, SIGMA_RELEASE, SIGMA_RELEASE_ITERATIONS,
  STATUS_CONVERGED, STATUS_LEFT_PATCH, STATUS_MAX_ITERATIONS,
} from '../fitConstants';
import { choleskyFactor, choleskySolve } from './cholesky';
import { BOX, FIT_SIGMA, MAX_IT, MAX_STEP, SIGMA_MAX, SIGMA_MIN, TB, TN, TOL, TS, TX, TY, setTheta } from './FitWorkspace';
import { G, G5, H, H5, passFree, passFull, passNewton } from './PatchLikelihood';

// The fit's end: status, iterations, and when READY (the converging pass gave them) ℓ at θ̂ and
// the Fisher information in F or F5.
export let STATUS: i32 = 0;
export let ITER: i32 = 0;
export let LL: f64 = 0;
export let READY: bool = false;

/** The Newton step δθ (x, y, N, b, σ). */
const STEP = new StaticArray<f64>(5);

/** solveUndamped4: (−H)·δ = ∇ℓ for 4 parameters by an unrolled Cholesky. */
function solveUndamped(): bool {
  const a00 = -unchecked(H[0]);
  if (!(a00 > 0)) return false;
  const l00 = Math.sqrt(a00);
  const l10 = -unchecked(H[4]) / l00;
  const l20 = -unchecked(H[8]) / l00;
  const l30 = -unchecked(H[12]) / l00;
  const d1 = -unchecked(H[5]) - l10 * l10;
  if (!(d1 > 0)) return false;
  const l11 = Math.sqrt(d1);
  const l21 = (-unchecked(H[9]) - l20 * l10) / l11;
  const l31 = (-unchecked(H[13]) - l30 * l10) / l11;
  const d2 = -unchecked(H[10]) - l20 * l20 - l21 * l21;
  if (!(d2 > 0)) return false;
  const l22 = Math.sqrt(d2);
  const l32 = (-unchecked(H[14]) - l30 * l20 - l31 * l21) / l22;
  const d3 = -unchecked(H[15]) - l30 * l30 - l31 * l31 - l32 * l32;
  if (!(d3 > 0)) return false;
  const l33 = Math.sqrt(d3);
  const z0 = unchecked(G[0]) / l00;
  const z1 = (unchecked(G[1]) - l10 * z0) / l11;
  const z2 = (unchecked(G[2]) - l20 * z0 - l21 * z1) / l22;
  const z3 = (unchecked(G[3]) - l30 * z0 - l31 * z1 - l32 * z2) / l33;
  const x3 = z3 / l33;
  const x2 = (z2 - l32 * x3) / l22;
  const x1 = (z1 - l21 * x2 - l31 * x3) / l11;
  unchecked(STEP[0] = (z0 - l10 * x1 - l20 * x2 - l30 * x3) / l00);
  unchecked(STEP[1] = x1); unchecked(STEP[2] = x2); unchecked(STEP[3] = x3);
  return true;
}

// solveDamped's system and its Cholesky factor.
const MA5 = new StaticArray<f64>(25);
const ML5 = new StaticArray<f64>(25);

/**
 * solveDamped: (−H + λ·diag|H|)·δ = ∇ℓ over the leading `active` parameters of H
 * (row stride `stride`) by Cholesky, λ raised tenfold until positive definite, into `step`.
 */
function solveDamped(h: StaticArray<f64>, stride: i32, g: StaticArray<f64>, active: i32, step: StaticArray<f64>): bool {
  let lambda: f64 = 0;
  for (;;) {
    for (let r = 0; r < active; r++) {
      for (let c = 0; c < active; c++) unchecked(MA5[r * active + c] = -unchecked(h[r * stride + c]));
      if (lambda > 0) {
        const diag = Math.abs(unchecked(h[r * stride + r]));
        unchecked(MA5[r * active + r] += lambda * (diag > DAMPING_DIAGONAL_FLOOR ? diag : DAMPING_DIAGONAL_FLOOR));
      }
    }
    if (choleskyFactor(MA5, active, ML5)) break;
    lambda = lambda == 0 ? DAMPING_START : lambda * DAMPING_GROWTH;
    if (lambda > DAMPING_LIMIT) return false;
  }
  choleskySolve(ML5, active, g, step);
  return true;
}

// The Newton iteration's state between passes: the parameters being stepped (4, or 5 once σ is
// released) and the largest relative change of the last step.
let ACTIVE: i32 = 4;
let LAST_CHANGE: f64 = Infinity;

/**
 * newtonSolve, for 4 parameters or, with σ free, 5: the step from the pass's gradient and
 * Hessian, scaled as a whole to the step limits; with σ free, σ is held until x, y, N, b settle
 * and a step that lowers ℓ is halved back. The converging pass also gives the Fisher information
 * and ℓ (READY).
 */
export function newton(data: usize): void {
  const p = FIT_SIGMA ? 5 : 4;
  STATUS = STATUS_MAX_ITERATIONS;
  ACTIVE = 4;
  LAST_CHANGE = Infinity;
  let llAccepted: f64 = -Infinity;
  let backtracks = 0;
  let iteration = 0;
  let ax0: f64 = 0, ay0: f64 = 0, an0: f64 = 0, ab0: f64 = 0, as0: f64 = 0;
  READY = false;
  while (iteration < MAX_IT) {
    iteration++;
    const anticipate = ACTIVE == p && LAST_CHANGE < ANTICIPATE_END;
    let ll: f64 = NaN;
    if (FIT_SIGMA) {
      ll = passFree(data, true, anticipate, true);
      if (!(ll >= llAccepted - LL_GUARD * Math.abs(llAccepted))) {
        if (++backtracks > MAX_BACKTRACKS) { setTheta(ax0, ay0, an0, ab0, as0); break; }
        setTheta(0.5 * (TX + ax0), 0.5 * (TY + ay0), 0.5 * (TN + an0), 0.5 * (TB + ab0), 0.5 * (TS + as0));
        continue;
      }
      backtracks = 0;
      llAccepted = ll;
      ax0 = TX; ay0 = TY; an0 = TN; ab0 = TB; as0 = TS;
    } else if (anticipate) {
      ll = passFull(data);
    } else {
      passNewton(data);
    }
    if (advance(anticipate, ll, iteration)) break;
  }
  ITER = iteration;
}

/**
 * One Newton step from the last pass (G, H or G5, H5) at θ = (TX, TY, TN, TB, TS): solve, scale
 * to the step limits, update θ, test for leaving the patch and for convergence (STATUS; with
 * `anticipate`, LL from the pass's ℓ and READY). Returns true when the iteration stops.
 */
function advance(anticipate: bool, ll: f64, iteration: i32): bool {
  const box = <f64>BOX;
  const p = FIT_SIGMA ? 5 : 4;
  const g = FIT_SIGMA ? G5 : G;
  const active = ACTIVE;
  const solved = FIT_SIGMA ? solveDamped(H5, 5, G5, active, STEP) : solveUndamped() || solveDamped(H, 4, G, 4, STEP);
  if (!solved) return true;
  const n0 = TN, b0 = TB, s0 = TS;
  let dx = unchecked(STEP[0]), dy = unchecked(STEP[1]), dn = unchecked(STEP[2]), db = unchecked(STEP[3]);
  let ds: f64 = active == 5 ? unchecked(STEP[4]) : 0;
  if (!(isFinite<f64>(dx) && isFinite<f64>(dy) && isFinite<f64>(dn) && isFinite<f64>(db) && isFinite<f64>(ds))) return true;
  let f: f64 = 1;
  const adx = Math.abs(dx), ady = Math.abs(dy), ads = Math.abs(ds);
  if (adx * f > MAX_STEP) f = MAX_STEP / adx;
  if (ady * f > MAX_STEP) f = MAX_STEP / ady;
  if (-dn * f > MAX_SHRINK * n0) f = (MAX_SHRINK * n0) / -dn;
  if (-db * f > MAX_SHRINK * b0) f = (MAX_SHRINK * b0) / -db;
  if (ads * f > MAX_SIGMA_STEP * s0) f = (MAX_SIGMA_STEP * s0) / ads;
  if (f < 1) { dx *= f; dy *= f; dn *= f; db *= f; ds *= f; }
  const s = active == 5 ? Math.min(Math.max(s0 + ds, SIGMA_MIN), SIGMA_MAX) : s0;
  setTheta(TX + dx, TY + dy, Math.max(n0 + dn, MIN_PHOTONS), Math.max(b0 + db, MIN_BACKGROUND), s);
  const sigmaConverged = Math.abs(TS - s0) < TOL;
  if (TX < -LEAVE_PATCH_PX || TX > box + LEAVE_PATCH_PX || TY < -LEAVE_PATCH_PX || TY > box + LEAVE_PATCH_PX) { STATUS = STATUS_LEFT_PATCH; return true; }
  const change = Math.max(Math.max(Math.abs(dx), Math.abs(dy)), Math.max(Math.abs(TN - n0) / n0, Math.abs(TB - b0) / (b0 > 1 ? b0 : 1)));
  LAST_CHANGE = Math.max(change, Math.abs(TS - s0));
  if (active < p) {
    if (change < SIGMA_RELEASE || iteration >= SIGMA_RELEASE_ITERATIONS) ACTIVE = p;
    LAST_CHANGE = Infinity;
  } else if (sigmaConverged && change < TOL) {
    STATUS = STATUS_CONVERGED;
    if (anticipate) {
      let gain = unchecked(g[0]) * dx + unchecked(g[1]) * dy + unchecked(g[2]) * dn + unchecked(g[3]) * db;
      if (p == 5) gain += unchecked(g[4]) * ds;
      LL = ll + 0.5 * gain;
      READY = true;
    }
    return true;
  }
  return false;
}
