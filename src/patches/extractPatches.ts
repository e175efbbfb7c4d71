import type { Candidates } from '../detect/Candidates.js';
import type { FrameCamera, PhotonConversion } from '../camera/CameraModel.js';
import { PHOTONS } from '../camera/CameraModel.js';
import type { PixelArray } from '../io/Frame.js';

/** The narrowest patch {@link defaultBox} gives, px. */
export const MIN_DEFAULT_BOX_PX = 5;

/**
 * The patch width for a PSF: 2⌈2σ⌉ + 1 px, at least {@link MIN_DEFAULT_BOX_PX} (5×5 for σ ≈ 1 px,
 * 7×7 for σ = 1.3 px).
 * @param sigmaPx - PSF σ, px
 */
export function defaultBox(sigmaPx: number): number {
  return Math.max(MIN_DEFAULT_BOX_PX, 2 * Math.ceil(2 * sigmaPx) + 1);
}

/** Where {@link extractPatches} writes, caller-owned and reused. */
export interface PatchOutputs {
  /** box² photons per patch, back to back (at least candidates.count · box²). */
  readonly patches: Float64Array;
  /** First column and row of each window. */
  readonly originColumn: Int32Array;
  readonly originRow: Int32Array;
  /** 1 for each patch holding a saturated pixel, else 0. @default not written */
  readonly saturated?: Uint8Array;
  /**
   * The camera's shift s (photons) of each patch pixel, laid out as `patches`, for the
   * shifted-Poisson fit ({@link FrameCamera}). @default not written
   */
  readonly shift?: Float64Array;
}

/**
 * Cut a box×box window around each candidate into one contiguous buffer (patch p at
 * `patches[p·box²…]`), recording each window's top-left pixel. Windows of spots near the border
 * are shifted inwards, never dropped: the spot is then off-centre in its patch, which the fit
 * handles.
 *
 * @param image - the frame, row-major: photons, or ADU when `camera` is given
 * @param width - frame width, px (≥ box)
 * @param height - frame height, px (≥ box)
 * @param candidates - spot candidates
 * @param box - patch width, px
 * @param out - patches, origins, and optionally the saturation flags and the shifts
 * @param camera - converts ADU to photons, (ADU − baselineAdu) · photonsPerAduNet or per pixel
 *   with maps (docs/design.md §2), in f64, pixel by pixel; with a {@link FrameCamera}, also the
 *   shifts @default none (the image is in photons)
 * @param saturation - pixels at or above this value (in the image's units) are saturated
 *   @default +∞ (none)
 */
export function extractPatches(
  image: PixelArray,
  width: number,
  height: number,
  candidates: Candidates,
  box: number,
  out: PatchOutputs,
  camera: PhotonConversion | FrameCamera = PHOTONS,
  saturation = Number.POSITIVE_INFINITY,
): void {
  const { patches, originColumn, originRow, saturated, shift } = out;
  const baseline = camera.baselineAdu;
  const factor = camera.photonsPerAduNet;
  const { offsetMap, factorMap } = camera;
  const shiftMap = 'shiftMap' in camera ? camera.shiftMap : undefined;
  const shiftPhotons = 'shiftPhotons' in camera ? camera.shiftPhotons : 0;
  const half = box >> 1;
  const maxColumn = width - box;
  const maxRow = height - box;
  const area = box * box;
  for (let p = 0; p < candidates.count; p++) {
    let c0 = candidates.column[p] - half;
    let r0 = candidates.row[p] - half;
    c0 = c0 < 0 ? 0 : c0 > maxColumn ? maxColumn : c0;
    r0 = r0 < 0 ? 0 : r0 > maxRow ? maxRow : r0;
    originColumn[p] = c0;
    originRow[p] = r0;
    let k = p * area;
    let clipped = 0;
    for (let r = 0; r < box; r++) {
      const base = (r0 + r) * width + c0;
      for (let c = 0; c < box; c++, k++) {
        const i = base + c;
        const v = image[i];
        if (v >= saturation) clipped = 1;
        patches[k] = offsetMap && factorMap ? (v - offsetMap[i]) * factorMap[i] : (v - baseline) * factor;
        if (shift) shift[k] = shiftMap ? shiftMap[i] : shiftPhotons;
      }
    }
    if (saturated) saturated[p] = clipped;
  }
}
