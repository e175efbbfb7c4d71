import { InputFileError } from '../errors/InputFileError.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { Random } from '../simulate/Random.js';
import { describeFault, findFaultyRows } from '../table/checkRows.js';
import type { DriftSegment, DriftTrajectory } from './DriftTrajectory.js';
import { interpolateDrift } from './DriftTrajectory.js';

/** Options of {@link estimateDriftAim}; the defaults are Picasso's and webSMLM's. */
export interface AimOptions {
  /** Frames per segment. @default 100 */
  segmentFrames?: number;
  /** Two localizations closer than this intersect, nm. @default 20 */
  intersectNm?: number;
  /** A segment's shift is searched within this radius of its predicted shift, nm. @default 60 */
  searchNm?: number;
}

/** The defaults of {@link AimOptions}, stated once. */
export const AIM_DEFAULTS = { segmentFrames: 100, intersectNm: 20, searchNm: 60 } as const;

/** Fewest localizations a segment must hold for its shift to mean anything. */
export const MIN_SEGMENT_LOCALIZATIONS = 20;

/** Bin of the displacement histogram, nm (the search's resolution before mean-shift refinement). */
const BIN_NM = 2;

/** Largest search radius + intersect distance, nm: the displacement histogram stays ≤ 1001² bins (8 MB). */
const MAX_REACH_NM = 1000;

/** How far the mean shift may move before its pairs are gathered again, nm. */
const MEAN_SHIFT_MARGIN_NM = 4;
/** The mean shift stops when a step moves less than this, nm (well below any drift precision reached). */
const MEAN_SHIFT_TOLERANCE_NM = 0.01;
/** …or after this many steps. */
const MEAN_SHIFT_STEPS = 50;

/**
 * Segments in a reference: round 1 aligns a segment to at most ROUND1_WINDOW segments before
 * it; round 2 to at most ROUND2_HALF_WINDOW on either side. Drift is smooth in time, and a
 * bounded reference keeps the work linear in the number of localizations (a reference of all
 * segments makes it quadratic). A reference is remade every REBUILD_EVERY segments.
 */
const ROUND1_WINDOW = 10;
const ROUND2_HALF_WINDOW = 10;
const REBUILD_EVERY = 4;
/** The precision is estimated on at most this many segments, evenly spaced (its cost, two more searches each, stays bounded). */
const PRECISION_SEGMENTS = 32;

/**
 * A reference grid has at most MAX_GRID_CELLS cells (4 MB of offsets), or MAX_CELLS_PER_POINT
 * per point when that is more: its memory and the time to build it are bounded by the points,
 * whatever their extent (a 40 µm field at the 40 nm cells of round 2 fits in the first). A
 * wider field with few points gets wider cells (more pairs looked at, the same pairs kept):
 * (w/c + 1)(h/c + 1) ≤ cells for c ≥ (w + h)/√cells.
 */
const MAX_GRID_CELLS = 1 << 20;
const MAX_CELLS_PER_POINT = 16;

/** [a, b): the whole numbers from a to b − 1, clipped to [0, n). */
function range(a: number, b: number, n = Infinity): number[] {
  const from = Math.max(0, a);
  const to = Math.min(n, b);
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/**
 * The reference's points in a grid of square cells, stored cell by cell in flat arrays (a
 * counting sort), with the segment each came from: the neighbours of a point within the cell
 * size are among the points of the 3×3 cells around it. One grid is built again and again
 * ({@link ReferenceGrid.build}) in the same arrays, grown only when a reference needs more: a
 * run makes hundreds of references, and a new set of arrays for each (tens of MB on a large
 * table) would be garbage the collector frees late.
 */
class ReferenceGrid {
  xs = new Float64Array(0);
  ys = new Float64Array(0);
  segment = new Int32Array(0);
  /** Points of cell c are [start[c], start[c + 1]). */
  start = new Int32Array(1);
  /** The next free place of each cell while the points are placed. */
  private fill = new Int32Array(0);
  cell = 0;
  x0 = 0;
  y0 = 0;
  columns = 1;
  rows = 1;

  /** Room for `points` points (the largest reference to come, when the caller knows it). */
  reserve(points: number): void {
    if (points <= this.xs.length) return;
    this.xs = new Float64Array(points);
    this.ys = new Float64Array(points);
    this.segment = new Int32Array(points);
  }

  /**
   * Make this the grid of segments `ks`, each corrected by its shift.
   * @param segments - every segment's points, nm
   * @param ks - the segments to take
   * @param shift - every segment's shift so far, nm
   * @param reach - cell size, nm (≥ the query radius)
   */
  build(segments: readonly SegmentPoints[], ks: readonly number[], shift: readonly (readonly [number, number])[], reach: number): void {
    let n = 0;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const k of ks) {
      const { xs, ys } = segments[k];
      const [sx, sy] = shift[k];
      n += xs.length;
      for (let i = 0; i < xs.length; i++) {
        x0 = Math.min(x0, xs[i] - sx);
        y0 = Math.min(y0, ys[i] - sy);
        x1 = Math.max(x1, xs[i] - sx);
        y1 = Math.max(y1, ys[i] - sy);
      }
    }
    if (n === 0) x0 = y0 = x1 = y1 = 0;
    // Cells of at least `reach`, and a bounded number of them: points spread far apart widen the
    // cells instead of making a grid of the whole extent (the neighbours within `reach` are still
    // in the 3×3 cells around each point).
    const most = Math.max(MAX_GRID_CELLS, MAX_CELLS_PER_POINT * n);
    const cell = Math.max(reach, (x1 - x0 + (y1 - y0)) / Math.sqrt(most));
    const columns = Math.floor((x1 - x0) / cell) + 1;
    const rows = Math.floor((y1 - y0) / cell) + 1;
    const cells = columns * rows;
    this.cell = cell;
    this.x0 = x0;
    this.y0 = y0;
    this.columns = columns;
    this.rows = rows;
    // Points grown by a quarter past the need when the caller did not reserve them (a live run's
    // first references grow segment by segment); cells grown to the need.
    if (n > this.xs.length) this.reserve(Math.max(n, Math.ceil(1.25 * this.xs.length)));
    if (cells + 1 > this.start.length) {
      this.start = new Int32Array(cells + 1);
      this.fill = new Int32Array(cells);
    }
    const { start, fill } = this;
    start.fill(0, 0, cells + 1);
    const cellOf = (x: number, y: number) => Math.floor((y - y0) / cell) * columns + Math.floor((x - x0) / cell);
    for (const k of ks) {
      const { xs, ys } = segments[k];
      const [sx, sy] = shift[k];
      for (let i = 0; i < xs.length; i++) start[cellOf(xs[i] - sx, ys[i] - sy) + 1]++;
    }
    for (let c = 0; c < cells; c++) start[c + 1] += start[c];
    fill.set(start.subarray(0, cells));
    const { xs: gx, ys: gy, segment: gs } = this;
    for (const k of ks) {
      const { xs, ys } = segments[k];
      const [sx, sy] = shift[k];
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i] - sx;
        const y = ys[i] - sy;
        const at = fill[cellOf(x, y)]++;
        gx[at] = x;
        gy[at] = y;
        gs[at] = k;
      }
    }
  }
}

/** Scratch of the searches, allocated once and grown as needed: the displacements and the histogram. */
class ShiftScratch {
  x = new Float64Array(1 << 16);
  y = new Float64Array(1 << 16);
  /** The displacements near the mean shift's centre. */
  nearX = new Float64Array(0);
  nearY = new Float64Array(0);
  histogram = new Float64Array(0);
  /** Room for `n` displacements, the first `keep` kept. */
  reserve(n: number, keep: number): void {
    if (n <= this.x.length) return;
    const size = Math.max(n, 2 * this.x.length);
    const grow = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a.subarray(0, keep));
      return b;
    };
    this.x = grow(this.x);
    this.y = grow(this.y);
  }
  /** A zeroed histogram of `n` bins. */
  bins(n: number): Float64Array {
    if (this.histogram.length < n) this.histogram = new Float64Array(n);
    else this.histogram.fill(0, 0, n);
    return this.histogram;
  }
}

/**
 * The shift d of a set of points that maximizes their intersections with the reference: the
 * pairs (p, q) with |p − d − q| < intersect, for d within `search` of `predicted`. All
 * displacements p − q − predicted within search + intersect go into a histogram; the count
 * within `intersect` of each candidate on the search disk gives the best bin, and mean shift
 * over the displacements refines it.
 * @param skip - a segment of the reference left out (leave-one-out), or −1
 * @returns the shift, nm
 */
function bestShift(xs: Float64Array, ys: Float64Array, grid: ReferenceGrid, skip: number, predicted: readonly [number, number], search: number, intersect: number, scratch: ShiftScratch): [number, number] {
  const reach = search + intersect;
  const bins = Math.ceil((2 * reach) / BIN_NM) + 1;
  const centre = (bins - 1) >> 1;
  const histogram = scratch.bins(bins * bins);
  const reach2 = reach * reach;
  const { cell, x0, y0, columns, rows, start } = grid;
  const gx = grid.xs;
  const gy = grid.ys;
  const gs = grid.segment;
  const toBin = 1 / BIN_NM;
  const offset = centre + 0.5; // |v| ≤ reach, so v/BIN + offset > 0 and truncation rounds
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    const px = xs[i] - predicted[0];
    const py = ys[i] - predicted[1];
    const cx = Math.floor((px - x0) / cell);
    const cy = Math.floor((py - y0) / cell);
    const c0 = Math.max(0, cx - 1);
    const c1 = Math.min(columns - 1, cx + 1);
    if (c0 > c1) continue;
    for (let j = Math.max(0, cy - 1); j <= Math.min(rows - 1, cy + 1); j++) {
      const q0 = start[j * columns + c0];
      const q1 = start[j * columns + c1 + 1];
      scratch.reserve(n + q1 - q0, n);
      const dx = scratch.x;
      const dy = scratch.y;
      for (let q = q0; q < q1; q++) {
        const vx = px - gx[q];
        const vy = py - gy[q];
        if (vx * vx + vy * vy > reach2 || gs[q] === skip) continue;
        dx[n] = vx;
        dy[n++] = vy;
        histogram[((vy * toBin + offset) | 0) * bins + ((vx * toBin + offset) | 0)]++;
      }
    }
  }
  // The candidate on the search disk with the most displacements within `intersect`.
  const r = intersect / BIN_NM;
  const rr = Math.ceil(r);
  const disk: number[] = [];
  for (let a = -rr; a <= rr; a++) for (let b = -rr; b <= rr; b++) if (a * a + b * b <= r * r) disk.push(a * bins + b);
  const s = Math.floor(search / BIN_NM);
  let best = -1;
  let mx = 0;
  let my = 0;
  for (let j = -s; j <= s; j++) {
    for (let i = -s; i <= s; i++) {
      if (i * i + j * j > s * s) continue;
      const at = (centre + j) * bins + centre + i;
      let count = 0;
      for (let k = 0; k < disk.length; k++) count += histogram[at + disk[k]];
      if (count > best) {
        best = count;
        mx = i * BIN_NM;
        my = j * BIN_NM;
      }
    }
  }
  // Mean shift: the mean displacement of the pairs within `intersect`, until it settles. It runs
  // over the pairs within intersect + MARGIN of a centre, which hold every pair it needs while
  // the mean stays within MARGIN of that centre (the triangle inequality); past it, they are
  // gathered again around the mean.
  const dx = scratch.x;
  const dy = scratch.y;
  if (scratch.nearX.length < n) {
    scratch.nearX = new Float64Array(dx.length);
    scratch.nearY = new Float64Array(dx.length);
  }
  const kx = scratch.nearX;
  const ky = scratch.nearY;
  const i2 = intersect * intersect;
  const near2 = (intersect + MEAN_SHIFT_MARGIN_NM) ** 2;
  let kept = 0;
  let ax = 0;
  let ay = 0;
  const gather = () => {
    kept = 0;
    for (let k = 0; k < n; k++) {
      const ex = dx[k] - mx;
      const ey = dy[k] - my;
      if (ex * ex + ey * ey < near2) {
        kx[kept] = dx[k];
        ky[kept++] = dy[k];
      }
    }
    ax = mx;
    ay = my;
  };
  gather();
  // The mean-shift map is nearly linear near its fixed point, so every third step extrapolates
  // each axis from the last three iterates (Aitken's Δ²); the steps after it check it settled.
  const hx = [0, 0, 0];
  const hy = [0, 0, 0];
  for (let step = 0; step < MEAN_SHIFT_STEPS; step++) {
    let sx = 0;
    let sy = 0;
    let m = 0;
    for (let k = 0; k < kept; k++) {
      const ex = kx[k] - mx;
      const ey = ky[k] - my;
      if (ex * ex + ey * ey < i2) {
        sx += kx[k];
        sy += ky[k];
        m++;
      }
    }
    if (m === 0) break;
    const moved = Math.hypot(sx / m - mx, sy / m - my);
    hx[step % 3] = mx = sx / m;
    hy[step % 3] = my = sy / m;
    if (moved < MEAN_SHIFT_TOLERANCE_NM) break;
    if (step % 3 === 2) {
      const aitken = (h: number[], v: number) => {
        const d2 = h[2] - 2 * h[1] + h[0];
        const e = Math.abs(d2) > 1e-12 ? h[2] - (h[2] - h[1]) ** 2 / d2 : v;
        return Math.abs(e - v) < MEAN_SHIFT_MARGIN_NM ? e : v;
      };
      mx = aitken(hx, mx);
      my = aitken(hy, my);
    }
    if (Math.hypot(mx - ax, my - ay) > MEAN_SHIFT_MARGIN_NM) gather();
  }
  return [predicted[0] + mx, predicted[1] + my];
}

/** The reference grid and the search scratch of a {@link CausalAim}. */
let workOf: (aim: CausalAim) => { grid: ReferenceGrid; scratch: ShiftScratch };

/** A segment let go of. */
const EMPTY_SEGMENT: SegmentPoints = { xs: new Float64Array(0), ys: new Float64Array(0) };

/** One segment's localizations, nm. */
export interface SegmentPoints {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
}

/**
 * AIM's first round, causal, as a live run can do it: segments are added in time order, and
 * each one's shift is known when it is added: it is aligned to the segments before it (the last
 * ROUND1_WINDOW, corrected by their shifts), searched within `searchNm` of the previous
 * segment's shift. The first segment's shift is 0.
 */
export class CausalAim {
  /** Every segment added, and its shift, nm. */
  readonly segments: SegmentPoints[] = [];
  readonly shifts: [number, number][] = [];
  private readonly intersect: number;
  private readonly search: number;
  private readonly scratch = new ShiftScratch();
  private readonly grid = new ReferenceGrid();
  private built = 0;

  static {
    // Round 2 of estimateDriftAim reuses round 1's grid and scratch (their arrays are grown once).
    workOf = (aim) => ({ grid: aim.grid, scratch: aim.scratch });
  }

  /**
   * @param options - intersect distance and search radius (the segment length is the caller's)
   * @param keepAll - keep every segment's points (for a second round); false lets go of those
   *   round 1 no longer needs, so a live run's memory stays bounded @default true
   */
  constructor(options: AimOptions = {}, private readonly keepAll = true) {
    this.intersect = options.intersectNm ?? AIM_DEFAULTS.intersectNm;
    this.search = options.searchNm ?? AIM_DEFAULTS.searchNm;
    if (!(this.intersect > 0 && this.search > 0)) throw new InvalidOptionError(`AIM's intersect distance and search radius must be > 0 nm, got ${this.intersect} and ${this.search}`, 'intersectNm');
    if (this.search + this.intersect > MAX_REACH_NM) {
      throw new InvalidOptionError(`AIM's search radius plus intersect distance must be at most ${MAX_REACH_NM} nm (a drift this fast needs shorter segments), got ${this.search} + ${this.intersect} nm`, this.search >= this.intersect ? 'searchNm' : 'intersectNm');
    }
  }

  /**
   * Add the next segment.
   * @returns its shift (drift), nm, relative to the first segment
   */
  add(segment: SegmentPoints): [number, number] {
    const k = this.segments.length;
    this.segments.push(segment);
    if (k === 0) {
      this.shifts.push([0, 0]);
      return [0, 0];
    }
    // The first segments: a reference of all before, remade each time; then every REBUILD_EVERY.
    if (k <= REBUILD_EVERY || k - this.built >= REBUILD_EVERY) {
      this.grid.build(this.segments, range(k - ROUND1_WINDOW, k), this.shifts, this.search + this.intersect);
      this.built = k;
    }
    const d = bestShift(segment.xs, segment.ys, this.grid, -1, this.shifts[k - 1], this.search, this.intersect, this.scratch);
    this.shifts.push(d);
    if (!this.keepAll && k >= ROUND1_WINDOW) this.segments[k - ROUND1_WINDOW] = EMPTY_SEGMENT;
    return d;
  }
}

/**
 * The localizations of each segment of `segmentFrames` frames (a short last segment joins the
 * one before it), or an error naming the first segment with too few.
 * @returns the members (row indices) and the first and last frame of each segment
 */
function splitSegments(frame: ArrayLike<number>, segmentFrames: number): { members: Int32Array[]; bounds: [number, number][]; frames: number } {
  let frames = 0;
  for (let i = 0; i < frame.length; i++) {
    const f = frame[i];
    if (!(Number.isInteger(f) && f >= 1)) throw new InvalidOptionError(`row ${i + 1} has frame ${f}; frames are whole numbers from 1`, 'frame');
    frames = Math.max(frames, f);
  }
  const count = Math.max(1, Math.ceil(frames / segmentFrames));
  // More segments than localizations (a stray frame far past the others): refused before the
  // segments are indexed, so their index is bounded by the rows, not by the frame numbers.
  if (count > frame.length + 1) {
    throw new InvalidOptionError(
      `${frame.length} localizations over ${frames} frames make ${count} drift segments of ${segmentFrames} frames; AIM needs at least ${MIN_SEGMENT_LOCALIZATIONS} per segment: use longer segments`,
      'segmentFrames',
    );
  }
  // The rows of every segment in one array, segment after segment, rows in order (a counting
  // sort): segment k's are [start[k], start[k + 1]).
  const start = new Int32Array(count + 1);
  for (let i = 0; i < frame.length; i++) start[Math.floor((frame[i] - 1) / segmentFrames) + 1]++;
  for (let k = 0; k < count; k++) start[k + 1] += start[k];
  const rows = new Int32Array(frame.length);
  const fill = start.slice(0, count);
  for (let i = 0; i < frame.length; i++) rows[fill[Math.floor((frame[i] - 1) / segmentFrames)]++] = i;
  const members = Array.from({ length: count }, (_, k) => rows.subarray(start[k], start[k + 1]));
  const bounds = members.map((_, k) => [k * segmentFrames + 1, Math.min(frames, (k + 1) * segmentFrames)] as [number, number]);
  if (count > 1 && members[count - 1].length < MIN_SEGMENT_LOCALIZATIONS) {
    members.pop();
    members[count - 2] = rows.subarray(start[count - 2], start[count]);
    bounds[count - 2][1] = bounds[count - 1][1];
    bounds.pop();
  }
  const k0 = members.findIndex((m) => m.length < MIN_SEGMENT_LOCALIZATIONS);
  if (k0 >= 0) {
    throw new InvalidOptionError(
      `drift segment ${k0 + 1} (frames ${bounds[k0][0]}–${bounds[k0][1]}) holds ${members[k0].length} localizations; AIM needs at least ${MIN_SEGMENT_LOCALIZATIONS} per segment: use longer segments`,
      'segmentFrames',
    );
  }
  return { members, bounds, frames };
}

/**
 * A segment's points: views of `x` and `y` when its rows are consecutive (a table in frame
 * order, read as columns: no copy), else copies.
 * @param rows - the segment's row indices, increasing
 */
function segmentPoints(rows: Int32Array, x: ArrayLike<number>, y: ArrayLike<number>): SegmentPoints {
  const a = rows[0] ?? 0;
  const b = a + rows.length;
  if (x instanceof Float64Array && y instanceof Float64Array && (rows.length === 0 || rows[rows.length - 1] === b - 1)) return { xs: x.subarray(a, b), ys: y.subarray(a, b) };
  return { xs: Float64Array.from(rows, (i) => x[i]), ys: Float64Array.from(rows, (i) => y[i]) };
}

/**
 * Estimate a table's drift by adaptive intersection maximization (AIM; Ma et al., Sci. Adv.
 * 2024, as Picasso's `aim` and webSMLM): the localizations are cut into segments of
 * `segmentFrames` frames. Round 1 aligns each segment to the segments before it, predicting
 * from the previous shift — causal, as a live run can ({@link CausalAim}). Round 2 aligns each
 * segment to the others near it in time (ROUND2_HALF_WINDOW on either side), corrected by
 * round 1, leave-one-out: a segment scored against a reference that contains itself would stay
 * where it is (webSMLM issue #9). The trajectory is interpolated linearly between segment
 * centres, relative to frame 1. Its precision is estimated from two random halves of every
 * segment (of at most PRECISION_SEGMENTS segments, evenly spaced), aligned independently:
 * var(a − b) = 4·var(whole).
 *
 * Work is linear in the localizations: every search looks at the pairs within search +
 * intersect distance of a bounded reference.
 *
 * @param frame - each localization's frame, 1-based
 * @param x - x, nm
 * @param y - y, nm
 * @param options - segment length, intersect distance, search radius
 * @throws InvalidOptionError when a segment holds too few localizations (naming it)
 * @throws InputFileError when a row's frame, x or y is missing, infinite or absurd ({@link findFaultyRows})
 */
export function estimateDriftAim(frame: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, options: AimOptions = {}): DriftTrajectory {
  const segmentFrames = options.segmentFrames ?? AIM_DEFAULTS.segmentFrames;
  if (!(Number.isInteger(segmentFrames) && segmentFrames >= 1)) throw new InvalidOptionError(`AIM segments must be a whole number of frames ≥ 1, got ${segmentFrames}`, 'segmentFrames');
  const intersect = options.intersectNm ?? AIM_DEFAULTS.intersectNm;
  const round1 = new CausalAim(options);
  const faulty = findFaultyRows(frame, x, y);
  if (faulty) throw new InputFileError(`row ${faulty.row + 1} of the table: ${describeFault(faulty.fault, faulty.value)}; drift needs a frame, x and y in every row`);
  const { members, bounds, frames } = splitSegments(frame, segmentFrames);
  // One grid for every reference of both rounds, sized once for the largest: a round-2
  // reference (every round-1 one, ROUND1_WINDOW segments before k, lies within the round-2 one
  // of k's block); and the halves' arrays for the largest segment.
  const count = members.length;
  const before = new Float64Array(count + 1);
  for (let k = 0; k < count; k++) before[k + 1] = before[k] + members[k].length;
  const blockRange = (b: number) => [Math.max(0, b - ROUND2_HALF_WINDOW), Math.min(count, b + REBUILD_EVERY + ROUND2_HALF_WINDOW)];
  let largest = 0;
  for (let b = 0; b < count; b += REBUILD_EVERY) {
    const [from, to] = blockRange(b);
    largest = Math.max(largest, before[to] - before[from]);
  }
  const { grid, scratch } = workOf(round1);
  grid.reserve(largest);
  for (const m of members) round1.add(segmentPoints(m, x, y));
  const { segments, shifts } = round1;
  // Round 2 and the halves, block by block against the segments near the block in time.
  const longest = members.reduce((most, m) => Math.max(most, m.length), 0);
  const ax = new Float64Array(longest);
  const ay = new Float64Array(longest);
  const bx = new Float64Array(longest);
  const by = new Float64Array(longest);
  const rng = new Random(7);
  const final: [number, number][] = [];
  let ex = 0;
  let ey = 0;
  let halves = 0;
  const precisionEvery = Math.ceil(segments.length / PRECISION_SEGMENTS);
  for (let b = 0; b < segments.length; b += REBUILD_EVERY) {
    const [from, to] = blockRange(b);
    grid.build(segments, range(from, to), shifts, 2 * intersect);
    for (let k = b; k < Math.min(segments.length, b + REBUILD_EVERY); k++) {
      const { xs, ys } = segments[k];
      const d = bestShift(xs, ys, grid, k, shifts[k], intersect, intersect, scratch);
      final.push(d);
      if (k % precisionEvery !== 0) continue;
      halves++;
      // Each point to half a or b at random, in order.
      let na = 0;
      let nb = 0;
      for (let i = 0; i < xs.length; i++) {
        if (rng.uniform() < 0.5) {
          bx[nb] = xs[i];
          by[nb++] = ys[i];
        } else {
          ax[na] = xs[i];
          ay[na++] = ys[i];
        }
      }
      const da = bestShift(ax.subarray(0, na), ay.subarray(0, na), grid, k, d, intersect, intersect, scratch);
      const db = bestShift(bx.subarray(0, nb), by.subarray(0, nb), grid, k, d, intersect, intersect, scratch);
      ex += (da[0] - db[0]) ** 2;
      ey += (da[1] - db[1]) ** 2;
    }
  }
  const precisionNm = { x: Math.sqrt(ex / halves) / 2, y: Math.sqrt(ey / halves) / 2 };
  const centres = bounds.map(([a, b]) => (a + b) / 2);
  const { x: tx, y: ty, origin } = interpolateDrift(frames, centres, final.map((d) => d[0]), final.map((d) => d[1]));
  const seg: DriftSegment[] = bounds.map(([firstFrame, lastFrame], k) => ({ firstFrame, lastFrame, x: final[k][0] - origin[0], y: final[k][1] - origin[1], localizations: members[k].length }));
  return { method: 'aim', x: tx, y: ty, segments: seg, precisionNm };
}
