import { SPLINE_COEFFICIENTS } from './SplinePsf.js';
import type { SplinePsf } from './SplinePsf.js';
import { naturalSecondDerivatives } from './naturalSecondDerivatives.js';

/** How the 1-D cubic of each axis is made from the samples. */
export type SplineMethod = 'natural' | 'catmull-rom';

/** Options of {@link buildSpline}. */
export interface BuildSplineOptions {
  /** Depth of the first sample plane, nm. @default −(nz − 1)·dzNm/2 (z = 0 at the middle plane) */
  readonly zStartNm?: number;
  /** The emitter's position in sample coordinates, px. @default (nx − 1)/2, (ny − 1)/2 */
  readonly centerXPx?: number;
  readonly centerYPx?: number;
  /**
   * 'natural': the interpolating cubic spline with zero second derivative at both ends, C²
   * (Picasso 0.11); 'catmull-rom': the cubic Hermite of the values and their central differences
   * (one-sided at the ends), C¹ — the tricubic interpolation of Lekien & Marsden (2005) from
   * finite-difference derivatives, as SMAP builds it. @default 'natural'
   */
  readonly method?: SplineMethod;
}

/**
 * The per-interval coefficients c0…c3 (f(i + t) = Σ c_p·t^p, t ∈ [0, 1]) of the 1-D cubic
 * through `n` samples read at `src[at + q·stride]`, into `out[(i·4 + p)]`; `m` is scratch of n.
 */
function lineCoefficients(method: SplineMethod, src: Float64Array, at: number, stride: number, n: number, out: Float64Array, m: Float64Array, c: Float64Array): void {
  const f = (q: number): number => src[at + q * stride];
  if (n === 1) {
    out[0] = f(0);
    return;
  }
  if (method === 'natural') {
    // Second derivatives M of the natural spline (M₀ = M_{n−1} = 0).
    naturalSecondDerivatives(src, at, stride, n, m, c);
    for (let i = 0; i < n - 1; i++) {
      const f0 = f(i), f1 = f(i + 1), m0 = m[i], m1 = m[i + 1];
      out[i * 4] = f0;
      out[i * 4 + 1] = f1 - f0 - (2 * m0 + m1) / 6;
      out[i * 4 + 2] = m0 / 2;
      out[i * 4 + 3] = (m1 - m0) / 6;
    }
    return;
  }
  // Catmull-Rom: slopes by central differences, ghosts at the ends extrapolated linearly.
  for (let i = 0; i < n - 1; i++) {
    const f0 = f(i), f1 = f(i + 1);
    const fm = i > 0 ? f(i - 1) : 2 * f0 - f1;
    const f2 = i + 2 < n ? f(i + 2) : 2 * f1 - f0;
    const d0 = (f1 - fm) / 2;
    const d1 = (f2 - f0) / 2;
    out[i * 4] = f0;
    out[i * 4 + 1] = d0;
    out[i * 4 + 2] = 3 * (f1 - f0) - 2 * d0 - d1;
    out[i * 4 + 3] = 2 * (f0 - f1) + d0 + d1;
  }
}

/**
 * The tricubic spline of a PSF sampled on a voxel grid (Li et al., Nat. Methods 15:367, 2018):
 * the tensor product of one 1-D interpolating cubic per axis ({@link BuildSplineOptions.method}),
 * so the spline passes through every sample and its x, y, z derivatives are continuous. The
 * samples are pixel values (the PSF integrated over each camera pixel, the pixel grid at 1 px,
 * planes every `dzNm`): a fit reads the spline at pixel centres. Built separably, x then y then z.
 * @param volume - samples, `volume[(iz·ny + iy)·nx + ix]` (planes of rows of columns, as a TIFF
 *   stack's frames), photons per pixel normalised as the caller wishes (a fit's N is in its units)
 * @param nx - samples along x (columns), ≥ 2
 * @param ny - samples along y (rows), ≥ 2
 * @param nz - sample planes, ≥ 2
 * @param dzNm - depth step between planes, nm (non-zero; negative where z falls with the plane)
 * @param options - z of the first plane, the emitter's sample position, the 1-D method
 * @returns the spline, 64 coefficients per voxel ({@link SplinePsf}'s layout)
 * @throws RangeError where a size is below 2, the volume's length is not nx·ny·nz, dzNm is 0 or
 *   not finite, or a sample is not finite
 */
export function buildSpline(volume: Float32Array | Float64Array, nx: number, ny: number, nz: number, dzNm: number, options: BuildSplineOptions = {}): SplinePsf {
  for (const [name, n] of [['nx', nx], ['ny', ny], ['nz', nz]] as const) {
    if (!Number.isInteger(n) || n < 2) throw new RangeError(`buildSpline: ${name} must be an integer ≥ 2 (got ${n})`);
  }
  if (volume.length !== nx * ny * nz) throw new RangeError(`buildSpline: the volume holds ${volume.length} samples, not nx·ny·nz = ${nx * ny * nz}`);
  if (!(Number.isFinite(dzNm) && dzNm !== 0)) throw new RangeError(`buildSpline: dzNm must be finite and non-zero (got ${dzNm})`);
  for (let i = 0; i < volume.length; i++) if (!Number.isFinite(volume[i])) throw new RangeError(`buildSpline: sample ${i} is not finite`);
  const method = options.method ?? 'natural';
  const vx = nx - 1, vy = ny - 1, vz = nz - 1;
  const longest = Math.max(nx, ny, nz);
  const m = new Float64Array(longest);
  const c = new Float64Array(longest);
  const line = new Float64Array(4 * longest);
  const src = Float64Array.from(volume);
  // Along x: a[z][y][ix][px] (4 powers of dx per interval).
  const ax = new Float64Array(nz * ny * vx * 4);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      lineCoefficients(method, src, (z * ny + y) * nx, 1, nx, line, m, c);
      ax.set(line.subarray(0, vx * 4), ((z * ny + y) * vx) * 4);
    }
  }
  // Along y, for each x interval and x power: a[z][iy][ix][py·4 + px].
  const axy = new Float64Array(nz * vy * vx * 16);
  for (let z = 0; z < nz; z++) {
    for (let ix = 0; ix < vx; ix++) {
      for (let px = 0; px < 4; px++) {
        lineCoefficients(method, ax, ((z * ny) * vx + ix) * 4 + px, vx * 4, ny, line, m, c);
        for (let iy = 0; iy < vy; iy++) {
          for (let py = 0; py < 4; py++) axy[((z * vy + iy) * vx + ix) * 16 + py * 4 + px] = line[iy * 4 + py];
        }
      }
    }
  }
  // Along z, for each (x, y) interval and power pair: a[iz][iy][ix][pz·16 + py·4 + px].
  const coefficients = new Float64Array(vz * vy * vx * SPLINE_COEFFICIENTS);
  const plane = vy * vx * 16;
  for (let iy = 0; iy < vy; iy++) {
    for (let ix = 0; ix < vx; ix++) {
      for (let pxy = 0; pxy < 16; pxy++) {
        lineCoefficients(method, axy, (iy * vx + ix) * 16 + pxy, plane, nz, line, m, c);
        for (let iz = 0; iz < vz; iz++) {
          const voxel = ((iz * vy + iy) * vx + ix) * SPLINE_COEFFICIENTS;
          for (let pz = 0; pz < 4; pz++) coefficients[voxel + pz * 16 + pxy] = line[iz * 4 + pz];
        }
      }
    }
  }
  return {
    voxelsX: vx,
    voxelsY: vy,
    voxelsZ: vz,
    zStartNm: options.zStartNm ?? (-vz * dzNm) / 2,
    dzNm,
    centerXPx: options.centerXPx ?? vx / 2,
    centerYPx: options.centerYPx ?? vy / 2,
    coefficients,
  };
}
