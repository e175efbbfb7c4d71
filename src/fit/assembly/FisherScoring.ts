// ../FisherScoring.ts in the fit kernel: the one damped Fisher-scoring loop that serves the
// multi-emitter fits (MultiEmitterFit.ts, MultiEmitterModel.ts) and the 3-D fit (AstigmaticFit.ts), the same arithmetic
// in the same order as the JavaScript run() (docs/design.md §8, §9).
//
// A model is a class with the four methods of the JavaScript ScoringModel:
//   evaluate(theta): f64                    ℓ(θ), the model's state now that of θ; −∞ where θ is impossible
//   derivatives(theta, gradient, fisher)    ∇ℓ and the Fisher information (p × p, row-major) at the θ last evaluated
//   propose(theta, step, trial): f64        trial = θ + δ within the parameters' limits; the largest position change (px)
//   leftWindow(theta): bool                 whether θ has left the window
// fisherScoring<Model> is compiled once per model class (a generic), so its calls are direct.
import {
  DAMPING_FLOOR, DAMPING_GROWTH, DAMPING_LIMIT, DAMPING_START, LL_GUARD, MAX_FIT_PARAMETERS,
  STATUS_BAD_DATA, STATUS_CONVERGED, STATUS_LEFT_PATCH, STATUS_MAX_ITERATIONS,
} from '../fitConstants';
import { choleskyFactor, choleskySolve } from './cholesky';

/** The most parameters a model has (the largest 3-D multi-emitter model; the 3-D model has 5). */
const P = MAX_FIT_PARAMETERS;
/** ∇ℓ, filled by the model's derivatives. */
export const SCORING_GRADIENT = new StaticArray<f64>(P);
/** The Fisher information, filled by the model's derivatives; two values of slack for a SIMD write past the last row. */
export const SCORING_FISHER = new StaticArray<f64>(P * P + 2);
const SYSTEM = new StaticArray<f64>(P * P);
const LOWER = new StaticArray<f64>(P * P);
const STEP = new StaticArray<f64>(P);
/** ℓ at the end of the last fisherScoring run. */
export let SCORING_LL: f64 = NaN;
/** Iterations of the last fisherScoring run. */
export let SCORING_ITERATIONS: i32 = 0;

/**
 * Maximize ℓ from θ (modified in place) over its first `p` parameters: each iteration solves
 * (I + λ·diag I)·δ = ∇ℓ by Cholesky; a step that lowers ℓ (beyond rounding, LL_GUARD) is
 * retried with λ × DAMPING_GROWTH, an accepted one divides λ by it (down to DAMPING_FLOOR; but
 * see `minRatio`); no damping that raises ℓ means θ is a maximum to rounding. `trial` holds p
 * values of scratch.
 * Converged when an accepted step moves no position by `tolerance` px, or (`settled` > 0) when
 * it began where the Newton decrement ∇ℓᵀ·δ of the iteration's first, barely damped solve
 * (λ ≤ DAMPING_START) was below `settled` (θ within √settled standard errors of the maximum),
 * or (`minGain` > 0) raises ℓ by less than `minGain` from a barely damped solve (λ ≤ DAMPING_START:
 * a heavily damped step gains little wherever it is). With `minRatio` > 0, an accepted step that
 * gains less than that share of the gain the Fisher information predicts for it raises λ (to at
 * least DAMPING_START) instead of lowering it.
 * @returns a status code; ℓ in SCORING_LL, iterations in SCORING_ITERATIONS
 */
export function fisherScoring<Model>(model: Model, theta: StaticArray<f64>, trial: StaticArray<f64>, p: i32, maxIterations: i32, tolerance: f64, settled: f64 = 0, minGain: f64 = 0, minRatio: f64 = 0): i32 {
  SCORING_ITERATIONS = 0;
  let ll = model.evaluate(theta);
  SCORING_LL = ll;
  if (!isFinite<f64>(ll)) return STATUS_BAD_DATA;
  let lambda = DAMPING_START;
  let status = STATUS_MAX_ITERATIONS;
  for (let it = 0; it < maxIterations; it++) {
    SCORING_ITERATIONS = it + 1;
    model.derivatives(theta, SCORING_GRADIENT, SCORING_FISHER);
    let accepted = false;
    let moved: f64 = 0;
    // The Newton decrement at θ, from the iteration's first solve where that is barely damped.
    let decrement: f64 = Infinity;
    let gain: f64 = 0;
    // The damping of the accepted step: a small gain ends the fit only from a barely damped one.
    let stepLambda: f64 = lambda;
    while (lambda <= DAMPING_LIMIT) {
      for (let a = 0; a < p * p; a++) unchecked(SYSTEM[a] = unchecked(SCORING_FISHER[a]));
      for (let a = 0; a < p; a++) unchecked(SYSTEM[a * p + a] *= 1 + lambda);
      if (!choleskyFactor(SYSTEM, p, LOWER)) { lambda *= DAMPING_GROWTH; continue; }
      choleskySolve(LOWER, p, SCORING_GRADIENT, STEP);
      if (settled > 0 && decrement == Infinity && lambda <= DAMPING_START) {
        decrement = 0;
        for (let a = 0; a < p; a++) decrement += unchecked(SCORING_GRADIENT[a]) * unchecked(STEP[a]);
      }
      moved = model.propose(theta, STEP, trial);
      const next = model.evaluate(trial);
      if (next >= ll - LL_GUARD * Math.abs(ll)) {
        gain = next - ll;
        stepLambda = lambda;
        const overshot = minRatio > 0 && gain < minRatio * predictedGain(theta, trial, p);
        for (let a = 0; a < p; a++) unchecked(theta[a] = unchecked(trial[a]));
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
    if (model.leftWindow(theta)) { status = STATUS_LEFT_PATCH; break; }
    if (moved < tolerance || decrement < settled || (minGain > 0 && gain < minGain && stepLambda <= DAMPING_START)) { status = STATUS_CONVERGED; break; }
  }
  SCORING_LL = ll;
  return status;
}

/** FisherScoring.ts's predictedGain: ∇ℓ·Δ − ½Δ·I·Δ with Δ = trial − θ (SCORING_GRADIENT, SCORING_FISHER), the same sums in the same order. */
function predictedGain(theta: StaticArray<f64>, trial: StaticArray<f64>, p: i32): f64 {
  let linear: f64 = 0;
  let quadratic: f64 = 0;
  for (let a = 0; a < p; a++) {
    const da = unchecked(trial[a]) - unchecked(theta[a]);
    linear += unchecked(SCORING_GRADIENT[a]) * da;
    let row: f64 = 0;
    for (let e = 0; e < p; e++) row += unchecked(SCORING_FISHER[a * p + e]) * (unchecked(trial[e]) - unchecked(theta[e]));
    quadratic += da * row;
  }
  return linear - 0.5 * quadratic;
}
