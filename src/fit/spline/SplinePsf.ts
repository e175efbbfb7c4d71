import { SPLINE_COEFFICIENTS } from '../fitConstants.js';

/** Coefficients per voxel of a tricubic spline: 4 powers along each of x, y, z (fitConstants.ts, which the kernel reads too). */
export { SPLINE_COEFFICIENTS };

/**
 * A PSF measured on a voxel grid as a tricubic spline (Li et al., Nat. Methods 15:367, 2018;
 * docs/design.md §8): the samples are the pixel values (photons, normalised) an emitter puts
 * in the camera pixels about it, at depths `zStartNm + iz·dzNm`; between samples, in voxel
 * (ix, iy, iz) at fractional offsets (dx, dy, dz) ∈ [0, 1]³,
 *
 *     PSF = Σ_{i,j,k=0..3} a_ijk · dx^i · dy^j · dz^k.
 *
 * Sample coordinates: u (columns, x), v (rows, y), w (planes, z), each from 0 at the first
 * sample to `voxelsX` (`voxelsY`, `voxelsZ`) at the last; sample (u, v) is the pixel whose
 * centre lies (u − centerXPx, v − centerYPx) px from the emitter, and plane w is depth
 * `zStartNm + w·dzNm` (dzNm may be negative: Picasso's stacks count z down from the first frame).
 *
 * Coefficient layout: voxel (ix, iy, iz) at `((iz·voxelsY + iy)·voxelsX + ix)·64`, and in it
 * a_ijk at `i + 4·j + 16·k` (x power fastest): the buffer order of Picasso 0.11 / Gpuspline
 * ((niz, niy, nix, zp, yp, xp) with their first data axis as x).
 */
export interface SplinePsf {
  /** Voxels along x (columns): samples − 1. */
  readonly voxelsX: number;
  /** Voxels along y (rows): samples − 1. */
  readonly voxelsY: number;
  /** Voxels along z (planes): samples − 1. */
  readonly voxelsZ: number;
  /** Depth of sample plane 0, nm. */
  readonly zStartNm: number;
  /** Depth step between sample planes, nm (non-zero; negative where z falls with the plane). */
  readonly dzNm: number;
  /** The emitter's position in sample coordinates, px: u, v of the pixel centre on it. */
  readonly centerXPx: number;
  readonly centerYPx: number;
  /**
   * 64 coefficients per voxel, laid out as above: float64 from buildSpline (continuous across
   * voxels to rounding), float32 as files store them (steps of ~1e-7 relative at voxel faces,
   * far below any photon noise).
   */
  readonly coefficients: Float32Array | Float64Array;
}

/** The depths a spline covers, nm, low to high. */
export function splineZRangeNm(spline: SplinePsf): [number, number] {
  const a = spline.zStartNm;
  const b = spline.zStartNm + spline.voxelsZ * spline.dzNm;
  return a <= b ? [a, b] : [b, a];
}
