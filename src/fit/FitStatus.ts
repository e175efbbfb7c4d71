/**
 * Outcome of one patch fit, stored per fit as a small integer (Gpufit's named fit states).
 * A fit never throws for numeric reasons; it reports one of these instead.
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
} as const;

/** One of the values of {@link FitStatus}. */
export type FitStatusCode = (typeof FitStatus)[keyof typeof FitStatus];
