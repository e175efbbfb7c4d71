import { WasmSplineFit } from '../fit/WasmSplineFit.js';
import { STATUS_CONVERGED } from '../fit/fitConstants.js';
import { FIT_DEFAULTS } from '../fit/FitOptions.js';
import type { SplinePsf } from '../fit/spline/SplinePsf.js';

/** Where a bead sits in its windows and how much of each window is fitted. */
export interface BeadDepthWindows {
  /** Photons, `[(frame·window + row)·window + column]`, frames back to back. */
  readonly pixels: Float32Array | Float64Array;
  /** Index of the bead's first pixel in `pixels`. */
  readonly offset: number;
  /** Frames. */
  readonly frames: number;
  /** The windows' side, px. */
  readonly window: number;
  /**
   * The side of the central part fitted, px: it must lie inside the spline's samples, one pixel
   * short of them at least (a pixel on or beyond the last sample reads 0).
   */
  readonly box: number;
  /** The emitter in window coordinates (pixel centres on integers), px: column, row. */
  readonly x: number;
  readonly y: number;
}

/** The fit's iteration limit and tolerance: localize's defaults. */
const BEAD_FIT = { maxIterations: FIT_DEFAULTS.maxIterations, tolerance: FIT_DEFAULTS.tolerance } as const;

/**
 * The depth of a fixed bead in each frame of its z-stack by the full spline fit, as localize
 * fits a spot: Poisson MLE of (x, y, z, N, b) through the spline ({@link WasmSplineFit}, the kernel,
 * its ranked z starts), x, y started at the bead's registered position and free, N and b
 * started from the window's sum and its border's mean. What calibrate-psf's leave-one-bead-out
 * reports: a bead's z as a run would localize it, lateral freedom included (a 1-D search with
 * x, y held fixed hides the x–z coupling of an asymmetric PSF).
 * @param spline - the PSF (its samples 1 camera px apart)
 * @param bead - the bead's windows, position and fitted part (odd `box`)
 * @param zNm - out: the depth of each frame, nm (NaN where the fit did not converge)
 * @param crlbZNm - out, where given: the fit's √CRLB of z in each frame, nm (Poisson counts; NaN
 *   where the fit did not converge)
 * @param lateral - out, where given: per frame, x and y less the bead's position and the fit's
 *   √CRLB of x and y, px (`[4k … 4k + 3]`; NaN where the fit did not converge)
 */
export function fitBeadSplines(spline: SplinePsf, bead: BeadDepthWindows, zNm: Float64Array, crlbZNm?: Float64Array, lateral?: Float64Array): void {
  const { box, window, frames } = bead;
  const first = (window - box) >> 1;
  const fit = new WasmSplineFit(box, spline, 1);
  const data = new Float64Array(box * box);
  // The fit's patch has pixel edges on integers (centres at +½), the window its centres.
  const start = { x: bead.x - first + 0.5, y: bead.y - first + 0.5, photons: 0, background: 0 };
  for (let k = 0; k < frames; k++) {
    const at = bead.offset + k * window * window;
    let total = 0, edge = 0, edges = 0;
    for (let r = 0; r < box; r++) {
      for (let c = 0; c < box; c++) {
        const v = (data[r * box + c] = bead.pixels[at + (first + r) * window + first + c]);
        total += v;
        if (r === 0 || c === 0 || r === box - 1 || c === box - 1) {
          edge += v;
          edges++;
        }
      }
    }
    const background = Math.max(1e-3, edge / edges);
    start.photons = Math.max(1, total - background * box * box);
    start.background = background;
    const status = total > 0 ? fit.fit(data, 0, start, BEAD_FIT) : -1;
    zNm[k] = status === STATUS_CONVERGED ? fit.theta[4] : Number.NaN;
    if (crlbZNm) crlbZNm[k] = status === STATUS_CONVERGED ? fit.crlb[4] : Number.NaN;
    if (lateral) {
      const ok = status === STATUS_CONVERGED;
      lateral[4 * k] = ok ? fit.theta[0] - start.x : Number.NaN;
      lateral[4 * k + 1] = ok ? fit.theta[1] - start.y : Number.NaN;
      lateral[4 * k + 2] = ok ? fit.crlb[0] : Number.NaN;
      lateral[4 * k + 3] = ok ? fit.crlb[1] : Number.NaN;
    }
  }
}
