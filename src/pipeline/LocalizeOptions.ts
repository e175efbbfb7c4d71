import type { CameraModel, CameraOptions } from '../camera/CameraModel.js';
import { resolveCamera } from '../camera/CameraModel.js';
import type { DetectOptions, ResolvedDetectOptions } from '../detect/SpotDetector.js';
import { resolveDetectOptions } from '../detect/SpotDetector.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { ResolvedFitOptions } from '../fit/FitOptions.js';
import { resolveFitOptions } from '../fit/FitOptions.js';
import { defaultBox } from '../patches/extractPatches.js';

/** Options of the localization pipeline. Resolve once with {@link resolveLocalizeOptions}. */
export interface LocalizeOptions {
  /**
   * Camera: pixel size (nm), base level (ADU), photoelectrons per ADU, EM gain, QE. The pixel
   * size may be left out when the stack's metadata gives it.
   */
  camera?: Partial<CameraOptions>;
  /** PSF standard deviation, nm. @default 130 */
  psfSigmaNm?: number;
  /** Patch width, px (odd). @default 2⌈2σ⌉ + 1, at least 5 (σ in px) */
  box?: number;
  /** Detector: threshold multiplier and minimum candidate distance. */
  detect?: DetectOptions;
  /** Fit σ as a fifth parameter. @default false */
  fitSigma?: boolean;
  /** Solver iteration limit. @default 50 */
  maxIterations?: number;
  /** Start a fit from the previous frame's localization within 1 px. @default true */
  warmStart?: boolean;
  /**
   * Frames are processed in chunks of this many (frame index / chunk), one chunk per worker at a
   * time; warm starts do not cross a chunk boundary, with any number of workers, so the output
   * does not depend on the worker count. @default 64
   */
  chunkFrames?: number;
}

/** Every pipeline option resolved and checked (what the sidecar records). */
export interface ResolvedLocalizeOptions {
  readonly camera: CameraModel;
  readonly psfSigmaNm: number;
  readonly psfSigmaPx: number;
  readonly box: number;
  readonly detect: ResolvedDetectOptions;
  readonly fit: ResolvedFitOptions;
  readonly warmStart: boolean;
  readonly chunkFrames: number;
}

/**
 * Resolve pipeline options, filling defaults; the pixel size comes from the options or else
 * from the stack's metadata.
 * @param options - the caller's options
 * @param metadataPixelSizeNm - pixel size the stack's metadata gives, if any
 * @throws InvalidOptionError naming the option for impossible values or a missing pixel size
 */
export function resolveLocalizeOptions(options: LocalizeOptions, metadataPixelSizeNm?: number): ResolvedLocalizeOptions {
  const pixelSizeNm = options.camera?.pixelSizeNm ?? metadataPixelSizeNm;
  if (pixelSizeNm === undefined) {
    throw new InvalidOptionError('the pixel size is not in the file\'s metadata: give it (--pixel-size NM, or camera.pixelSizeNm)');
  }
  const camera = resolveCamera({ ...options.camera, pixelSizeNm });
  const psfSigmaNm = options.psfSigmaNm ?? 130;
  if (!(psfSigmaNm > 0 && Number.isFinite(psfSigmaNm))) throw new InvalidOptionError(`PSF sigma must be > 0 nm, got ${psfSigmaNm}`);
  const psfSigmaPx = psfSigmaNm / pixelSizeNm;
  const box = options.box ?? defaultBox(psfSigmaPx);
  const fit = resolveFitOptions({ box, sigmaPx: psfSigmaPx, fitSigma: options.fitSigma ?? false, maxIterations: options.maxIterations });
  return {
    camera,
    psfSigmaNm,
    psfSigmaPx,
    box,
    detect: resolveDetectOptions(options.detect),
    fit,
    warmStart: options.warmStart ?? true,
    chunkFrames: chunkFrames(options.chunkFrames),
  };
}

function chunkFrames(value: number | undefined): number {
  const chunk = value ?? 64;
  if (!(Number.isInteger(chunk) && chunk >= 1)) throw new InvalidOptionError(`chunkFrames must be a whole number ≥ 1, got ${chunk}`);
  return chunk;
}
