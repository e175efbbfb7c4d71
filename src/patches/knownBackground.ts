import type { PhotonConversion } from '../camera/CameraModel.js';
import type { PixelArray } from '../io/Frame.js';

/**
 * A frame's known per-pixel background B in photons, and the frame minus it (what detection
 * looks at), from the background in the frame's own units (ADU, e.g. the temporal median):
 * B_i = (background_i − offset_i)·factor_i and residual_i = (pixel_i − background_i)·factor_i,
 * the camera's conversion (docs/design.md §2) per pixel with maps. Returns the pedestal δ of the
 * frame's fits (see `subtractKnownBackground`): its darkest background, max(0, min B) photons —
 * the level a flat-background fit's b would sit at, so the fits converge as fast as without a
 * known background (b's tolerance is relative), and the largest δ that keeps every pixel's
 * shift s + B − δ ≥ 0, so the model μ + s + B − δ stays positive whatever b does.
 *
 * The residual is scaled to the noise of a pixel of the frame's mean background B̄:
 * residual_i·√((B̄ + s + 1)/(B_i + s + 1)), so that detection's one threshold (K × the frame's
 * noise, a median over its pixels) means the same significance over a bright cell body as
 * over the dark glass beside it. Unscaled, the noise peaks over a body 20× brighter than its
 * surroundings were most of the false positives left (0.1 per frame on the test's blobs).
 *
 * @param pixels - the frame (ADU), row-major
 * @param background - its background, same units and layout
 * @param camera - the ADU → photon conversion
 * @param outPhotons - B, photons per pixel (caller-owned, ≥ the frame's pixels)
 * @param outResidual - the frame minus B, photons, scaled to the noise at B̄ (caller-owned)
 * @param shiftPhotons - the camera's typical shift s (read noise), photons @default 0
 * @returns the pedestal, photons per pixel
 */
export function knownBackground(pixels: PixelArray, background: Float32Array, camera: PhotonConversion, outPhotons: Float64Array, outResidual: Float32Array, shiftPhotons = 0): number {
  const { offsetMap, factorMap } = camera;
  const n = background.length;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  if (offsetMap && factorMap) {
    for (let i = 0; i < n; i++) {
      const f = factorMap[i];
      const b = background[i];
      const photons = (b - offsetMap[i]) * f;
      outPhotons[i] = photons;
      outResidual[i] = (pixels[i] - b) * f;
      sum += photons;
      if (photons < min) min = photons;
    }
  } else {
    // One camera for every pixel: the loop the run spends its time in.
    const baseline = camera.baselineAdu;
    const factor = camera.photonsPerAduNet;
    for (let i = 0; i < n; i++) {
      const b = background[i];
      const photons = (b - baseline) * factor;
      outPhotons[i] = photons;
      outResidual[i] = (pixels[i] - b) * factor;
      sum += photons;
      if (photons < min) min = photons;
    }
  }
  const mean = Math.max(0, sum / n);
  const reference = mean + shiftPhotons + 1;
  for (let i = 0; i < n; i++) {
    const b = outPhotons[i];
    outResidual[i] *= Math.sqrt(reference / ((b > 0 ? b : 0) + shiftPhotons + 1));
  }
  return min > 0 ? min : 0;
}
