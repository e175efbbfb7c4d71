import type { FitResults } from '../fit/FitResults.js';
import type { ResolvedFitOptions } from '../fit/FitOptions.js';
import { FitStatus } from '../fit/FitStatus.js';
import { unconvergedStart } from '../fit/unconvergedStart.js';
import type { AstigmaticFitter } from '../fit/AstigmaticFitter.js';
import { lateralScaleAt } from '../fit/lateralScaleAt.js';
import { zModelErrorAt } from '../fit/zModelErrorAt.js';
import type { ZModelErrorTable } from '../fit/zModelErrorAt.js';

/**
 * The 3-D fit of a frame's patches: each patch fitted again for (x, y, N, b, z) through the
 * calibration's defocus curves or spline (the fitter's), from its 2-D fit (or the patch's centre when that failed). The
 * 2-D results are overwritten with the 3-D ones (σ = √(σxσy)), the depth columns (z, its
 * uncertainty, σx and σy in nm) written to the same rows.
 */
export class PatchDepths {
  /** The calibration's z model error, nm: added in quadrature to every uncertainty_z (without a table by depth). */
  private readonly zModelErrorNm: number;
  private readonly start = { x: 0, y: 0, photons: 0, background: 0 };

  /**
   * @param fitter - the 3-D fit (the engine factory's)
   * @param options - the resolved fit options (box, iteration limit, tolerance, noise scale)
   * @param zModelErrorNm - the calibration's z model error, nm (zModelErrorNm of an astigmatic one, a spline's own)
   * @param pixelSizeNm - the camera's pixel size, nm
   * @param zModelErrorByDepth - the model error by depth, where the calibration has one (it then
   *   replaces zModelErrorNm at each fitted z: {@link zModelErrorAt})
   */
  constructor(
    private readonly fitter: AstigmaticFitter,
    private readonly options: ResolvedFitOptions,
    zModelErrorNm: number,
    private readonly pixelSizeNm: number,
    private readonly zModelErrorByDepth?: ZModelErrorTable,
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
    const fit = this.fitter;
    const { box, maxIterations, tolerance, noiseScale } = this.options;
    const area = box * box;
    const scale = Math.sqrt(noiseScale);
    const pixel = this.pixelSizeNm;
    const solver = { maxIterations, tolerance, shift };
    const start = this.start;
    for (let p = 0; p < n; p++) {
      // From the 2-D fit, or the patch's centre when that failed.
      const converged = single.status[p] === FitStatus.converged;
      if (converged) {
        start.x = single.x[p];
        start.y = single.y[p];
        start.photons = single.photons[p];
        start.background = single.background[p];
      } else unconvergedStart(start, box / 2, box / 2, single.background[p]);
      const status = saturated[p] ? FitStatus.saturated : fit.fit(patches, p * area, start, solver);
      const t = fit.theta;
      single.status[p] = status;
      single.x[p] = t[0];
      single.y[p] = t[1];
      single.photons[p] = t[2];
      single.background[p] = t[3];
      single.sigma[p] = Math.sqrt(fit.sigmaXNm * fit.sigmaYNm) / pixel;
      // The CRLB × how far a spot's fit spreads beyond it at this depth (the calibration's κ_x, κ_y).
      single.uncertaintyX[p] = fit.crlb[0] * scale * lateralScaleAt(t[4], this.zModelErrorByDepth, 0);
      single.uncertaintyY[p] = fit.crlb[1] * scale * lateralScaleAt(t[4], this.zModelErrorByDepth, 1);
      single.uncertaintyPhotons[p] = fit.crlb[2] * scale;
      single.uncertaintyBackground[p] = fit.crlb[3] * scale;
      single.logLikelihood[p] = fit.logLikelihood;
      single.residualStd[p] = fit.residualStd(patches, p * area);
      single.iterations[p] = fit.iterations;
      single.chiSquare[p] = Number.NaN;
      single.z[p] = t[4];
      // √(CRLB + the calibration's model error²): photon noise and what the curves get wrong.
      const crlbZ = fit.crlb[4] * scale;
      const model = zModelErrorAt(t[4], this.zModelErrorNm, this.zModelErrorByDepth, crlbZ);
      single.uncertaintyZ[p] = Math.sqrt(crlbZ * crlbZ + model * model);
      single.sigma1[p] = fit.sigmaXNm;
      single.sigma2[p] = fit.sigmaYNm;
    }
  }
}
