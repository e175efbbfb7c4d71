import { STATUS_BAD_DATA, STATUS_CONVERGED, STATUS_DUPLICATE, STATUS_LEFT_PATCH, STATUS_MAX_ITERATIONS, STATUS_SATURATED, STATUS_SINGULAR, STATUS_Z_RANGE } from './fitConstants.js';

/**
 * Outcome of one patch fit, stored per fit as a small integer (Gpufit's named fit states).
 * A fit never throws for numeric reasons; it reports one of these instead. Codes 0–4 come from
 * the solver; `saturated` is set by the pipeline, which knows the camera.
 */
export const FitStatus = {
  /** The step fell below the tolerance: θ̂ is a maximum of the likelihood. */
  converged: STATUS_CONVERGED,
  /** The iteration limit was reached before the step fell below the tolerance. */
  maxIterations: STATUS_MAX_ITERATIONS,
  /** The position left the patch by more than 1 px; the spot is not in this patch. */
  leftPatch: STATUS_LEFT_PATCH,
  /** The patch holds NaN or infinite values, or no positive signal at all: nothing was fitted. */
  badData: STATUS_BAD_DATA,
  /** The Fisher information at θ̂ is singular: no CRLB (the spot is degenerate, e.g. N → 0). */
  singular: STATUS_SINGULAR,
  /**
   * The patch holds a saturated pixel (at or above the camera's saturation level): the counts
   * there are clipped, so N̂ and the CRLB are wrong whatever the solver did.
   */
  saturated: STATUS_SATURATED,
  /** A 3-D fit's z ended at the edge of the calibrated range (the spot lies beyond it). */
  zOutOfRange: STATUS_Z_RANGE,
  /**
   * The fit converged onto the emitter another fit of the same frame found, within their
   * uncertainties (two candidates on one spot); the other fit, the more precise, is kept.
   */
  duplicate: STATUS_DUPLICATE,
} as const;

/** One of the values of {@link FitStatus}. */
export type FitStatusCode = (typeof FitStatus)[keyof typeof FitStatus];

/** Each status in words, by code (CSV documentation, summaries). */
export const FIT_STATUS_WORDS: Readonly<Record<FitStatusCode, string>> = {
  [FitStatus.converged]: 'converged',
  [FitStatus.maxIterations]: 'max iterations',
  [FitStatus.leftPatch]: 'left patch',
  [FitStatus.badData]: 'bad data',
  [FitStatus.singular]: 'singular',
  [FitStatus.saturated]: 'saturated',
  [FitStatus.zOutOfRange]: 'z out of range',
  [FitStatus.duplicate]: 'duplicate',
};
