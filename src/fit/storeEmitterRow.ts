import type { FitResults } from './FitResults.js';
import { FitStatus } from './FitStatus.js';
import { storeDepthUncertainties } from './storeDepthUncertainties.js';
import type { ZModelErrorTable } from './zModelErrorAt.js';

/** What {@link storeEmitterRow} reads of a K-emitter fit: θ̂ = (θ₁, …, θ_K, b), its √CRLB, ℓ and iterations. */
export interface EmitterRowFit {
  readonly theta: ArrayLike<number>;
  readonly crlb: ArrayLike<number>;
  /** Parameters per emitter: x, y (px in the window), N, and z (nm) in 3-D. */
  readonly perEmitter: number;
  readonly logLikelihood: number;
  readonly iterations: number;
}

/** A 3-D fit's part of a row: the K-emitter fit's widths, the calibration's z error and table, the pixel size (nm). */
export interface EmitterRowDepths {
  readonly fits: { widthsNm(e: number, out: Float64Array): void };
  readonly zModelErrorNm: number;
  readonly zModelErrorByDepth?: ZModelErrorTable;
  readonly pixelSizeNm: number;
}

/**
 * Emitter `e` of a converged K-emitter fit as row `i` of `rows`: x, y (px in the window), N, the
 * shared background, their √CRLB times √`noiseScale`; in 3-D z, the uncertainties by the
 * calibration's tables ({@link storeDepthUncertainties}), σx, σy (nm) and σ = √(σxσy) in px; in
 * 2-D σ = `sigmaPx`. One home for an emitter's row: a crowded window's (CrowdingResolver) and a
 * split pair's (DepthRefits).
 * @param rows - the rows written
 * @param i - the row
 * @param fit - the K-emitter fit, converged
 * @param e - the emitter (0 … k − 1)
 * @param k - emitters in the fit
 * @param noiseScale - the camera's noise scale (F²/QE): the CRLB's factor
 * @param sigmaPx - the 2-D fit's σ, px (unused in 3-D)
 * @param residualStd - the fit's residual standard deviation, photons
 * @param warm - the row's warm-start flag (its candidate's)
 * @param depths - the 3-D part, or undefined in 2-D
 * @param widths - scratch of 2 values (σx, σy of the emitter, nm)
 */
export function storeEmitterRow(rows: FitResults, i: number, fit: EmitterRowFit, e: number, k: number, noiseScale: number, sigmaPx: number, residualStd: number, warm: number, depths: EmitterRowDepths | undefined, widths: Float64Array): void {
  const { theta, crlb, perEmitter: q } = fit;
  const scale = Math.sqrt(noiseScale);
  rows.x[i] = theta[q * e];
  rows.y[i] = theta[q * e + 1];
  rows.photons[i] = theta[q * e + 2];
  rows.background[i] = theta[q * k];
  rows.uncertaintyPhotons[i] = crlb[q * e + 2] * scale;
  rows.uncertaintyBackground[i] = crlb[q * k] * scale;
  if (depths) {
    depths.fits.widthsNm(e, widths);
    rows.z[i] = theta[q * e + 3];
    storeDepthUncertainties(rows, i, crlb[q * e] * scale, crlb[q * e + 1] * scale, crlb[q * e + 3] * scale, depths.zModelErrorNm, depths.zModelErrorByDepth);
    rows.sigma1[i] = widths[0];
    rows.sigma2[i] = widths[1];
    rows.sigma[i] = Math.sqrt(widths[0] * widths[1]) / depths.pixelSizeNm;
  } else {
    rows.uncertaintyX[i] = crlb[q * e] * scale;
    rows.uncertaintyY[i] = crlb[q * e + 1] * scale;
    rows.sigma[i] = sigmaPx;
  }
  rows.uncertaintySigma[i] = Number.NaN;
  rows.logLikelihood[i] = fit.logLikelihood;
  rows.residualStd[i] = residualStd;
  rows.chiSquare[i] = Number.NaN;
  rows.iterations[i] = fit.iterations;
  rows.status[i] = FitStatus.converged;
  rows.warmStart[i] = warm;
}
