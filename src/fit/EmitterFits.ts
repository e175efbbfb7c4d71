import type { ResidualPeak } from './residualPeak.js';

/**
 * The joint fit of K emitters on one background in a square window, as the one model selection
 * ({@link EmitterSelector}) drives it, whatever the PSF model: the 2-D Gaussian
 * ({@link MultiEmitterFit}) or a 3-D model with its own z per emitter ({@link DepthEmitterFits}).
 * θ = (θ₁, …, θ_K, b), each emitter's {@link perEmitter} parameters starting x, y (px in the
 * window), N (photons), then the model's own (z, nm, for a 3-D model).
 */
export interface EmitterFits {
  /** Window width, px. */
  readonly box: number;
  /** Parameters of one emitter: 3 (x, y, N) in 2-D, 4 (x, y, N, z) in 3-D. */
  readonly perEmitter: number;
  /** θ: the start of {@link fit}, θ̂ after it; perEmitter·K + 1 values in use. */
  readonly theta: Float64Array;
  /** √CRLB of each parameter after {@link bound}, in θ's order (before any noise scale). */
  readonly crlb: Float64Array;
  /** ℓ(θ̂) of the last fit. */
  readonly logLikelihood: number;
  /** Iterations of the last fit. */
  readonly iterations: number;
  /**
   * Fit K emitters from the start in {@link theta}.
   * @param sigma - the PSF σ, px (2-D; a 3-D model's widths come from z)
   * @returns a status code (fitConstants.ts)
   */
  fit(data: Float64Array, at: number, emitters: number, sigma: number, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number;
  /** The CRLB at the θ last fitted or refreshed, into {@link crlb}; false when the information is singular. */
  bound(emitters: number, data: Float64Array, at: number, shift?: Float64Array): boolean;
  /** Evaluate the model of θ (K emitters) again, so that the residual is θ's. @returns ℓ(θ) */
  refresh(data: Float64Array, at: number, emitters: number, sigma: number, shift?: Float64Array): number;
  /** The standard deviation of n − μ over the window for the model last evaluated, photons. */
  residualStd(data: Float64Array, at: number): number;
  /** The 3×3-smoothed residual's maximum for the model last evaluated ({@link residualPeak}). */
  residualPeak(data: Float64Array, at: number): ResidualPeak;
  /**
   * The start of emitter `e`'s own parameters after x, y, N (z of a 3-D model), from the residual
   * of emitters 0 … e − 1 and the background (θ's of the (e + 1)-emitter model, already placed).
   * Absent where an emitter has no more parameters (2-D).
   */
  startOwn?(data: Float64Array, at: number, e: number, shift: Float64Array | undefined): void;
  /**
   * Whether the first emitter's trial fit, when it does not converge in the trial's share of the
   * iterations, goes on from where it stopped to the full limit before the window is given up (a
   * 3-D fit of two spots as one wanders in z). @default false (2-D: as the kernel's selection)
   */
  readonly continueFirst?: boolean;
  /**
   * Whether an emitter centred outside the window (by less than LEAVE_PATCH_PX: the fit stops
   * beyond) counts as plausible: a neighbour whose light reaches into the window is then held in
   * the model instead of ending the selection, and is reported by its own window (the crowding
   * resolver keeps only emitters σ/2 inside). Measured in 2-D (docs/guides/crowded-spots.md: a
   * pair 250 nm apart with a third spot at the window's edge was found as two in 45 % of windows,
   * 97 % with it). @default false (3-D: as its kernel's selection)
   */
  readonly neighboursOutside?: boolean;
  /** Whether emitter e of the K-emitter θ̂ is plausible beyond lying in the window (a 3-D one's z inside its range). */
  plausibleOwn?(emitters: number, e: number): boolean;
}
