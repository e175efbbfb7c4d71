import { FitStatus } from './FitStatus.js';
import type { FitWorkspace } from './FitWorkspace.js';
import { conjugateGradient } from './fmin.js';
import { PassMode } from './PatchLikelihood.js';

/** fmin stops at ‖∇f‖₂ ≤ 1e-5; a fit that ends there is converged. */
const GRADIENT_TOLERANCE = 1e-5;

/** Per-workspace state of the generic solver: the objective is made once, not per fit. */
interface SolverState {
  data: Float64Array;
  offset: number;
  calls: number;
  /** 1 / (total counts of the patch): the objective is −ℓ per photon. */
  perPhoton: number;
  readonly start: Float64Array;
  readonly objective: (u: Float64Array, gradient: Float64Array) => number;
}

const states = new WeakMap<FitWorkspace, SolverState>();

function stateFor(workspace: FitWorkspace): SolverState {
  let state = states.get(workspace);
  if (state) return state;
  const lik = workspace.likelihood;
  const p = lik.parameterCount;
  const theta = lik.theta;
  const g = lik.gradient;
  const s: SolverState = {
    data: new Float64Array(0),
    offset: 0,
    calls: 0,
    perPhoton: 1,
    start: new Float64Array(p),
    // f(u) = −ℓ(θ(u)) / Σn, u = (x, y, log N, log b[, log σ]): positivity by construction and
    // parameters of similar scale, which a plain gradient method needs. The division by the
    // patch's counts makes fmin's fixed stopping rule (‖∇f‖ ≤ 1e-5) a relative one: on −ℓ
    // itself (~1e4) the line search runs into rounding before the gradient gets that small.
    objective: (u, gradient) => {
      s.calls++;
      theta[0] = u[0];
      theta[1] = u[1];
      theta[2] = Math.exp(u[2]);
      theta[3] = Math.exp(u[3]);
      if (p === 5) theta[4] = Math.exp(u[4]);
      const ll = lik.evaluate(s.data, s.offset, PassMode.logLikelihood);
      if (!Number.isFinite(ll)) {
        gradient.fill(0);
        return Number.POSITIVE_INFINITY;
      }
      const c = -s.perPhoton;
      gradient[0] = c * g[0];
      gradient[1] = c * g[1];
      gradient[2] = c * g[2] * theta[2];
      gradient[3] = c * g[3] * theta[3];
      if (p === 5) gradient[4] = c * g[4] * theta[4];
      return c * ll;
    },
  };
  states.set(workspace, s);
  return s;
}

/**
 * The generic solver: fmin's conjugate gradient on −ℓ, driven by the same cached pass as the
 * Newton solver (value and gradient from one pass), in the log-parameterisation
 * u = (x, y, log N, log b[, log σ]). Slower than {@link newtonSolve}; it is the cross-check
 * and the benchmark baseline. Starts from and leaves θ in `workspace.likelihood.theta`.
 *
 * Sets `workspace.status` (converged when ‖∇_u(−ℓ/Σn)‖ ≤ 1e-5) and `workspace.iterations`
 * (objective evaluations, each one pass).
 *
 * @param workspace - workspace with the start value in `likelihood.theta`
 * @param data - photon counts
 * @param offset - index of the patch's first pixel
 */
export function conjugateGradientSolve(workspace: FitWorkspace, data: Float64Array, offset: number): void {
  const state = stateFor(workspace);
  const lik = workspace.likelihood;
  const theta = lik.theta;
  const p = lik.parameterCount;
  const box = workspace.options.box;
  state.data = data;
  state.offset = offset;
  state.calls = 0;
  let counts = 0;
  const end = offset + box * box;
  for (let k = offset; k < end; k++) counts += Math.abs(data[k]);
  state.perPhoton = counts > 0 ? 1 / counts : 1;
  const u = state.start;
  u[0] = theta[0];
  u[1] = theta[1];
  u[2] = Math.log(theta[2]);
  u[3] = Math.log(theta[3]);
  if (p === 5) u[4] = Math.log(theta[4]);
  const result = conjugateGradient(state.objective, u, workspace.options.maxIterations * 20);
  const x = result.x;
  theta[0] = x[0];
  theta[1] = x[1];
  theta[2] = Math.exp(x[2]);
  theta[3] = Math.exp(x[3]);
  if (p === 5) theta[4] = Math.exp(x[4]);
  let norm2 = 0;
  for (let a = 0; a < p; a++) norm2 += result.fxprime[a] * result.fxprime[a];
  workspace.iterations = state.calls;
  if (theta[0] < -1 || theta[0] > box + 1 || theta[1] < -1 || theta[1] > box + 1) {
    workspace.status = FitStatus.leftPatch;
  } else if (Math.sqrt(norm2) <= GRADIENT_TOLERANCE && Number.isFinite(result.fx)) {
    workspace.status = FitStatus.converged;
  } else {
    workspace.status = FitStatus.maxIterations;
  }
}
