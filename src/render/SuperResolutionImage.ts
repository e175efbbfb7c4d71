import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { GaussianAxis } from '../fit/GaussianAxis.js';

/** How localizations are drawn. */
export type RenderMode = 'histogram' | 'gaussian';

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

/** Largest image side, px (a guard against a typo making a 10⁶ × 10⁶ image). */
const MAX_SIDE = 16384;

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
  private axes = new Map<number, { x: GaussianAxis; y: GaussianAxis }>();

  /** @param options - pixel size, mode, range */
  constructor(options: RenderOptions) {
    this.pixelNm = options.pixelNm ?? 10;
    this.mode = options.mode ?? 'histogram';
    this.minSigmaNm = options.minSigmaNm ?? this.pixelNm;
    const { x0, x1, y0, y1 } = options.range;
    if (!(this.pixelNm > 0)) throw new InvalidOptionError(`render pixel size must be > 0 nm, got ${this.pixelNm}`);
    if (this.mode !== 'histogram' && this.mode !== 'gaussian') throw new InvalidOptionError(`render mode must be histogram or gaussian, got ${String(this.mode)}`);
    if (!(x1 > x0 && y1 > y0)) throw new InvalidOptionError(`render range must have x1 > x0 and y1 > y0, got ${x0}:${x1}, ${y0}:${y1} nm`);
    this.x0 = x0;
    this.y0 = y0;
    this.width = Math.ceil((x1 - x0) / this.pixelNm);
    this.height = Math.ceil((y1 - y0) / this.pixelNm);
    if (this.width > MAX_SIDE || this.height > MAX_SIDE) {
      throw new InvalidOptionError(`a ${this.width}×${this.height} px image is too large (at most ${MAX_SIDE} px a side): raise the render pixel size or narrow the range`);
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
   * Draw one localization (ignored outside the range).
   * @param x - x, nm
   * @param y - y, nm
   * @param uncertainty - lateral uncertainty, nm (gaussian mode)
   * @param value - its value for {@link weighted} @default 0
   */
  addOne(x: number, y: number, uncertainty: number, value = 0): void {
    const { width, height, pixelNm } = this;
    const u = (x - this.x0) / pixelNm; // image px, pixel c covers [c, c+1)
    const v = (y - this.y0) / pixelNm;
    if (!(u >= 0 && u < width && v >= 0 && v < height) || !Number.isFinite(value)) return;
    if (this.mode === 'histogram') {
      const i = Math.floor(v) * width + Math.floor(u);
      this.counts[i] += 1;
      // Adding 0 changes nothing: skipped, so an image without values never touches (and never
      // brings into memory) the weighted sums' pages.
      if (value !== 0) this.weighted[i] += value;
    } else this.drawGaussian(u, v, Math.max(uncertainty, this.minSigmaNm) / pixelNm, value);
    this.drawn++;
  }

  /** Add a pixel-integrated Gaussian of total weight 1 at (u, v) px (and `value` times it to the weighted sums). */
  private drawGaussian(u: number, v: number, sigmaPx: number, value: number): void {
    const { width, height, counts, weighted } = this;
    const half = Math.ceil(4 * sigmaPx);
    const box = 2 * half + 1;
    let pair = this.axes.get(box);
    if (!pair) {
      pair = { x: new GaussianAxis(box), y: new GaussianAxis(box) };
      this.axes.set(box, pair);
    }
    const c0 = Math.floor(u) - half;
    const r0 = Math.floor(v) - half;
    pair.x.evaluate(u - c0, sigmaPx, false);
    pair.y.evaluate(v - r0, sigmaPx, false);
    const ex = pair.x.value;
    const ey = pair.y.value;
    let total = 0;
    for (let i = 0; i < box; i++) total += ex[i];
    let totalY = 0;
    for (let j = 0; j < box; j++) totalY += ey[j];
    const scale = 1 / (total * totalY);
    for (let j = 0; j < box; j++) {
      const r = r0 + j;
      if (r < 0 || r >= height) continue;
      const wy = ey[j] * scale;
      for (let i = 0; i < box; i++) {
        const c = c0 + i;
        if (c >= 0 && c < width) {
          const w = wy * ex[i];
          counts[r * width + c] += w;
          if (value !== 0) weighted[r * width + c] += w * value;
        }
      }
    }
  }
}
