import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { PixelArray, SampleType } from '../io/Frame.js';
import { excessNoiseFactor } from './excessNoiseFactor.js';

/** Every default of the camera options, stated once (ThunderSTORM's where it has them). */
export const CAMERA_DEFAULTS = {
  baselineAdu: 100,
  photonsPerAdu: 1,
  emGain: 1,
  qe: 1,
  readNoiseElectrons: 0,
} as const;

/**
 * Per-pixel calibration of a sensor (sCMOS), as storm-analysis, SMAP and PYME take it: 2-D
 * images of the sensor, row-major. Each map given replaces its scalar: the offset map the base
 * level, the gain map the photoelectrons per ADU (gain = 1 / photonsPerAdu), the variance map
 * the read noise. A stack cropped from the sensor starts at map pixel (originX, originY).
 */
export interface CameraMaps {
  /** The maps' width and height, px. */
  readonly width: number;
  readonly height: number;
  /** Offset of each pixel, ADU. */
  readonly offsetAdu?: Float32Array;
  /** Read-noise variance of each pixel, ADU². */
  readonly varianceAdu2?: Float32Array;
  /** Gain of each pixel, ADU per photoelectron. */
  readonly gainAduPerElectron?: Float32Array;
  /** Map column of the stack's column 0. @default 0 */
  readonly originX?: number;
  /** Map row of the stack's row 0. @default 0 */
  readonly originY?: number;
  /** The files the maps were read from (named in messages and the run's record). */
  readonly sources?: { readonly offset?: string; readonly variance?: string; readonly gain?: string };
}

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
  /**
   * Read noise at the readout, e⁻ rms (before the EM register's gain is divided out: an EMCCD's
   * 30 e⁻ at gain 100 is 0.3 e⁻ referred to the input). Replaced by a variance map. @default 0
   */
  readNoiseElectrons?: number;
  /** Per-pixel offset, gain and variance maps (sCMOS). @default none: the scalars above */
  maps?: CameraMaps;
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
  readonly readNoiseElectrons: number;
  /**
   * Whether the read noise is known: given (or estimated by the run's settings step, which passes
   * it as given), or a variance map; not the default of 0 e⁻. Detection's noise trusts the camera
   * model only then (src/detect/detectionNoise.ts): a CCD's or sCMOS's read noise left at 0
   * would make the threshold too low at a few photons of background.
   */
  readonly readNoiseKnown: boolean;
  /** The EM register's excess-noise factor F²: 2 with EM gain (> 1), 1 without. */
  readonly excessNoise: number;
  /** The maps, checked (gain > 0, variance ≥ 0, finite), when given. */
  readonly maps: CameraMaps | undefined;
}

/**
 * What converts ADU to photons: photons = (ADU − baselineAdu) · photonsPerAduNet, or per pixel
 * (ADU − offsetMap[k]) · factorMap[k] where the camera has maps (frame-sized, row-major).
 */
export interface PhotonConversion {
  readonly baselineAdu: number;
  readonly photonsPerAduNet: number;
  readonly offsetMap?: Float32Array;
  readonly factorMap?: Float32Array;
}

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
  const { saturationAdu, maps } = options;
  const readNoiseElectrons = options.readNoiseElectrons ?? CAMERA_DEFAULTS.readNoiseElectrons;
  if (!(pixelSizeNm > 0 && Number.isFinite(pixelSizeNm))) throw new InvalidOptionError(`camera pixel size must be > 0 nm, got ${pixelSizeNm}`, 'camera.pixelSizeNm');
  if (!Number.isFinite(baselineAdu)) throw new InvalidOptionError(`camera base level must be a number of ADU, got ${baselineAdu}`, 'camera.baselineAdu');
  if (!(photonsPerAdu > 0 && Number.isFinite(photonsPerAdu))) throw new InvalidOptionError(`photoelectrons per A/D count must be > 0, got ${photonsPerAdu}`, 'camera.photonsPerAdu');
  if (!(emGain > 0 && Number.isFinite(emGain))) throw new InvalidOptionError(`EM gain must be > 0 (1 without EM), got ${emGain}`, 'camera.emGain');
  if (!(qe > 0 && qe <= 1)) throw new InvalidOptionError(`quantum efficiency must be in (0, 1], got ${qe}`, 'camera.qe');
  if (saturationAdu !== undefined && !(saturationAdu > baselineAdu && Number.isFinite(saturationAdu))) {
    throw new InvalidOptionError(`the saturation level must be a number of ADU above the base level (${baselineAdu} ADU), got ${saturationAdu}`, 'camera.saturationAdu');
  }
  if (!(readNoiseElectrons >= 0 && Number.isFinite(readNoiseElectrons))) throw new InvalidOptionError(`read noise must be ≥ 0 e⁻ rms, got ${readNoiseElectrons}`, 'camera.readNoiseElectrons');
  if (maps) checkMaps(maps, options);
  return {
    pixelSizeNm,
    baselineAdu,
    photonsPerAdu,
    emGain,
    qe,
    saturationAdu,
    photonsPerAduNet: photonsPerAdu / emGain / qe,
    readNoiseElectrons,
    readNoiseKnown: options.readNoiseElectrons !== undefined || maps?.varianceAdu2 !== undefined,
    excessNoise: excessNoiseFactor(emGain),
    maps,
  };
}

/** Reject maps of the wrong size or with impossible values, and maps given with their scalar. */
function checkMaps(maps: CameraMaps, options: CameraOptions): void {
  const { width, height } = maps;
  const n = width * height;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) throw new InvalidOptionError(`camera maps must be images, got ${width}×${height} px`, 'camera.maps');
  const named: [Float32Array | undefined, 'offset' | 'variance' | 'gain', string, string | undefined][] = [
    [maps.offsetAdu, 'offset', 'camera.maps.offsetAdu', options.baselineAdu === undefined ? undefined : 'camera.baselineAdu'],
    [maps.varianceAdu2, 'variance', 'camera.maps.varianceAdu2', options.readNoiseElectrons === undefined ? undefined : 'camera.readNoiseElectrons'],
    [maps.gainAduPerElectron, 'gain', 'camera.maps.gainAduPerElectron', options.photonsPerAdu === undefined ? undefined : 'camera.photonsPerAdu'],
  ];
  for (const [values, kind, option, scalar] of named) {
    if (!values) continue;
    if (scalar) throw new InvalidOptionError(`${mapName(maps, kind)} replaces ${scalar}: give one of them`, option);
    if (values.length !== n) throw new InvalidOptionError(`${mapName(maps, kind)} has ${values.length} values, a ${width}×${height} map needs ${n}`, option);
  }
  const first = (values: Float32Array | undefined, bad: (v: number) => boolean) => {
    if (!values) return -1;
    for (let i = 0; i < values.length; i++) if (bad(values[i])) return i;
    return -1;
  };
  const at = (i: number) => `pixel (x ${i % width}, y ${Math.floor(i / width)})`;
  let i = first(maps.offsetAdu, (v) => !Number.isFinite(v));
  if (i >= 0) throw new InvalidOptionError(`${mapName(maps, 'offset')} is not a number at ${at(i)}`, 'camera.maps.offsetAdu');
  i = first(maps.gainAduPerElectron, (v) => !(v > 0 && Number.isFinite(v)));
  if (i >= 0) throw new InvalidOptionError(`${mapName(maps, 'gain')} must be > 0 ADU per e⁻ everywhere, got ${maps.gainAduPerElectron?.[i]} at ${at(i)}`, 'camera.maps.gainAduPerElectron');
  i = first(maps.varianceAdu2, (v) => !(v >= 0 && Number.isFinite(v)));
  if (i >= 0) throw new InvalidOptionError(`${mapName(maps, 'variance')} must be ≥ 0 ADU² everywhere, got ${maps.varianceAdu2?.[i]} at ${at(i)}`, 'camera.maps.varianceAdu2');
  const { originX = 0, originY = 0 } = maps;
  if (!(Number.isInteger(originX) && originX >= 0 && Number.isInteger(originY) && originY >= 0)) throw new InvalidOptionError(`the map origin must be whole pixels ≥ 0, got ${originX},${originY}`, 'camera.maps.origin');
}

/** "FILE: the offset map" when the map's file is known, else "the offset map". */
function mapName(maps: CameraMaps, kind: 'offset' | 'variance' | 'gain'): string {
  const file = maps.sources?.[kind];
  return file === undefined ? `the ${kind} map` : `${file}: the ${kind} map`;
}

/**
 * Refuse a camera offset the stack's pixels cannot reach: a base level or an offset map value
 * above the largest value of the stack's sample type (65535 for 16 bits) leaves every pixel
 * below the offset, so no photon would be counted (an offset map of 10⁹ ADU, a base level in
 * the wrong unit). Float stacks have no such limit.
 * @param camera - resolved camera model
 * @param sampleType - the stack's sample type
 * @throws InvalidOptionError naming the map's file and pixel, or the base level
 */
export function checkOffsetReachable(camera: CameraModel, sampleType: SampleType): void {
  const top = TYPE_MAXIMUM[sampleType];
  const offset = camera.maps?.offsetAdu;
  if (camera.maps && offset) {
    for (let i = 0; i < offset.length; i++) {
      if (offset[i] > top) {
        const { width } = camera.maps;
        throw new InvalidOptionError(`${mapName(camera.maps, 'offset')} has ${offset[i]} ADU at pixel (x ${i % width}, y ${Math.floor(i / width)}), above the largest ${sampleType} value the stack can hold (${top})`, 'camera.maps.offsetAdu');
      }
    }
  } else if (camera.baselineAdu > top) {
    throw new InvalidOptionError(`the base level of ${camera.baselineAdu} ADU is above the largest ${sampleType} value the stack can hold (${top})`, 'camera.baselineAdu');
  }
}

/**
 * The camera for frames of one size: the ADU → photons conversion (per pixel with maps) and the
 * noise model of the likelihood and the bound (docs/design.md §6). A pixel's photons x have
 * variance `noiseScale · (μ + shift)`: noiseScale = F²/QE (F² = 2 with an EM register), and the
 * shift s = σ²/(F²·QE) from the read noise σ referred to the input (σ at the readout / EM gain),
 * per pixel with a variance map. The fit maximizes the shifted-Poisson likelihood of x + s with
 * mean μ + s (Huang et al., Nat. Methods 10:653, 2013), exact in its first two moments.
 */
export interface FrameCamera extends PhotonConversion {
  readonly width: number;
  readonly height: number;
  /** F²/QE: a pixel's variance over (μ + shift). */
  readonly noiseScale: number;
  /** The shift of every pixel, photons (without a variance map). */
  readonly shiftPhotons: number;
  /** The shift of each pixel, photons (with a variance map), row-major. */
  readonly shiftMap?: Float32Array;
  /** Whether the read noise is known ({@link CameraModel.readNoiseKnown}). @default true */
  readonly readNoiseKnown?: boolean;
}

/**
 * The camera for frames of `width` × `height` px (cut from the maps at their origin).
 * @param camera - resolved camera model
 * @param width - frame width, px
 * @param height - frame height, px
 * @throws InvalidOptionError when the maps do not cover the frames
 */
export function frameCamera(camera: CameraModel, width: number, height: number): FrameCamera {
  const { qe, emGain, excessNoise } = camera;
  const noiseScale = excessNoise / qe;
  const inputNoise = camera.readNoiseElectrons / emGain;
  const base = { width, height, baselineAdu: camera.baselineAdu, photonsPerAduNet: camera.photonsPerAduNet, noiseScale, shiftPhotons: (inputNoise * inputNoise) / (excessNoise * qe), readNoiseKnown: camera.readNoiseKnown };
  const maps = camera.maps;
  if (!maps) return base;
  const { originX = 0, originY = 0 } = maps;
  if (originX + width > maps.width || originY + height > maps.height) {
    const files = maps.sources ? Object.values(maps.sources).filter((f) => typeof f === 'string') : [];
    throw new InvalidOptionError(`the camera maps (${maps.width}×${maps.height} px${files.length ? `: ${files.join(', ')}` : ''}) do not cover ${width}×${height} px frames from map pixel (${originX}, ${originY}): check the maps and --map-origin`, 'camera.maps');
  }
  const n = width * height;
  const offsetMap = new Float32Array(n);
  const factorMap = new Float32Array(n);
  const shiftMap = new Float32Array(n);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const k = r * width + c;
      const m = (r + originY) * maps.width + c + originX;
      const gain = maps.gainAduPerElectron ? maps.gainAduPerElectron[m] : 1 / camera.photonsPerAdu;
      offsetMap[k] = maps.offsetAdu ? maps.offsetAdu[m] : camera.baselineAdu;
      factorMap[k] = 1 / (gain * emGain * qe);
      const sigma = (maps.varianceAdu2 ? Math.sqrt(maps.varianceAdu2[m]) / gain : camera.readNoiseElectrons) / emGain;
      shiftMap[k] = (sigma * sigma) / (excessNoise * qe);
    }
  }
  return { ...base, offsetMap, factorMap, shiftMap };
}

/**
 * Convert a frame from ADU to photons (docs/design.md §2): photons = (ADU − baseline) ·
 * photonsPerAdu / emGain / qe, or per pixel with the camera's maps ({@link frameCamera}).
 * Negative results (read noise below the base level) are kept.
 *
 * @param camera - resolved camera model (or just its conversion)
 * @param adu - the frame's pixels, any sample type
 * @param photons - output, same length (caller-owned, reused across frames)
 */
export function toPhotons(camera: PhotonConversion, adu: PixelArray, photons: Float64Array | Float32Array): void {
  const n = adu.length;
  const { offsetMap, factorMap } = camera;
  if (offsetMap && factorMap) {
    for (let i = 0; i < n; i++) photons[i] = (adu[i] - offsetMap[i]) * factorMap[i];
    return;
  }
  const baseline = camera.baselineAdu;
  const factor = camera.photonsPerAduNet;
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
