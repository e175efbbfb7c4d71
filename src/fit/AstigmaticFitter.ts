/**
 * What the pipeline needs of a 3-D fit, whichever engine runs it ({@link AstigmaticFit} in
 * JavaScript, {@link WasmAstigmaticFit} in the fit kernel). After {@link fit}, the fields
 * describe its result.
 */
export interface AstigmaticFitter {
  /**
   * Fit one patch.
   * @param data - photons; the patch at `data[at … at + box² − 1]`, row-major
   * @param start - x, y (px in the patch), N (photons), b (photons/px)
   * @param options - iteration limit, tolerance (px; z in pixel units), the camera's shift of each pixel (laid out as `data`)
   * @returns a status code (fitConstants.ts)
   */
  fit(data: Float64Array, at: number, start: { x: number; y: number; photons: number; background: number }, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number;
  /** θ̂: x, y (px in the patch), N, b, z (nm). */
  readonly theta: Float64Array;
  /** √CRLB of each parameter, before the camera's noise scale. */
  readonly crlb: Float64Array;
  /** σx, σy at θ̂, nm. */
  readonly sigmaXNm: number;
  readonly sigmaYNm: number;
  readonly logLikelihood: number;
  readonly iterations: number;
  /** The standard deviation of n − μ over the patch at θ̂, photons. */
  residualStd(data: Float64Array, at: number): number;
}
