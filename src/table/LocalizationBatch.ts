/**
 * The localizations of one frame, struct of arrays, in the table's units: positions in nm from
 * the image's top-left corner (design.md §2), photons after the camera model. Element i of
 * every array belongs to localization i. Batches are fresh per frame: a subscriber may keep them.
 */
export interface LocalizationBatch {
  /** Frame number, 1-based (the first TIFF page is frame 1). */
  readonly frame: number;
  /** Number of localizations (fits, all statuses). */
  readonly count: number;
  /** x, nm from the left edge of the image. */
  readonly x: Float64Array;
  /** y, nm from the top edge of the image. */
  readonly y: Float64Array;
  /** PSF σ (fitted or fixed), nm. */
  readonly sigma: Float64Array;
  /** N: expected photons of the whole PSF. */
  readonly intensity: Float64Array;
  /** Background b, photons per pixel. */
  readonly offset: Float64Array;
  /** Standard deviation of the fit residuals, photons. */
  readonly bkgstd: Float64Array;
  /** Lateral uncertainty √((CRLBx + CRLBy)/2), nm. */
  readonly uncertainty: Float64Array;
  /** √CRLB of x, nm. */
  readonly uncertaintyX: Float64Array;
  /** √CRLB of y, nm. */
  readonly uncertaintyY: Float64Array;
  /** ℓ(θ̂) of the fit. */
  readonly logLikelihood: Float64Array;
  /** Solver iterations. */
  readonly iterations: Uint16Array;
  /** Fit status code (0 = converged, see FitStatus). */
  readonly status: Uint8Array;
  /** 1 when the fit started from the previous frame's localization (warm start). */
  readonly warmStart: Uint8Array;
  /** Emitters of the fit's model: 1 for a single fit, K for one of a multi-emitter fit's K. */
  readonly emitters: Uint8Array;
  /** 3-D runs only: depth z (nm), √CRLB of z (nm), σ along x and along y at z (nm). */
  readonly z?: Float64Array;
  readonly uncertaintyZ?: Float64Array;
  readonly sigma1?: Float64Array;
  readonly sigma2?: Float64Array;
}

/**
 * Allocate a batch of `count` localizations of frame `frame` (1-based).
 * @param frame - frame number, 1-based
 * @param count - number of localizations
 */
export function createLocalizationBatch(frame: number, count: number): LocalizationBatch {
  const f64 = () => new Float64Array(count);
  return {
    frame,
    count,
    x: f64(),
    y: f64(),
    sigma: f64(),
    intensity: f64(),
    offset: f64(),
    bkgstd: f64(),
    uncertainty: f64(),
    uncertaintyX: f64(),
    uncertaintyY: f64(),
    logLikelihood: f64(),
    iterations: new Uint16Array(count),
    status: new Uint8Array(count),
    warmStart: new Uint8Array(count),
    emitters: new Uint8Array(count),
  };
}
