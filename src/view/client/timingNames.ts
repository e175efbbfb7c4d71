/**
 * The performance marks and measures of the page (`performance.getEntriesByName`): the browser
 * tests read them for the targets of issue 30 (the first frame within 1 s of opening a 256²
 * stack, the overlay within 100 ms of a change), and the frame panel shows the last overlay's.
 */
export const TIMING_NAMES = {
  /** Mark: GET /api/state answered (the page knows what is open). */
  state: 'smlm:state',
  /** Mark: the first frame of an opened stack is on the canvas. */
  firstFrame: 'smlm:first-frame',
  /** Measure: from a frame or settings change to its overlay on the canvas (current: a run's candidates). */
  overlay: 'smlm:overlay',
  /**
   * Measure: from a frame or settings change to the first overlay drawn for it, which may be
   * stale (the last background choice, while the new one is made; dimmed, marked 'stale').
   */
  overlayShown: 'smlm:overlay-shown',
} as const;
