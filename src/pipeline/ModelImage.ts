import { FitStatus } from '../fit/FitStatus.js';
import type { FitRows } from '../fit/FitRows.js';
import { GaussianAxis } from '../fit/GaussianAxis.js';
import type { ResidualRegions } from './ResidualRegions.js';
import type { RowCells } from './RowCells.js';
import { grownKeeping } from './grownKeeping.js';

/** The model of a fit is drawn out to this many σ from its centre (the rest is < 1e-4 of N). */
export const MODEL_RADIUS_SIGMAS = 4;

/**
 * The residual passes' model image ({@link ResidualPass}): the frame-sized sum of the rows'
 * models N·Ex_i·Ey_j, each the fit model's own pixel-integrated Gaussian ({@link GaussianAxis})
 * drawn out to {@link MODEL_RADIUS_SIGMAS}·σ, in photons, no background. It knows which rows it
 * holds ({@link holds}), so a refit or row test draws only the rows its box needs when it needs
 * them ({@link drawAround}) and the cost follows the rows worked on, not the frame. The tiles it
 * wrote are marked in the passes' {@link ResidualRegions} and cleared tile by tile. Each row's
 * axes are kept from its last draw (a row is taken out as it was put in). Scratch of one frame
 * size, allocated when the size changes.
 */
export class ModelImage {
  /** The model image, row-major (frame px). */
  image = new Float64Array(0);
  /** A row's model square ({@link footprint}): first column and row, side, px. */
  readonly foot = { c0: 0, r0: 0, w: 0 };
  /** Half the side of the largest model square a row draws, px. */
  readonly footHalf: number;
  private readonly regions: ResidualRegions;
  /** Whether each row's model is in the image now. */
  private inModel = new Uint8Array(0);
  private xAxis = new GaussianAxis(1);
  private yAxis = new GaussianAxis(1);
  /** Each row's axes as {@link draw} last drew them (a stride of the axes' box per row), and their x, y, σ (frame px). */
  private axisKey = new Float64Array(0);
  private axisX = new Float64Array(0);
  private axisY = new Float64Array(0);

  /**
   * @param regions - the passes' tiles (the ones drawn are marked dirty there)
   * @param largestSigmaPx - the widest σ a row may have (px): the fixed σ, or the top of a fitted σ's range
   */
  constructor(regions: ResidualRegions, largestSigmaPx: number) {
    this.regions = regions;
    this.footHalf = Math.ceil(MODEL_RADIUS_SIGMAS * largestSigmaPx);
  }

  /** A new image of `size` pixels (zero, holding no row; with the passes' tiles made again for a new grid). */
  resize(size: number): void {
    this.image = new Float64Array(size);
    this.inModel.fill(0);
  }

  /** Room for `count` rows' flags (those held kept). */
  ensureRows(count: number): void {
    this.inModel = grownKeeping(this.inModel, count);
  }

  /** Whether row p's model is in the image. */
  holds(p: number): boolean {
    return this.inModel[p] === 1;
  }

  /** Row p's flag moves to row k (rows compacted). */
  move(k: number, p: number): void {
    this.inModel[k] = this.inModel[p];
  }

  /** Zero the image where it holds anything (the dirty tiles): no row is in it. */
  clear(): void {
    this.regions.clearDrawn(this.image);
    this.inModel.fill(0);
  }

  /** Row p's model square into {@link foot} (first column, row, side); false when it draws nothing (not converged, no σ or N). */
  footprint(rows: FitRows, p: number): boolean {
    const r = rows.rows;
    const sigma = r.sigma[p];
    if (r.status[p] !== FitStatus.converged || !(sigma > 0) || !(r.photons[p] > 0)) return false;
    const half = Math.ceil(MODEL_RADIUS_SIGMAS * sigma);
    this.foot.c0 = Math.floor(rows.column[p] + r.x[p]) - half;
    this.foot.r0 = Math.floor(rows.row[p] + r.y[p]) - half;
    this.foot.w = 2 * half + 1;
    return true;
  }

  /**
   * Draw the rows not in the image (nor `dropped`) whose model squares reach the box of `side`
   * px a refit or row test centred on the pixel of (x, y) reads (frame px; shifted inwards at
   * the border as extractPatches places it), found by `cells` (built since the last row out of
   * the image moved: one out of it has not).
   */
  drawAround(rows: FitRows, cells: RowCells, dropped: Uint8Array, x: number, y: number, side: number, width: number, height: number): void {
    const c0 = Math.min(Math.max(Math.floor(x) - (side >> 1), 0), width - side);
    const r0 = Math.min(Math.max(Math.floor(y) - (side >> 1), 0), height - side);
    const n = cells.near(c0 + side / 2, r0 + side / 2, Math.ceil((side + 2 * this.footHalf + 2) / (2 * cells.size)) + 1);
    for (let i = 0; i < n; i++) this.drawInto(rows, cells.found[i], dropped, c0, r0, side, width, height);
    for (let i = 0; i < cells.outsideCount; i++) this.drawInto(rows, cells.outside[i], dropped, c0, r0, side, width, height);
  }

  /** Row q into the image when it is not there (nor dropped) and its model square meets the square of `side` px at (c0, r0). */
  private drawInto(rows: FitRows, q: number, dropped: Uint8Array, c0: number, r0: number, side: number, width: number, height: number): void {
    if (this.inModel[q] || dropped[q] || !this.footprint(rows, q)) return;
    const f = this.foot;
    if (f.c0 < c0 + side && f.c0 + f.w > c0 && f.r0 < r0 + side && f.r0 + f.w > r0) this.draw(rows, q, width, height);
  }

  /** Add (`sign` 1) or take out (−1) row p's model N·Ex·Ey (photons), when it converged. */
  draw(rows: FitRows, p: number, width: number, height: number, sign = 1): void {
    if (!this.footprint(rows, p)) return;
    this.inModel[p] = sign > 0 ? 1 : 0;
    const r = rows.rows;
    const sigma = r.sigma[p];
    const photons = sign * r.photons[p];
    const x = rows.column[p] + r.x[p];
    const y = rows.row[p] + r.y[p];
    const { c0, r0, w } = this.foot;
    if (c0 + w <= 0 || r0 + w <= 0 || c0 >= width || r0 >= height) return;
    if (this.xAxis.box < w) {
      this.xAxis = new GaussianAxis(w);
      this.yAxis = new GaussianAxis(w);
      this.axisKey = new Float64Array(0);
    }
    // Row p's axes as last drawn, when it is where it was (a row is taken out as it was put in).
    const stride = this.xAxis.box;
    if (this.axisKey.length < 3 * (p + 1)) {
      const n = 2 * (p + 1);
      this.axisKey = new Float64Array(3 * n).fill(Number.NaN);
      this.axisX = new Float64Array(stride * n);
      this.axisY = new Float64Array(stride * n);
    }
    const { axisKey, axisX: ex, axisY: ey } = this;
    const at = p * stride;
    if (axisKey[3 * p] !== x || axisKey[3 * p + 1] !== y || axisKey[3 * p + 2] !== sigma) {
      this.xAxis.evaluate(x - c0, sigma, false);
      this.yAxis.evaluate(y - r0, sigma, false);
      ex.set(this.xAxis.value, at);
      ey.set(this.yAxis.value, at);
      axisKey[3 * p] = x;
      axisKey[3 * p + 1] = y;
      axisKey[3 * p + 2] = sigma;
    }
    const model = this.image;
    for (let j = 0; j < w; j++) {
      const rr = r0 + j;
      if (rr < 0 || rr >= height) continue;
      const f = photons * ey[at + j];
      const base = rr * width;
      for (let i = 0; i < w; i++) {
        const cc = c0 + i;
        if (cc >= 0 && cc < width) model[base + cc] += f * ex[at + i];
      }
    }
    this.regions.drawn(c0, r0, w);
  }
}
