/**
 * What the pipeline needs of a multi-emitter model selection, whichever engine runs it
 * ({@link EmitterSelector} in JavaScript, {@link WasmEmitterSelector} in the fit kernel).
 * After {@link select}, the fields describe the chosen model.
 */
export interface EmitterSelection {
  /**
   * Choose K for one window and fit it.
   * @param data - photons of the window at `data[at…]`, row-major
   * @param at - its first pixel
   * @param start - one emitter's start (window px, photons), the background (photons/px) and,
   *   for a 3-D model, its z (nm; NaN or absent: from the window)
   * @param sigma - PSF σ, px
   * @param solver - iteration limit, position tolerance (px), the camera's shift of each pixel (laid out as `data`)
   * @returns the chosen K (0 when even one emitter does not fit)
   */
  select(data: Float64Array, at: number, start: { x: number; y: number; photons: number; background: number; z?: number }, sigma: number, solver: { maxIterations: number; tolerance: number; shift?: Float64Array }): number;
  /** Parameters of one emitter in {@link theta}: 3 (x, y, N) in 2-D, 4 (x, y, N, z) in 3-D. */
  readonly perEmitter: number;
  /** θ̂ of the chosen model: x, y (window px), N (photons) (and z, nm, in 3-D) per emitter, then b (photons/px). */
  readonly theta: Float64Array;
  /** √CRLB of each parameter, in θ's order, before the camera's noise scale. */
  readonly crlb: Float64Array;
  /** ℓ(θ̂) of the chosen model. */
  readonly logLikelihood: number;
  /** Iterations of its final fit. */
  readonly iterations: number;
  /** Standard deviation of its residual over the window, photons. */
  readonly residualStd: number;
  /** Status of its final fit (fitConstants.ts). */
  readonly status: number;
}
