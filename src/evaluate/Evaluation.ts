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
