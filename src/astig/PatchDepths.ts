import type { FitResults } from '../fit/FitResults.js';
import type { ResolvedFitOptions } from '../fit/FitOptions.js';
import { FitStatus } from '../fit/FitStatus.js';
import { unconvergedStart } from '../fit/unconvergedStart.js';
import type { AstigmaticFitter } from '../fit/AstigmaticFitter.js';
import { storeDepthUncertainties } from '../fit/storeDepthUncertainties.js';
import type { ZModelErrorTable } from '../fit/zModelErrorAt.js';

/**
 * The 3-D fit of a frame's patches: each patch fitted again for (x, y, N, b, z) through the
 * calibration's defocus curves or spline (the fitter's), from its 2-D fit (or the patch's centre when that failed). The
 * 2-D results are overwritten with the 3-D ones (σ = √(σxσy)), the depth columns (z, its
 * uncertainty, σx and σy in nm) written to the same rows.
 */
export class PatchDepths {
  /** The calibration's z model error, nm: added in quadrature to every uncertainty_z (without a table by depth). */
  /** The calibration's z model error, nm (without a table by depth). */
  readonly zModelErrorNm: number;
  private readonly start = { x: 0, y: 0, photons: 0, background: 0 };
  /** The solver's options of one fit (scratch). */
  private readonly solver: { maxIterations: number; tolerance: number; shift: Float64Array | undefined } = { maxIterations: 0, tolerance: 0, shift: undefined };

  /**
   * @param fitter - the 3-D fit (the engine factory's)
   * @param options - the resolved fit options (box, iteration limit, tolerance, noise scale)
   * @param zModelErrorNm - the calibration's z model error, nm (zModelErrorNm of an astigmatic one, a spline's own)
   * @param pixelSizeNm - the camera's pixel size, nm
   * @param zModelErrorByDepth - the model error by depth, where the calibration has one (it then
   *   replaces zModelErrorNm at each fitted z: {@link storeDepthUncertainties})
   */
  constructor(
    private readonly fitter: AstigmaticFitter,
    private readonly options: ResolvedFitOptions,
    zModelErrorNm: number,
    readonly pixelSizeNm: number,
    readonly zModelErrorByDepth?: ZModelErrorTable,
  ) {
    this.zModelErrorNm = zModelErrorNm;
  }

  /**
   * Fit every patch for z, into `single` (x, y, N, b, σ, uncertainties, status, and z, its
   * uncertainty, σx, σy).
   * @param patches - photons; patch p at `patches[p·box² …]`, row-major
   * @param saturated - per patch, nonzero when it holds a clipped pixel (not fitted: status saturated)
   * @param single - the 2-D fits, overwritten
   * @param n - patches
   * @param shift - the camera's shift of each pixel, laid out as the patches, if any
   */
  fit(patches: Float64Array, saturated: Uint8Array, single: FitResults, n: number, shift: Float64Array | undefined): void {
    const { box } = this.options;
    const area = box * box;
    const start = this.start;
    for (let p = 0; p < n; p++) {
      // From the 2-D fit, or the patch's centre when that failed.
      if (single.status[p] === FitStatus.converged) {
        start.x = single.x[p];
        start.y = single.y[p];
        start.photons = single.photons[p];
        start.background = single.background[p];
      } else unconvergedStart(start, box / 2, box / 2, single.background[p]);
      if (saturated[p]) this.store(patches, p * area, FitStatus.saturated, single, p);
      else this.fitRow(patches, p * area, start, shift, single, p);
    }
  }

  /**
   * Fit one patch for z from a lateral start and write the 3-D fit into row `row` of `out`
   * (x, y px in the patch, N, b, σ, uncertainties, status, z, its uncertainty, σx, σy). The row's
   * warmStart and uncertaintySigma are not written (they stay what `out` held).
   * @param data - photons; the patch (box px) at `data[at…]`, row-major
   * @param at - the patch's first value in `data` (an index, not a patch number)
   * @param start - x, y (px in the patch), N (photons), b (photons/px)
   * @param shift - the camera's shift of each pixel (and any known background), laid out as `data`
   * @param out - the fit results written to (any length above `row`)
   * @param row - the row of `out` written
   * @returns the fit's status (a FitStatus code; the row is written whatever it is)
   */
  fitRow(data: Float64Array, at: number, start: { x: number; y: number; photons: number; background: number }, shift: Float64Array | undefined, out: FitResults, row: number): number {
    const solver = this.solver;
    solver.maxIterations = this.options.maxIterations;
    solver.tolerance = this.options.tolerance;
    solver.shift = shift;
    const status = this.fitter.fit(data, at, start, solver);
    this.store(data, at, status, out, row);
    return status;
  }

  /**
   * Row `row`'s x, y and z uncertainties from its fit's √CRLB, at its depth `out.z[row]` (already
   * written), by the calibration's tables as every 3-D row's ({@link storeDepthUncertainties}).
   * @param out - the rows; `out.z[row]` already written
   * @param row - the row written
   * @param crlbX - √CRLB of x with the camera's noise scale, px
   * @param crlbY - √CRLB of y with the camera's noise scale, px
   * @param crlbZ - √CRLB of z with the camera's noise scale, nm
   */
  storeUncertainties(out: FitResults, row: number, crlbX: number, crlbY: number, crlbZ: number): void {
    storeDepthUncertainties(out, row, crlbX, crlbY, crlbZ, this.zModelErrorNm, this.zModelErrorByDepth);
  }

  /** The fitter's last result (its θ̂, CRLB, ℓ) with `status` into row `row` of `out`. */
  private store(data: Float64Array, at: number, status: number, out: FitResults, row: number): void {
    const fit = this.fitter;
    const scale = Math.sqrt(this.options.noiseScale);
    const t = fit.theta;
    out.status[row] = status;
    out.x[row] = t[0];
    out.y[row] = t[1];
    out.photons[row] = t[2];
    out.background[row] = t[3];
    out.sigma[row] = Math.sqrt(fit.sigmaXNm * fit.sigmaYNm) / this.pixelSizeNm;
    out.uncertaintyPhotons[row] = fit.crlb[2] * scale;
    out.uncertaintyBackground[row] = fit.crlb[3] * scale;
    out.logLikelihood[row] = fit.logLikelihood;
    out.residualStd[row] = fit.residualStd(data, at);
    out.iterations[row] = fit.iterations;
    out.chiSquare[row] = Number.NaN;
    out.z[row] = t[4];
    // The CRLB × how far a spot's fit spreads beyond it at this depth (κ_x, κ_y), z's with the model error.
    this.storeUncertainties(out, row, fit.crlb[0] * scale, fit.crlb[1] * scale, fit.crlb[4] * scale);
    out.sigma1[row] = fit.sigmaXNm;
    out.sigma2[row] = fit.sigmaYNm;
  }
}
