import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { MAX_BOX_PX, MIN_BOX_PX } from './fitConstants.js';

/** Smallest and largest patch width, px (odd values in between). */
export const BOX_RANGE_PX = [MIN_BOX_PX, MAX_BOX_PX] as const;

/** Which solver maximizes the likelihood. */
export type FitSolver = 'newton' | 'conjugate-gradient';

/** Where fits run: the WebAssembly kernel, or the JavaScript reference. */
export type FitEngine = 'wasm' | 'js';

/** Every default of the fit options, stated once (the CLI's help and the README read them here). */
export const FIT_DEFAULTS = {
  fitSigma: false,
  solver: 'newton' as FitSolver,
  maxIterations: 50,
  tolerance: 1e-4,
  maxStepPx: 1,
  /** Smallest σ when fitted, px; the largest is half the box ({@link defaultSigmaRangePx}). */
  sigmaMinPx: 0.3,
  engine: 'wasm' as FitEngine,
  noiseScale: 1,
} as const;

/**
 * The range a fitted σ is kept in by default for a box of `box` px: from
 * FIT_DEFAULTS.sigmaMinPx to half the box, px (a wider spot is not a spot of this box).
 * @param box - fitting box (or window) width, px
 * @returns [min, max] σ, px
 */
export function defaultSigmaRangePx(box: number): readonly [number, number] {
  return [FIT_DEFAULTS.sigmaMinPx, box / 2];
}

/** Options of a patch fit. Resolve once with {@link resolveFitOptions}. */
export interface FitOptions {
  /** Patch width and height in px; odd, 3–15. */
  box: number;
  /** PSF standard deviation σ in px: the fixed value, or the start value when `fitSigma`. */
  sigmaPx: number;
  /** Fit σ as a fifth parameter. @default false */
  fitSigma?: boolean;
  /** Solver. `'newton'` (damped Newton–Raphson on the cached pass) is the fast default;
   *  `'conjugate-gradient'` (fmin) is the cross-check. @default 'newton' */
  solver?: FitSolver;
  /** Iteration limit per fit. @default 50 */
  maxIterations?: number;
  /** Convergence: every step below this (px for x, y, σ; relative for N and b). @default 1e-4 */
  tolerance?: number;
  /** Largest step in x or y per iteration, px. @default 1 */
  maxStepPx?: number;
  /** Allowed range of σ when fitted, px. @default {@link defaultSigmaRangePx}(box) */
  sigmaRangePx?: readonly [number, number];
  /**
   * Where batches of Newton fits run: `'wasm'` (the WebAssembly port, same results to
   * rounding, faster) or `'js'` (the JavaScript reference). The conjugate-gradient solver always
   * runs in JavaScript. @default 'wasm'
   */
  engine?: FitEngine;
  /**
   * A pixel's variance over (μ + shift): F²/QE, the camera's excess noise (2 with an EM
   * register). The CRLB is the inverse Fisher information of that noise (docs/design.md §6);
   * the estimate does not depend on it. @default 1 (Poisson)
   */
  noiseScale?: number;
}

/** {@link FitOptions} with every default filled in and checked. */
export interface ResolvedFitOptions {
  readonly box: number;
  readonly sigmaPx: number;
  readonly fitSigma: boolean;
  readonly solver: FitSolver;
  readonly maxIterations: number;
  readonly tolerance: number;
  readonly maxStepPx: number;
  readonly sigmaMinPx: number;
  readonly sigmaMaxPx: number;
  readonly engine: FitEngine;
  readonly noiseScale: number;
}

/**
 * Fill in defaults and validate; throws a `RangeError` naming the option for impossible values
 * (this is user input, checked once at the entry point, never in the hot loop).
 *
 * @param options - the caller's options
 * @returns resolved options
 */
export function resolveFitOptions(options: FitOptions): ResolvedFitOptions {
  const { box, sigmaPx } = options;
  const [minBox, maxBox] = BOX_RANGE_PX;
  if (!Number.isInteger(box) || box < minBox || box > maxBox || box % 2 === 0) {
    throw new InvalidOptionError(`the fitting window (box) must be an odd whole number from ${minBox} to ${maxBox} px, got ${box}`, 'box');
  }
  if (!(sigmaPx > 0) || !Number.isFinite(sigmaPx)) {
    throw new InvalidOptionError(`fit option sigmaPx must be a positive number of pixels, got ${sigmaPx}`, 'sigmaPx');
  }
  const maxIterations = options.maxIterations ?? FIT_DEFAULTS.maxIterations;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new InvalidOptionError(`fit option maxIterations must be a positive integer, got ${maxIterations}`, 'maxIterations');
  }
  const tolerance = options.tolerance ?? FIT_DEFAULTS.tolerance;
  if (!(tolerance > 0)) throw new InvalidOptionError(`fit option tolerance must be > 0, got ${tolerance}`, 'tolerance');
  const maxStepPx = options.maxStepPx ?? FIT_DEFAULTS.maxStepPx;
  if (!(maxStepPx > 0)) throw new InvalidOptionError(`fit option maxStepPx must be > 0, got ${maxStepPx}`, 'maxStepPx');
  const [sigmaMinPx, sigmaMaxPx] = options.sigmaRangePx ?? defaultSigmaRangePx(box);
  if (!(sigmaMinPx > 0) || !(sigmaMaxPx > sigmaMinPx)) {
    throw new InvalidOptionError(`fit option sigmaRangePx must be [min, max] with 0 < min < max, got [${sigmaMinPx}, ${sigmaMaxPx}]`, 'sigmaRangePx');
  }
  const solver = options.solver ?? FIT_DEFAULTS.solver;
  if (solver !== 'newton' && solver !== 'conjugate-gradient') {
    throw new InvalidOptionError(`fit option solver must be 'newton' or 'conjugate-gradient', got ${String(solver)}`, 'solver');
  }
  const engine = options.engine ?? FIT_DEFAULTS.engine;
  const noiseScale = options.noiseScale ?? FIT_DEFAULTS.noiseScale;
  if (!(noiseScale > 0 && Number.isFinite(noiseScale))) throw new InvalidOptionError(`fit option noiseScale must be > 0, got ${noiseScale}`, 'noiseScale');
  if (engine !== 'wasm' && engine !== 'js') throw new InvalidOptionError(`fit option engine must be 'wasm' or 'js', got ${String(engine)}`, 'engine');
  return {
    box,
    sigmaPx,
    fitSigma: options.fitSigma ?? FIT_DEFAULTS.fitSigma,
    solver,
    maxIterations,
    tolerance,
    maxStepPx,
    sigmaMinPx,
    sigmaMaxPx,
    engine,
    noiseScale,
  };
}
