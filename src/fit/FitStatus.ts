/**
 * Outcome of one patch fit, stored per fit as a small integer (Gpufit's named fit states).
 * A fit never throws for numeric reasons; it reports one of these instead. Codes 0–4 come from
 * the solver; `saturated` is set by the pipeline, which knows the camera.
 */
export const FitStatus = {
  /** The step fell below the tolerance: θ̂ is a maximum of the likelihood. */
  converged: 0,
  /** The iteration limit was reached before the step fell below the tolerance. */
  maxIterations: 1,
  /** The position left the patch by more than 1 px; the spot is not in this patch. */
  leftPatch: 2,
  /** The patch holds NaN or infinite values, or no positive signal at all: nothing was fitted. */
  badData: 3,
  /** The Fisher information at θ̂ is singular: no CRLB (the spot is degenerate, e.g. N → 0). */
  singular: 4,
  /**
   * The patch holds a saturated pixel (at or above the camera's saturation level): the counts
   * there are clipped, so N̂ and the CRLB are wrong whatever the solver did.
   */
  saturated: 5,
} as const;

/** One of the values of {@link FitStatus}. */
export type FitStatusCode = (typeof FitStatus)[keyof typeof FitStatus];

/** Each status in words, by code (CSV documentation, summaries). */
export const FIT_STATUS_WORDS: Readonly<Record<FitStatusCode, string>> = {
  0: 'converged',
  1: 'max iterations',
  2: 'left patch',
  3: 'bad data',
  4: 'singular',
  5: 'saturated',
};
