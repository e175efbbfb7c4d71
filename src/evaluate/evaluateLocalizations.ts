import type { Evaluation } from './Evaluation.js';
import { MatchTally } from './MatchTally.js';
import type { PointTable } from './PointTable.js';
import { zColumn } from './PointTable.js';

export type { Evaluation } from './Evaluation.js';

/**
 * The defaults of an evaluation: the matching distance, nm (the EPFL SMLM challenge's), and the
 * |Δz| beyond which a 3-D match counts as a z outlier, nm.
 */
export const EVALUATE_DEFAULTS = { toleranceNm: 250, zOutlierNm: 250 } as const;

/** The matched pairs behind an {@link Evaluation} (row indices into each table, frame by frame). */
export interface MatchedPairs {
  truth: Int32Array;
  found: Int32Array;
}

/**
 * Match localizations to the truth frame by frame (optimal assignment within `toleranceNm`,
 * by default {@link EVALUATE_DEFAULTS}) and compute Jaccard, recall, precision, RMSE
 * and bias; and z's RMSE, bias and outliers where both tables have a z column ({@link zColumn}).
 *
 * @param truth - true positions
 * @param found - localizations
 * @param toleranceNm - matching distance, nm @default {@link EVALUATE_DEFAULTS}
 * @param zOutlierNm - |Δz| beyond which a match is a z outlier, nm @default {@link EVALUATE_DEFAULTS}
 * @returns the figures and the matched pairs
 */
export function evaluateLocalizations(
  truth: PointTable,
  found: PointTable,
  toleranceNm: number = EVALUATE_DEFAULTS.toleranceNm,
  zOutlierNm: number = EVALUATE_DEFAULTS.zOutlierNm,
): { evaluation: Evaluation; pairs: MatchedPairs } {
  // A point is matched at most once: the pairs fit in the smaller table's length.
  const most = Math.min(truth.frame.length, found.frame.length);
  const pairTruth = new Int32Array(most);
  const pairFound = new Int32Array(most);
  const tally = new MatchTally(toleranceNm, zOutlierNm);
  const [tz, fz] = [zColumn(truth), zColumn(found)];
  const both = tz !== undefined && fz !== undefined;
  let t0 = 0;
  let f0 = 0;
  while (t0 < truth.frame.length || f0 < found.frame.length) {
    const frame = Math.min(truth.frame[t0] ?? Infinity, found.frame[f0] ?? Infinity);
    let t1 = t0;
    while (t1 < truth.frame.length && truth.frame[t1] === frame) t1++;
    let f1 = f0;
    while (f1 < found.frame.length && found.frame[f1] === frame) f1++;
    if (t1 > t0 && f1 > f0) {
      const tp = tally.truePositives;
      const m = tally.addFrame(
        truth.x.subarray(t0, t1),
        truth.y.subarray(t0, t1),
        found.x.subarray(f0, f1),
        found.y.subarray(f0, f1),
        both ? tz.subarray(t0, t1) : undefined,
        both ? fz.subarray(f0, f1) : undefined,
      );
      for (let k = 0; k < m.truth.length; k++) {
        pairTruth[tp + k] = t0 + m.truth[k];
        pairFound[tp + k] = f0 + m.found[k];
      }
    }
    t0 = t1;
    f0 = f1;
  }
  const tp = tally.truePositives;
  return { evaluation: tally.evaluation(truth.frame.length, found.frame.length), pairs: { truth: pairTruth.subarray(0, tp), found: pairFound.subarray(0, tp) } };
}
