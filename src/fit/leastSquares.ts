import { choleskyFactor, choleskySolve } from './cholesky.js';
import { DAMPING_GROWTH, DAMPING_LIMIT } from './fitConstants.js';

/**
 * A nonlinear least-squares problem for {@link leastSquares}: m residuals r_i(θ) of p
 * parameters, their analytic Jacobian and the parameters' bounds.
 */
export interface LeastSquaresProblem {
  /** p, the number of parameters. */
  readonly parameters: number;
  /** m, the number of residuals. */
  readonly residualCount: number;
  /** Each parameter's smallest and largest value (θ is kept inside: a step is cut back to the bound). */
  readonly lower: ArrayLike<number>;
  readonly upper: ArrayLike<number>;
  /** r(θ) = model − data (weighted) into `out` (m values); false where θ is impossible (the model undefined at some point). */
  residuals(theta: Float64Array, out: Float64Array): boolean;
  /** ∂r_i/∂θ_a at θ into `out`, row-major m × p. */
  jacobian(theta: Float64Array, out: Float64Array): void;
}

/** The solver's limits; @default {@link LEAST_SQUARES_DEFAULTS}. */
export interface LeastSquaresOptions {
  /** Iteration limit (accepted or rejected steps each count once per Jacobian). */
  maxIterations?: number;
  /**
   * Converged when every Jacobian column is this close to orthogonal to the residuals:
   * max_a |J_aᵀr| / (‖J_a‖·‖r‖) (MINPACK's gtol, the cosine of the angle: free of units).
   */
  gradientTolerance?: number;
  /** …or when a step moves θ by less than this relative to θ, in Marquardt's scaled units ‖D·δ‖ ≤ tol·(‖D·θ‖ + tol) (MINPACK's xtol). */
  stepTolerance?: number;
  /** …or when the cost's relative decrease, actual and predicted, is below this (MINPACK's ftol). */
  costTolerance?: number;
}

/**
 * The defaults of {@link leastSquares}: MINPACK's recommended tolerances (about the square root
 * of the double precision for x, its order for the cost), and 200 iterations (the defocus
 * curves converge in 5–30 from the starts calibrate-3d gives).
 */
export const LEAST_SQUARES_DEFAULTS = { maxIterations: 200, gradientTolerance: 1e-10, stepTolerance: 1e-10, costTolerance: 1e-14 } as const;

/** The damping of the first step, relative to diag(JᵀJ) (Marquardt's λ). */
const DAMPING_START = 1e-3;

/** How a {@link leastSquares} run ended. */
export const LEAST_SQUARES_STATUS = {
  /** One of the convergence tests passed. */
  converged: 'converged',
  /** The iteration limit came first. */
  maxIterations: 'max-iterations',
  /** No damping gave a smaller cost, and θ is not a stationary point: the solver is stuck. */
  stuck: 'stuck',
  /** The start itself is impossible (the residuals undefined there). */
  badStart: 'bad-start',
} as const;
export type LeastSquaresStatus = (typeof LEAST_SQUARES_STATUS)[keyof typeof LEAST_SQUARES_STATUS];

/** What {@link leastSquares} returns. */
export interface LeastSquaresResult {
  /** θ at the end (the start's copy when nothing was accepted). */
  readonly theta: Float64Array;
  /** ½‖r‖² at the start and at the end. */
  readonly startCost: number;
  readonly cost: number;
  readonly iterations: number;
  readonly status: LeastSquaresStatus;
  /** Whether the run ended on a convergence test. */
  readonly converged: boolean;
}

/**
 * Levenberg–Marquardt with Marquardt's diagonal scaling (Marquardt 1963; Moré 1978): each
 * iteration computes the residuals r and the Jacobian J, solves
 *
 *     (JᵀJ + λ·diag(JᵀJ))·δ = −Jᵀr
 *
 * by Cholesky, cuts θ + δ back into the bounds, and accepts it when the cost ½‖r‖² falls (λ
 * then shrinks ×{@link DAMPING_GROWTH}), else grows λ and retries. Scaling the damping by
 * diag(JᵀJ) makes the steps independent of the parameters' units (nm, and dimensionless
 * coefficients of order 0.1, in one fit). Convergence is tested three ways, each free of units
 * ({@link LeastSquaresOptions}); a run that ends otherwise says so in its status. For small
 * problems (a few parameters, thousands of residuals): allocates its scratch per call.
 * @param problem - residuals, Jacobian, bounds
 * @param start - θ to start from (not modified)
 * @param options - limits @default {@link LEAST_SQUARES_DEFAULTS}
 */
export function leastSquares(problem: LeastSquaresProblem, start: ArrayLike<number>, options: LeastSquaresOptions = {}): LeastSquaresResult {
  const maxIterations = options.maxIterations ?? LEAST_SQUARES_DEFAULTS.maxIterations;
  const gtol = options.gradientTolerance ?? LEAST_SQUARES_DEFAULTS.gradientTolerance;
  const xtol = options.stepTolerance ?? LEAST_SQUARES_DEFAULTS.stepTolerance;
  const ftol = options.costTolerance ?? LEAST_SQUARES_DEFAULTS.costTolerance;
  const p = problem.parameters;
  const m = problem.residualCount;
  const theta = new Float64Array(p);
  for (let a = 0; a < p; a++) theta[a] = Math.min(problem.upper[a], Math.max(problem.lower[a], start[a]));
  const trial = new Float64Array(p);
  const r = new Float64Array(m);
  const rTrial = new Float64Array(m);
  const jac = new Float64Array(m * p);
  const normal = new Float64Array(p * p);
  const system = new Float64Array(p * p);
  const lowerFactor = new Float64Array(p * p);
  const gradient = new Float64Array(p);
  const step = new Float64Array(p);
  const done = (cost: number, startCost: number, iterations: number, status: LeastSquaresStatus): LeastSquaresResult => ({
    theta,
    startCost,
    cost,
    iterations,
    status,
    converged: status === LEAST_SQUARES_STATUS.converged,
  });
  if (!problem.residuals(theta, r)) return done(Number.NaN, Number.NaN, 0, LEAST_SQUARES_STATUS.badStart);
  let cost = halfSquares(r);
  if (!Number.isFinite(cost)) return done(cost, cost, 0, LEAST_SQUARES_STATUS.badStart);
  const startCost = cost;
  let lambda = DAMPING_START;
  for (let it = 0; it < maxIterations; it++) {
    // Coefficients: JᵀJ and the gradient Jᵀr.
    problem.jacobian(theta, jac);
    normal.fill(0);
    gradient.fill(0);
    for (let i = 0; i < m; i++) {
      const row = i * p;
      for (let a = 0; a < p; a++) {
        const ja = jac[row + a];
        gradient[a] += ja * r[i];
        for (let b = 0; b <= a; b++) normal[a * p + b] += ja * jac[row + b];
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) normal[b * p + a] = normal[a * p + b];
    // Check: the residuals orthogonal to every column (or an exact fit).
    const rNorm = Math.sqrt(2 * cost);
    let cosine = 0;
    for (let a = 0; a < p; a++) {
      const column = Math.sqrt(normal[a * p + a]);
      if (column > 0 && rNorm > 0) cosine = Math.max(cosine, Math.abs(gradient[a]) / (column * rNorm));
    }
    if (rNorm === 0 || cosine <= gtol) return done(cost, startCost, it, LEAST_SQUARES_STATUS.converged);
    // Solve and update, with more damping until the cost falls.
    let accepted = false;
    while (lambda <= DAMPING_LIMIT) {
      for (let a = 0; a < p * p; a++) system[a] = normal[a];
      for (let a = 0; a < p; a++) system[a * p + a] += lambda * Math.max(normal[a * p + a], Number.MIN_VALUE);
      if (!choleskyFactor(system, p, lowerFactor)) {
        lambda *= DAMPING_GROWTH;
        continue;
      }
      choleskySolve(lowerFactor, p, gradient, step);
      for (let a = 0; a < p; a++) trial[a] = Math.min(problem.upper[a], Math.max(problem.lower[a], theta[a] - step[a]));
      const next = problem.residuals(trial, rTrial) ? halfSquares(rTrial) : Number.NaN;
      if (!(next < cost)) {
        lambda *= DAMPING_GROWTH;
        continue;
      }
      // Accepted: the step's size and the cost's decrease, actual and predicted (linear model).
      let scaledStep = 0;
      let scaledTheta = 0;
      let predicted = 0;
      for (let a = 0; a < p; a++) {
        const d = Math.sqrt(normal[a * p + a]);
        const delta = trial[a] - theta[a];
        scaledStep += (d * delta) ** 2;
        scaledTheta += (d * theta[a]) ** 2;
        let jd = 0;
        for (let b = 0; b < p; b++) jd += normal[a * p + b] * (trial[b] - theta[b]);
        predicted -= gradient[a] * delta + 0.5 * delta * jd;
      }
      const actualDecrease = (cost - next) / cost;
      const predictedDecrease = predicted / cost;
      theta.set(trial);
      r.set(rTrial);
      cost = next;
      lambda = Math.max(lambda / DAMPING_GROWTH, Number.MIN_VALUE);
      accepted = true;
      if (Math.sqrt(scaledStep) <= xtol * (Math.sqrt(scaledTheta) + xtol) || (actualDecrease <= ftol && Math.abs(predictedDecrease) <= ftol)) {
        return done(cost, startCost, it + 1, LEAST_SQUARES_STATUS.converged);
      }
      break;
    }
    if (!accepted) {
      // No damping lowers the cost: a minimum to rounding if the gradient nearly vanishes.
      return done(cost, startCost, it + 1, cosine <= Math.sqrt(gtol) ? LEAST_SQUARES_STATUS.converged : LEAST_SQUARES_STATUS.stuck);
    }
  }
  return done(cost, startCost, maxIterations, LEAST_SQUARES_STATUS.maxIterations);
}

/** ½‖r‖². */
function halfSquares(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i] * r[i];
  return 0.5 * s;
}
