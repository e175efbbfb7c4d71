import type { FitResults } from './FitResults.js';
import { lateralScaleAt } from './lateralScaleAt.js';
import { zModelErrorAt } from './zModelErrorAt.js';
import type { ZModelErrorTable } from './zModelErrorAt.js';

/**
 * A 3-D row's uncertainties from its fit's CRLB, at the row's fitted depth `rows.z[i]` (issue 26):
 * the one formula of every 3-D row, a single fit (PatchDepths), an emitter of a multi-emitter
 * window (CrowdingResolver) or of a split pair (DepthRefits). uncertainty_x = κ_x(z)·√CRLB_x and
 * uncertainty_y = κ_y(z)·√CRLB_y ({@link lateralScaleAt}: 1 without the calibration's table);
 * uncertainty_z = √(CRLB_z² + m²) with m = {@link zModelErrorAt}(z, `zModelErrorNm`, `table`,
 * √CRLB_z), so uncertainty_z² = e² + κ²·CRLB_z² with the table's model error e and scale κ, else
 * CRLB_z² + the table's (or the calibration's one) error².
 * @param rows - the rows; z of row `i` already written
 * @param i - the row
 * @param crlbX - √CRLB of x with the camera's noise scale, px
 * @param crlbY - √CRLB of y with the camera's noise scale, px
 * @param crlbZNm - √CRLB of z with the camera's noise scale, nm
 * @param zModelErrorNm - the calibration's one z model error, nm (without a table by depth)
 * @param table - the calibration's error by depth, if it has one
 */
export function storeDepthUncertainties(rows: FitResults, i: number, crlbX: number, crlbY: number, crlbZNm: number, zModelErrorNm: number, table: ZModelErrorTable | undefined): void {
  const z = rows.z[i];
  rows.uncertaintyX[i] = crlbX * lateralScaleAt(z, table, 0);
  rows.uncertaintyY[i] = crlbY * lateralScaleAt(z, table, 1);
  const model = zModelErrorAt(z, zModelErrorNm, table, crlbZNm);
  rows.uncertaintyZ[i] = Math.sqrt(crlbZNm * crlbZNm + model * model);
}
