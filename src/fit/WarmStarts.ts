import type { FitStartValues } from './FitResults.js';

/** Warm start radius, px: a candidate this close to a previous localization starts from it. */
export const WARM_RADIUS_PX = 1;

/** Localizations of one frame, in image px, sorted by x once the frame is done. */
interface FrameFits {
  count: number;
  x: Float64Array;
  y: Float64Array;
  photons: Float64Array;
  background: Float64Array;
  sigma: Float64Array;
  /** Scratch of the sort: indices, merged indices, one permuted column. */
  order: Int32Array;
  merge: Int32Array;
  column: Float64Array;
}

/**
 * Warm starts (docs/design.md §3, initial guesses): molecules stay on for several frames, so a
 * candidate within {@link WARM_RADIUS_PX} of a localization of the previous frame starts its fit
 * from that localization. Remembers the converged localizations of the last frame (sorted by x:
 * a window scan finds the neighbours) and looks the candidates of the next one up. Scratch grows
 * and is reused frame to frame; nothing is allocated per spot.
 */
export class WarmStarts {
  private previous: FrameFits = emptyFrameFits(0);
  private current: FrameFits = emptyFrameFits(0);

  /**
   * For each candidate, the previous frame's localization within 1 px of its pixel centre, in
   * its patch's coordinates. Candidates without one get NaN (the automatic guess).
   * @param n - candidates
   * @param column - each candidate's pixel column
   * @param row - each candidate's pixel row
   * @param originColumn - each candidate's patch origin, column
   * @param originRow - each candidate's patch origin, row
   * @param start - the start values to fill, element p for candidate p
   */
  find(n: number, column: Int32Array, row: Int32Array, originColumn: Int32Array, originRow: Int32Array, start: FitStartValues): void {
    const prev = this.previous;
    for (let p = 0; p < n; p++) {
      const cx = column[p] + 0.5;
      const cy = row[p] + 0.5;
      let best = -1;
      let bestD2 = WARM_RADIUS_PX * WARM_RADIUS_PX;
      // Lower bound of x ≥ cx − radius by bisection, then scan while x ≤ cx + radius.
      let lo = 0;
      let hi = prev.count;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (prev.x[mid] < cx - WARM_RADIUS_PX) lo = mid + 1;
        else hi = mid;
      }
      for (let q = lo; q < prev.count && prev.x[q] <= cx + WARM_RADIUS_PX; q++) {
        const dx = prev.x[q] - cx;
        const dy = prev.y[q] - cy;
        const d2 = dx * dx + dy * dy;
        if (d2 <= bestD2) {
          bestD2 = d2;
          best = q;
        }
      }
      if (best < 0) {
        start.x[p] = Number.NaN;
        continue;
      }
      start.x[p] = prev.x[best] - originColumn[p];
      start.y[p] = prev.y[best] - originRow[p];
      start.photons[p] = prev.photons[best];
      start.background[p] = prev.background[best];
      if (start.sigma) start.sigma[p] = prev.sigma[best];
    }
  }

  /** Start remembering a frame of at most `n` localizations. */
  begin(n: number): void {
    if (this.current.x.length < n) this.current = emptyFrameFits(2 * n);
    this.current.count = 0;
  }

  /** Remember one converged localization of the frame: position (image px), photons, background (photons/px), σ (px). */
  add(x: number, y: number, photons: number, background: number, sigma: number): void {
    const current = this.current;
    const k = current.count++;
    current.x[k] = x;
    current.y[k] = y;
    current.photons[k] = photons;
    current.background[k] = background;
    current.sigma[k] = sigma;
  }

  /** The frame's localizations become the previous frame's (sorted by x). */
  end(): void {
    sortByX(this.current);
    const swap = this.previous;
    this.previous = this.current;
    this.current = swap;
  }
}

function emptyFrameFits(capacity: number): FrameFits {
  const f = () => new Float64Array(capacity);
  return { count: 0, x: f(), y: f(), photons: f(), background: f(), sigma: f(), order: new Int32Array(0), merge: new Int32Array(0), column: new Float64Array(0) };
}

/** Below this many localizations a frame is sorted by insertion (fewer moves than merging). */
const INSERTION_MAX = 32;

/**
 * Sort the localizations by x, stably (equal x keep their order: the scan of {@link WarmStarts.find}
 * then picks the same neighbour on a tie). Insertion sort up to {@link INSERTION_MAX}; beyond, a
 * merge sort of their indices, then one permutation of the columns: an insertion sort of a
 * 2048² frame's ~2 600 localizations (in detection order, by row) moved ~1.7 million rows, 0.21 s
 * per 24 frames.
 */
function sortByX(p: FrameFits): void {
  if (p.count <= INSERTION_MAX) {
    insertionSortByX(p);
    return;
  }
  const n = p.count;
  if (p.order.length < n) {
    p.order = new Int32Array(p.x.length);
    p.merge = new Int32Array(p.x.length);
    p.column = new Float64Array(p.x.length);
  }
  let a = p.order;
  let b = p.merge;
  const x = p.x;
  for (let i = 0; i < n; i++) a[i] = i;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) b[k++] = x[a[j]] < x[a[i]] ? a[j++] : a[i++];
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    const t = a;
    a = b;
    b = t;
  }
  const column = p.column;
  for (const values of [p.x, p.y, p.photons, p.background, p.sigma]) {
    for (let i = 0; i < n; i++) column[i] = values[a[i]];
    values.set(column.subarray(0, n));
  }
}

/** Insertion sort of the localizations by x (stable). */
function insertionSortByX(p: FrameFits): void {
  for (let i = 1; i < p.count; i++) {
    const x = p.x[i], y = p.y[i], n = p.photons[i], b = p.background[i], s = p.sigma[i];
    let j = i - 1;
    while (j >= 0 && p.x[j] > x) {
      p.x[j + 1] = p.x[j];
      p.y[j + 1] = p.y[j];
      p.photons[j + 1] = p.photons[j];
      p.background[j + 1] = p.background[j];
      p.sigma[j + 1] = p.sigma[j];
      j--;
    }
    p.x[j + 1] = x;
    p.y[j + 1] = y;
    p.photons[j + 1] = n;
    p.background[j + 1] = b;
    p.sigma[j + 1] = s;
  }
}
