import { SPLINE_COEFFICIENTS, SPLINE_LOBE_FRACTION, SPLINE_LOBE_MIN_PX, SPLINE_SCAN_LOBES, SPLINE_Z_SCAN_STARTS } from '../fitConstants.js';
import type { SplinePsf } from './SplinePsf.js';

/**
 * The plane of scan start `s` (of {@link SPLINE_Z_SCAN_STARTS}): spread evenly over the spline's
 * planes (the middle of each of as many equal parts).
 */
export function scanPlane(s: number, voxelsZ: number): number {
  return Math.min(voxelsZ - 1, Math.floor(((s + 0.5) * voxelsZ) / SPLINE_Z_SCAN_STARTS));
}

/**
 * The lobes of each scanned plane of a spline PSF, for the fit's lobe starts
 * ({@link SPLINE_SCAN_LOBES}): on plane {@link scanPlane}(s)'s samples (each voxel's first
 * coefficient, the sample at its corner; the last row and column, which no voxel starts, left
 * out), the local maxima (≥ each of the 8 neighbours, > 0) of at least SPLINE_LOBE_FRACTION of the
 * plane's largest sample and at least SPLINE_LOBE_MIN_PX from the emitter's sample, the brightest
 * first (ties: the first in row-major order). The kernel's splineConfigure computes the same.
 * @param spline - the PSF
 * @returns offsets, px, of the lobe from the emitter, (dx, dy) at `2·(SPLINE_SCAN_LOBES·s + j)`
 *   for lobe j of scan start s; NaN where the plane has fewer lobes
 */
export function scanLobes(spline: SplinePsf): Float64Array {
  const { voxelsX: vx, voxelsY: vy, voxelsZ: vz, coefficients, centerXPx: cx, centerYPx: cy } = spline;
  const out = new Float64Array(2 * SPLINE_SCAN_LOBES * SPLINE_Z_SCAN_STARTS).fill(Number.NaN);
  const value = new Float64Array(SPLINE_SCAN_LOBES);
  const sample = (ix: number, iy: number, iz: number) => coefficients[((iz * vy + iy) * vx + ix) * SPLINE_COEFFICIENTS];
  for (let s = 0; s < SPLINE_Z_SCAN_STARTS; s++) {
    const iz = scanPlane(s, vz);
    let peak = 0;
    for (let iy = 0; iy < vy; iy++) for (let ix = 0; ix < vx; ix++) peak = Math.max(peak, sample(ix, iy, iz));
    value.fill(0);
    for (let iy = 1; iy < vy - 1; iy++) {
      for (let ix = 1; ix < vx - 1; ix++) {
        const v = sample(ix, iy, iz);
        if (!(v > 0 && v >= SPLINE_LOBE_FRACTION * peak)) continue;
        const dx = ix - cx, dy = iy - cy;
        if (Math.sqrt(dx * dx + dy * dy) < SPLINE_LOBE_MIN_PX) continue;
        let isMaximum = true;
        for (let b = -1; b <= 1 && isMaximum; b++) for (let a = -1; a <= 1; a++) if ((a !== 0 || b !== 0) && sample(ix + a, iy + b, iz) > v) { isMaximum = false; break; }
        if (!isMaximum) continue;
        // Insert by value, brightest first (a later equal value goes after).
        let j = SPLINE_SCAN_LOBES;
        while (j > 0 && v > value[j - 1]) j--;
        if (j >= SPLINE_SCAN_LOBES) continue;
        for (let k = SPLINE_SCAN_LOBES - 1; k > j; k--) {
          value[k] = value[k - 1];
          out[2 * (SPLINE_SCAN_LOBES * s + k)] = out[2 * (SPLINE_SCAN_LOBES * s + k - 1)];
          out[2 * (SPLINE_SCAN_LOBES * s + k) + 1] = out[2 * (SPLINE_SCAN_LOBES * s + k - 1) + 1];
        }
        value[j] = v;
        out[2 * (SPLINE_SCAN_LOBES * s + j)] = dx;
        out[2 * (SPLINE_SCAN_LOBES * s + j) + 1] = dy;
      }
    }
  }
  return out;
}
