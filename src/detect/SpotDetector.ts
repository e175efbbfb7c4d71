import type { PhotonConversion } from '../camera/CameraModel.js';
import { PHOTONS } from '../camera/CameraModel.js';
import type { PixelArray } from '../io/Frame.js';
import { Candidates } from './Candidates.js';
import type { ResolvedDetectOptions } from './DetectOptions.js';
import { MadEstimator } from './MadEstimator.js';
import { foldedKernelSums, WaveletFilter } from './WaveletFilter.js';

/**
 * Finds spot candidates in a frame (converted from ADU to photons by the filter's kernel): wavelet
 * filter (ThunderSTORM's B-spline à trous, {@link WaveletFilter}), a threshold that adapts to
 * each frame's noise, 8-neighbour local maxima of F2, and a minimum distance between candidates.
 *
 * The noise is std(F1) estimated robustly (median absolute deviation of F1 on a grid of
 * `noiseSamples` pixels, {@link MadEstimator}, so spots do not inflate it). The threshold is K · std(F1) in the interior; within 9 px of the
 * border, where the mirrored filter adds the same pixels twice, F2's noise is larger, and the
 * threshold is raised by exactly that ratio — computed from the folded kernels — so the border
 * gets no excess false positives.
 *
 * One detector per frame size (scratch is allocated once).
 */
export class SpotDetector {
  readonly options: ResolvedDetectOptions;
  readonly width: number;
  readonly height: number;
  /** The filter (its `f2` and `f1At` give the last frame's levels). */
  readonly filter: WaveletFilter;
  /** Noise gain of F2 relative to the interior, per column (x) and row (y) factors. */
  private readonly columnSums: { aa: Float64Array; ab: Float64Array; bb: Float64Array };
  private readonly rowSums: { aa: Float64Array; ab: Float64Array; bb: Float64Array };
  private readonly interiorGain2: number;
  private readonly sampleStride: number;
  private readonly mad: MadEstimator;
  private readonly found = new Candidates();
  private order = new Int32Array(256);
  /** std(F1) of the last frame, photons. */
  noise = 0;

  /**
   * @param width - frame width, px
   * @param height - frame height, px
   * @param options - detector options (resolved)
   */
  constructor(width: number, height: number, options: ResolvedDetectOptions) {
    this.options = options;
    this.width = width;
    this.height = height;
    const n = width * height;
    this.sampleStride = Math.max(1, Math.floor(n / options.noiseSamples));
    const sampleCount = Math.ceil(n / this.sampleStride);
    this.filter = new WaveletFilter(width, height, options.engine, sampleCount);
    this.mad = new MadEstimator(sampleCount);
    this.columnSums = foldedKernelSums(width);
    this.rowSums = foldedKernelSums(height);
    const mid = (s: { aa: Float64Array; ab: Float64Array; bb: Float64Array }, n: number) => {
      const p = n >> 1;
      return { aa: s.aa[p], ab: s.ab[p], bb: s.bb[p] };
    };
    // Interior gain²: both axes far from the border (for small images, the centre).
    const c = mid(this.columnSums, width);
    const r = mid(this.rowSums, height);
    this.interiorGain2 = c.aa * r.aa - 2 * c.ab * r.ab + c.bb * r.bb;
  }

  /**
   * Detect candidates in one frame.
   * @param pixels - the frame, row-major: photons, or ADU when `camera` is given
   * @param out - candidates (cleared first)
   * @param camera - converts ADU to photons (design.md §2) @default none (pixels are photons)
   */
  detect(pixels: PixelArray, out: Candidates, camera: PhotonConversion = PHOTONS): void {
    this.load(pixels, camera);
    this.detectLoaded(out);
  }

  /**
   * Convert a frame to photons for {@link detectLoaded} (the camera stage of the pipeline).
   * @param pixels - the frame, row-major: photons, or ADU when `camera` is given
   * @param camera - converts ADU to photons @default none (pixels are photons)
   */
  load(pixels: PixelArray, camera: PhotonConversion = PHOTONS): void {
    this.filter.load(pixels, camera);
  }

  /**
   * Detect candidates in the frame given to {@link load}.
   * @param out - candidates (cleared first)
   */
  detectLoaded(out: Candidates): void {
    const { width, filter } = this;
    filter.filter();
    this.noise = this.robustStd();
    const base = this.options.threshold * this.noise;
    const found = this.found;
    found.count = 0;
    const cs = this.columnSums;
    const rs = this.rowSums;
    const interior2 = this.interiorGain2;
    // Local maxima above the interior threshold; near the border the threshold is higher.
    const count = filter.maxima(base);
    const { f2, f2Stride: stride, f2Origin: origin, list } = filter;
    for (let k = 0; k < count; k++) {
      const p = list[k];
      const row = (p / width) | 0;
      const column = p - row * width;
      const v = f2[origin + row * stride + column];
      const gain2 = cs.aa[column] * rs.aa[row] - 2 * cs.ab[column] * rs.ab[row] + cs.bb[column] * rs.bb[row];
      const threshold = gain2 > interior2 ? base * Math.sqrt(gain2 / interior2) : base;
      if (v > threshold) found.push(row, column, v);
    }
    this.suppressClose(found, out);
  }

  /** Keep the strongest of candidates closer than the minimum distance (greedy, strongest first). */
  private suppressClose(found: Candidates, out: Candidates): void {
    out.count = 0;
    const n = found.count;
    const d2 = this.options.minDistancePx ** 2;
    if (this.order.length < n) this.order = new Int32Array(n * 2);
    const order = this.order.subarray(0, n);
    for (let i = 0; i < n; i++) order[i] = i;
    const strength = found.strength;
    order.sort((a, b) => strength[b] - strength[a]);
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const r = found.row[i];
      const c = found.column[i];
      let keep = true;
      for (let j = 0; j < out.count; j++) {
        const dr = out.row[j] - r;
        const dc = out.column[j] - c;
        if (dr * dr + dc * dc < d2) {
          keep = false;
          break;
        }
      }
      if (keep) out.push(r, c, strength[i]);
    }
  }

  /** 1.4826 · median |F1 − median F1| over a regular grid of pixels. */
  private robustStd(): number {
    const filter = this.filter;
    const m = filter.sampleF1(this.sampleStride);
    return this.mad.std(filter.samples, m, filter.windowPass);
  }
}
