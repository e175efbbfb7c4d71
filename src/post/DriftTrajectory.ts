/** One segment of a drift estimate: its frames, its shift, and how much data it had. */
export interface DriftSegment {
  /** First and last frame, 1-based. */
  readonly firstFrame: number;
  readonly lastFrame: number;
  /** The segment's drift, nm (relative to frame 1 once the trajectory is made). */
  readonly x: number;
  readonly y: number;
  /** Localizations in the segment. */
  readonly localizations: number;
}

/** How a drift is estimated when nothing says otherwise: AIM (adaptive intersection maximization). */
export const DRIFT_DEFAULTS = { method: 'aim' } as const;

/**
 * The estimated drift of every frame, relative to frame 1 (what is subtracted from the
 * positions), with the segments it was interpolated from and its estimated precision.
 */
export interface DriftTrajectory {
  /** How it was estimated. */
  readonly method: 'aim' | 'rcc';
  /** Drift of frame f (1-based) at index f − 1, nm; frame 1's is 0. */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly segments: readonly DriftSegment[];
  /** Estimated precision of the trajectory per axis, nm (from independent halves of the data). */
  readonly precisionNm: { readonly x: number; readonly y: number };
}

/**
 * The drift of frames 1…frames interpolated from segment estimates placed at their centre
 * frames: linear between centres, the end segments' slope beyond them; then shifted so that
 * frame 1's drift is 0 (`origin`: what was subtracted).
 * @param frames - the last frame, 1-based
 * @param centres - centre frame of each segment, increasing
 * @param xs - each segment's drift in x, nm
 * @param ys - each segment's drift in y, nm
 */
export function interpolateDrift(frames: number, centres: readonly number[], xs: readonly number[], ys: readonly number[]): { x: Float64Array; y: Float64Array; origin: [number, number] } {
  const x = new Float64Array(frames);
  const y = new Float64Array(frames);
  const n = centres.length;
  for (let f = 1; f <= frames; f++) {
    if (n === 1) {
      x[f - 1] = xs[0];
      y[f - 1] = ys[0];
      continue;
    }
    let k = 0;
    while (k < n - 2 && f > centres[k + 1]) k++;
    const t = (f - centres[k]) / (centres[k + 1] - centres[k]);
    x[f - 1] = xs[k] + t * (xs[k + 1] - xs[k]);
    y[f - 1] = ys[k] + t * (ys[k + 1] - ys[k]);
  }
  const x0 = x[0];
  const y0 = y[0];
  for (let f = 0; f < frames; f++) {
    x[f] -= x0;
    y[f] -= y0;
  }
  return { x, y, origin: [x0, y0] };
}
