import { interpolateSquares } from './interpolateSquares.js';

/**
 * A calibration's z model error as a function of depth (issue 26), at nodes of increasing depth
 * (calibrate-psf's 100 nm bins about the focus, from its leave-one-bead-out fits at the beads'
 * brightness and thinned to a spot's). {@link zModelErrorAt} reads it at a fitted z.
 */
export interface ZModelErrorTable {
  /** The nodes' depths, nm, increasing. */
  readonly zNm: readonly number[];
  /**
   * The error a spot's fit makes beyond its CRLB at each node, nm (≥ 0): at calibrate-psf's
   * reference spot brightness, √max(0, ⟨Δz²⟩ − ⟨CRLB²⟩); what is added where the fit's own CRLB
   * is not given (or the table has no {@link crlbScale}). In older files, the beads' RMS error.
   */
  readonly errorNm: readonly number[];
  /** The PSF model's own error at each node, nm (≥ 0), the same at any brightness; with {@link crlbScale}. */
  readonly modelErrorNm?: readonly number[];
  /** κ ≥ 1 at each node: a spot's fit spreads κ × its CRLB (the MLE is not efficient where the PSF tells little about z); with {@link modelErrorNm}. */
  readonly crlbScale?: readonly number[];
  /** κ_x, κ_y ≥ 1 at each node: a spot's x, y fit spreads κ × its CRLB ({@link lateralScaleAt}); both or neither. */
  readonly crlbScaleX?: readonly number[];
  readonly crlbScaleY?: readonly number[];
}

/**
 * The z model error at a fitted depth, nm: what adds in quadrature to the fit's √CRLB_z to give
 * uncertainty_z = √(CRLB_z² + this²). With the fit's CRLB and a table that has `modelErrorNm` and
 * `crlbScale`: √(e² + (κ² − 1)·CRLB_z²), so that uncertainty_z² = e² + κ²·CRLB_z², e² and κ²
 * interpolated linearly between the table's two nodes about `zNm` (the end node's beyond its
 * ends); else the table's `errorNm`, its variance interpolated so; `constantNm` where there is no
 * table (or an empty one) or z is not finite.
 * @param zNm - the fitted depth, nm
 * @param constantNm - the calibration's one model error, nm (used without a table)
 * @param table - the error by depth, if the calibration has one
 * @param crlbZNm - the fit's √CRLB of z, nm (NaN or omitted: `errorNm`) @default NaN
 */
export function zModelErrorAt(zNm: number, constantNm: number, table: ZModelErrorTable | undefined, crlbZNm = Number.NaN): number {
  if (table === undefined || table.zNm.length === 0 || !Number.isFinite(zNm)) return constantNm;
  const { modelErrorNm, crlbScale } = table;
  if (Number.isFinite(crlbZNm) && modelErrorNm !== undefined && crlbScale !== undefined) {
    return Math.sqrt(interpolateSquares(zNm, table.zNm, modelErrorNm) + Math.max(0, interpolateSquares(zNm, table.zNm, crlbScale) - 1) * crlbZNm * crlbZNm);
  }
  return Math.sqrt(interpolateSquares(zNm, table.zNm, table.errorNm));
}
