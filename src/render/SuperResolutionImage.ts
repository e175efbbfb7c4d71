import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { erfc } from '../fit/erf.js';
import { MAX_UNCERTAINTY_NM } from '../table/checkRows.js';

/** How localizations are drawn. */
export type RenderMode = 'histogram' | 'gaussian';

/**
 * The defaults of a super-resolution image: output pixel size (nm), drawing mode, and, for an
 * image coloured by depth without a given range, the percentiles of z at the two ends of the hue.
 */
export const RENDER_DEFAULTS = { pixelNm: 10, mode: 'histogram', depthPercentiles: [1, 99] } as const;

/** Options of a super-resolution image. */
export interface RenderOptions {
  /** Output pixel size, nm. @default 10 */
  pixelNm?: number;
  /** 'histogram': each localization adds 1 to its pixel; 'gaussian': a normalized Gaussian of
   *  its own uncertainty. @default 'histogram' */
  mode?: RenderMode;
  /** Region rendered, nm: [x0, x1) × [y0, y1) from the camera image's top-left corner. */
  range: { x0: number; x1: number; y0: number; y1: number };
  /** Smallest σ of a drawn Gaussian, nm (uncertainties below it are raised to it). @default pixelNm */
  minSigmaNm?: number;
}

/**
 * The largest image: `maxSide` px a side (a guard against a typo making a 10⁶ × 10⁶ image) and
 * `maxPixels` in all, 2²⁵ (a 5792² image; its two float64 planes take 512 MB).
 */
export const RENDER_LIMITS = { maxSide: 16384, maxPixels: 1 << 25 } as const;
const MAX_SIDE = RENDER_LIMITS.maxSide;
const MAX_PIXELS = RENDER_LIMITS.maxPixels;

/**
 * Widest Gaussian drawn, σ in output pixels: its ±4σ window is at most 1025 px a side, ~10⁶
 * additions (about a millisecond). A localization wider than that at this pixel size is left out
 * and counted ({@link SuperResolutionImage.tooWide}); a smallest σ above it is refused.
 */
export const MAX_GAUSSIAN_SIGMA_PX = 128;

/**
 * An accumulating super-resolution image: localizations (nm) are added batch by batch, as a 2-D
 * histogram or as Gaussians of their own uncertainty. Each localization inside the range adds a
 * total of 1 (the Gaussian's pixel integrals are computed exactly and normalized over its
 * ±4σ window, so the image's sum is the number of localizations drawn).
 */
export class SuperResolutionImage {
  readonly pixelNm: number;
  readonly mode: RenderMode;
  readonly width: number;
  readonly height: number;
  readonly x0: number;
  readonly y0: number;
  readonly minSigmaNm: number;
  /** Accumulated counts, row-major. */
  readonly counts: Float64Array;
  /** Σ count · value per pixel for the values given to {@link add} (e.g. z, nm), for a mean per pixel: counts-weighted. */
  readonly weighted: Float64Array;
  /** Localizations drawn. */
  drawn = 0;
  /** Localizations in the range left out for a value (e.g. z) that is missing or infinite. */
  badValue = 0;
  /** Gaussian mode: localizations left out for an uncertainty that is missing, negative or above MAX_UNCERTAINTY_NM. */
  badUncertainty = 0;
  /** Gaussian mode: localizations left out for a σ above MAX_GAUSSIAN_SIGMA_PX output pixels. */
  tooWide = 0;
  /** Scratch of one Gaussian's weights along x and y (the window's part inside the image). */
  private weightsX = new Float64Array(0);
  private weightsY = new Float64Array(0);

  /** @param options - pixel size, mode, range */
  constructor(options: RenderOptions) {
    this.pixelNm = options.pixelNm ?? RENDER_DEFAULTS.pixelNm;
    this.mode = options.mode ?? RENDER_DEFAULTS.mode;
    this.minSigmaNm = options.minSigmaNm ?? this.pixelNm;
    const { x0, x1, y0, y1 } = options.range;
    if (!(this.pixelNm > 0)) throw new InvalidOptionError(`render pixel size must be > 0 nm, got ${this.pixelNm}`);
    if (this.mode !== 'histogram' && this.mode !== 'gaussian') throw new InvalidOptionError(`render mode must be histogram or gaussian, got ${String(this.mode)}`);
    if (!(this.minSigmaNm >= 0 && this.minSigmaNm <= MAX_GAUSSIAN_SIGMA_PX * this.pixelNm)) {
      throw new InvalidOptionError(`the smallest Gaussian σ must be 0 to ${MAX_GAUSSIAN_SIGMA_PX} output pixels (${MAX_GAUSSIAN_SIGMA_PX * this.pixelNm} nm), got ${this.minSigmaNm} nm`, 'minSigmaNm');
    }
    if (!(x1 > x0 && y1 > y0)) throw new InvalidOptionError(`render range must have x1 > x0 and y1 > y0, got ${x0}:${x1}, ${y0}:${y1} nm`);
    this.x0 = x0;
    this.y0 = y0;
    this.width = Math.ceil((x1 - x0) / this.pixelNm);
    this.height = Math.ceil((y1 - y0) / this.pixelNm);
    if (this.width > MAX_SIDE || this.height > MAX_SIDE || this.width * this.height > MAX_PIXELS) {
      throw new InvalidOptionError(`a ${this.width}×${this.height} px image is too large (at most ${MAX_SIDE} px a side and ${MAX_PIXELS} px in all): raise the render pixel size or narrow the range`);
    }
    this.counts = new Float64Array(this.width * this.height);
    this.weighted = new Float64Array(this.width * this.height);
  }

  /**
   * Draw localizations.
   * @param x - x, nm
   * @param y - y, nm
   * @param uncertainty - lateral uncertainty, nm (gaussian mode; ignored for histograms)
   * @param count - how many of the arrays' elements to draw @default x.length
   * @param values - a value per localization (e.g. z, nm) accumulated into {@link weighted} @default none
   */
  add(x: ArrayLike<number>, y: ArrayLike<number>, uncertainty?: ArrayLike<number>, count = x.length, values?: ArrayLike<number>): void {
    for (let i = 0; i < count; i++) this.addOne(x[i], y[i], uncertainty?.[i] ?? 0, values ? values[i] : 0);
  }

  /**
   * Draw one localization (ignored outside the range; in gaussian mode, left out and counted
   * when its uncertainty is missing, negative or absurd, or its σ too wide to draw).
   * @param x - x, nm
   * @param y - y, nm
   * @param uncertainty - lateral uncertainty, nm (gaussian mode)
   * @param value - its value for {@link weighted} @default 0
   */
  addOne(x: number, y: number, uncertainty: number, value = 0): void {
    const { width, height, pixelNm } = this;
    const u = (x - this.x0) / pixelNm; // image px, pixel c covers [c, c+1)
    const v = (y - this.y0) / pixelNm;
    if (!(u >= 0 && u < width && v >= 0 && v < height)) return;
    if (!Number.isFinite(value)) {
      this.badValue++;
      return;
    }
    if (this.mode === 'histogram') {
      const i = Math.floor(v) * width + Math.floor(u);
      this.counts[i] += 1;
      // Adding 0 changes nothing: skipped, so an image without values never touches (and never
      // brings into memory) the weighted sums' pages.
      if (value !== 0) this.weighted[i] += value;
    } else {
      if (!(uncertainty >= 0 && uncertainty <= MAX_UNCERTAINTY_NM)) {
        this.badUncertainty++;
        return;
      }
      const sigmaPx = Math.max(uncertainty, this.minSigmaNm) / pixelNm;
      if (sigmaPx > MAX_GAUSSIAN_SIGMA_PX) {
        this.tooWide++;
        return;
      }
      this.drawGaussian(u, v, sigmaPx, value);
    }
    this.drawn++;
  }

  /**
   * Add a pixel-integrated Gaussian of total weight 1 over its ±4σ window at (u, v) px (and
   * `value` times it to the weighted sums). Only the window's part inside the image is
   * computed, so the work is bounded by the image whatever σ is.
   */
  private drawGaussian(u: number, v: number, sigmaPx: number, value: number): void {
    const { width, height, counts, weighted } = this;
    const half = Math.ceil(4 * sigmaPx);
    const c0 = Math.floor(u) - half;
    const r0 = Math.floor(v) - half;
    const cFirst = Math.max(0, c0);
    const cEnd = Math.min(width, c0 + 2 * half + 1);
    const rFirst = Math.max(0, r0);
    const rEnd = Math.min(height, r0 + 2 * half + 1);
    if (this.weightsX.length < cEnd - cFirst + 1) this.weightsX = new Float64Array(2 * (cEnd - cFirst) + 1);
    if (this.weightsY.length < rEnd - rFirst + 1) this.weightsY = new Float64Array(2 * (rEnd - rFirst) + 1);
    const ex = this.weightsX;
    const ey = this.weightsY;
    // Normalized over the whole window, as if it were all drawn: the image's sum counts the localization once.
    const scale = 1 / (axisWeights(ex, u, sigmaPx, cFirst, cEnd, c0, c0 + 2 * half + 1) * axisWeights(ey, v, sigmaPx, rFirst, rEnd, r0, r0 + 2 * half + 1));
    for (let r = rFirst; r < rEnd; r++) {
      const wy = ey[r - rFirst] * scale;
      const row = r * width;
      for (let c = cFirst; c < cEnd; c++) {
        const w = wy * ex[c - cFirst];
        counts[row + c] += w;
        // Adding 0 changes nothing (the weighted sums' pages stay untouched without values).
        if (value !== 0) weighted[row + c] += w * value;
      }
    }
  }
}

/**
 * The mass of a unit Gaussian (centre `centre`, width `sigma`, px) on pixels `first` to
 * `end − 1` (pixel p covers [p, p + 1)), written to `out[0…]`, and its mass over the window
 * [`from`, `to`): each from the Gaussian's tails beyond the pixel boundaries, taken on the side
 * of the centre each boundary lies on (accurate far from the centre).
 * @returns the window's mass
 */
function axisWeights(out: Float64Array, centre: number, sigma: number, first: number, end: number, from: number, to: number): number {
  const scale = Math.SQRT1_2 / sigma;
  let t0 = 0.5 * erfc(Math.abs(first - centre) * scale);
  for (let p = first; p < end; p++) {
    const t1 = 0.5 * erfc(Math.abs(p + 1 - centre) * scale);
    out[p - first] = p >= centre ? t0 - t1 : p + 1 <= centre ? t1 - t0 : 1 - t0 - t1;
    t0 = t1;
  }
  return 1 - 0.5 * erfc((centre - from) * scale) - 0.5 * erfc((to - centre) * scale);
}
