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
  /**
   * √mean(Δz²) over the matches whose truth and localization both have a finite z, nm; present
   * only where both tables have a z column (matching stays lateral, as the EPFL challenge's).
   */
  rmseZNm?: number;
  /** mean(found − truth) in z over the same matches, nm. */
  biasZNm?: number;
  /** Share of those matches with |Δz| above `zOutlierNm` (0–1). */
  zOutliers?: number;
  /** The |Δz| beyond which a match counts in `zOutliers`, nm. */
  zOutlierNm?: number;
  /** Matches with a z on both sides (the count behind the z figures). */
  zPairs?: number;
}
