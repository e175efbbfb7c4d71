import type { AstigmaticCalibration } from '../astig/AstigmaticCalibration.js';
import type { SplineCalibration } from '../astig/SplineCalibration.js';
import { splineDefaultBox } from '../astig/splineDefaultBox.js';
import { defocusSigma } from '../fit/models/DefocusCurve.js';
import type { CameraModel, CameraOptions } from '../camera/CameraModel.js';
import { resolveCamera } from '../camera/CameraModel.js';
import type { DetectOptions, ResolvedDetectOptions } from '../detect/DetectOptions.js';
import { resolveDetectOptions } from '../detect/DetectOptions.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { FitOptions, ResolvedFitOptions } from '../fit/FitOptions.js';
import { BOX_RANGE_PX, resolveFitOptions } from '../fit/FitOptions.js';
import type { MultiEmitterOptions, ResolvedMultiEmitterOptions } from '../fit/EmitterSelector.js';
import { resolveMultiEmitterOptions } from '../fit/EmitterSelector.js';
import { defaultBox } from '../patches/extractPatches.js';
import type { BackgroundOptions, ResolvedBackgroundOptions } from './BackgroundOptions.js';
import { resolveBackgroundOptions } from './BackgroundOptions.js';

/** Every default of the pipeline's own options, stated once (the CLI's help and the README read them here). */
export const LOCALIZE_DEFAULTS = {
  /**
   * Where the camera's conversion comes from ({@link CameraSource}): estimated from the first
   * frames, unless a base level, a gain or a camera map is given (then 'given').
   */
  cameraSource: 'auto' as CameraSource,
  /** The PSF σ: measured on the first frames' spots (2-D runs without `psfSigmaNm`). */
  psfSigma: 'auto' as const,
  /** The PSF σ when it is neither given nor measured (too few bright isolated spots), nm. */
  psfSigmaNm: 130,
  warmStart: true,
  /** Frames per chunk at most (and for frames of up to {@link LOCALIZE_DEFAULTS.chunkPixels} / 64 px). */
  chunkFrames: 64,
  /**
   * Pixels a chunk holds by default, 64 frames of 256×256 (16 MB as 32-bit values): larger frames
   * get fewer frames a chunk ({@link defaultChunkFrames}), so the frames in flight, the work a
   * chunk is and the default worker count are measured in pixels, not frames.
   */
  chunkPixels: 64 * 256 * 256,
} as const;

/**
 * Where a run's camera conversion (base level, gain, read noise) comes from: `'auto'`, estimated
 * from the first frames by the run's settings step (the settings given are kept, the rest
 * estimated), or `'given'`, the settings given and the defaults of the rest (checked against
 * the same estimate, with a warning when they contradict it).
 */
export type CameraSource = 'auto' | 'given';

/**
 * The camera source a run uses: the one asked for, else 'auto' unless the base level, the gain
 * (`photonsPerAdu`, or a gain map) is given ({@link LOCALIZE_DEFAULTS}.cameraSource): offset and
 * variance maps without a gain map leave the gain to the data.
 * @param options - the caller's options
 */
export function cameraSourceOf(options: LocalizeOptions): CameraSource {
  if (options.cameraSource !== undefined) {
    if (options.cameraSource !== 'auto' && options.cameraSource !== 'given') throw new InvalidOptionError(`the camera source must be auto or given, got ${String(options.cameraSource)}`, 'cameraSource');
    return options.cameraSource;
  }
  const c = options.camera ?? {};
  // Maps without a gain map (calibrate-camera without flats) leave the gain unknown: estimated.
  const gainGiven = c.photonsPerAdu !== undefined || c.maps?.gainAduPerElectron !== undefined;
  return c.baselineAdu !== undefined || gainGiven ? 'given' : LOCALIZE_DEFAULTS.cameraSource;
}

/**
 * Whether a run measures its PSF σ: when asked ('auto'), or by default in 2-D when no σ is given
 * ({@link LOCALIZE_DEFAULTS}.psfSigma). A 3-D run's widths come from its calibration.
 * @param options - the caller's options
 */
export function psfSigmaIsAuto(options: LocalizeOptions): boolean {
  return options.astigmatism === undefined && options.spline === undefined && (options.psfSigmaNm === undefined || options.psfSigmaNm === LOCALIZE_DEFAULTS.psfSigma);
}

/**
 * The fit options of a pipeline: those of {@link FitOptions} but σ, which comes from
 * `psfSigmaNm` and the pixel size, and the noise scale, which comes from the camera; `box`
 * defaults to 2⌈2σ⌉ + 1 px, at least 5 (σ in px).
 */
export type LocalizeFitOptions = Partial<Omit<FitOptions, 'sigmaPx' | 'noiseScale'>>;

/**
 * Options of the localization pipeline, each declared once: the camera's, the detector's and
 * the fit's are those modules' own options, embedded. Resolve once with
 * {@link resolveLocalizeOptions}.
 */
export interface LocalizeOptions {
  /**
   * Camera: pixel size (nm), base level (ADU), photoelectrons per ADU, EM gain, QE, saturation.
   * The pixel size may be left out when the stack's metadata gives it.
   */
  camera?: Partial<CameraOptions>;
  /**
   * Where the camera's conversion comes from (see {@link CameraSource}). The estimate is made
   * by the pipelines (`localizeStack`, `localize` on a path) before the options are resolved;
   * {@link resolveLocalizeOptions} itself takes the settings given and the defaults.
   * @default 'auto' when neither `camera.baselineAdu`, `camera.photonsPerAdu` nor a gain map
   *   is given (maps without a gain map: the gain estimated), else 'given' ({@link cameraSourceOf})
   */
  cameraSource?: CameraSource;
  /**
   * PSF standard deviation, nm, or 'auto': measured on bright isolated spots of the first
   * frames by the pipelines' settings step (estimatePsfSigma). {@link resolveLocalizeOptions}
   * takes 'auto' as the fallback, 130 nm.
   * @default 'auto' (130 nm where nothing measures it)
   */
  psfSigmaNm?: number | 'auto';
  /** Detector: threshold multiplier, minimum candidate distance, noise samples, engine. */
  detect?: DetectOptions;
  /** Fit: box, σ fitted or not, solver, iteration limit, tolerance, step limit, σ range, engine. */
  fit?: LocalizeFitOptions;
  /**
   * Multi-emitter fitting of crowded candidates (a single fit that fails a goodness-of-fit
   * test is refitted with up to `maxEmitters` emitters, kept by a likelihood-ratio test).
   * @default on, ThunderSTORM's 5 emitters and p = 1e-6 (see {@link MultiEmitterOptions})
   */
  multiEmitter?: MultiEmitterOptions;
  /**
   * 3-D: the astigmatic calibration (`calibrate-3d`'s CALIB.json, read with readCalibration):
   * every spot is fitted for (x, y, N, b, z) through its defocus curves, and the table gains
   * z, uncertainty_z, sigma1, sigma2. With {@link multiEmitter} on (the default) crowded spots
   * are fitted with several emitters, each with its own z, every converged row is refitted with
   * its neighbours' fitted models held, and (where the calibration's record says its curves
   * follow the beads, and with `maxEmitters` ≥ 2) rows much brighter than the frame's typical
   * row are tried as pairs (DepthRefits; docs/guides/crowded-spots.md). The default box grows to hold the widest spot of the calibrated range (2⌈1.5·σ_max⌉ + 1 px).
   * @default none (2-D)
   */
  astigmatism?: AstigmaticCalibration;
  /**
   * 3-D through a measured PSF: the spline calibration (`calibrate-psf`'s PSF.h5, read with
   * readSplineCalibration, or a spline built with buildSpline): every spot is fitted for
   * (x, y, N, b, z) through the spline (SplineFit, or WasmSplineFit in the kernel), and the
   * table gains z, uncertainty_z, sigma1, sigma2 (the PSF's widths over the window at the fit).
   * Exclusive with {@link astigmatism}; {@link multiEmitter} as there (a spline always counts as
   * following the beads, so bright rows may be split); the default box holds
   * the widest plane of the PSF (2⌈1.5·σ_max⌉ + 1 px, σ_max its samples' standard deviation).
   * @default none (2-D)
   */
  spline?: SplineCalibration;
  /** Start a fit from the previous frame's localization within 1 px. @default true */
  warmStart?: boolean;
  /**
   * Frames are processed in chunks of this many (frame index / chunk), one chunk per worker at a
   * time; warm starts do not cross a chunk boundary, with any number of workers, so the output
   * does not depend on the worker count. @default 64, fewer for frames over 256×256 px: about
   * 4.2 Mpx a chunk ({@link defaultChunkFrames})
   */
  chunkFrames?: number;
  /**
   * The per-pixel background: `none` (the fit's constant offset), or the temporal median of
   * each pixel over a window of frames, used in detection and as the known background of every
   * fit (see {@link BackgroundOptions}). @default none
   */
  background?: BackgroundOptions;
}

/** Every pipeline option resolved and checked (what the sidecar records). */
export interface ResolvedLocalizeOptions {
  readonly camera: CameraModel;
  readonly psfSigmaNm: number;
  readonly psfSigmaPx: number;
  readonly detect: ResolvedDetectOptions;
  /** The fit's options; `fit.box` is the patch width. */
  readonly fit: ResolvedFitOptions;
  readonly multiEmitter: ResolvedMultiEmitterOptions;
  /** The astigmatic calibration of a 3-D run; undefined in 2-D. */
  readonly astigmatism: AstigmaticCalibration | undefined;
  /** The spline calibration of a 3-D run through a measured PSF; undefined otherwise. */
  readonly spline: SplineCalibration | undefined;
  readonly warmStart: boolean;
  readonly chunkFrames: number;
  readonly background: ResolvedBackgroundOptions;
}

/** Pixel sizes outside this range (nm) are refused as implausible for a light microscope. */
export const PLAUSIBLE_PIXEL_SIZE_NM = [1, 10_000] as const;

/** What a stack's metadata says of its pixel size (see `StackMetadata`). */
export interface MetadataPixelSize {
  /** Pixel size, nm, when the file gives it. */
  readonly pixelSizeNm: number | undefined;
  /** Where the value comes from, in words (e.g. "the XResolution tag (…)"). */
  readonly pixelSizeSource?: string | undefined;
  /** The stack's (first) file, named in messages about its pixel size. */
  readonly path?: string;
  /** Frame width, px, when known (it sets the default chunk, {@link defaultChunkFrames}). */
  readonly width?: number;
  /** Frame height, px, when known. */
  readonly height?: number;
}

/**
 * The default frames per chunk for frames of `width` × `height` px: as many as hold
 * {@link LOCALIZE_DEFAULTS.chunkPixels} pixels, from 1 to {@link LOCALIZE_DEFAULTS.chunkFrames}
 * (64 frames up to 256×256 px, 16 at 512×512, 4 at 1024×1024, 1 at 2048×2048). A chunk is
 * the unit of work of a worker and of the frames in flight (2 chunks a worker), so memory and
 * the default worker count follow the pixels. Frame size unknown (a live source): the most.
 * Warm starts do not cross a chunk, so at 2048² no frame starts warm: measured on 120 frames of
 * 1024² (~4 700 spots a frame, one thread, CPU time, two rounds), chunks of 64 / 4 / 1 frames
 * took 4.33–4.66 / 4.67–4.93 / 4.21–4.69 s: no difference beyond the machine's noise.
 *
 * @param width - frame width, px
 * @param height - frame height, px
 */
export function defaultChunkFrames(width: number | undefined, height: number | undefined): number {
  if (!(width !== undefined && height !== undefined && width > 0 && height > 0)) return LOCALIZE_DEFAULTS.chunkFrames;
  return Math.min(LOCALIZE_DEFAULTS.chunkFrames, Math.max(1, Math.floor(LOCALIZE_DEFAULTS.chunkPixels / (width * height))));
}

/**
 * The PSF sigma a fit can estimate positions with, px. Below 0.3 px most of a spot's
 * photons fall in one pixel (a Gaussian of σ = 0.3 px centred on a pixel puts 82 % of them in
 * it, erf(0.5/(0.3·√2))²), so its position inside the pixel is not measurable and the
 * pixel size or the sigma is wrong (usually nm given for px, or the pixel size for the sigma).
 * Above 10 px a spot is wider than any fitting window (at most 15 px) holds.
 */
export const PSF_SIGMA_RANGE_PX = [0.3, 10] as const;

/**
 * Resolve pipeline options, filling defaults; the pixel size comes from the options or else
 * from the stack's metadata. Values are checked for plausibility, and an error names where a
 * bad value came from: the option (its path in `option`) or the file's metadata.
 * @param options - the caller's options
 * @param metadata - what the stack's metadata says of the pixel size, if anything
 * @throws InvalidOptionError naming the option for impossible values or a missing pixel size
 */
export function resolveLocalizeOptions(options: LocalizeOptions, metadata?: MetadataPixelSize): ResolvedLocalizeOptions {
  const [minPixel, maxPixel] = PLAUSIBLE_PIXEL_SIZE_NM;
  const givenPixel = options.camera?.pixelSizeNm;
  const pixelSizeNm = givenPixel ?? metadata?.pixelSizeNm;
  const file = metadata?.path === undefined ? '' : `${metadata.path}: `;
  if (pixelSizeNm === undefined) {
    throw new InvalidOptionError(`${file}the pixel size is not in the file's metadata: give it with camera.pixelSizeNm`, 'camera.pixelSizeNm');
  }
  if (!(pixelSizeNm >= minPixel && pixelSizeNm <= maxPixel)) {
    if (givenPixel !== undefined) throw new InvalidOptionError(`the pixel size must be ${minPixel}–${maxPixel} nm, got ${givenPixel}`, 'camera.pixelSizeNm');
    const source = metadata?.pixelSizeSource ?? 'the file\'s metadata';
    throw new InvalidOptionError(`${file}the pixel size from ${source} is ${pixelSizeNm} nm, outside the plausible ${minPixel}–${maxPixel} nm: give it with camera.pixelSizeNm`, 'camera.pixelSizeNm');
  }
  const camera = resolveCamera({ ...options.camera, pixelSizeNm });
  cameraSourceOf(options); // checked
  const psfSigmaNm = options.psfSigmaNm === undefined || options.psfSigmaNm === LOCALIZE_DEFAULTS.psfSigma ? LOCALIZE_DEFAULTS.psfSigmaNm : options.psfSigmaNm;
  if (!(psfSigmaNm > 0 && Number.isFinite(psfSigmaNm))) throw new InvalidOptionError(`the PSF sigma must be > 0 nm, got ${psfSigmaNm}`, 'psfSigmaNm');
  const psfSigmaPx = psfSigmaNm / pixelSizeNm;
  const [minSigmaPx, maxSigmaPx] = PSF_SIGMA_RANGE_PX;
  if (!(psfSigmaPx >= minSigmaPx && psfSigmaPx <= maxSigmaPx)) {
    throw new InvalidOptionError(
      `the PSF sigma of ${psfSigmaNm} nm is ${round(psfSigmaPx)} px at ${pixelSizeNm} nm pixels; a fit needs ${minSigmaPx}–${maxSigmaPx} px (${round(minSigmaPx * pixelSizeNm)}–${round(maxSigmaPx * pixelSizeNm)} nm): check the PSF sigma and the pixel size`,
      'psfSigmaNm',
    );
  }
  const given = options.fit ?? {};
  const astigmatism = options.astigmatism;
  const spline = options.spline;
  if (astigmatism && spline) throw new InvalidOptionError('give one 3-D calibration: an astigmatic one or a spline, not both', 'spline');
  const calibration = astigmatism ?? spline;
  if (calibration) {
    const option = astigmatism ? 'astigmatism' : 'spline';
    if ((options.multiEmitter?.passes ?? 1) > 1) throw new InvalidOptionError('find–fit–subtract passes (multiEmitter.passes > 1) are 2-D only: leave them at 1 with a 3-D calibration', 'multiEmitter.passes');
    if (calibration.pixelSizeNm !== undefined && !(Math.abs(calibration.pixelSizeNm / pixelSizeNm - 1) < 0.01)) throw new InvalidOptionError(`the calibration was made with ${calibration.pixelSizeNm} nm pixels, the stack has ${pixelSizeNm} nm: calibrate with the same camera and magnification`, option);
  }
  const widest = astigmatism ? astigmaticBox(astigmatism, pixelSizeNm) : spline ? splineDefaultBox(spline.psf, spline.measuredBoxPx) : undefined;
  const box3d = widest !== undefined && given.box === undefined ? Math.min(MAX_BOX, widest) : undefined;
  if (given.box === undefined && box3d === undefined && defaultBox(psfSigmaPx) > MAX_BOX) {
    throw new InvalidOptionError(
      `the PSF sigma of ${psfSigmaNm} nm is ${round(psfSigmaPx)} px at ${pixelSizeNm} nm pixels; fits take σ up to ${MAX_SIGMA_PX} px (windows up to ${MAX_BOX} px): check the PSF sigma and the pixel size`,
      'psfSigmaNm',
    );
  }
  const fit = withOptionPrefix('fit.', () => resolveFitOptions({ ...given, box: given.box ?? box3d ?? defaultBox(psfSigmaPx), sigmaPx: psfSigmaPx, noiseScale: camera.excessNoise / camera.qe }));
  return {
    camera,
    psfSigmaNm,
    psfSigmaPx,
    detect: resolveDetectOptions(options.detect),
    fit,
    multiEmitter: resolveMultiEmitterOptions(options.multiEmitter),
    astigmatism,
    spline,
    warmStart: options.warmStart ?? LOCALIZE_DEFAULTS.warmStart,
    chunkFrames: chunkFrames(options.chunkFrames ?? defaultChunkFrames(metadata?.width, metadata?.height)),
    background: resolveBackgroundOptions(options.background),
  };
}

/** A 3-D run's default box: 2⌈1.5·σ_max⌉ + 1 px, σ_max the widest σ of either axis over the calibrated range. */
function astigmaticBox(c: AstigmaticCalibration, pixelSizeNm: number): number {
  let widest = 0;
  for (let i = 0; i <= 100; i++) {
    const z = c.zRangeNm[0] + ((c.zRangeNm[1] - c.zRangeNm[0]) * i) / 100;
    widest = Math.max(widest, defocusSigma(c.x, z) || 0, defocusSigma(c.y, z) || 0);
  }
  return 2 * Math.ceil((1.5 * widest) / pixelSizeNm) + 1;
}

/** The largest fitting window, px, and the largest σ whose default window fits in it. */
const MAX_BOX = BOX_RANGE_PX[1];
const MAX_SIGMA_PX = (MAX_BOX - 1) / 4;

function round(value: number): string {
  return value >= 0.01 ? String(Math.round(value * 100) / 100) : value.toPrecision(2);
}

/**
 * Check that frames of this size hold the fitting window (before the first frame is read, and
 * for every frame of a source whose size is not known in advance). Frames smaller than the
 * smallest window are the file's fault (a corrupt width or height), never the box's.
 * @param width - frame width, px
 * @param height - frame height, px
 * @param box - the fitting window, px
 * @param path - the stack's file, named in the message
 * @throws InvalidOptionError when a frame is smaller than the window
 */
export function checkFrameSize(width: number, height: number, box: number, path?: string): void {
  if (width >= box && height >= box) return;
  const smallest = BOX_RANGE_PX[0];
  if (width < smallest || height < smallest) {
    throw new InvalidOptionError(`${path ?? 'the stack'}: frames of ${width}×${height} px are smaller than the smallest fitting window (${smallest}×${smallest} px): its width or height is wrong, or it holds no images to localize`);
  }
  throw new InvalidOptionError(`frames of ${width}×${height} px${path === undefined ? '' : ` (${path})`} are smaller than the ${box}×${box} px fitting window: give a smaller box, or check the pixel size and PSF sigma`, 'fit.box');
}

/** Run `resolve`, giving an option error the path of the options it resolves inside ours. */
function withOptionPrefix<T>(prefix: string, resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    if (error instanceof InvalidOptionError && error.option !== undefined) throw new InvalidOptionError(error.message, `${prefix}${error.option}`);
    throw error;
  }
}

function chunkFrames(chunk: number): number {
  if (!(Number.isInteger(chunk) && chunk >= 1)) throw new InvalidOptionError(`chunkFrames must be a whole number ≥ 1, got ${chunk}`, 'chunkFrames');
  return chunk;
}
