import type { PixelArray } from '../io/Frame.js';
import type { TileNoise } from './tileNoise.js';

/** Rings below this are the low frequencies where spots and structure show (the whiteness test). */
const LOW_RINGS = 3;
/** A tile is white (background only) when its low-frequency power per bin exceeds the line's variance by less than this many standard errors. */
const WHITE_SE = 2.5;

/** The offset from the third cumulant, with its standard deviation and the tiles it came from. */
export interface SkewOffset {
  /** Offset, ADU. */
  offsetAdu: number;
  offsetSdAdu: number;
  /** Background tiles used (their cores, each a quarter of a tile). */
  tiles: number;
  pixels: number;
}

/** What {@link offsetFromSkew} needs of the frames and of the noise line already fitted. */
export interface SkewInput {
  readonly frames: readonly PixelArray[];
  readonly width: number;
  readonly height: number;
  readonly noise: TileNoise;
  /** Tile step, px (half a tile: the tiles' central quarters then tile the frame). */
  readonly stepPx: number;
  /** Every this-many-th tile in reading order is used (a frame with more than maxFrameTiles or sampleTiles). @default 1 */
  readonly every?: number;
  /** Slope (ADU) and intercept (ADU²) of variance against mean, and the slope's variance. */
  readonly slope: number;
  readonly intercept: number;
  readonly slopeVariance: number;
  /** κ3 / (slope² · signal): 1 for Poisson photoelectrons, 3/2 behind an EM register (F² = 2). */
  readonly skewFactor: number;
  /** Pixels at or beyond these values are clipped: tiles holding one are skipped. */
  readonly range: readonly [number, number];
}

/**
 * The camera offset from the third cumulant of the background's pixels, which tells the Poisson
 * part of the noise from the Gaussian read noise that the variance cannot: the signal above the
 * offset, S ADU (λ photoelectrons at c per ADU, S = λ/c), has variance slope·S with slope = 1/c,
 * and third cumulant λ/c³ = slope²·S (Gaussian read noise has none), so offset = mean − κ3/slope².
 * Behind an EM register (gamma-distributed output, F² = 2) κ3 = (3/2)·slope²·S.
 *
 * Only background tiles count: a tile whose power at low spatial frequencies (rings below
 * {@link LOW_RINGS}) is that of its noise (the line's variance at its mean, within
 * {@link WHITE_SE} standard errors) holds no spot and no structure; κ3 is taken from its central
 * quarter (where the window that measured it is strongest), with the unbiased k-statistic
 * n/((n−1)(n−2))·Σ(x − x̄)³. Each core gives offset = mean − k3/(factor·slope²); the result is their
 * mean and its standard error, plus the slope's share (∂offset/∂slope = 2S/slope).
 *
 * The third cumulant is weak: its relative standard error is √(6/n)·var^1.5/κ3, so it takes
 * many pixels where the read noise is large (10⁵–10⁶ for an sCMOS at 20 photons/px to 1 ADU).
 * @param input - frames, tiles and the fitted noise line
 * @returns the estimate, or undefined when fewer than 8 background tiles were found
 */
export function offsetFromSkew(input: SkewInput): SkewOffset | undefined {
  const { frames, width, height, noise, stepPx, slope, intercept, skewFactor, range } = input;
  const t = noise.tilePx;
  const stride = 1 + noise.rings;
  const out = new Float64Array(stride);
  let lowBins = 0;
  for (let j = 0; j < LOW_RINGS; j++) lowBins += noise.ringBins[j];
  const limit = 1 + WHITE_SE * Math.sqrt(4 / lowBins);
  const core0 = t >> 2;
  const core = t >> 1;
  const [low, high] = range;
  let sum = 0;
  let sum2 = 0;
  let count = 0;
  let signal = 0;
  let pixels = 0;
  const every = input.every ?? 1;
  for (const data of frames) {
    let index = 0;
    for (let r0 = 0; r0 + t <= height; r0 += stepPx) {
      tile: for (let c0 = 0; c0 + t <= width; c0 += stepPx) {
        if (index++ % every !== 0) continue;
        noise.measure(data, width, r0, c0, undefined, out, 0, 0, LOW_RINGS); // the low rings only
        let lowPower = 0;
        for (let j = 0; j < LOW_RINGS; j++) lowPower += out[1 + j];
        const expected = slope * out[0] + intercept;
        if (!(expected > 0) || lowPower / lowBins > limit * expected) continue;
        let mean = 0;
        let n = 0;
        for (let r = r0 + core0; r < r0 + core0 + core; r++) {
          for (let c = c0 + core0; c < c0 + core0 + core; c++) {
            const i = r * width + c;
            const v = data[i];
            if (v <= low || v >= high) continue tile;
            mean += v;
            n++;
          }
        }
        if (n < 16) continue;
        mean /= n;
        let m3 = 0;
        for (let r = r0 + core0; r < r0 + core0 + core; r++) {
          for (let c = c0 + core0; c < c0 + core0 + core; c++) {
            const i = r * width + c;
            m3 += (data[i] - mean) ** 3;
          }
        }
        const s = ((n / ((n - 1) * (n - 2))) * m3) / (skewFactor * slope * slope);
        const offset = mean - s;
        sum += offset;
        sum2 += offset * offset;
        signal += s;
        pixels += n;
        count++;
      }
    }
  }
  if (count < 8) return undefined;
  const offsetAdu = sum / count;
  const spread = Math.max(0, sum2 / count - offsetAdu * offsetAdu);
  const meanSignal = signal / count;
  const slopeShare = ((2 * meanSignal) / slope) ** 2 * input.slopeVariance;
  return { offsetAdu, offsetSdAdu: Math.sqrt(spread / (count - 1) + slopeShare), tiles: count, pixels };
}
