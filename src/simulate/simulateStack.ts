import type { DefocusCurve } from '../fit/models/DefocusCurve.js';
import { defocusSigma } from '../fit/models/DefocusCurve.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { GaussianAxis } from '../fit/GaussianAxis.js';
import type { PupilPsfOptions } from './PupilPsf.js';
import { PupilPsf } from './PupilPsf.js';
import type { SplineCalibration } from '../astig/SplineCalibration.js';
import { SplineSpotPsf } from './SplineSpotPsf.js';
import type { SpotPsf } from './SpotPsf.js';
import { Random } from './Random.js';
import { renderSpot } from './renderSpot.js';
import type { StructureKind } from './Structure.js';
import { Structure, STRUCTURE_DEFAULTS } from './Structure.js';
import type { CellBackgroundOptions } from './CellBackground.js';
import { CellBackground, resolveCellBackgroundOptions } from './CellBackground.js';
import type { CameraPreset } from './cameraPresets.js';
import { CAMERA_PRESET_NAMES, CAMERA_PRESETS } from './cameraPresets.js';

/** Options of {@link simulateStack}. */
export interface SimulateStackOptions {
  /** Frame width, px. @default 64 */
  width?: number;
  /** Frame height, px. @default 64 */
  height?: number;
  /** Number of frames. @default 100 */
  frames?: number;
  /** Pixel size, nm. @default 100 */
  pixelSizeNm?: number;
  /** PSF σ, nm. @default 130 */
  psfSigmaNm?: number;
  /** Mean number of emitters on per µm² in each frame. @default 0.2 */
  density?: number;
  /**
   * Called while a frame is made, after every {@link PROGRESS_EMITTERS} emitters placed or drawn,
   * with the frame's 0-based index and that count so far (a dense frame takes a while). @default none
   */
  onEmitters?: (index: number, emitters: number) => void;
  /** Photons N of an emitter in a frame it is on. @default 2000 */
  photons?: number;
  /** Background, photons/px. @default 20 */
  background?: number;
  /** Mean number of consecutive frames an emitter stays on (geometric). @default 3 */
  meanOnFrames?: number;
  /** Camera offset, ADU. @default 100 */
  baselineAdu?: number;
  /** Photoelectrons per ADU. @default 1 */
  photonsPerAdu?: number;
  /** Gaussian read noise, ADU (standard deviation; with `sensor: 'scmos'`, the map's instead). @default 1.5 */
  readNoiseAdu?: number;
  /**
   * EM gain: each pixel's electrons pass an EM register, whose output for n electrons is
   * gamma-distributed with mean n·gain and variance n·gain² (excess-noise factor F² = 2), before
   * the read noise and the A/D conversion. 1: no EM register. @default 1
   */
  emGain?: number;
  /**
   * The sensor: 'uniform' (one offset, gain and read noise for every pixel), or 'scmos' (every
   * pixel its own: see {@link sensorMaps}, with 3 % hot pixels). @default 'uniform'
   */
  sensor?: 'uniform' | 'scmos';
  /** Emitter positions are drawn this far inside the image edges, nm (0 = anywhere). @default 0 */
  marginNm?: number;
  /**
   * Smallest distance between emitters that are on at the same time, nm (0 = independent
   * positions). Isolated spots, for measuring precision without overlaps. @default 0
   */
  minSeparationNm?: number;
  /** What the molecules label: anywhere ('random'), filaments, or rings. @default 'random' */
  structure?: StructureKind;
  /** Filaments or rings in the field (0: the structure's default, see {@link Structure}). @default 0 */
  structureCount?: number;
  /** Radius of the rings, nm. @default 150 */
  ringRadiusNm?: number;
  /**
   * Stage drift: the sample moves by (xNm, yNm) from the first frame to the last in a straight
   * line, plus a wobble of `wobbleNm` (sinusoids of period `wobblePeriodFrames` in x, 1.37 times
   * that in y, zero at frame 1). The truth keeps the positions in the sample; the camera sees them
   * shifted by the drift, and {@link driftAt} gives it. @default none
   */
  drift?: { xNm: number; yNm: number; wobbleNm?: number; wobblePeriodFrames?: number };
  /**
   * 3-D: an astigmatic PSF. Each emitter gets a depth drawn uniformly from `zRangeNm` (kept
   * while it blinks) and is drawn with σx(z), σy(z) from the curves (docs/design.md §8) instead
   * of `psfSigmaNm`; the truth has z. @default none (2-D)
   */
  astigmatism?: { x: DefocusCurve; y: DefocusCurve; zRangeNm: readonly [number, number] };
  /**
   * A pupil-function PSF ({@link PupilPsf}: not the fit's Gaussian) instead of the Gaussian:
   * each spot drawn through it at its depth (from `astigmatism`'s z range, whose curves are then
   * unused), or at z = 0 in 2-D. @default none (the pixel-integrated Gaussian)
   */
  pupil?: PupilPsfOptions;
  /**
   * A measured PSF (a tricubic spline, {@link SplineSpotPsf}) instead of the Gaussian: each spot
   * drawn as photons × the spline sampled at the pixel centres, at its depth (from
   * `astigmatism`'s z range, which must lie within the spline's; its curves are then unused),
   * or at z = 0 in 2-D. Its pixel size, where it says one, must be `pixelSizeNm` (the spline is
   * in camera pixels). Not with `pupil`. @default none
   */
  spline?: SplineCalibration;
  /**
   * A cell's autofluorescence on top of `background`: soft-edged cell bodies and vesicles,
   * bleaching through the acquisition ({@link CellBackground}); the truth's background column is
   * then each emitter's local background. @default none
   */
  cellBackground?: CellBackgroundOptions;
  /**
   * Imitate a kind of camera ({@link CAMERA_PRESETS}): its offset, gain, read noise, EM gain and
   * sensor are the defaults of those options. @default none
   */
  cameraPreset?: CameraPreset;
  /** Random seed. @default 1 */
  seed?: number;
}

/** The true emitters of one frame (positions in nm from the top-left image corner, in the sample). */
export interface TruthRows {
  /** Frame number, 1-based. */
  frame: number;
  x: number[];
  y: number[];
  photons: number[];
  background: number[];
  /** Each emitter's number (1-based): one number per blink, a run of frames it is on. */
  emitter: number[];
  /** 3-D simulations: each emitter's depth, nm. */
  z?: number[];
  /** The stage drift of this frame, nm (what the camera adds to the positions). */
  driftX: number;
  driftY: number;
}

/** One simulated frame: ADU values (integers, clamped to 0…65535) and its truth. */
export interface SimulatedFrame {
  index: number;
  adu: Float64Array;
  truth: TruthRows;
}

/** The resolved options (recorded with samples). */
export type ResolvedSimulateStackOptions = Required<Omit<SimulateStackOptions, 'drift' | 'astigmatism' | 'onEmitters' | 'pupil' | 'spline' | 'cellBackground' | 'cameraPreset'>> &
  Pick<SimulateStackOptions, 'drift' | 'astigmatism' | 'onEmitters' | 'pupil' | 'spline' | 'cameraPreset'> & { cellBackground?: Required<CellBackgroundOptions> };

/** An empty grid cell. */
const NO_EMITTERS: readonly number[] = [];

/** Emitters placed or drawn between two calls of `onEmitters`. */
export const PROGRESS_EMITTERS = 65536;

/**
 * Most emitters on in a frame per pixel: more than one per pixel cannot be told apart, and
 * simulating them took minutes a frame without a line of output.
 */
export const MAX_EMITTERS_PER_PIXEL = 1;
/**
 * Largest share of the field that discs of the minimum separation's diameter can cover when
 * placed at random: random sequential adsorption jams at 54.7 % (Feder 1980); beyond it the
 * positions cannot be found.
 */
const JAMMING_COVERAGE = 0.547;

/** Refuse densities that cannot be simulated: more emitters than pixels, or than fit at the minimum separation. */
function checkDensity(o: ResolvedSimulateStackOptions): void {
  const pixels = o.width * o.height;
  const areaUm2 = (pixels * o.pixelSizeNm ** 2) / 1e6;
  const meanOn = o.density * areaUm2;
  const most = (MAX_EMITTERS_PER_PIXEL * 1e6) / o.pixelSizeNm ** 2;
  if (meanOn > MAX_EMITTERS_PER_PIXEL * pixels) {
    throw new InvalidOptionError(`simulation option density of ${o.density} per µm² puts ${Math.round(meanOn)} emitters in a ${o.width}×${o.height} px frame, more than its ${pixels} pixels: at most ${round3(most)} per µm² at ${o.pixelSizeNm} nm pixels`, 'density');
  }
  const disc = Math.PI * (o.minSeparationNm / 2) ** 2 / 1e6;
  if (meanOn * disc > JAMMING_COVERAGE * areaUm2) {
    throw new InvalidOptionError(`simulation option density of ${o.density} per µm² cannot be placed ${o.minSeparationNm} nm apart: at most ${round3(JAMMING_COVERAGE / disc)} per µm² fit at that separation`, 'density');
  }
}

/** Three significant digits, for messages. */
function round3(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/**
 * The defaults of {@link simulateStack} (see {@link SimulateStackOptions} for each one's meaning
 * and unit): a 64 × 64 px field of 100 nm pixels, 100 frames, sparse blinking emitters.
 */
export const SIMULATE_DEFAULTS = {
  width: 64,
  height: 64,
  frames: 100,
  pixelSizeNm: 100,
  psfSigmaNm: 130,
  density: 0.2,
  photons: 2000,
  background: 20,
  meanOnFrames: 3,
  baselineAdu: 100,
  photonsPerAdu: 1,
  readNoiseAdu: 1.5,
  emGain: 1,
  sensor: 'uniform',
  marginNm: 0,
  minSeparationNm: 0,
  structure: 'random',
  structureCount: 0,
  ringRadiusNm: STRUCTURE_DEFAULTS.ringRadiusNm,
  seed: 1,
} as const;

/** The defaults of a simulated drift's wobble: its amplitude (nm) and period (frames). */
export const DRIFT_WOBBLE_DEFAULTS = { wobbleNm: 0, wobblePeriodFrames: 1000 } as const;

/** Fill defaults and check the simulation options. */
export function resolveSimulateStackOptions(options: SimulateStackOptions = {}): ResolvedSimulateStackOptions {
  const preset = options.cameraPreset;
  if (preset !== undefined && !CAMERA_PRESET_NAMES.includes(preset)) throw new InvalidOptionError(`simulation option cameraPreset must be ${CAMERA_PRESET_NAMES.join(', ')}, got ${String(preset)}`, 'cameraPreset');
  const o: ResolvedSimulateStackOptions = {
    ...SIMULATE_DEFAULTS,
    ...(preset ? CAMERA_PRESETS[preset] : {}),
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as ResolvedSimulateStackOptions;
  if (options.cellBackground) o.cellBackground = resolveCellBackgroundOptions(options.cellBackground);
  const positive = ['width', 'height', 'frames', 'pixelSizeNm', 'psfSigmaNm', 'photonsPerAdu', 'meanOnFrames'] as const;
  for (const key of positive) if (!(o[key] > 0 && Number.isFinite(o[key]))) throw new InvalidOptionError(`simulation option ${key} must be > 0, got ${o[key]}`, key);
  const nonNegative = ['density', 'photons', 'background', 'readNoiseAdu', 'marginNm', 'minSeparationNm'] as const;
  for (const key of nonNegative) if (!(o[key] >= 0 && Number.isFinite(o[key]))) throw new InvalidOptionError(`simulation option ${key} must be ≥ 0, got ${o[key]}`, key);
  for (const key of ['width', 'height', 'frames'] as const) if (!Number.isInteger(o[key])) throw new InvalidOptionError(`simulation option ${key} must be a whole number, got ${o[key]}`, key);
  if (o.meanOnFrames < 1) throw new InvalidOptionError(`simulation option meanOnFrames must be ≥ 1, got ${o.meanOnFrames}`, 'meanOnFrames');
  if (!['random', 'filaments', 'rings'].includes(o.structure)) throw new InvalidOptionError(`simulation option structure must be random, filaments or rings, got ${String(o.structure)}`, 'structure');
  if (!(Number.isInteger(o.structureCount) && o.structureCount >= 0)) throw new InvalidOptionError(`simulation option structureCount must be a whole number ≥ 0, got ${o.structureCount}`, 'structureCount');
  if (!(o.emGain >= 1 && Number.isFinite(o.emGain))) throw new InvalidOptionError(`simulation option emGain must be ≥ 1, got ${o.emGain}`, 'emGain');
  if (o.sensor !== 'uniform' && o.sensor !== 'scmos') throw new InvalidOptionError(`simulation option sensor must be uniform or scmos, got ${String(o.sensor)}`, 'sensor');
  if (o.drift && !(Number.isFinite(o.drift.xNm) && Number.isFinite(o.drift.yNm) && (o.drift.wobbleNm ?? 0) >= 0 && (o.drift.wobblePeriodFrames ?? 1) > 0)) {
    throw new InvalidOptionError(`simulation option drift needs finite xNm, yNm, wobbleNm ≥ 0 and wobblePeriodFrames > 0, got ${JSON.stringify(o.drift)}`, 'drift');
  }
  if (!(o.ringRadiusNm > 0)) throw new InvalidOptionError(`simulation option ringRadiusNm must be > 0, got ${o.ringRadiusNm}`, 'ringRadiusNm');
  if (o.pupil && o.spline) throw new InvalidOptionError('simulation options pupil and spline are two PSFs: give one', 'spline');
  if (o.spline) SplineSpotPsf.check(o.spline, o.pixelSizeNm, o.astigmatism?.zRangeNm ?? [0, 0], o.astigmatism ? 'the simulation\'s z range' : 'a 2-D simulation (z = 0)');
  checkDensity(o);
  return o;
}

/**
 * Simulate a blinking SMLM acquisition frame by frame, from the same pixel-integrated Gaussian
 * model the fit uses: emitters switch on at random positions of the labelled structure (uniform
 * over the image inside the margin, or along filaments, or on rings: {@link Structure}), stay on for a geometric number of frames (mean `meanOnFrames`), and bleach; on
 * average `density` emitters per µm² are on in a frame. Each frame is background (plus, with
 * `cellBackground`, a bleaching cell's autofluorescence: {@link CellBackground}) plus spots,
 * Poisson noise, then the camera: ADU = baseline + photons / photonsPerAdu + Gaussian read
 * noise, rounded and clamped to 16 bits.
 *
 * @param options - see {@link SimulateStackOptions}
 * @returns a generator of frames (ADU) with their truth
 */
export function* simulateStack(options: SimulateStackOptions = {}): Generator<SimulatedFrame, void, undefined> {
  const o = resolveSimulateStackOptions(options);
  const rng = new Random(o.seed);
  const { width, height, pixelSizeNm } = o;
  const sigmaPx = o.psfSigmaNm / pixelSizeNm;
  const astig = o.astigmatism;
  // The widest σ drawn: the PSF's, or the widest of the depths simulated.
  let widestPx = sigmaPx;
  if (astig) for (const z of [astig.zRangeNm[0], 0, astig.zRangeNm[1]]) widestPx = Math.max(widestPx, defocusSigma(astig.x, z) / pixelSizeNm, defocusSigma(astig.y, z) / pixelSizeNm);
  const window = 2 * Math.ceil(4 * widestPx) + 1;
  const xAxis = new GaussianAxis(Math.min(window, width));
  const yAxis = new GaussianAxis(Math.min(window, height));
  const areaUm2 = (width * height * pixelSizeNm * pixelSizeNm) / 1e6;
  const meanOn = o.density * areaUm2;
  const survive = 1 - 1 / o.meanOnFrames;
  const activations = meanOn / o.meanOnFrames;
  const margin = Math.min(o.marginNm, 0.5 * width * pixelSizeNm, 0.5 * height * pixelSizeNm);
  const region = { x0: margin, y0: margin, width: width * pixelSizeNm - 2 * margin, height: height * pixelSizeNm - 2 * margin };
  const structure = Structure.create(o.structure, region, rng, { count: o.structureCount || undefined, ringRadiusNm: o.ringRadiusNm });
  const separation = o.minSeparationNm;
  const separation2 = separation ** 2;
  // Emitters by grid cell of the minimum separation, for the list being filled: a new position
  // is checked against the 3×3 cells around it, not every emitter on (which took minutes at
  // high densities); the same positions are accepted as by checking all of them.
  let gridOf: number[] | undefined;
  const grid = new Map<string, number[]>();
  const cellKey = (cx: number, cy: number) => `${cx},${cy}`;
  const addToGrid = (xs: number[], ys: number[], k: number) => {
    const key = cellKey(Math.floor(xs[k] / separation), Math.floor(ys[k] / separation));
    const cell = grid.get(key);
    if (cell) cell.push(k);
    else grid.set(key, [k]);
  };
  const isFree = (xs: number[], ys: number[], x: number, y: number) => {
    if (gridOf !== xs) {
      gridOf = xs;
      grid.clear();
      for (let k = 0; k < xs.length; k++) addToGrid(xs, ys, k);
    }
    const cx = Math.floor(x / separation);
    const cy = Math.floor(y / separation);
    for (let i = cx - 1; i <= cx + 1; i++) {
      for (let j = cy - 1; j <= cy + 1; j++) {
        for (const k of grid.get(cellKey(i, j)) ?? NO_EMITTERS) if ((xs[k] - x) ** 2 + (ys[k] - y) ** 2 < separation2) return false;
      }
    }
    return true;
  };
  // Progress inside a frame: emitters placed (for the next frame) and drawn (in this one).
  let work = { frame: 0, emitters: 0 };
  const tick = (frame: number) => {
    if (work.frame !== frame) work = { frame, emitters: 0 };
    if (++work.emitters % PROGRESS_EMITTERS === 0) o.onEmitters?.(frame, work.emitters);
  };
  /** Switch an emitter on at a random free position (a few tries; skipped if the field is full). */
  const switchOn = (xs: number[], ys: number[], frame: number) => {
    tick(frame);
    for (let attempt = 0; attempt < 100; attempt++) {
      const [x, y] = structure.sample(rng);
      if (separation2 > 0 && !isFree(xs, ys, x, y)) continue;
      xs.push(x);
      ys.push(y);
      if (separation2 > 0) addToGrid(xs, ys, xs.length - 1);
      return true;
    }
    return false;
  };
  let xs: number[] = [];
  let ys: number[] = [];
  let zs: number[] = [];
  let ids: number[] = [];
  const depth = () => (astig ? astig.zRangeNm[0] + (astig.zRangeNm[1] - astig.zRangeNm[0]) * rng.uniform() : 0);
  let emitters = 0;
  const start = rng.poisson(meanOn);
  for (let k = 0; k < start; k++) {
    if (!switchOn(xs, ys, 0)) continue;
    ids.push(++emitters);
    zs.push(depth());
  }
  const image = new Float64Array(width * height);
  const maps = o.sensor === 'scmos' ? sensorMaps(o) : undefined;
  const psf: SpotPsf | undefined = o.pupil ? new PupilPsf(pixelSizeNm, o.pupil) : o.spline ? new SplineSpotPsf(o.spline.psf) : undefined;
  const cells = o.cellBackground ? new CellBackground(width, height, pixelSizeNm, o.frames, o.seed, o.cellBackground) : undefined;
  for (let f = 0; f < o.frames; f++) {
    image.fill(o.background);
    cells?.render(image, f);
    const [driftX, driftY] = driftAt(o, f);
    for (let k = 0; k < xs.length; k++) {
      tick(f);
      const xPx = (xs[k] + driftX) / pixelSizeNm;
      const yPx = (ys[k] + driftY) / pixelSizeNm;
      const c0 = Math.min(Math.max(Math.round(xPx) - (xAxis.box >> 1), 0), width - xAxis.box);
      const r0 = Math.min(Math.max(Math.round(yPx) - (yAxis.box >> 1), 0), height - yAxis.box);
      if (psf) psf.add(image, width, height, xPx, yPx, o.photons, astig ? zs[k] : 0);
      else if (astig) renderSpot(image, width, c0, r0, xAxis, yAxis, xPx - c0, yPx - r0, o.photons, defocusSigma(astig.x, zs[k]) / pixelSizeNm, defocusSigma(astig.y, zs[k]) / pixelSizeNm);
      else renderSpot(image, width, c0, r0, xAxis, yAxis, xPx - c0, yPx - r0, o.photons, sigmaPx);
    }
    const adu = new Float64Array(width * height);
    for (let i = 0; i < adu.length; i++) {
      let electrons = rng.poisson(image[i]);
      if (o.emGain > 1 && electrons > 0) electrons = o.emGain * rng.gamma(electrons);
      const v = maps
        ? maps.offsetAdu[i] + maps.gainAduPerElectron[i] * electrons + Math.sqrt(maps.varianceAdu2[i]) * rng.normal()
        : o.baselineAdu + electrons / o.photonsPerAdu + o.readNoiseAdu * rng.normal();
      adu[i] = Math.min(65535, Math.max(0, Math.round(v)));
    }
    const truth: TruthRows = {
      frame: f + 1,
      x: xs.slice(),
      y: ys.slice(),
      photons: xs.map(() => o.photons),
      // With a cell background, each emitter's: the flat one plus the cell's in its pixel (0.01 photon).
      background: cells ? xs.map((x, k) => Math.round(100 * (o.background + cells.at((x + driftX) / pixelSizeNm, (ys[k] + driftY) / pixelSizeNm))) / 100) : xs.map(() => o.background),
      emitter: ids.slice(),
      ...(astig ? { z: zs.slice() } : {}),
      driftX,
      driftY,
    };
    yield { index: f, adu, truth };
    // Bleach some, switch new ones on.
    const nextX: number[] = [];
    const nextY: number[] = [];
    const nextIds: number[] = [];
    const nextZ: number[] = [];
    for (let k = 0; k < xs.length; k++) {
      if (rng.uniform() < survive) {
        nextX.push(xs[k]);
        nextY.push(ys[k]);
        nextIds.push(ids[k]);
        nextZ.push(zs[k]);
      }
    }
    const born = rng.poisson(activations);
    for (let k = 0; k < born; k++) {
      if (!switchOn(nextX, nextY, f + 1)) continue;
      nextIds.push(++emitters);
      nextZ.push(depth());
    }
    xs = nextX;
    ys = nextY;
    zs = nextZ;
    ids = nextIds;
  }
}

/**
 * The stage drift of a simulation at frame index `f` (0-based), nm: a straight line from 0 at
 * the first frame to (xNm, yNm) at the last, plus the wobble.
 * @param options - resolved simulation options
 * @param f - frame index, 0-based
 */
export function driftAt(options: ResolvedSimulateStackOptions, f: number): [number, number] {
  const d = options.drift;
  if (!d) return [0, 0];
  const t = options.frames > 1 ? f / (options.frames - 1) : 0;
  const wobble = d.wobbleNm ?? DRIFT_WOBBLE_DEFAULTS.wobbleNm;
  const period = d.wobblePeriodFrames ?? DRIFT_WOBBLE_DEFAULTS.wobblePeriodFrames;
  return [d.xNm * t + wobble * Math.sin((2 * Math.PI * f) / period), d.yNm * t + wobble * Math.sin((2 * Math.PI * f) / (1.37 * period))];
}

/** A simulated sensor's calibration maps, row-major, width·height values each. */
export interface SensorMaps {
  readonly width: number;
  readonly height: number;
  /** Offset of each pixel, ADU. */
  readonly offsetAdu: Float32Array;
  /** Read-noise variance of each pixel, ADU². */
  readonly varianceAdu2: Float32Array;
  /** Gain of each pixel, ADU per electron. */
  readonly gainAduPerElectron: Float32Array;
}

/** The sCMOS sensors simulated: the spread of offsets and gains, the read noise, the hot pixels. */
export const SCMOS_SENSOR = {
  /** Standard deviation of the pixels' offsets around the base level, ADU. */
  offsetSpreadAdu: 3,
  /** Relative standard deviation of the pixels' gains. */
  gainSpread: 0.05,
  /** Read noise of an ordinary pixel: log-normal around this median, e⁻ rms… */
  readNoiseElectrons: 1.6,
  /** …with this spread of its logarithm. */
  readNoiseLogSpread: 0.25,
  /** Fraction of hot pixels, and their read noise (uniform in the range, e⁻ rms). */
  hotFraction: 0.03,
  hotReadNoiseElectrons: [10, 40] as const,
} as const;

/**
 * The calibration maps of the sCMOS sensor a simulation with `sensor: 'scmos'` uses, made from
 * its seed (a generator of their own, so the same seed gives the same sensor): offsets around
 * the base level, gains around 1/photonsPerAdu, log-normal read noise, and hot pixels
 * ({@link SCMOS_SENSOR}). These are what `simulate` writes next to the stack as
 * `NAME.offset.tif`, `NAME.variance.tif`, `NAME.gain.tif`.
 * @param options - resolved simulation options
 */
export function sensorMaps(options: ResolvedSimulateStackOptions): SensorMaps {
  const { width, height } = options;
  const n = width * height;
  const rng = new Random((options.seed ^ 0x5ca7) >>> 0);
  const s = SCMOS_SENSOR;
  const offsetAdu = new Float32Array(n);
  const varianceAdu2 = new Float32Array(n);
  const gainAduPerElectron = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    offsetAdu[i] = options.baselineAdu + s.offsetSpreadAdu * rng.normal();
    const gain = (1 / options.photonsPerAdu) * Math.max(0.5, 1 + s.gainSpread * rng.normal());
    gainAduPerElectron[i] = gain;
    const [low, high] = s.hotReadNoiseElectrons;
    const hot = rng.uniform() < s.hotFraction;
    const noise = hot ? low + (high - low) * rng.uniform() : s.readNoiseElectrons * Math.exp(s.readNoiseLogSpread * rng.normal());
    varianceAdu2[i] = (noise * gain) ** 2;
  }
  return { width, height, offsetAdu, varianceAdu2, gainAduPerElectron };
}

/** The truth CSV header written next to simulated stacks. */
export const TRUTH_CSV_HEADER = '"frame","x [nm]","y [nm]","photons","background","emitter"';

/** The truth CSV header of 3-D simulations: the same, and each emitter's depth. */
export const TRUTH_CSV_HEADER_3D = `${TRUTH_CSV_HEADER},"z [nm]"`;

/** Truth rows of one frame as CSV lines (no header); with depths, a z column. */
export function truthCsvLines(truth: TruthRows): string {
  let out = '';
  for (let k = 0; k < truth.x.length; k++) {
    out += `${truth.frame},${truth.x[k].toFixed(3)},${truth.y[k].toFixed(3)},${truth.photons[k]},${truth.background[k]},${truth.emitter[k]}${truth.z ? `,${truth.z[k].toFixed(2)}` : ''}\n`;
  }
  return out;
}
