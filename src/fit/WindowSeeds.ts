import { ADOPT_MARGIN_PX, MAX_EMITTERS, MAX_WINDOW_NEIGHBOURS, NEIGHBOUR_REACH_PX, SEED_REACH_PX, STATUS_CONVERGED, STATUS_Z_RANGE } from './fitConstants.js';

/** A frame's candidates as the seeds read them: how many, and each one's pixel row and column. */
interface Pixels {
  readonly count: number;
  readonly row: Int32Array;
  readonly column: Int32Array;
}

/** The single fits the seeds start from: x, y (px in each fit's patch), photons, z (nm) and status per candidate. */
interface SingleFits {
  readonly fits: { readonly x: Float64Array; readonly y: Float64Array; readonly photons: Float64Array; readonly z: Float64Array; readonly status: Uint8Array };
  readonly originColumn: Int32Array;
  readonly originRow: Int32Array;
}

/**
 * The other candidates of a 3-D crowded window, which seed its emitters
 * ({@link DepthEmitterSelector}): position (window px), photons and z (nm) of each one, nearest
 * to the window's first candidate first. Each starts at its single fit where that lies within
 * SEED_REACH_PX of its pixel (photons, and z where it converged); further, the fit went to a
 * neighbour, and the seed starts at its pixel's centre with photons and z NaN (from the window
 * and from the residual). It also lists the window's neighbours, held fixed by the selection
 * (the converged single fits of candidates centred just outside it). Holds its arrays; filling
 * allocates nothing.
 */
export class WindowSeeds {
  /** Seeds in use. */
  count = 0;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly photons: Float64Array;
  readonly z: Float64Array;
  /**
   * Neighbours held fixed: the converged single fits of candidates centred outside the window
   * (fit and pixel) up to NEIGHBOUR_REACH_PX beyond its edges, x, y (window px), photons, z (nm).
   */
  neighbours = 0;
  /**
   * The frame's typical single emitter's photons (the median of its converged single fits, set by
   * the resolver per frame; NaN: too few fits, or a calibration whose model does not follow its
   * beads): the selection tests a pair of its emitters with fewer photons together as one (MERGE_REACH_PX).
   */
  typicalPhotons = Number.NaN;
  /**
   * The split's reference photons: the SPLIT_PHOTONS_QUANTILE quantile of the same single fits
   * (NaN where {@link typicalPhotons} is): the selection splits an emitter in two only with
   * SPLIT_MIN_PHOTONS_RATIO × this (a crowded frame's median holds pairs fitted as one).
   */
  splitPhotons = Number.NaN;
  /**
   * The window's first candidate's own single fit where it strayed from its pixel toward another
   * candidate (CrowdingResolver): x, y (window px), N, b, z (nm), the one-emitter model the
   * window's selection must beat by the likelihood-ratio test (a ringed spot's lobes are one
   * emitter; two in-focus neighbours are two). `hasAlternative` false: none (cleared by the selection).
   */
  hasAlternative = false;
  readonly alternative = new Float64Array(5);
  readonly neighbourX = new Float64Array(MAX_WINDOW_NEIGHBOURS);
  readonly neighbourY = new Float64Array(MAX_WINDOW_NEIGHBOURS);
  readonly neighbourPhotons = new Float64Array(MAX_WINDOW_NEIGHBOURS);
  readonly neighbourZ = new Float64Array(MAX_WINDOW_NEIGHBOURS);
  /** Candidate indices and squared distances of the nearest so far (scratch of {@link fill}). */
  private readonly order: Int32Array;
  private readonly distance: Float64Array;

  /** @param capacity - most seeds (the window's most emitters less its own first one) */
  constructor(readonly capacity: number) {
    const n = Math.max(0, Math.min(capacity, MAX_EMITTERS));
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    this.photons = new Float64Array(n);
    this.z = new Float64Array(n);
    this.order = new Int32Array(n);
    this.distance = new Float64Array(n);
  }

  /**
   * Seeds from the candidates inside the window at (wc, wr) (frame px) other than `from` (the
   * window's first emitter), the `capacity` nearest to it; neighbours from those outside it.
   * @param from - the candidate whose single fit starts the window's first emitter
   * @param wc - the window's first column, px
   * @param wr - its first row, px
   * @param width - the window's width, px
   * @param candidates - the frame's candidates
   * @param single - their single fits
   */
  fill(from: number, wc: number, wr: number, width: number, candidates: Pixels, single: SingleFits): void {
    const { capacity, order, distance } = this;
    const r = single.fits;
    let count = 0;
    const cx = candidates.column[from] + 0.5;
    const cy = candidates.row[from] + 0.5;
    this.neighbours = 0;
    for (let c = 0; c < candidates.count; c++) {
      if (c === from) continue;
      const x = candidates.column[c] + 0.5 - wc;
      const y = candidates.row[c] + 0.5 - wr;
      if (x < 0 || x > width || y < 0 || y > width) {
        if (this.neighbours < MAX_WINDOW_NEIGHBOURS && x > -NEIGHBOUR_REACH_PX && x < width + NEIGHBOUR_REACH_PX && y > -NEIGHBOUR_REACH_PX && y < width + NEIGHBOUR_REACH_PX && r.status[c] === STATUS_CONVERGED) {
          const fx = r.x[c] + single.originColumn[c] - wc;
          const fy = r.y[c] + single.originRow[c] - wr;
          if ((fx < 0 || fx > width || fy < 0 || fy > width) && Math.hypot(fx - x, fy - y) <= SEED_REACH_PX) {
            const n = this.neighbours++;
            this.neighbourX[n] = fx;
            this.neighbourY[n] = fy;
            this.neighbourPhotons[n] = r.photons[c];
            this.neighbourZ[n] = r.z[c];
          }
        }
        continue;
      }
      if (capacity === 0) continue;
      const d2 = (candidates.column[c] + 0.5 - cx) ** 2 + (candidates.row[c] + 0.5 - cy) ** 2;
      // Insertion into the `capacity` nearest so far.
      let i = Math.min(count, capacity);
      if (i === capacity && d2 >= distance[capacity - 1]) continue;
      while (i > 0 && distance[i - 1] > d2) {
        if (i < capacity) {
          distance[i] = distance[i - 1];
          order[i] = order[i - 1];
        }
        i--;
      }
      distance[i] = d2;
      order[i] = c;
      count = Math.min(count + 1, capacity);
    }
    for (let s = 0; s < count; s++) {
      const c = order[s];
      const px = candidates.column[c] + 0.5 - wc;
      const py = candidates.row[c] + 0.5 - wr;
      const x = r.x[c] + single.originColumn[c] - wc;
      const y = r.y[c] + single.originRow[c] - wr;
      const status = r.status[c];
      const own = (status === STATUS_CONVERGED || status === STATUS_Z_RANGE) && Math.hypot(x - px, y - py) <= SEED_REACH_PX;
      this.x[s] = own ? x : px;
      this.y[s] = own ? y : py;
      this.photons[s] = own ? r.photons[c] : Number.NaN;
      this.z[s] = own && status === STATUS_CONVERGED ? r.z[c] : Number.NaN;
    }
    this.count = count;
  }

  /**
   * Whether candidate c lies ADOPT_MARGIN_PX or more inside the window at (wc, wr) from each of
   * its edges interior to the image: a 3-D crowded window reports the emitters of such candidates
   * (CrowdingResolver), whose own windows are then not fitted.
   * @param candidates - the frame's candidates
   * @param c - the candidate
   * @param wc - the window's first column, px
   * @param wr - its first row, px
   * @param window - its width, px
   * @param width - the frame's width, px
   * @param height - the frame's height, px
   */
  static inside(candidates: Pixels, c: number, wc: number, wr: number, window: number, width: number, height: number): boolean {
    const x = candidates.column[c] + 0.5 - wc;
    const y = candidates.row[c] + 0.5 - wr;
    return (wc === 0 || x >= ADOPT_MARGIN_PX) && (wr === 0 || y >= ADOPT_MARGIN_PX) && (wc + window >= width || x <= window - ADOPT_MARGIN_PX) && (wr + window >= height || y <= window - ADOPT_MARGIN_PX);
  }
}
