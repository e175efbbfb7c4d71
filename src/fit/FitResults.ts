/**
 * Struct-of-arrays outputs of a batch of patch fits; element i belongs to patch i.
 * Positions are in px of the patch (pixel column i covers [i, i+1)); `uncertainty*` are the
 * square roots of the Cramér–Rao lower bounds from the Fisher information at θ̂.
 */
export interface FitResults {
  /** Number of fits the arrays hold. */
  readonly count: number;
  /** x̂ (column axis), px in the patch. */
  readonly x: Float64Array;
  /** ŷ (row axis), px in the patch. */
  readonly y: Float64Array;
  /** N̂: expected photons of the whole PSF. */
  readonly photons: Float64Array;
  /** b̂: background, photons/px. */
  readonly background: Float64Array;
  /** σ̂ (or the fixed σ), px. */
  readonly sigma: Float64Array;
  /** √CRLB of x, px. */
  readonly uncertaintyX: Float64Array;
  /** √CRLB of y, px. */
  readonly uncertaintyY: Float64Array;
  /** √CRLB of N, photons. */
  readonly uncertaintyPhotons: Float64Array;
  /** √CRLB of b, photons/px. */
  readonly uncertaintyBackground: Float64Array;
  /** √CRLB of σ, px (NaN when σ is fixed). */
  readonly uncertaintySigma: Float64Array;
  /** ℓ(θ̂) = Σ n log μ − μ (constants dropped). */
  readonly logLikelihood: Float64Array;
  /** Standard deviation of the fit residuals n − μ̂ over the patch, photons (CSV `bkgstd`). */
  readonly residualStd: Float64Array;
  /**
   * Pearson's χ² of the fit, Σ (n − μ̂)² / μ̂ over the patch (with the camera's shift in n and μ):
   * about χ²(box² − parameters) for a patch the model describes, larger when it holds more
   * than one spot. Divide by the noise scale F²/QE for an EMCCD.
   */
  readonly chiSquare: Float64Array;
  /** 3-D fits: ẑ, nm (unused in 2-D). */
  readonly z: Float64Array;
  /** 3-D fits: √(CRLB_z · noise scale + the calibration's z model error²), nm. */
  readonly uncertaintyZ: Float64Array;
  /** 3-D fits: the PSF's widths σx, σy at θ̂, nm. */
  readonly sigma1: Float64Array;
  readonly sigma2: Float64Array;
  /** Iterations used (Newton: passes that moved θ; conjugate gradient: objective evaluations). */
  readonly iterations: Uint16Array;
  /** {@link FitStatus} code. */
  readonly status: Uint8Array;
  /** 1 when the fit started from the given start value (warm start), 0 from the automatic guess. */
  readonly warmStart: Uint8Array;
}

/**
 * Allocate outputs for `count` fits (once per batch size; reuse them).
 *
 * @param count - number of fits
 * @returns zero-filled arrays
 */
export function createFitResults(count: number): FitResults {
  const f64 = () => new Float64Array(count);
  return {
    count,
    x: f64(),
    y: f64(),
    photons: f64(),
    background: f64(),
    sigma: f64(),
    uncertaintyX: f64(),
    uncertaintyY: f64(),
    uncertaintyPhotons: f64(),
    uncertaintyBackground: f64(),
    uncertaintySigma: f64(),
    logLikelihood: f64(),
    residualStd: f64(),
    chiSquare: f64(),
    z: f64(),
    uncertaintyZ: f64(),
    sigma1: f64(),
    sigma2: f64(),
    iterations: new Uint16Array(count),
    status: new Uint8Array(count),
    warmStart: new Uint8Array(count),
  };
}

/**
 * Start values per patch (warm starts), struct of arrays. A patch whose `x` is NaN gets the
 * automatic guess from its pixels instead.
 */
export interface FitStartValues {
  /** x start, px in the patch; NaN = no start value for this patch. */
  readonly x: Float64Array;
  /** y start, px in the patch. */
  readonly y: Float64Array;
  /** N start, photons. */
  readonly photons: Float64Array;
  /** b start, photons/px. */
  readonly background: Float64Array;
  /** σ start, px (used when σ is fitted; omit to start from the configured σ). */
  readonly sigma?: Float64Array;
}
