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

  /** @param toleranceNm - matching distance, nm */
  constructor(toleranceNm: number) {
    this.toleranceNm = toleranceNm;
  }

  /**
   * Match the true and found points of one frame and add their pairs.
   * @param tx - true x of the frame (nm)
   * @param ty - true y (nm)
   * @param fx - found x of the frame (nm)
   * @param fy - found y (nm)
   * @returns the frame's pairs (indices into the frame's points)
   */
  addFrame(tx: ArrayLike<number>, ty: ArrayLike<number>, fx: ArrayLike<number>, fy: ArrayLike<number>): Matches {
    const m = matchPoints(tx, ty, fx, fy, this.toleranceNm);
    for (let k = 0; k < m.truth.length; k++) {
      const dx = fx[m.found[k]] - tx[m.truth[k]];
      const dy = fy[m.found[k]] - ty[m.truth[k]];
      this.sx += dx;
      this.sy += dy;
      this.sxx += dx * dx;
      this.syy += dy * dy;
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
    };
  }
}
