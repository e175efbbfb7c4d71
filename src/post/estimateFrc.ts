import { InputFileError } from '../errors/InputFileError.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { Random } from '../simulate/Random.js';
import { describeFault, findFaultyRows } from '../table/checkRows.js';
import type { LocalizationTable } from '../table/LocalizationTable.js';
import { positions } from '../table/LocalizationTable.js';
import { estimateNena } from './estimateNena.js';
import { RadixTwoFft } from '../camera/RadixTwoFft.js';

/** How the table is split into two halves. */
export type FrcSplit = 'random' | 'frame-blocks';

/** FRC's options (Nieuwenhuizen et al., Nat. Methods 10:557, 2013). */
export interface FrcOptions {
  /**
   * Pixel of the two half-images, nm. Fine enough that the crossing lies well below the
   * Nyquist frequency 1/(2·pixel): see {@link frcPixelNm} for the default rule.
   * @default frcPixelNm(NeNA of the table), or {@link FRC_DEFAULTS}.pixelNm when NeNA cannot be had
   */
  pixelNm?: number;
  /** Random splits into halves: the resolution is their mean ± SD. @default 5 */
  splits?: number;
  /** Seed of the splits (the same seed, the same halves). @default 1 */
  seed?: number;
  /**
   * `random`: each localization to a half at random; `frame-blocks`: the acquisition cut
   * into {@link blocks} blocks of consecutive frames, half of them (chosen at random) to each
   * half, as the software of Nieuwenhuizen et al. does (a molecule's repeated localizations, in
   * consecutive frames, stay in one half, so they do not correlate the halves).
   * @default 'random'
   */
  split?: FrcSplit;
  /** Blocks of consecutive frames the acquisition is cut into (split `frame-blocks`; Nieuwenhuizen et al.'s default). @default 50 */
  blocks?: number;
  /**
   * Side of the Fourier transform, pixels (a power of two). A field wider than this is folded
   * into it (pixel indices modulo the side): where the field is a whole multiple of the side,
   * the transform of the folded image is exactly the full image's at every (field / side)-th
   * frequency, so the rings are sampled more coarsely, not changed (otherwise nearly so: 2 %
   * measured at 4× folding). Memory is about 20 bytes a pixel (the complex transform and each
   * pixel's ring: 80 MiB at 2048).
   * @default 2048
   */
  maxImagePx?: number;
  /** Tukey window's tapered fraction of the field along each axis (0: none, 1: Hann). @default 0.25 */
  tukeyFraction?: number;
  /**
   * Standard deviation of the Gaussian that smooths the FRC curve, in rings. Unsmoothed, the
   * first crossing of the noisy curve comes early: σ = 10 nm, 4 000 molecules on 2.4 µm at a
   * 10 nm pixel gave 43–45 nm unsmoothed, 40.8–41.3 nm smoothed by 2 rings, 40.6–40.8 nm by 5
   * (for Tukey fractions 0 to 0.5, which change it by under 1.5 % once smoothed).
   * @default 2
   */
  smoothingRings?: number;
}

/** FRC's defaults: the one home of each. */
export const FRC_DEFAULTS = {
  /** Pixel when NeNA cannot be had (a merged table, too few next-frame pairs), nm. */
  pixelNm: 5,
  /** The default pixel is NeNA times this ({@link frcPixelNm}). */
  pixelPerNena: 0.5,
  /** The default pixel's bounds, nm. */
  minPixelNm: 1,
  maxPixelNm: 20,
  splits: 5,
  seed: 1,
  split: 'random' as FrcSplit,
  blocks: 50,
  maxImagePx: 2048,
  tukeyFraction: 0.25,
  smoothingRings: 2,
  /** The resolution threshold of Nieuwenhuizen et al.: FRC = 1/7. */
  threshold: 1 / 7,
} as const;

/**
 * The default pixel of the FRC images from NeNA: half of it, within 1 to 20 nm. The FRC
 * resolution of a precision σ lies beyond some 2.5·σ, and the Nyquist limit of a pixel p is 2p:
 * at p = σ/2 the crossing sits at a fifth of the Nyquist frequency or below, where pixelation
 * and aliasing leave the curve alone, and a finer pixel changes the resolution by under 2 %
 * (test/post/frc.test.ts measures it).
 * @param nenaNm - NeNA of the table, nm, or undefined when it could not be had
 * @returns the pixel, nm
 */
export function frcPixelNm(nenaNm: number | undefined): number {
  if (nenaNm === undefined || !(nenaNm > 0)) return FRC_DEFAULTS.pixelNm;
  return Math.min(FRC_DEFAULTS.maxPixelNm, Math.max(FRC_DEFAULTS.minPixelNm, nenaNm * FRC_DEFAULTS.pixelPerNena));
}

/** The resolved options: every value given. */
export type ResolvedFrcOptions = Required<FrcOptions>;

/**
 * Resolve FRC's options (pixel given: {@link estimateFrc} finds the default from NeNA first).
 * @param options - the options, with a pixel
 * @throws InvalidOptionError for a value out of range
 */
export function resolveFrcOptions(options: FrcOptions & { pixelNm: number }): ResolvedFrcOptions {
  const o: ResolvedFrcOptions = {
    pixelNm: options.pixelNm,
    splits: options.splits ?? FRC_DEFAULTS.splits,
    seed: options.seed ?? FRC_DEFAULTS.seed,
    split: options.split ?? FRC_DEFAULTS.split,
    blocks: options.blocks ?? FRC_DEFAULTS.blocks,
    maxImagePx: options.maxImagePx ?? FRC_DEFAULTS.maxImagePx,
    tukeyFraction: options.tukeyFraction ?? FRC_DEFAULTS.tukeyFraction,
    smoothingRings: options.smoothingRings ?? FRC_DEFAULTS.smoothingRings,
  };
  if (!(o.pixelNm > 0 && Number.isFinite(o.pixelNm))) throw new InvalidOptionError(`FRC's pixel must be a positive number of nm, got ${o.pixelNm}`, 'pixelNm');
  if (!(Number.isInteger(o.splits) && o.splits >= 1 && o.splits <= 100)) throw new InvalidOptionError(`FRC's splits must be a whole number from 1 to 100, got ${o.splits}`, 'splits');
  if (!Number.isInteger(o.seed)) throw new InvalidOptionError(`FRC's seed must be a whole number, got ${o.seed}`, 'seed');
  if (o.split !== 'random' && o.split !== 'frame-blocks') throw new InvalidOptionError(`FRC's split must be random or frame-blocks, got '${String(o.split)}'`, 'split');
  if (!(Number.isInteger(o.blocks) && o.blocks >= 2 && o.blocks <= 1e6)) throw new InvalidOptionError(`FRC's blocks of frames must be a whole number from 2 to 10⁶, got ${o.blocks}`, 'blocks');
  if (!(Number.isInteger(o.maxImagePx) && o.maxImagePx >= 16 && o.maxImagePx <= 8192 && (o.maxImagePx & (o.maxImagePx - 1)) === 0)) {
    throw new InvalidOptionError(`FRC's image side must be a power of two from 16 to 8192 pixels, got ${o.maxImagePx}`, 'maxImagePx');
  }
  if (!(o.tukeyFraction >= 0 && o.tukeyFraction <= 1)) throw new InvalidOptionError(`FRC's Tukey fraction must be from 0 to 1, got ${o.tukeyFraction}`, 'tukeyFraction');
  if (!(o.smoothingRings >= 0 && o.smoothingRings <= 100)) throw new InvalidOptionError(`FRC's smoothing must be from 0 to 100 rings, got ${o.smoothingRings}`, 'smoothingRings');
  return o;
}

/** FRC's result: the resolution (mean ± SD over the splits), the curve, and the parameters used. */
export interface FrcResult {
  /** The FRC resolution, nm: the mean over the splits of 1/q at the 1/7 crossing (NaN when no split crossed). */
  readonly resolutionNm: number;
  /** Its standard deviation over the splits, nm (0 for one split). */
  readonly resolutionSdNm: number;
  /** Each split's resolution, nm (NaN where its curve stayed above 1/7 up to the Nyquist frequency). */
  readonly splitResolutionsNm: readonly number[];
  /** The parameters used (the pixel as resolved). */
  readonly options: ResolvedFrcOptions;
  /** Localizations used (rows with a usable frame, x and y). */
  readonly localizations: number;
  /** Frames of a block (split `frame-blocks`), as the blocks came out. */
  readonly blockFrames: number;
  /** Side of the transformed image, pixels, and whether the field was folded into it. */
  readonly imagePx: number;
  readonly folded: boolean;
  /** The curve, ring by ring (ring k at spatial frequency k/(imagePx·pixelNm)), mean over the splits. */
  readonly curve: {
    /** Spatial frequency of each ring, 1/nm. */
    readonly frequencyPerNm: Float64Array;
    /** The FRC of each ring before smoothing. */
    readonly frc: Float64Array;
    /** The smoothed FRC, whose 1/7 crossing gives the resolution. */
    readonly smoothed: Float64Array;
  };
  /** The threshold, 1/7. */
  readonly threshold: number;
}

/**
 * Where a curve falls below the threshold first (from ring 1 on), linearly interpolated
 * between the rings on either side.
 * @param curve - the smoothed FRC, ring by ring
 * @param threshold - 1/7
 * @returns the crossing in rings (fractional), or NaN when the curve stays above
 */
export function frcCrossing(curve: ArrayLike<number>, threshold: number): number {
  for (let k = 1; k < curve.length; k++) {
    if (curve[k] < threshold) {
      const a = curve[k - 1];
      const b = curve[k];
      return a > b ? k - 1 + (a - threshold) / (a - b) : k;
    }
  }
  return NaN;
}

/**
 * Smooth a curve by a Gaussian of `sigma` samples (the kernel renormalized at the ends).
 * @param values - the curve
 * @param sigma - the Gaussian's standard deviation, samples (0: a copy)
 * @param out - where to write, as long as `values`
 */
function smooth(values: Float64Array, sigma: number, out: Float64Array): void {
  if (sigma <= 0) {
    out.set(values);
    return;
  }
  const reach = Math.ceil(3 * sigma);
  const kernel = Float64Array.from({ length: 2 * reach + 1 }, (_, i) => Math.exp(-0.5 * ((i - reach) / sigma) ** 2));
  for (let k = 0; k < values.length; k++) {
    let s = 0;
    let w = 0;
    for (let j = -reach; j <= reach; j++) {
      const i = k + j;
      if (i < 0 || i >= values.length) continue;
      s += kernel[j + reach] * values[i];
      w += kernel[j + reach];
    }
    out[k] = s / w;
  }
}

/**
 * The Tukey window at t ∈ [0, 1] across the field: 1 in the middle, a half cosine over the
 * outer `fraction`/2 on each side (Harris, Proc. IEEE 66:51, 1978).
 */
function tukey(t: number, fraction: number): number {
  if (fraction <= 0) return 1;
  const edge = fraction / 2;
  if (t < edge) return 0.5 * (1 - Math.cos((Math.PI * t) / edge));
  if (t > 1 - edge) return 0.5 * (1 - Math.cos((Math.PI * (1 - t)) / edge));
  return 1;
}

/**
 * The FRC of frame, x and y columns with resolved options (the pixel given): for each split,
 * the two halves binned (each localization weighted by a Tukey window over the field, the
 * field folded into an imagePx × imagePx tile when wider) as the real and imaginary parts of one
 * complex image, one 2-D FFT ({@link RadixTwoFft}), the halves' transforms separated by
 * F₁(k) = (Z(k) + Z*(−k))/2 and F₂(k) = (Z(k) − Z*(−k))/2i, and over rings of integer radius
 * FRC(q) = Σ Re(F₁·F₂*) / √(Σ|F₁|²·Σ|F₂|²) (Nieuwenhuizen et al., Nat. Methods 10:557, 2013);
 * the curve smoothed by a Gaussian over rings, the resolution 1/q where it first falls below
 * 1/7 (interpolated between rings).
 * @param frame - frame numbers
 * @param x - x, nm
 * @param y - y, nm
 * @param options - resolved options ({@link resolveFrcOptions})
 * @param path - the table's file, named in errors @default 'the table'
 * @throws InputFileError for a row without a usable frame, x or y, or a table too small to split
 */
export function estimateFrcOfColumns(frame: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, options: ResolvedFrcOptions, path = 'the table'): FrcResult {
  const o = options;
  const n = frame.length;
  const faulty = findFaultyRows(frame, x, y);
  if (faulty) throw new InputFileError(`${path}: row ${faulty.row + 1}: ${describeFault(faulty.fault, faulty.value)}; FRC needs a frame, x and y in every row`);
  if (n < 2) throw new InputFileError(`${path}: FRC needs at least 2 localizations, got ${n}`);
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  let firstFrame = Infinity;
  let lastFrame = -Infinity;
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, x[i]);
    x1 = Math.max(x1, x[i]);
    y0 = Math.min(y0, y[i]);
    y1 = Math.max(y1, y[i]);
    firstFrame = Math.min(firstFrame, frame[i]);
    lastFrame = Math.max(lastFrame, frame[i]);
  }
  const p = o.pixelNm;
  const fieldPx = Math.max(Math.floor((x1 - x0) / p) + 1, Math.floor((y1 - y0) / p) + 1);
  let side = 16;
  while (side < fieldPx && side < o.maxImagePx) side *= 2;
  const folded = fieldPx > side;
  // Blocks of whole frames: as many as asked, fewer when the frames are fewer.
  const blockFrames = Math.max(1, Math.ceil((lastFrame - firstFrame + 1) / o.blocks));
  const blocks = Math.floor((lastFrame - firstFrame) / blockFrames) + 1;
  if (o.split === 'frame-blocks' && blocks < 2) {
    throw new InputFileError(`${path}: FRC split by frame blocks needs at least 2 frames, but every localization is in frame ${firstFrame}: use the random split`);
  }
  // Per-row pixel index (folded) and window weight: the same for every split.
  const pixel = new Int32Array(n);
  const weight = new Float64Array(n);
  const mask = side - 1;
  const width = Math.max(x1 - x0, p);
  const height = Math.max(y1 - y0, p);
  for (let i = 0; i < n; i++) {
    const column = Math.floor((x[i] - x0) / p) & mask;
    const row = Math.floor((y[i] - y0) / p) & mask;
    pixel[i] = row * side + column;
    weight[i] = tukey((x[i] - x0) / width, o.tukeyFraction) * tukey((y[i] - y0) / height, o.tukeyFraction);
  }
  const fft = new RadixTwoFft(side);
  const re = new Float64Array(side * side);
  const im = new Float64Array(side * side);
  const rings = side / 2 + 1;
  const numerator = new Float64Array(rings);
  const power1 = new Float64Array(rings);
  const power2 = new Float64Array(rings);
  // Ring of each frequency (row, column): round(√(u² + v²)) with u, v ∈ (−side/2, side/2]; −1 beyond side/2.
  const ringOf = new Int32Array(side * side);
  for (let r = 0; r < side; r++) {
    const v = r <= side / 2 ? r : r - side;
    for (let c = 0; c < side; c++) {
      const u = c <= side / 2 ? c : c - side;
      const k = Math.round(Math.sqrt(u * u + v * v));
      ringOf[r * side + c] = k < rings ? k : -1;
    }
  }
  const raw = new Float64Array(rings);
  const smoothed = new Float64Array(rings);
  const meanRaw = new Float64Array(rings);
  const meanSmoothed = new Float64Array(rings);
  const resolutions: number[] = [];
  const random = new Random(o.seed);
  const blockHalf = new Uint8Array(o.split === 'frame-blocks' ? blocks : 0);
  const order = new Int32Array(blockHalf.length);
  for (let s = 0; s < o.splits; s++) {
    re.fill(0);
    im.fill(0);
    if (o.split === 'frame-blocks') {
      // Half the blocks to each half, chosen at random (a shuffle): neither half is ever empty.
      for (let b = 0; b < blocks; b++) order[b] = b;
      for (let b = blocks - 1; b > 0; b--) {
        const j = Math.floor(random.uniform() * (b + 1));
        const t = order[b];
        order[b] = order[j];
        order[j] = t;
      }
      for (let b = 0; b < blocks; b++) blockHalf[order[b]] = b < blocks / 2 ? 1 : 0;
      for (let i = 0; i < n; i++) {
        const half = blockHalf[Math.floor((frame[i] - firstFrame) / blockFrames)];
        (half ? im : re)[pixel[i]] += weight[i];
      }
    } else {
      let bits = 0;
      for (let i = 0; i < n; i++) {
        if ((i & 31) === 0) bits = random.nextUint32();
        ((bits >>> (i & 31)) & 1 ? im : re)[pixel[i]] += weight[i];
      }
    }
    fft.transform2d(re, im);
    numerator.fill(0);
    power1.fill(0);
    power2.fill(0);
    for (let r = 0; r < side; r++) {
      const rm = r === 0 ? 0 : side - r;
      for (let c = 0; c < side; c++) {
        const at = r * side + c;
        const k = ringOf[at];
        if (k < 0) continue;
        const cm = c === 0 ? 0 : side - c;
        const mirror = rm * side + cm;
        // Z(k) = a + ib, Z(−k) = e + if: F₁ = ((a + e) + i(b − f))/2, F₂ = ((b + f) + i(e − a))/2.
        const a = re[at];
        const b = im[at];
        const e = re[mirror];
        const f = im[mirror];
        const f1r = a + e;
        const f1i = b - f;
        const f2r = b + f;
        const f2i = e - a;
        numerator[k] += f1r * f2r + f1i * f2i;
        power1[k] += f1r * f1r + f1i * f1i;
        power2[k] += f2r * f2r + f2i * f2i;
      }
    }
    for (let k = 0; k < rings; k++) {
      const d = Math.sqrt(power1[k] * power2[k]);
      raw[k] = d > 0 ? numerator[k] / d : 0;
    }
    smooth(raw, o.smoothingRings, smoothed);
    for (let k = 0; k < rings; k++) {
      meanRaw[k] += raw[k] / o.splits;
      meanSmoothed[k] += smoothed[k] / o.splits;
    }
    const crossing = frcCrossing(smoothed, FRC_DEFAULTS.threshold);
    resolutions.push(crossing > 0 ? (side * p) / crossing : NaN);
  }
  const found = resolutions.filter((r) => Number.isFinite(r));
  const mean = found.length ? found.reduce((a, b) => a + b, 0) / found.length : NaN;
  const sd = found.length > 1 ? Math.sqrt(found.reduce((a, b) => a + (b - mean) ** 2, 0) / (found.length - 1)) : 0;
  return {
    resolutionNm: mean,
    resolutionSdNm: sd,
    splitResolutionsNm: resolutions,
    options: o,
    localizations: n,
    blockFrames,
    imagePx: side,
    folded,
    curve: { frequencyPerNm: Float64Array.from({ length: rings }, (_, k) => k / (side * p)), frc: meanRaw, smoothed: meanSmoothed },
    threshold: FRC_DEFAULTS.threshold,
  };
}

/**
 * FRC of a localization table (ours or ThunderSTORM's columns): {@link estimateFrcOfColumns}
 * of its frame, x and y. Without a pixel, the pixel comes from the table's NeNA
 * ({@link frcPixelNm}; {@link FRC_DEFAULTS}.pixelNm when NeNA cannot be had: a merged table,
 * too few next-frame pairs). A caller that has NeNA already passes `frcPixelNm(nena)`.
 * @param table - the localizations
 * @param options - FRC's options ({@link FRC_DEFAULTS})
 * @param path - the table's file, named in errors @default 'the table'
 */
export function estimateFrc(table: LocalizationTable, options: FrcOptions = {}, path = 'the table'): FrcResult {
  const { frame, x, y } = positions(table, path);
  let pixelNm = options.pixelNm;
  if (pixelNm === undefined) {
    let nena: number | undefined;
    try {
      nena = estimateNena(table, {}, path).nenaNm;
    } catch (e) {
      if (!(e instanceof InputFileError)) throw e;
    }
    pixelNm = frcPixelNm(nena);
  }
  return estimateFrcOfColumns(frame, x, y, resolveFrcOptions({ ...options, pixelNm }), path);
}
