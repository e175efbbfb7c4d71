/**
 * A typed door to the `fmin` package (0.0.4), kept in this one module.
 *
 * The published package is awkward: its `main` is a UMD bundle inside a `"type": "module"`
 * package, so an `import` of it finds no exports (see {@link umdBundle}, src/wasm/, which loads
 * it through the bundle's CommonJS branch in every thread). Its Nelder–Mead throws on any
 * shrink step (an undeclared loop variable), so it is not exposed here; only the conjugate
 * gradient (Polak–Ribière with a Wolfe line search) is used.
 */
import { umdBundle } from '../wasm/umdBundle.js';

/**
 * An objective for fmin's gradient methods: returns f(x) and writes ∇f(x) into `gradient`
 * (the array fmin hands in), so one likelihood pass serves both.
 */
export type GradientObjective = (x: Float64Array, gradient: Float64Array) => number;

/** Result of {@link conjugateGradient}: the last point, its value and gradient. */
export interface MinimizationResult {
  x: Float64Array;
  fx: number;
  fxprime: Float64Array;
}

interface FminBundle {
  conjugateGradient(
    f: GradientObjective,
    initial: Float64Array,
    params?: { maxIterations?: number },
  ): MinimizationResult;
}

function loadBundle(): FminBundle {
  const bundle = umdBundle<FminBundle>('fmin');
  if (typeof bundle.conjugateGradient !== 'function') {
    throw new Error('the fmin bundle exported no conjugateGradient (expected fmin 0.0.4)');
  }
  return bundle as FminBundle;
}

const bundle = loadBundle();

/**
 * Minimize `f` from `initial` by fmin's nonlinear conjugate gradient. It stops when
 * ‖∇f‖₂ ≤ 1e-5 or after `maxIterations` line searches (fmin's fixed rules).
 *
 * @param f - objective writing its gradient into the second argument
 * @param initial - start point (copied, not modified)
 * @param maxIterations - line-search iterations @default 20 · initial.length (fmin's default)
 * @returns the final point with its value and gradient
 */
export function conjugateGradient(f: GradientObjective, initial: Float64Array, maxIterations?: number): MinimizationResult {
  return bundle.conjugateGradient(f, initial, maxIterations === undefined ? {} : { maxIterations });
}
