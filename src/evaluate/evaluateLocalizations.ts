import { matchPoints } from './matchPoints.js';
import type { PointTable } from './PointTable.js';

/** Detection and precision figures of localizations against the truth. */
export interface Evaluation {
  /** Matching tolerance, nm. */
  toleranceNm: number;
  truth: number;
  found: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** TP / (TP + FP + FN). */
  jaccard: number;
  /** TP / truth. */
  recall: number;
  /** TP / found. */
  precision: number;
  /** √mean(Δx² + Δy²) over matches, nm. */
  rmseLateralNm: number;
  /** √mean(Δx²), √mean(Δy²), nm. */
  rmseXNm: number;
  rmseYNm: number;
  /** mean(found − truth) in x and y, nm. */
  biasXNm: number;
  biasYNm: number;
}

/** The matched pairs behind an {@link Evaluation} (row indices into each table). */
export interface MatchedPairs {
  truth: number[];
  found: number[];
}

/**
 * Match localizations to the truth frame by frame (optimal assignment within `toleranceNm`,
 * default 250 nm as in the EPFL SMLM challenge) and compute Jaccard, recall, precision, RMSE
 * and bias.
 *
 * @param truth - true positions
 * @param found - localizations
 * @param toleranceNm - matching distance @default 250
 * @returns the figures and the matched pairs
 */
export function evaluateLocalizations(truth: PointTable, found: PointTable, toleranceNm = 250): { evaluation: Evaluation; pairs: MatchedPairs } {
  const pairs: MatchedPairs = { truth: [], found: [] };
  let t0 = 0;
  let f0 = 0;
  while (t0 < truth.frame.length || f0 < found.frame.length) {
    const frame = Math.min(truth.frame[t0] ?? Infinity, found.frame[f0] ?? Infinity);
    let t1 = t0;
    while (t1 < truth.frame.length && truth.frame[t1] === frame) t1++;
    let f1 = f0;
    while (f1 < found.frame.length && found.frame[f1] === frame) f1++;
    if (t1 > t0 && f1 > f0) {
      const m = matchPoints(truth.x.subarray(t0, t1), truth.y.subarray(t0, t1), found.x.subarray(f0, f1), found.y.subarray(f0, f1), toleranceNm);
      for (let k = 0; k < m.truth.length; k++) {
        pairs.truth.push(t0 + m.truth[k]);
        pairs.found.push(f0 + m.found[k]);
      }
    }
    t0 = t1;
    f0 = f1;
  }
  const tp = pairs.truth.length;
  let sx = 0, sy = 0, sxx = 0, syy = 0;
  for (let k = 0; k < tp; k++) {
    const dx = found.x[pairs.found[k]] - truth.x[pairs.truth[k]];
    const dy = found.y[pairs.found[k]] - truth.y[pairs.truth[k]];
    sx += dx;
    sy += dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const nTruth = truth.frame.length;
  const nFound = found.frame.length;
  const evaluation: Evaluation = {
    toleranceNm,
    truth: nTruth,
    found: nFound,
    truePositives: tp,
    falsePositives: nFound - tp,
    falseNegatives: nTruth - tp,
    jaccard: tp / (nTruth + nFound - tp),
    recall: tp / nTruth,
    precision: nFound > 0 ? tp / nFound : Number.NaN,
    rmseLateralNm: Math.sqrt((sxx + syy) / tp),
    rmseXNm: Math.sqrt(sxx / tp),
    rmseYNm: Math.sqrt(syy / tp),
    biasXNm: sx / tp,
    biasYNm: sy / tp,
  };
  return { evaluation, pairs };
}
