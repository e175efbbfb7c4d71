import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { PixelArray } from '../io/Frame.js';

/**
 * The defaults of {@link PixelMoments}: how rare events (cosmic rays, a hot event of one frame)
 * are taken out of a pixel's statistics.
 */
export const PIXEL_MOMENTS_DEFAULTS = {
  /**
   * The highest samples of each pixel kept aside (3 values a pixel), of which those above the
   * threshold are left out: a cosmic ray hits a given pixel at most once or twice in a stack; a
   * pixel whose noise really has a high state (random telegraph noise) is in it far more often
   * than this, so its variance stays whole.
   */
  outlierSamples: 3,
  /**
   * A kept-aside sample is left out when it lies more than this many standard deviations (of
   * the pixel's other samples) above their mean. Gaussian read noise reaches 7 σ once in 10¹¹
   * samples, so a calibration of a 2048² sensor over 1000 frames loses none of it; the σ of the
   * trimmed samples is a few % low, which moves the cut a little, not its meaning.
   */
  outlierThreshold: 7,
} as const;

/** Options of {@link PixelMoments}. */
export interface PixelMomentsOptions {
  /** What the frames are (a file name), for messages. */
  readonly source: string;
  /** Samples at or above this level are saturated, ADU. @default none (float data) */
  readonly saturationAdu?: number;
  /** Samples at or below this level are clipped at the bottom of the range, ADU. @default none */
  readonly floorAdu?: number;
  /** Also sum the products of horizontal and vertical neighbours (to see spots in a dark stack). @default false */
  readonly neighbours?: boolean;
  /** See {@link PIXEL_MOMENTS_DEFAULTS}. */
  readonly outlierSamples?: number;
  /** See {@link PIXEL_MOMENTS_DEFAULTS}. */
  readonly outlierThreshold?: number;
}

/** What {@link PixelMoments.finish} returns: each pixel's mean and variance over the frames. */
export interface PixelStatistics {
  /** What the frames are (a file name). */
  readonly source: string;
  readonly width: number;
  readonly height: number;
  /** Frames added. */
  readonly frames: number;
  /** Each pixel's mean, ADU (rare events left out), row-major. */
  readonly meanAdu: Float64Array;
  /** Each pixel's variance (unbiased, n − 1), ADU², rare events left out. */
  readonly varianceAdu2: Float64Array;
  /** Samples each pixel's mean and variance are made of. */
  readonly samples: Uint32Array;
  /** Samples left out as rare events, and the pixels they were in. */
  readonly outlierSamples: number;
  readonly outlierPixels: number;
  /** Pixels with a saturated sample that is not a left-out rare event, and the first of them (row-major). */
  readonly saturatedPixels: number;
  readonly firstSaturated: number;
  /** Samples at or below the floor. */
  readonly floorSamples: number;
  /**
   * With `neighbours`: the mean over the sensor of the correlation coefficient of each pixel's
   * fluctuations with its right-hand and its lower neighbour's (0 for independent pixels).
   */
  readonly neighbourCorrelation?: { readonly horizontal: number; readonly vertical: number };
  /**
   * The variance of the frames' means (over all pixels) beyond what the pixels' own noise gives
   * them (Σ variance / pixels²), ADU², floored at 0: what changes every pixel of a frame
   * together (a flickering light, an offset that moves from frame to frame).
   */
  readonly commonVarianceAdu2: number;
}

/**
 * Each pixel's mean and variance over a stream of frames, in bounded memory: running sums per
 * pixel in Float64Array (of the difference from the pixel's first sample, so that no precision
 * is lost to a large offset), whatever the number of frames; ≈ 60 bytes a pixel (250 MB for a
 * 2048 × 2048 sensor). Robust to rare events at almost no cost: the {@link
 * PIXEL_MOMENTS_DEFAULTS.outlierSamples} highest samples of each pixel are kept aside, and
 * those far above the pixel's other samples (a cosmic ray, a one-frame hot event) are left out
 * of its sums when the stream ends. Saturated samples are counted per pixel.
 */
export class PixelMoments {
  readonly width: number;
  readonly height: number;
  private readonly options: Required<Omit<PixelMomentsOptions, 'saturationAdu' | 'floorAdu'>> & Pick<PixelMomentsOptions, 'saturationAdu' | 'floorAdu'>;
  private readonly reference: Float64Array;
  private readonly sum: Float64Array;
  private readonly sumSquares: Float64Array;
  /** The highest samples of each pixel, descending, `outlierSamples` a pixel. */
  private readonly top: Float64Array;
  private readonly saturated: Uint32Array;
  private readonly rightProducts: Float64Array | undefined;
  private readonly downProducts: Float64Array | undefined;
  private floorSamples = 0;
  private count = 0;
  /** Sums of the frames' means (less the first frame's) and of their squares. */
  private frameMeanSum = 0;
  private frameMeanSquares = 0;
  private firstFrameMean = 0;

  /**
   * @param width - frame width, px
   * @param height - frame height, px
   * @param options - see {@link PixelMomentsOptions}
   */
  constructor(width: number, height: number, options: PixelMomentsOptions) {
    if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) throw new InvalidOptionError(`frames must be positive whole pixels, got ${width}×${height}`);
    this.width = width;
    this.height = height;
    this.options = { ...PIXEL_MOMENTS_DEFAULTS, neighbours: false, ...options };
    const { outlierSamples, outlierThreshold } = this.options;
    if (!(Number.isInteger(outlierSamples) && outlierSamples >= 0)) throw new InvalidOptionError(`outlierSamples must be a whole number ≥ 0, got ${outlierSamples}`, 'outlierSamples');
    if (!(outlierThreshold > 0)) throw new InvalidOptionError(`outlierThreshold must be > 0, got ${outlierThreshold}`, 'outlierThreshold');
    const n = width * height;
    this.reference = new Float64Array(n);
    this.sum = new Float64Array(n);
    this.sumSquares = new Float64Array(n);
    this.top = new Float64Array(n * outlierSamples).fill(Number.NEGATIVE_INFINITY);
    this.saturated = new Uint32Array(n);
    if (this.options.neighbours) {
      this.rightProducts = new Float64Array(n);
      this.downProducts = new Float64Array(n);
    }
  }

  /** Frames added so far. */
  get frames(): number {
    return this.count;
  }

  /**
   * Add one frame.
   * @param data - the frame's pixels, ADU, row-major (width·height values)
   * @throws RangeError when the frame has another number of pixels
   */
  add(data: PixelArray | Float64Array): void {
    const n = this.width * this.height;
    if (data.length !== n) throw new RangeError(`${this.options.source}: a frame of ${data.length} pixels, where ${this.width}×${this.height} px frames have ${n}`);
    const { reference, sum, sumSquares, top, saturated } = this;
    const m = this.options.outlierSamples;
    const high = this.options.saturationAdu ?? Number.POSITIVE_INFINITY;
    const low = this.options.floorAdu ?? Number.NEGATIVE_INFINITY;
    if (this.count === 0) for (let k = 0; k < n; k++) reference[k] = data[k];
    let floor = 0;
    let total = 0;
    for (let k = 0; k < n; k++) {
      const v = data[k];
      total += v;
      const d = v - reference[k];
      sum[k] += d;
      sumSquares[k] += d * d;
      if (v >= high) saturated[k]++;
      if (v <= low) floor++;
      // Keep the m highest samples, descending (one comparison for almost every sample).
      if (m > 0 && v > top[k * m + m - 1]) {
        let j = m - 1;
        while (j > 0 && v > top[k * m + j - 1]) {
          top[k * m + j] = top[k * m + j - 1];
          j--;
        }
        top[k * m + j] = v;
      }
    }
    this.floorSamples += floor;
    if (this.count === 0) this.firstFrameMean = total / n;
    const frameMean = total / n - this.firstFrameMean;
    this.frameMeanSum += frameMean;
    this.frameMeanSquares += frameMean * frameMean;
    const { rightProducts, downProducts, width, height } = this;
    if (rightProducts && downProducts) {
      for (let r = 0; r < height; r++) {
        const row = r * width;
        for (let c = 0; c < width; c++) {
          const k = row + c;
          const d = data[k] - reference[k];
          if (c + 1 < width) rightProducts[k] += d * (data[k + 1] - reference[k + 1]);
          if (r + 1 < height) downProducts[k] += d * (data[k + width] - reference[k + width]);
        }
      }
    }
    this.count++;
  }

  /**
   * Each pixel's mean and variance, with rare events left out: of the pixel's kept-aside
   * highest samples, those more than `outlierThreshold` standard deviations above the mean of
   * its other samples (σ floored at 0.5 ADU, the quantization of integer data).
   * @throws RangeError with fewer than `outlierSamples` + 2 frames
   */
  finish(): PixelStatistics {
    const { width, height, count, sum, sumSquares, top, saturated } = this;
    const { outlierSamples: m, outlierThreshold, source } = this.options;
    if (count < m + 2) throw new RangeError(`${source}: ${count} frames, at least ${m + 2} are needed`);
    const n = width * height;
    const meanAdu = new Float64Array(n);
    const varianceAdu2 = new Float64Array(n);
    const samples = new Uint32Array(n);
    let outlierSamples = 0;
    let outlierPixels = 0;
    let saturatedPixels = 0;
    let firstSaturated = -1;
    for (let k = 0; k < n; k++) {
      const ref = this.reference[k];
      // Statistics without the kept-aside samples: the yardstick for them.
      let s1 = sum[k];
      let s2 = sumSquares[k];
      for (let j = 0; j < m; j++) {
        const d = top[k * m + j] - ref;
        s1 -= d;
        s2 -= d * d;
      }
      const rest = count - m;
      const restMean = s1 / rest;
      const restSd = Math.sqrt(Math.max((s2 - s1 * restMean) / (rest - 1), 0.25));
      const cut = ref + restMean + outlierThreshold * restSd;
      let removed = 0;
      let r1 = sum[k];
      let r2 = sumSquares[k];
      for (let j = 0; j < m; j++) {
        const v = top[k * m + j];
        if (!(v > cut)) break;
        const d = v - ref;
        r1 -= d;
        r2 -= d * d;
        removed++;
      }
      if (removed > 0) {
        outlierSamples += removed;
        outlierPixels++;
      }
      const used = count - removed;
      const mean = r1 / used;
      meanAdu[k] = ref + mean;
      varianceAdu2[k] = Math.max((r2 - r1 * mean) / (used - 1), 0);
      samples[k] = used;
      // The saturated samples are the highest: all of them among the left-out ones is a rare event.
      if (saturated[k] > removed) {
        if (saturatedPixels === 0) firstSaturated = k;
        saturatedPixels++;
      }
    }
    // The frames' means vary by the pixels' own noise, Σ var / n², and by what they share.
    let varianceSum = 0;
    for (let k = 0; k < n; k++) varianceSum += (sumSquares[k] - (sum[k] * sum[k]) / count) / (count - 1);
    const frameMeanVariance = (this.frameMeanSquares - (this.frameMeanSum * this.frameMeanSum) / count) / (count - 1);
    const commonVarianceAdu2 = Math.max(0, frameMeanVariance - varianceSum / (n * n));
    return {
      source,
      width,
      height,
      frames: count,
      commonVarianceAdu2,
      meanAdu,
      varianceAdu2,
      samples,
      outlierSamples,
      outlierPixels,
      saturatedPixels,
      firstSaturated,
      floorSamples: this.floorSamples,
      ...(this.rightProducts && this.downProducts ? { neighbourCorrelation: this.correlations(this.rightProducts, this.downProducts) } : {}),
    };
  }

  /** The mean correlation coefficient of horizontal and of vertical neighbours (every sample). */
  private correlations(right: Float64Array, down: Float64Array): { horizontal: number; vertical: number } {
    const { width, height, count, sum, sumSquares } = this;
    const variance = (k: number) => (sumSquares[k] - (sum[k] * sum[k]) / count) / (count - 1);
    const r = (k: number, l: number, products: Float64Array) => {
      const v = variance(k) * variance(l);
      if (!(v > 0)) return undefined;
      return (products[k] - (sum[k] * sum[l]) / count) / (count - 1) / Math.sqrt(v);
    };
    let h = 0;
    let hn = 0;
    let vs = 0;
    let vn = 0;
    for (let row = 0; row < height; row++) {
      for (let c = 0; c < width; c++) {
        const k = row * width + c;
        if (c + 1 < width) {
          const x = r(k, k + 1, right);
          if (x !== undefined) {
            h += x;
            hn++;
          }
        }
        if (row + 1 < height) {
          const x = r(k, k + width, down);
          if (x !== undefined) {
            vs += x;
            vn++;
          }
        }
      }
    }
    return { horizontal: hn > 0 ? h / hn : 0, vertical: vn > 0 ? vs / vn : 0 };
  }
}
