import type { Evaluation } from './Evaluation.js';
import type { Matches } from './matchPoints.js';
import { matchPoints } from './matchPoints.js';

/**
 * The running sums of an evaluation, frame by frame: each frame's points are matched
 * ({@link matchPoints}) and the position errors of its pairs added in pair order, so that
 * evaluating tables held whole or read frame by frame gives the same figures to the last bit.
 */
export class MatchTally {
  /** Matching distance, nm. */
  readonly toleranceNm: number;
  /** Pairs matched so far. */
  truePositives = 0;
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private syy = 0;
  /** Whether any frame came with z on both sides. */
  private withZ = false;
  private zPairs = 0;
  private sz = 0;
  private szz = 0;
  private zOutliers = 0;

  /**
   * @param toleranceNm - matching distance, nm
   * @param zOutlierNm - |Δz| beyond which a match is a z outlier, nm
   */
  constructor(
    toleranceNm: number,
    readonly zOutlierNm: number,
  ) {
    this.toleranceNm = toleranceNm;
  }

  /**
   * Match the true and found points of one frame and add their pairs.
   * @param tx - true x of the frame (nm)
   * @param ty - true y (nm)
   * @param fx - found x of the frame (nm)
   * @param fy - found y (nm)
   * @param tz - true z of the frame (nm), where the truth has z @default none
   * @param fz - found z (nm), where the localizations have z @default none
   * @returns the frame's pairs (indices into the frame's points)
   */
  addFrame(tx: ArrayLike<number>, ty: ArrayLike<number>, fx: ArrayLike<number>, fy: ArrayLike<number>, tz?: ArrayLike<number>, fz?: ArrayLike<number>): Matches {
    const m = matchPoints(tx, ty, fx, fy, this.toleranceNm);
    for (let k = 0; k < m.truth.length; k++) {
      const dx = fx[m.found[k]] - tx[m.truth[k]];
      const dy = fy[m.found[k]] - ty[m.truth[k]];
      this.sx += dx;
      this.sy += dy;
      this.sxx += dx * dx;
      this.syy += dy * dy;
    }
    if (tz && fz) {
      this.withZ = true;
      for (let k = 0; k < m.truth.length; k++) {
        const dz = fz[m.found[k]] - tz[m.truth[k]];
        // A row without a z (NaN: a 2-D fit in a 3-D table) is matched but not in the z figures.
        if (!Number.isFinite(dz)) continue;
        this.zPairs++;
        this.sz += dz;
        this.szz += dz * dz;
        if (Math.abs(dz) > this.zOutlierNm) this.zOutliers++;
      }
    }
    this.truePositives += m.truth.length;
    return m;
  }

  /**
   * The figures over the frames added so far.
   * @param nTruth - true points in all frames
   * @param nFound - localizations in all frames
   */
  evaluation(nTruth: number, nFound: number): Evaluation {
    const tp = this.truePositives;
    return {
      toleranceNm: this.toleranceNm,
      truth: nTruth,
      found: nFound,
      truePositives: tp,
      falsePositives: nFound - tp,
      falseNegatives: nTruth - tp,
      jaccard: tp / (nTruth + nFound - tp),
      recall: tp / nTruth,
      precision: nFound > 0 ? tp / nFound : Number.NaN,
      rmseLateralNm: Math.sqrt((this.sxx + this.syy) / tp),
      rmseXNm: Math.sqrt(this.sxx / tp),
      rmseYNm: Math.sqrt(this.syy / tp),
      biasXNm: this.sx / tp,
      biasYNm: this.sy / tp,
      ...(this.withZ && {
        rmseZNm: Math.sqrt(this.szz / this.zPairs),
        biasZNm: this.sz / this.zPairs,
        zOutliers: this.zOutliers / this.zPairs,
        zOutlierNm: this.zOutlierNm,
        zPairs: this.zPairs,
      }),
    };
  }
}
