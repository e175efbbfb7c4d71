/**
 * One parameter of a {@link PsfModel}: its name, its unit and the range a fit keeps it in.
 */
export interface PsfParameter {
  /** Short name, as in θ's documentation: `x`, `y`, `N`, `b`, `σ`, `z`. */
  readonly name: string;
  /** Unit: `px` (window pixels), `photons`, `photons/px`, `nm`. */
  readonly unit: string;
  /** Smallest value a fit keeps (−∞ where only the window limits it). */
  readonly min: number;
  /** Largest value a fit keeps (+∞ where only the window limits it). */
  readonly max: number;
  /** How a fit's start value of this parameter comes from the window, in words. */
  readonly start: string;
}

/**
 * The contract of a PSF model, after Gpufit's model / estimator / solver split: a model knows
 * its parameters and computes the mean μ of every pixel of a square window and ∂μ/∂θ there;
 * the one estimator ({@link PoissonEstimator}: Poisson / shifted Poisson, docs/design.md §3,
 * §6), the one solver ({@link FisherScoring}) and the one CRLB ({@link cramerRaoBound}) serve
 * every model, and {@link MultiEmitterModel} makes K copies of any model on one shared
 * background.
 *
 * μ = signal(θ) + b: the model's parameters hold exactly one background `b` (photons/px, at
 * {@link backgroundIndex}, ∂μ/∂b = 1) and the position x, y (px in the window, pixel column i
 * covering [i, i+1)) at indices 0 and 1. Every method writes into caller-owned typed arrays and
 * allocates nothing; a model holds the scratch of one window evaluation (made once in its
 * constructor), so {@link derivatives} reads the terms of the θ last {@link evaluate}d.
 *
 * The registry (models/psfModels.ts) lists every model with its parameters; adding one is the
 * model's file in models/, one registry entry, its constants (fitConstants.ts) and its case in
 * test/fit/PsfModel.test.ts.
 */
export interface PsfModel {
  /** The registry's name of the model. */
  readonly name: string;
  /** Window width, px (the window is box × box, row-major). */
  readonly box: number;
  /** θ's parameters in order; `parameters.length` = p. */
  readonly parameters: readonly PsfParameter[];
  /** Index of the background b in θ (the parameter a multi-emitter model shares). */
  readonly backgroundIndex: number;

  /**
   * μ of every pixel at θ into `mu[0 … box² − 1]` (row-major, photons), and the model's terms
   * at θ kept for {@link derivatives}. With `accumulate` the background is left out and the
   * signal μ − b is added to `mu` (one emitter of a sum: `mu` holds b and the emitters before).
   * @param theta - the model's parameters, `parameters.length` values
   * @param mu - receives (or accumulates) box² means
   * @param accumulate - add the signal to `mu` instead of writing signal + b
   * @returns false where θ is impossible (the model undefined there: a fit rejects it)
   */
  evaluate(theta: Float64Array, mu: Float64Array, accumulate: boolean): boolean;

  /**
   * ∂μ/∂θ of pixel `pixel` (row · box + column) at the θ last {@link evaluate}d, into `d` from
   * index `at`: all p of them in θ's order (∂μ/∂b = 1), or with `withoutBackground` the p − 1
   * others (b left out, the later ones one place earlier: one emitter of a sum).
   */
  derivatives(theta: Float64Array, pixel: number, d: Float64Array, at: number, withoutBackground: boolean): void;

  /**
   * `trial` = θ + δ kept inside the parameters' ranges and the model's step limits.
   * @returns the largest change of a position (x, y; other positions such as z in units of a
   *   pixel), px: the solver's convergence test
   */
  propose(theta: Float64Array, step: Float64Array, trial: Float64Array): number;

  /** Whether θ's position has left the window (the fit stops with STATUS_LEFT_PATCH). */
  leftWindow(theta: Float64Array): boolean;

  /**
   * A start θ from the window alone: x, y the centroid of the counts above the border's median,
   * b that median, N the sum above it; the model's other parameters as its {@link PsfParameter.start} says.
   * @param data - photons; the window at `data[at … at + box² − 1]`
   * @returns false where the window holds a non-finite value or nothing above its border
   */
  start(data: Float64Array, at: number, theta: Float64Array): boolean;
}
