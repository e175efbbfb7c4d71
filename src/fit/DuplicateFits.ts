import { FitStatus } from './FitStatus.js';
import type { FitResults } from './FitResults.js';

/**
 * Largest normalised distance, in combined standard deviations, between two converged fits of
 * one frame that are taken for one emitter: D² = Σ Δ² / (u_a² + u_b²) over x, y (and z in 3-D),
 * u the fits' √CRLB. Two fits of one spot from two candidates share its photons, so they land
 * far closer than their uncertainties (storm-analysis's double-helix movie: 0.1 nm apart at the
 * median, 0.4 nm at most, against u ≈ 4 nm: D < 0.1); two emitters this close cannot be told
 * apart by any fit.
 */
export const DUPLICATE_DISTANCE = 1;

/**
 * {@link DUPLICATE_DISTANCE} for 3-D fits (x, y and z): 3, about χ²₃'s 97 % quantile for two
 * independent fits of one emitter (two fits of one spot share its photons: closer still). Two
 * windows of one wide 3-D spot (a defocused ring detected on two lobes, an astigmatic spot on both
 * ends) each cut it differently and their fits land 1–2.3 combined standard deviations apart:
 * on isolated pupil spots (NA 1.4 into water, test/bench/splineVsGaussian.ts --optics na14) 205
 * such pairs within 200 nm, 0 within D ≤ 1 (those were marked), 192 within 2, 203 within 3; each
 * counted as a false positive.
 */
export const DUPLICATE_DISTANCE_DEPTH = 3;

/** The rows of one frame's fits, positions in px of each row's patch (its origin added). */
export interface FrameFits {
  readonly rows: FitResults;
  readonly originColumn: Int32Array;
  readonly originRow: Int32Array;
  readonly count: number;
}

/**
 * Marks the fits of one frame that converged onto an emitter another fit of the frame already
 * found (status {@link FitStatus.duplicate}), keeping the more precise of each such pair (the
 * smaller u_x² + u_y²; the earlier row on a tie). Two candidates reach one spot when it is wider
 * or of another shape than the detection filter expects — a double helix's two lobes, a wide
 * defocused spot, a bright spot's wing — and both windows' fits converge onto it. Only converged
 * rows are compared; rows sorted by x and swept within the largest reach, so a frame costs
 * O(n log n). Scratch grows once to the largest frame; nothing is allocated per row.
 */
export class DuplicateFits {
  private order = new Int32Array(0);
  private key = new Float64Array(0);
  private readonly byKey = (a: number, b: number): number => this.key[a] - this.key[b] || a - b;

  /**
   * Mark the duplicates among `fits` (in place, in `fits.rows.status`).
   * @param fits - the frame's rows
   * @param depth - 3-D rows: z (nm) and its uncertainty enter the distance too
   * @returns how many rows were marked
   */
  mark(fits: FrameFits, depth: boolean): number {
    const { rows: r, originColumn, originRow, count } = fits;
    if (this.order.length < count) {
      this.order = new Int32Array(Math.max(64, 2 * count));
      this.key = new Float64Array(this.order.length);
    }
    const order = this.order;
    const key = this.key;
    let n = 0;
    let widest = 0;
    for (let p = 0; p < count; p++) {
      if (r.status[p] !== FitStatus.converged) continue;
      key[p] = originColumn[p] + r.x[p];
      order[n++] = p;
      if (r.uncertaintyX[p] > widest) widest = r.uncertaintyX[p];
    }
    if (n < 2) return 0;
    order.subarray(0, n).sort(this.byKey);
    // |Δx| ≤ D·√(u_a² + u_b²) ≤ D·√2·max u.
    const distance = depth ? DUPLICATE_DISTANCE_DEPTH : DUPLICATE_DISTANCE;
    const reach = distance * Math.SQRT2 * widest;
    const limit = distance * distance;
    let marked = 0;
    for (let i = 0; i < n; i++) {
      const a = order[i];
      if (r.status[a] !== FitStatus.converged) continue;
      const xa = key[a];
      const ya = originRow[a] + r.y[a];
      for (let j = i + 1; j < n; j++) {
        const b = order[j];
        const dx = key[b] - xa;
        if (dx > reach) break;
        if (r.status[b] !== FitStatus.converged) continue;
        const dy = originRow[b] + r.y[b] - ya;
        let d2 = (dx * dx) / (r.uncertaintyX[a] ** 2 + r.uncertaintyX[b] ** 2) + (dy * dy) / (r.uncertaintyY[a] ** 2 + r.uncertaintyY[b] ** 2);
        if (depth) d2 += (r.z[b] - r.z[a]) ** 2 / (r.uncertaintyZ[a] ** 2 + r.uncertaintyZ[b] ** 2);
        if (!(d2 <= limit)) continue;
        const ua = r.uncertaintyX[a] ** 2 + r.uncertaintyY[a] ** 2;
        const ub = r.uncertaintyX[b] ** 2 + r.uncertaintyY[b] ** 2;
        const loser = ub < ua || (ub === ua && b < a) ? a : b;
        r.status[loser] = FitStatus.duplicate;
        marked++;
        if (loser === a) break;
      }
    }
    return marked;
  }
}
