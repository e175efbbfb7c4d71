import type { Candidates } from '../detect/Candidates.js';
import type { PhotonConversion } from '../camera/CameraModel.js';
import { PHOTONS } from '../camera/CameraModel.js';
import type { PixelArray } from '../io/Frame.js';

/**
 * The patch width for a PSF: 2⌈2σ⌉ + 1 px, at least 5 (5×5 for σ ≈ 1 px, 7×7 for σ = 1.3 px).
 * @param sigmaPx - PSF σ, px
 */
export function defaultBox(sigmaPx: number): number {
  return Math.max(5, 2 * Math.ceil(2 * sigmaPx) + 1);
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
 * @param patches - output, at least candidates.count · box² long
 * @param originColumn - output: first column of each window
 * @param originRow - output: first row of each window
 * @param camera - converts ADU to photons, (ADU − baselineAdu) · photonsPerAduNet (design.md §2),
 *   in f64, pixel by pixel @default none (the image is in photons)
 * @param saturation - pixels at or above this value (in the image's units) are saturated
 *   @default +∞ (none)
 * @param saturated - output: 1 for each patch holding a saturated pixel, else 0 @default not written
 */
export function extractPatches(
  image: PixelArray,
  width: number,
  height: number,
  candidates: Candidates,
  box: number,
  patches: Float64Array,
  originColumn: Int32Array,
  originRow: Int32Array,
  camera: PhotonConversion = PHOTONS,
  saturation = Number.POSITIVE_INFINITY,
  saturated?: Uint8Array,
): void {
  const baseline = camera.baselineAdu;
  const factor = camera.photonsPerAduNet;
  const half = box >> 1;
  const maxColumn = width - box;
  const maxRow = height - box;
  for (let p = 0; p < candidates.count; p++) {
    let c0 = candidates.column[p] - half;
    let r0 = candidates.row[p] - half;
    c0 = c0 < 0 ? 0 : c0 > maxColumn ? maxColumn : c0;
    r0 = r0 < 0 ? 0 : r0 > maxRow ? maxRow : r0;
    originColumn[p] = c0;
    originRow[p] = r0;
    let k = p * box * box;
    let clipped = 0;
    for (let r = 0; r < box; r++) {
      const base = (r0 + r) * width + c0;
      for (let c = 0; c < box; c++) {
        const v = image[base + c];
        if (v >= saturation) clipped = 1;
        patches[k++] = (v - baseline) * factor;
      }
    }
    if (saturated) saturated[p] = clipped;
  }
}
