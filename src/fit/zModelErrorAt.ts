/**
 * A calibration's z model error as a function of depth (issue 26): RMS of the errors it makes,
 * nm, at nodes of increasing depth (calibrate-psf's leave-one-bead-out error in 100 nm bins
 * about the focus). {@link zModelErrorAt} reads it at a fitted z.
 */
export interface ZModelErrorTable {
  /** The nodes' depths, nm, increasing. */
  readonly zNm: readonly number[];
  /** The model error at each node, nm (RMS, ≥ 0). */
  readonly errorNm: readonly number[];
}

/**
 * The z model error at a fitted depth, nm: the table's variance interpolated linearly between
 * its two nodes about `zNm` (σ² is what adds in quadrature to the CRLB), the end node's beyond
 * the table's ends; `constantNm` where there is no table (or an empty one) or z is not finite.
 * localize's uncertainty_z is √(CRLB_z + this²).
 * @param zNm - the fitted depth, nm
 * @param constantNm - the calibration's one model error, nm (used without a table)
 * @param table - the error by depth, if the calibration has one
 */
export function zModelErrorAt(zNm: number, constantNm: number, table: ZModelErrorTable | undefined): number {
  if (table === undefined || table.zNm.length === 0 || !Number.isFinite(zNm)) return constantNm;
  const { zNm: nodes, errorNm: error } = table;
  const last = nodes.length - 1;
  if (zNm <= nodes[0]) return error[0];
  if (zNm >= nodes[last]) return error[last];
  let k = 0;
  while (nodes[k + 1] < zNm) k++;
  const t = (zNm - nodes[k]) / (nodes[k + 1] - nodes[k]);
  return Math.sqrt((1 - t) * error[k] * error[k] + t * error[k + 1] * error[k + 1]);
}
