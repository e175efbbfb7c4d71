/**
 * The settings step of a run, before its options are resolved: the camera and the PSF width
 * from the first frames, written into the options as explicit values, so that the workers, a
 * queue and either engine all localize with the same settings, whatever their number.
 */
import type { CameraModel, CameraOptions } from '../src/camera/CameraModel.js';
import { checkOffsetReachable, frameCamera, resolveCamera } from '../src/camera/CameraModel.js';
import { resolveDetectOptions } from '../src/detect/DetectOptions.js';
import { checkCameraSettings } from '../src/camera/checkCameraSettings.js';
import { countNoisyPixels, NOISY_PIXEL_LIMITS } from '../src/camera/countNoisyPixels.js';
import type { CameraEstimate } from '../src/camera/estimateCamera.js';
import { estimateCamera } from '../src/camera/estimateCamera.js';
import { InvalidOptionError } from '../src/errors/InvalidOptionError.js';
import type { Frame } from '../src/io/Frame.js';
import { TiffError } from '../src/io/TiffError.js';
import type { FrameSourceOptions } from '../src/io/framesFromTiff.js';
import type { LocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { cameraSourceOf, checkFrameSize, LOCALIZE_DEFAULTS, psfSigmaIsAuto, resolveLocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import type { MeasuredPsfSigma } from '../src/pipeline/measurePsfSigma.js';
import { measurePsfSigma } from '../src/pipeline/measurePsfSigma.js';
import type { OpenedRun } from './openRun.js';

/**
 * Frames the settings step reads: the first of the run's range (fewer when the stack has
 * fewer), at most {@link SETTINGS_PIXELS} pixels in all and at least 2 frames (the camera's
 * estimate uses differences of consecutive frames). Measured on simulated 64×64 px stacks
 * (test/pipeline/measurePsfSigma.test.ts): 10 frames give 16 usable spots at 1.5 emitters/µm²,
 * 50 give 78 (σ within 1 % at 130 and 160 nm, sparse and dense); on 128×128 px frames the
 * step takes 0.4–0.9 s (on a loaded machine).
 */
export const SETTINGS_FRAMES = 50;

/**
 * The most pixels the settings step reads (50 frames of 256×256 px): the camera's estimate
 * takes every frame up to it (800 frames of 64×64 px), the σ the first {@link SETTINGS_FRAMES}.
 * Measured (estimateCamera alone, seeds 1–3, 64×64 px): the gain's spread over seeds falls from
 * 6–13 % at 50 frames to 1–2 % at 800 (default 1.01 ± 0.06 → 1.01 ± 0.01, ccd 2.15 ± 0.28 →
 * 2.04 ± 0.04), at 0.6–0.7 s for 800 frames (the time grows with the pixels, which this bounds).
 */
export const SETTINGS_PIXELS = 50 * 256 * 256;

/** An estimated gain whose relative standard deviation is above this is warned about. */
export const GAIN_RELATIVE_SD_WARNING = 0.05;

/** What the settings step found, for the summary and the sidecar. */
export interface RunSettings {
  readonly camera: {
    /** 'estimated': the conversion comes from the data (the settings given kept); 'given': from the settings and the defaults. */
    readonly source: 'estimated' | 'given';
    /** The settings the user gave that an estimated camera keeps (option names). */
    readonly kept: readonly string[];
    /** The estimate (with the given EM gain and QE), when frames were read and maps not given. */
    readonly estimate: CameraEstimate | undefined;
    /** Why there is no estimate, when there is none. */
    readonly reason?: string;
    /** Whether the estimate was made on the frames less the offset map (maps given without a gain map: its base level is then ≈ 0). */
    readonly lessOffsetMap?: boolean;
  };
  readonly psfSigma: {
    /** 'estimated' from spots, 'given', 'default' (too few spots: the fallback), 'calibration' (3-D). */
    readonly source: 'estimated' | 'given' | 'default' | 'calibration';
    /** σ used, nm (undefined in 3-D). */
    readonly sigmaNm: number | undefined;
    /**
     * The measurement, nm (also with a given σ, which it checks): σ and its standard error by
     * `method` (`spots`: the median of the isolated spots' fits; `spectrum`: their σ̂ spread
     * too wide, blends, and σ came from the frames' power spectrum, its error over groups of
     * frame pairs); `spots` and `sdNm` (the spots' spread) are the isolated spots' either way.
     */
    readonly estimate: { readonly sigmaNm: number; readonly sdNm: number; readonly seNm: number; readonly spots: number; readonly method: 'spots' | 'spectrum' } | undefined;
  };
  /** Frames read for the estimates. */
  readonly frames: number;
}

/**
 * Estimate what the run was not given, once, in the main process: read the first
 * {@link SETTINGS_FRAMES} frames of the range (in follow mode those on disk at the start, at
 * least the first), estimate the camera (estimateCamera: base level, gain, read noise; with the
 * given EM gain and QE) and measure the PSF σ on bright isolated spots (measurePsfSigma).
 * An 'auto' camera takes the estimate for every setting not given; given settings are checked
 * against it (a warning naming the flag, the estimate next to the given value). An 'auto' σ
 * takes the measurement; a given σ more than 10 % from it is warned about.
 *
 * @param opened - the run's stack and range
 * @param options - the caller's options
 * @param frames - the run's frame options (range, follow mode)
 * @param onWarning - told of contradictions and of estimates that could not be made
 * @returns the options with explicit values (cameraSource 'given', psfSigmaNm a number), and what was found
 * @throws InvalidOptionError for options that cannot be resolved (before any frame is read)
 */
export async function estimateRunSettings(
  opened: OpenedRun,
  options: LocalizeOptions,
  frames: FrameSourceOptions | undefined,
  onWarning?: (message: string) => void,
): Promise<{ options: LocalizeOptions; settings: RunSettings }> {
  const provisional = resolveLocalizeOptions(options, opened.metadata);
  // What the options cannot do with this stack is said before any frame is read.
  const { metadata } = opened;
  checkOffsetReachable(provisional.camera, metadata.sampleType);
  checkFrameSize(metadata.width, metadata.height, provisional.fit.box, opened.input);
  frameCamera(provisional.camera, metadata.width, metadata.height); // the maps cover the frames
  const read = await readFirstFrames(opened, frames);
  return settingsFromFrames(read, options, opened.metadata, (message) => onWarning?.(`${opened.input}: ${message}`));
}

/**
 * The frames the settings step reads of frames `width` × `height` px: at most
 * {@link SETTINGS_PIXELS} pixels, at least 2.
 */
export function settingsFrameCount(width: number, height: number): number {
  return Math.max(2, Math.floor(SETTINGS_PIXELS / (width * height)));
}

/**
 * The core of {@link estimateRunSettings}, on frames already read (a path's first frames, or
 * the first frames of an Observable or async iterable, buffered by `localize`): the camera and
 * the σ not given, estimated; the given ones checked.
 *
 * @param read - the first frames (their pixels are only read)
 * @param options - the caller's options
 * @param metadata - the stack's metadata (its pixel size), when there is a file
 * @param warn - told of contradictions and of estimates that could not be made
 * @returns the options with explicit values and what was found
 */
export function settingsFromFrames(read: readonly Frame[], options: LocalizeOptions, metadata: Parameters<typeof resolveLocalizeOptions>[1], warn: (message: string) => void): { options: LocalizeOptions; settings: RunSettings } {
  const provisional = resolveLocalizeOptions(options, metadata);
  const cameraSource = cameraSourceOf(options);
  const sigmaAuto = psfSigmaIsAuto(options);
  const given = options.camera ?? {};
  const camera = provisional.camera;
  let estimate: CameraEstimate | undefined;
  let reason: string | undefined;
  // Maps without a gain map (calibrate-camera without flats) leave the gain to the data: it is
  // estimated on the frames less the offset map, and checked when given.
  const gainless = camera.maps !== undefined && camera.maps.gainAduPerElectron === undefined;
  if (camera.maps && !gainless) reason = 'camera maps given';
  else if (read.length === 0) reason = 'no frame to estimate from';
  else {
    try {
      const frames = gainless ? lessOffsetMap(read, provisional.camera) : read;
      // The EM gain when given: the gain is then the true one; else an effective one for EM data.
      estimate = estimateCamera(frames, { emGain: given.emGain, qe: camera.qe });
    } catch (error) {
      if (!(error instanceof InvalidOptionError)) throw error;
      reason = error.message;
    }
  }
  const maps = camera.maps;
  const kept: string[] = (['baselineAdu', 'photonsPerAdu', 'readNoiseElectrons'] as const).filter((k) => given[k] !== undefined);
  if (maps?.offsetAdu) kept.push('offset map');
  if (maps?.varianceAdu2) kept.push('variance map');
  let cameraOptions: Partial<CameraOptions> = { ...given, pixelSizeNm: camera.pixelSizeNm };
  const estimated = cameraSource === 'auto' && estimate !== undefined;
  if (estimated && estimate) {
    // A map replaces its scalar: only the scalars of the maps not given are estimated.
    cameraOptions = {
      ...cameraOptions,
      baselineAdu: maps?.offsetAdu ? given.baselineAdu : (given.baselineAdu ?? estimate.baselineAdu),
      photonsPerAdu: given.photonsPerAdu ?? estimate.photonsPerAdu,
      readNoiseElectrons: maps?.varianceAdu2 ? given.readNoiseElectrons : (given.readNoiseElectrons ?? estimate.readNoiseElectrons),
    };
    // sCMOS hot pixels without maps: a share of pixels far noisier than the line is said.
    if (!maps) {
      const { noisy, pixels } = countNoisyPixels(read, estimate.slopeAdu, estimate.interceptAdu2);
      if (pixels > 0 && noisy / pixels > NOISY_PIXEL_LIMITS.warnShare) {
        warn(`${noisy} of ${pixels} pixels (${((100 * noisy) / pixels).toFixed(1)} %) are far noisier than the rest (sCMOS hot pixels?): the estimated base level and background take their noise in, and they make false spots; calibrate the sensor (calibrate-camera DARK.tif) and give --offset-map and --variance-map`);
      }
    }
    const relativeSd = estimate.photonsPerAduSd / estimate.photonsPerAdu;
    if (given.photonsPerAdu === undefined && relativeSd > GAIN_RELATIVE_SD_WARNING) {
      warn(`the gain estimated from ${estimate.frames} frames is uncertain: ${fmt(estimate.photonsPerAdu)} ± ${fmt(estimate.photonsPerAduSd)} photoelectrons per ADU (${(100 * relativeSd).toFixed(0)} %): photon counts are as uncertain; give --photons-per-adu and --baseline (calibrate-camera measures them), or a longer stack`);
    }
  } else if (cameraSource === 'auto') {
    warn(`the camera could not be estimated (${reason}): using the settings given and the defaults`);
  }
  if (estimate && !estimated) for (const w of checkCameraSettings(camera, estimate)) warn(w);
  // Settings kept beside an estimate (a --read-noise or --baseline given, the rest estimated):
  // the merged camera is checked against the same estimate.
  const keptScalars = (['baselineAdu', 'photonsPerAdu', 'readNoiseElectrons'] as const).some((k) => given[k] !== undefined);
  if (estimate && estimated && keptScalars && !maps) for (const w of checkCameraSettings(resolveCamera({ ...cameraOptions, pixelSizeNm: camera.pixelSizeNm }), estimate)) warn(w);
  // The estimator's own notes (an effective gain, a small brightness range) go to the sidecar;
  // the summary says what matters of them (an effective gain).
  const explicit: LocalizeOptions = { ...options, camera: cameraOptions, cameraSource: 'given' };
  // The σ: measured with the camera the run will use.
  const pixelSizeNm = camera.pixelSizeNm;
  const runCamera = resolveLocalizeOptions(explicit, metadata).camera;
  let sigma: MeasuredPsfSigma | undefined;
  // 3-D runs (an astigmatic or a spline calibration) take their widths from the calibration.
  const threeD = options.astigmatism !== undefined || options.spline !== undefined;
  if (!threeD && read.length > 0) {
    // The detector's default threshold: the spots measured are the bright ones whatever the run's.
    const detect = resolveDetectOptions({ ...options.detect, threshold: undefined });
    const crop = centralCrop(read.slice(0, SETTINGS_FRAMES), runCamera);
    sigma = measurePsfSigma(crop.frames, frameCamera(crop.camera, crop.frames[0].width, crop.frames[0].height), detect, provisional.psfSigmaPx);
  }
  const sigmaEstimate = sigma && { sigmaNm: sigma.sigmaPx * pixelSizeNm, sdNm: sigma.sigmaSdPx * pixelSizeNm, seNm: sigma.sigmaSePx * pixelSizeNm, spots: sigma.spots, method: sigma.method };
  let psfSource: RunSettings['psfSigma']['source'] = threeD ? 'calibration' : 'given';
  if (sigmaAuto) {
    if (sigmaEstimate) {
      explicit.psfSigmaNm = sigmaEstimate.sigmaNm;
      psfSource = 'estimated';
    } else {
      explicit.psfSigmaNm = LOCALIZE_DEFAULTS.psfSigmaNm;
      psfSource = 'default';
      warn(`too few bright isolated spots in the first ${read.length} frames to measure the PSF σ (${sigma === undefined ? 'fewer than needed' : sigma.spots}): using ${LOCALIZE_DEFAULTS.psfSigmaNm} nm; give --psf-sigma`);
    }
  } else if (sigmaEstimate && typeof options.psfSigmaNm === 'number' && Math.abs(options.psfSigmaNm / sigmaEstimate.sigmaNm - 1) > PSF_SIGMA_TOLERANCE) {
    warn(`--psf-sigma ${options.psfSigmaNm} disagrees with the data: ${fmt(sigmaEstimate.sigmaNm)} ± ${fmt(sigmaEstimate.seNm)} nm ${psfSigmaMethodText(sigmaEstimate, read.length)}; give that, or leave --psf-sigma out to use the measurement`);
  }
  return {
    options: explicit,
    settings: {
      camera: { source: estimated ? 'estimated' : 'given', kept: estimated ? kept : [], estimate, reason, lessOffsetMap: gainless && maps?.offsetAdu !== undefined },
      psfSigma: { source: psfSource, sigmaNm: threeD ? undefined : (explicit.psfSigmaNm as number), estimate: sigmaEstimate },
      frames: read.length,
    },
  };
}

/**
 * The PSF σ of frames wider or taller than this is measured in their central square of this
 * side, px: its detection and its isolation test then cost what a 1024×1024 px frame's do
 * (one 2048×2048 px frame at 0.2 emitters/µm² gave the 500 spots in its first rows anyway;
 * the spectrum's 256×256 px are the frame's centre either way).
 */
export const SIGMA_CROP_PX = 1024;

/**
 * The frames' central {@link SIGMA_CROP_PX} square (copied) and the camera of its pixels (the
 * maps' origin moved with it), or the frames and camera as they are when they fit in it.
 * @param frames - frames of one size
 * @param camera - their camera
 */
function centralCrop(frames: readonly Frame[], camera: CameraModel): { frames: readonly Frame[]; camera: CameraModel } {
  const { width, height } = frames[0];
  if (width <= SIGMA_CROP_PX && height <= SIGMA_CROP_PX) return { frames, camera };
  const w = Math.min(width, SIGMA_CROP_PX);
  const h = Math.min(height, SIGMA_CROP_PX);
  const x0 = (width - w) >> 1;
  const y0 = (height - h) >> 1;
  const cropped = frames.map((frame) => {
    const data = new (frame.data.constructor as new (length: number) => Frame['data'])(w * h);
    for (let r = 0; r < h; r++) data.set(frame.data.subarray((y0 + r) * width + x0, (y0 + r) * width + x0 + w), r * w);
    return { index: frame.index, width: w, height: h, data };
  });
  const maps = camera.maps && { ...camera.maps, originX: (camera.maps.originX ?? 0) + x0, originY: (camera.maps.originY ?? 0) + y0 };
  return { frames: cropped, camera: maps ? { ...camera, maps } : camera };
}

/** A given σ further than this (relative) from the measured one is warned about. */
export const PSF_SIGMA_TOLERANCE = 0.1;

/**
 * The first frames of the run's range, up to {@link SETTINGS_PIXELS} pixels, that are on disk now (a stack in
 * follow mode may hold none yet: then the first one is waited for, as the run would).
 */
async function readFirstFrames(opened: OpenedRun, frames: FrameSourceOptions | undefined): Promise<Frame[]> {
  const { start, step } = opened.range;
  const available = opened.stack.metadata.frameCount;
  const { width, height } = opened.stack.metadata;
  const count = settingsFrameCount(width, height);
  const end = Math.min(opened.range.end, available, start + count * step);
  const read: Frame[] = [];
  try {
    for await (const frame of opened.stack.frames({ start, end, step })) read.push(frame);
    if (read.length === 0 && frames?.follow) {
      for await (const frame of opened.stack.frames({ start, end: start + 1, follow: true, idleTimeoutMs: frames.idleTimeoutMs, pollIntervalMs: frames.pollIntervalMs })) read.push(frame);
    }
  } catch (error) {
    // A frame that cannot be read (a stack cut off): estimate from those before it; the run
    // meets the error again and reports it with the rows of the frames before it kept.
    if (!(error instanceof TiffError)) throw error;
  }
  return read;
}

/**
 * The frames less the camera's offset map (maps without a gain map): what is left for the
 * estimator is signal and noise above a base level of 0 ADU, pixel by pixel.
 */
function lessOffsetMap(read: readonly Frame[], camera: CameraModel): Frame[] {
  if (!camera.maps?.offsetAdu) return [...read];
  const { width, height } = read[0];
  const offset = frameCamera(camera, width, height).offsetMap as Float32Array;
  return read.map((f) => {
    const data = new Float32Array(f.data.length);
    for (let k = 0; k < data.length; k++) data[k] = f.data[k] - offset[k];
    return { ...f, data };
  });
}

/**
 * How the σ of a run was measured, in words for the summary and the warnings: "the median of N
 * spots of the first F frames (spread S nm)", or, where blends widened the spots, "from the power
 * spectrum of frame differences of the first F frames (N isolated spots spread S nm: blends)".
 * @param e - the measurement (nm)
 * @param read - frames read by the settings step (σ is measured on up to {@link SETTINGS_FRAMES} of them)
 */
export function psfSigmaMethodText(e: RunSettings['psfSigma']['estimate'] & object, read: number): string {
  const frames = Math.min(read, SETTINGS_FRAMES);
  if (e.method === 'spectrum' && e.spots === 0) return `from the power spectrum of frame differences of the first ${frames} frames (no spot isolated and bright enough to fit)`;
  if (e.method === 'spectrum') return `from the power spectrum of frame differences of the first ${frames} frames (the ${e.spots} isolated spots' fits spread ${fmt(e.sdNm)} nm: blends)`;
  return `the median of ${e.spots} spots of the first ${frames} frames (spread ${fmt(e.sdNm)} nm)`;
}

/** Three significant digits. */
function fmt(value: number): string {
  return String(Number(value.toPrecision(3)));
}
