import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { PixelArray, SampleType } from '../io/Frame.js';

/** Every default of the camera options, stated once (ThunderSTORM's where it has them). */
export const CAMERA_DEFAULTS = {
  baselineAdu: 100,
  photonsPerAdu: 1,
  emGain: 1,
  qe: 1,
} as const;

/** Camera parameters, ThunderSTORM's names and defaults where it has them. */
export interface CameraOptions {
  /** Pixel size in the sample, nm. */
  pixelSizeNm: number;
  /** Base level (offset) added by the camera, ADU ("base level [A/D counts]"). @default 100 */
  baselineAdu?: number;
  /** Photoelectrons per A/D count. @default 1 */
  photonsPerAdu?: number;
  /** EM gain (1 for sCMOS / no EM). @default 1 */
  emGain?: number;
  /** Quantum efficiency, 0 < qe ≤ 1. @default 1 */
  qe?: number;
  /**
   * Pixels at or above this value are saturated (the fit of a spot that touches one gets the
   * status `saturated`). @default the largest value of the stack's integer sample type (65535
   * for uint16); none for float stacks
   */
  saturationAdu?: number;
}

/** {@link CameraOptions} resolved and checked, plus the factor the conversion uses. */
export interface CameraModel {
  readonly pixelSizeNm: number;
  readonly baselineAdu: number;
  readonly photonsPerAdu: number;
  readonly emGain: number;
  readonly qe: number;
  /** Saturation level, ADU; undefined: the largest value of the frame's integer sample type. */
  readonly saturationAdu: number | undefined;
  /** photons = (ADU − baseline) · photonsPerAduNet, photonsPerAduNet = photonsPerAdu / emGain / qe. */
  readonly photonsPerAduNet: number;
}

/** What converts ADU to photons: photons = (ADU − baselineAdu) · photonsPerAduNet. */
export type PhotonConversion = Pick<CameraModel, 'baselineAdu' | 'photonsPerAduNet'>;

/** The conversion of pixels that already are photons. */
export const PHOTONS: PhotonConversion = { baselineAdu: 0, photonsPerAduNet: 1 };

/**
 * Resolve camera options, rejecting impossible values with an error that names the option.
 * @param options - the caller's options
 */
export function resolveCamera(options: CameraOptions): CameraModel {
  const { pixelSizeNm } = options;
  const baselineAdu = options.baselineAdu ?? CAMERA_DEFAULTS.baselineAdu;
  const photonsPerAdu = options.photonsPerAdu ?? CAMERA_DEFAULTS.photonsPerAdu;
  const emGain = options.emGain ?? CAMERA_DEFAULTS.emGain;
  const qe = options.qe ?? CAMERA_DEFAULTS.qe;
  const { saturationAdu } = options;
  if (!(pixelSizeNm > 0 && Number.isFinite(pixelSizeNm))) throw new InvalidOptionError(`camera pixel size must be > 0 nm, got ${pixelSizeNm}`, 'camera.pixelSizeNm');
  if (!Number.isFinite(baselineAdu)) throw new InvalidOptionError(`camera base level must be a number of ADU, got ${baselineAdu}`, 'camera.baselineAdu');
  if (!(photonsPerAdu > 0 && Number.isFinite(photonsPerAdu))) throw new InvalidOptionError(`photoelectrons per A/D count must be > 0, got ${photonsPerAdu}`, 'camera.photonsPerAdu');
  if (!(emGain > 0 && Number.isFinite(emGain))) throw new InvalidOptionError(`EM gain must be > 0 (1 without EM), got ${emGain}`, 'camera.emGain');
  if (!(qe > 0 && qe <= 1)) throw new InvalidOptionError(`quantum efficiency must be in (0, 1], got ${qe}`, 'camera.qe');
  if (saturationAdu !== undefined && !(saturationAdu > baselineAdu && Number.isFinite(saturationAdu))) {
    throw new InvalidOptionError(`the saturation level must be a number of ADU above the base level (${baselineAdu} ADU), got ${saturationAdu}`, 'camera.saturationAdu');
  }
  return { pixelSizeNm, baselineAdu, photonsPerAdu, emGain, qe, saturationAdu, photonsPerAduNet: photonsPerAdu / emGain / qe };
}

/**
 * Convert a frame from ADU to photons (design.md §2): photons = (ADU − baseline) ·
 * photonsPerAdu / emGain / qe. Negative results (read noise below the base level) are kept.
 *
 * @param camera - resolved camera model (or just its conversion)
 * @param adu - the frame's pixels, any sample type
 * @param photons - output, same length (caller-owned, reused across frames)
 */
export function toPhotons(camera: PhotonConversion, adu: PixelArray, photons: Float64Array): void {
  const baseline = camera.baselineAdu;
  const factor = camera.photonsPerAduNet;
  const n = adu.length;
  for (let i = 0; i < n; i++) photons[i] = (adu[i] - baseline) * factor;
}

/**
 * The most common user mistake is a base level above the camera's real offset: most pixels then
 * come out negative. Returns a warning when more than half of the pixels of `adu` lie below the
 * base level, else undefined.
 *
 * @param camera - resolved camera model
 * @param adu - a frame's pixels (check the first frames)
 */
export function baselineWarning(camera: CameraModel, adu: PixelArray): string | undefined {
  let below = 0;
  for (let i = 0; i < adu.length; i++) if (adu[i] < camera.baselineAdu) below++;
  if (below * 2 <= adu.length) return undefined;
  const percent = Math.round((100 * below) / adu.length);
  return `the base level (${camera.baselineAdu} ADU) is above ${percent} % of the pixels of the first frame: check --baseline (the camera offset)`;
}

/** The largest value of each integer sample type: where such a camera saturates. */
const TYPE_MAXIMUM: Readonly<Record<SampleType, number>> = {
  uint8: 255,
  int8: 127,
  uint16: 65535,
  int16: 32767,
  uint32: 4294967295,
  int32: 2147483647,
  float32: Number.POSITIVE_INFINITY,
  float64: Number.POSITIVE_INFINITY,
};

/**
 * The level at which pixels count as saturated: the camera's `saturationAdu` when given, else
 * the largest value of the integer sample type (float stacks: +∞, none).
 * @param camera - resolved camera model
 * @param sampleType - the stack's sample type
 */
export function saturationLevel(camera: CameraModel, sampleType: SampleType): number {
  return camera.saturationAdu ?? TYPE_MAXIMUM[sampleType];
}
