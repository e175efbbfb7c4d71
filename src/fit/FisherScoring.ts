import { choleskyFactor, choleskySolve } from './cholesky.js';
import {
  DAMPING_FLOOR,
  DAMPING_GROWTH,
  DAMPING_LIMIT,
  DAMPING_START,
  LL_GUARD,
  STATUS_BAD_DATA,
  STATUS_CONVERGED,
  STATUS_LEFT_PATCH,
  STATUS_MAX_ITERATIONS,
} from './fitConstants.js';

/** A likelihood to maximize with {@link FisherScoring}: the model's own evaluation, derivatives and limits. */
export interface ScoringModel {
  /** ℓ(θ), the model's state now that of θ; −∞ (or NaN) where θ is impossible. */
  evaluate(theta: Float64Array): number;
  /** ∇ℓ into `gradient` and the Fisher information (p × p, row-major) into `fisher`, at the θ last evaluated. */
  derivatives(theta: Float64Array, gradient: Float64Array, fisher: Float64Array): void;
  /** `trial` = θ + δ kept within the parameters' limits; returns the largest position change (px). */
  propose(theta: Float64Array, step: Float64Array, trial: Float64Array): number;
  /** Whether θ has left the window (the fit stops with STATUS_LEFT_PATCH). */
  leftWindow(theta: Float64Array): boolean;
}

/**
 * Fisher scoring with Levenberg–Marquardt damping, the one solver of every {@link PsfModel}'s
 * fit through {@link PoissonEstimator} (the multi-emitter and the 3-D fits; the single 2-D fit
 * keeps its measured fast path, newtonSolve.ts) (docs/design.md §8, §9). The loop's steps:
 * compute the model (ℓ) → coefficients (∇ℓ, I) → solve → update (propose) → check convergence.
 * Each iteration solves (I + λ·diag I)·δ = ∇ℓ by
 * Cholesky; a step that lowers ℓ (beyond rounding, LL_GUARD) is retried with λ ×
 * DAMPING_GROWTH, an accepted one divides λ by it (down to DAMPING_FLOOR; with `minRatio`, one
 * that overshoots raises it instead); no damping that raises ℓ means θ is a maximum to rounding.
 * Converged when a step moves no position by the tolerance, or on the optional `settled` and
 * `minGain` tests of {@link FisherScoring.run}. Holds the scratch for up to `maxParameters`
 * parameters; running allocates nothing. Its kernel port is `fisherScoring`
 * (src/fit/assembly/FisherScoring.ts), shared by the kernel's multi-emitter and 3-D fits.
 */
export class FisherScoring {
  readonly gradient: Float64Array;
  readonly fisher: Float64Array;
  /** ℓ at the end of the last {@link run}. */
  logLikelihood = Number.NaN;
  /** Iterations of the last {@link run}. */
  iterations = 0;
  private readonly system: Float64Array;
  private readonly lower: Float64Array;
  private readonly step: Float64Array;
  private readonly trial: Float64Array;

  /** @param maxParameters - the most parameters a model has */
  constructor(maxParameters: number) {
    const p = maxParameters;
    this.gradient = new Float64Array(p);
    this.fisher = new Float64Array(p * p);
    this.system = new Float64Array(p * p);
    this.lower = new Float64Array(p * p);
    this.step = new Float64Array(p);
    this.trial = new Float64Array(p);
  }

  /**
   * Maximize ℓ from θ (modified in place) over its first `p` parameters.
   * @param maxIterations - iteration limit
   * @param tolerance - converged when an accepted step moves no position by this much, px
   * @param settled - also converged when an accepted step began where the Newton decrement
   *   ∇ℓᵀ·δ (δ the step of an undamped or barely damped system, λ ≤ DAMPING_START) was below
   *   this: θ within √settled standard errors of the maximum (the spline's
   *   SPLINE_SETTLED_DECREMENT) @default 0: the tolerance alone
   * @param minGain - also converged when an accepted step of a barely damped solve (λ ≤
   *   DAMPING_START) raises ℓ by less than this (0: off; such a step that gains ε moved θ by about
   *   √(2ε) standard errors; a heavily damped one gains little wherever it is) @default 0
   * @param minRatio - an accepted step that gains less than this share of the gain the Fisher
   *   information predicts for it (∇ℓ·Δ − ½Δ·I·Δ, Δ the step taken) raises the damping λ (to at
   *   least DAMPING_START) instead of lowering it: the quadratic model overshoots (0: off) @default 0
   * @returns a status code; ℓ and the iterations in the fields
   */
  run(model: ScoringModel, theta: Float64Array, p: number, maxIterations: number, tolerance: number, settled = 0, minGain = 0, minRatio = 0): number {
    const { gradient, fisher, system, lower, step, trial } = this;
    this.iterations = 0;
    let ll = model.evaluate(theta);
    this.logLikelihood = ll;
    if (!Number.isFinite(ll)) return STATUS_BAD_DATA;
    let lambda = DAMPING_START;
    let status = STATUS_MAX_ITERATIONS;
    for (let it = 0; it < maxIterations; it++) {
      this.iterations = it + 1;
      model.derivatives(theta, gradient, fisher);
      let accepted = false;
      let moved = 0;
      // The Newton decrement at θ, from the iteration's first solve where that is barely damped.
      let decrement = Number.POSITIVE_INFINITY;
      let gain = 0;
      // The damping of the accepted step: a small gain ends the fit only from a barely damped one.
      let stepLambda = lambda;
      while (lambda <= DAMPING_LIMIT) {
        for (let a = 0; a < p * p; a++) system[a] = fisher[a];
        for (let a = 0; a < p; a++) system[a * p + a] *= 1 + lambda;
        if (!choleskyFactor(system, p, lower)) {
          lambda *= DAMPING_GROWTH;
          continue;
        }
        choleskySolve(lower, p, gradient, step);
        if (settled > 0 && decrement === Number.POSITIVE_INFINITY && lambda <= DAMPING_START) {
          decrement = 0;
          for (let a = 0; a < p; a++) decrement += gradient[a] * step[a];
        }
        moved = model.propose(theta, step, trial);
        const next = model.evaluate(trial);
        if (next >= ll - LL_GUARD * Math.abs(ll)) {
          gain = next - ll;
          stepLambda = lambda;
          const overshot = minRatio > 0 && gain < minRatio * predictedGain(gradient, fisher, theta, trial, p);
          theta.set(trial.subarray(0, p));
          ll = next;
          lambda = overshot ? Math.max(lambda * DAMPING_GROWTH, DAMPING_START) : Math.max(lambda / DAMPING_GROWTH, DAMPING_FLOOR);
          accepted = true;
          break;
        }
        lambda *= DAMPING_GROWTH;
      }
      if (!accepted) {
        // No damping raises ℓ: θ is a maximum to rounding.
        model.evaluate(theta);
        status = STATUS_CONVERGED;
        break;
      }
      if (model.leftWindow(theta)) {
        status = STATUS_LEFT_PATCH;
        break;
      }
      if (moved < tolerance || decrement < settled || (minGain > 0 && gain < minGain && stepLambda <= DAMPING_START)) {
        status = STATUS_CONVERGED;
        break;
      }
    }
    this.logLikelihood = ll;
    return status;
  }
}

/** ∇ℓ·Δ − ½Δ·I·Δ with Δ = trial − θ over the first p parameters: the gain in ℓ the Fisher information predicts for the step. */
function predictedGain(gradient: Float64Array, fisher: Float64Array, theta: Float64Array, trial: Float64Array, p: number): number {
  let linear = 0;
  let quadratic = 0;
  for (let a = 0; a < p; a++) {
    const da = trial[a] - theta[a];
    linear += gradient[a] * da;
    let row = 0;
    for (let e = 0; e < p; e++) row += fisher[a * p + e] * (trial[e] - theta[e]);
    quadratic += da * row;
  }
  return linear - 0.5 * quadratic;
}
