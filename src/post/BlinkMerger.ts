import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { DETECTIONS_HEADER } from '../table/columns.js';
import { columnName } from '../table/LocalizationTable.js';
import type { LocalizationTable } from '../table/LocalizationTable.js';

/** Options of blink merging; the defaults are ThunderSTORM's. */
export interface MergeOptions {
  /** Two detections in consecutive frames closer than this are one molecule, nm. @default 20 */
  maxDistanceNm?: number;
  /** Frames a molecule may be off between two detections. @default 1 */
  maxOffFrames?: number;
  /** Most frames (detections) one molecule may have; Infinity for no limit. @default Infinity */
  maxFrames?: number;
}

/** The defaults of {@link MergeOptions}, stated once (ThunderSTORM's). */
export const MERGE_DEFAULTS = { maxDistanceNm: 20, maxOffFrames: 1, maxFrames: Infinity } as const;


/**
 * How a merged row's value of a column comes from its detections (ThunderSTORM's rules, with
 * Picasso's inverse-variance weighting of the position):
 * first: the first detection's (ThunderSTORM: columns it has no rule for); min; sum; mean;
 * weighted-x / -y / -z: the mean weighted by 1/σ² of that axis (z: by 1/uncertainty_z², equal
 * weights without one); nan-if-merged (chi2); uncertainty-x / -y / -z: 1/√Σ(1/σ²);
 * uncertainty: √((σx² + σy²)/2) of those.
 */
type Rule = 'first' | 'min' | 'sum' | 'mean' | 'weighted-x' | 'weighted-y' | 'weighted-z' | 'nan-if-merged' | 'uncertainty-x' | 'uncertainty-y' | 'uncertainty-z' | 'uncertainty';

/** The rule of each column name (without unit); every other column keeps its first detection's value. */
const RULES: Readonly<Record<string, Rule>> = {
  id: 'min',
  frame: 'min',
  x: 'weighted-x',
  y: 'weighted-y',
  z: 'weighted-z',
  uncertainty_z: 'uncertainty-z',
  sigma: 'mean',
  sigma1: 'mean',
  sigma2: 'mean',
  offset: 'mean',
  intensity: 'sum',
  bkgstd: 'sum',
  chi2: 'nan-if-merged',
  uncertainty: 'uncertainty',
  uncertainty_xy: 'uncertainty',
  uncertainty_x: 'uncertainty-x',
  uncertainty_y: 'uncertainty-y',
  // Ours: the log-likelihood of independent fits adds; a merged table's detections add up.
  loglikelihood: 'sum',
  [DETECTIONS_HEADER]: 'sum',
};

/** Molecules' accumulators: one slot per molecule in growable typed arrays, slots reused. */
class MoleculePool {
  capacity = 0;
  /** Per column, the accumulated value (sum, min or first, as the column's rule says). */
  values: Float64Array[];
  /** Per column, the first detection's value (a molecule of one detection is passed on as it came). */
  first: Float64Array[];
  count = new Float64Array(0);
  weightX = new Float64Array(0);
  weightY = new Float64Array(0);
  weightZ = new Float64Array(0);
  lastFrame = new Float64Array(0);
  lastX = new Float64Array(0);
  lastY = new Float64Array(0);
  /** The input row of the first detection (merged rows are ordered by it). */
  firstRow = new Float64Array(0);
  private free: number[] = [];
  private used = 0;

  constructor(readonly columns: number) {
    this.values = Array.from({ length: columns }, () => new Float64Array(0));
    this.first = Array.from({ length: columns }, () => new Float64Array(0));
  }

  /** A free slot. */
  take(): number {
    const slot = this.free.pop();
    if (slot !== undefined) return slot;
    if (this.used === this.capacity) this.grow();
    return this.used++;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  private grow(): void {
    const size = Math.max(256, 2 * this.capacity);
    const grown = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.values = this.values.map(grown);
    this.first = this.first.map(grown);
    this.count = grown(this.count);
    this.weightX = grown(this.weightX);
    this.weightY = grown(this.weightY);
    this.weightZ = grown(this.weightZ);
    this.lastFrame = grown(this.lastFrame);
    this.lastX = grown(this.lastX);
    this.lastY = grown(this.lastY);
    this.firstRow = grown(this.firstRow);
    this.capacity = size;
  }
}

/**
 * Merges the detections of blinking molecules, frame by frame, as ThunderSTORM's "merging"
 * does: a localization joins a molecule whose last detection is within `maxDistanceNm` and at
 * most `maxOffFrames` frames before it (candidates taken greedily, nearest pair first; a
 * molecule takes one localization per frame). A molecule is final once its gap is exceeded or it
 * reached `maxFrames` detections; the memory held is that of the molecules still open.
 *
 * A merged row: frame and id are the first detection's, `detections` counts them, x and y are
 * means weighted by inverse variance (1/uncertainty_x², 1/uncertainty_y², or 1/uncertainty²;
 * equal weights when the table has no uncertainty), uncertainties are recomputed as 1/√Σ(1/σ²),
 * intensity and bkgstd are summed, sigma and offset averaged, chi2 is NaN, the log-likelihood is
 * summed, and every other column keeps its first detection's value.
 *
 * Rows that cannot be weighted (a non-positive or non-finite uncertainty) or did not converge
 * (a status column ≠ 0) are passed on unmerged, as molecules of one detection.
 *
 * Feed frames in increasing order ({@link addFrame}); take the finished rows with
 * {@link drain}; {@link finish} closes the molecules still open.
 */
export class BlinkMerger {
  /** The merged table's header: the input's, with `detections` appended when it has none. */
  readonly header: readonly string[];
  private readonly rules: Rule[];
  private readonly maxDistance: number;
  private readonly maxOff: number;
  private readonly maxFrames: number;
  private readonly pool: MoleculePool;
  private readonly frameColumn: number;
  private readonly xColumn: number;
  private readonly yColumn: number;
  private readonly uxColumn: number;
  private readonly uyColumn: number;
  /** The uncertainty_z column (−1: none; z is then averaged with equal weights). */
  private readonly uzColumn: number;
  private readonly statusColumn: number;
  private readonly detectionsColumn: number;
  private readonly hasDetections: boolean;
  /** Open molecules (slots). */
  private open: number[] = [];
  /** Finished molecules (slots) not yet drained. */
  private done: number[] = [];
  private lastFrame = -Infinity;
  /** Scratch of one frame's matching, grown as needed. */
  private pairs: { d: number; row: number; slot: number }[] = [];

  /**
   * @param header - the input table's headers (frame, x and y among them, nm)
   * @param options - distance, off frames, frames per molecule
   * @throws InvalidOptionError for an option out of range, or a header without frame, x or y
   */
  constructor(header: readonly string[], options: MergeOptions = {}) {
    this.maxDistance = options.maxDistanceNm ?? MERGE_DEFAULTS.maxDistanceNm;
    this.maxOff = options.maxOffFrames ?? MERGE_DEFAULTS.maxOffFrames;
    this.maxFrames = options.maxFrames ?? MERGE_DEFAULTS.maxFrames;
    if (!(this.maxDistance > 0 && Number.isFinite(this.maxDistance))) throw new InvalidOptionError(`merging's maximum distance must be a finite number of nm > 0, got ${this.maxDistance}`, 'maxDistanceNm');
    if (!(Number.isInteger(this.maxOff) && this.maxOff >= 0)) throw new InvalidOptionError(`merging's off frames must be a whole number ≥ 0, got ${this.maxOff}`, 'maxOffFrames');
    if (!((Number.isInteger(this.maxFrames) && this.maxFrames >= 1) || this.maxFrames === Infinity)) throw new InvalidOptionError(`merging's frames per molecule must be a whole number ≥ 1 (or unlimited), got ${this.maxFrames}`, 'maxFrames');
    const names = header.map(columnName);
    const find = (...n: string[]) => names.findIndex((h) => n.includes(h));
    this.frameColumn = find('frame');
    this.xColumn = find('x');
    this.yColumn = find('y');
    if (this.frameColumn < 0 || this.xColumn < 0 || this.yColumn < 0) throw new InvalidOptionError(`merging needs columns frame, x and y; the header is ${header.join(', ')}`, 'header');
    const ux = find('uncertainty_x');
    const uy = find('uncertainty_y');
    const u = find('uncertainty', 'uncertainty_xy');
    [this.uxColumn, this.uyColumn] = ux >= 0 && uy >= 0 ? [ux, uy] : [u, u];
    this.uzColumn = find('uncertainty_z');
    this.statusColumn = find('status');
    this.detectionsColumn = find(DETECTIONS_HEADER);
    this.hasDetections = this.detectionsColumn >= 0;
    this.header = this.hasDetections ? [...header] : [...header, DETECTIONS_HEADER];
    this.rules = names.map((n) => RULES[n] ?? 'first');
    if (!this.hasDetections) this.rules.push('sum');
    this.pool = new MoleculePool(this.header.length);
  }

  /**
   * Add the localizations of one frame: rows `rows` of `columns` (in the input header's order),
   * all of frame `frame`.
   * @param frame - the frame, 1-based; increasing from call to call
   * @param columns - the input's columns
   * @param rows - the row indices of this frame
   * @param rowBase - added to a row index to give the row's place in the whole input (the order
   *   of the merged rows) @default 0
   * @throws InvalidOptionError when frames come out of order
   */
  addFrame(frame: number, columns: readonly ArrayLike<number>[], rows: ArrayLike<number>, rowBase = 0): void {
    if (!(frame > this.lastFrame)) throw new InvalidOptionError(`merging needs frames in increasing order; frame ${frame} came after ${this.lastFrame}`, 'frame');
    this.lastFrame = frame;
    const { pool, maxOff } = this;
    // Close the molecules whose gap is now exceeded.
    this.open = this.open.filter((slot) => {
      if (frame - pool.lastFrame[slot] - 1 <= maxOff) return true;
      this.done.push(slot);
      return false;
    });
    // Candidate pairs within the distance, nearest first; open molecules sorted by x for the search.
    const xs = columns[this.xColumn];
    const ys = columns[this.yColumn];
    const open = this.open.slice().sort((a, b) => pool.lastX[a] - pool.lastX[b]);
    const openX = Float64Array.from(open, (slot) => pool.lastX[slot]);
    const d2max = this.maxDistance * this.maxDistance;
    const pairs = this.pairs;
    let n = 0;
    const mergeable: boolean[] = [];
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      const ok = this.mergeable(columns, row);
      mergeable.push(ok);
      if (!ok) continue;
      const x = xs[row];
      const y = ys[row];
      // The first open molecule with lastX ≥ x − d (binary search), then on while lastX ≤ x + d.
      let lo = 0;
      let hi = open.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (openX[mid] < x - this.maxDistance) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < open.length && openX[k] <= x + this.maxDistance; k++) {
        const slot = open[k];
        const d2 = (pool.lastX[slot] - x) ** 2 + (pool.lastY[slot] - y) ** 2;
        if (d2 > d2max) continue;
        if (n === pairs.length) pairs.push({ d: 0, row: 0, slot: 0 });
        const p = pairs[n++];
        p.d = d2;
        p.row = r;
        p.slot = slot;
      }
    }
    const chosen = pairs.slice(0, n).sort((a, b) => a.d - b.d || a.row - b.row);
    const rowTaken = new Uint8Array(rows.length);
    const slotTaken = new Set<number>();
    for (const p of chosen) {
      if (rowTaken[p.row] || slotTaken.has(p.slot)) continue;
      rowTaken[p.row] = 1;
      slotTaken.add(p.slot);
      this.extend(p.slot, columns, rows[p.row], frame);
    }
    for (let r = 0; r < rows.length; r++) {
      if (rowTaken[r]) continue;
      const slot = this.start(columns, rows[r], frame, rowBase);
      if (mergeable[r]) this.open.push(slot);
      else this.done.push(slot);
    }
    // Molecules that reached their most frames are final.
    if (this.maxFrames !== Infinity) {
      this.open = this.open.filter((slot) => {
        if (pool.count[slot] < this.maxFrames) return true;
        this.done.push(slot);
        return false;
      });
    }
  }

  /** Close every molecule still open (the end of the table). */
  finish(): void {
    this.done.push(...this.open);
    this.open = [];
  }

  /**
   * The smallest input row (with `rowBase`) of a molecule's first detection among the molecules
   * open now, Infinity when none is: every merged row still to come starts at or after it, or
   * at a row not yet added.
   */
  get firstOpenRow(): number {
    let first = Infinity;
    for (const slot of this.open) first = Math.min(first, this.pool.firstRow[slot]);
    return first;
  }

  /** Molecules open now (what the merger holds in memory). */
  get openMolecules(): number {
    return this.open.length;
  }

  /**
   * The rows of the molecules finished since the last drain, ordered by their first detection's
   * input row (`firstRow`); their slots are reused.
   */
  drain(): LocalizationTable & { readonly firstRow: Float64Array } {
    const { pool } = this;
    const slots = this.done.sort((a, b) => pool.firstRow[a] - pool.firstRow[b]);
    this.done = [];
    const columns = this.header.map(() => new Float64Array(slots.length));
    const firstRow = Float64Array.from(slots, (slot) => pool.firstRow[slot]);
    slots.forEach((slot, r) => {
      for (let c = 0; c < this.rules.length; c++) columns[c][r] = this.value(slot, c);
      pool.release(slot);
    });
    return { header: this.header, columns, rows: slots.length, firstRow };
  }

  /** Whether a row can join a molecule: converged, and with a usable uncertainty. */
  private mergeable(columns: readonly ArrayLike<number>[], row: number): boolean {
    if (this.statusColumn >= 0 && columns[this.statusColumn][row] !== 0) return false;
    if (this.uxColumn < 0) return true;
    const ux = columns[this.uxColumn][row];
    const uy = columns[this.uyColumn][row];
    return ux > 0 && uy > 0 && Number.isFinite(ux) && Number.isFinite(uy);
  }

  /** The weights of a row's x and y: 1/σ², or 1 without uncertainty. */
  private weights(columns: readonly ArrayLike<number>[], row: number): [number, number, number] {
    const uz = this.uzColumn < 0 ? Number.NaN : columns[this.uzColumn][row];
    const wz = uz > 0 && Number.isFinite(uz) ? 1 / (uz * uz) : 1;
    if (this.uxColumn < 0) return [1, 1, wz];
    const ux = columns[this.uxColumn][row];
    const uy = columns[this.uyColumn][row];
    return ux > 0 && uy > 0 && Number.isFinite(ux) && Number.isFinite(uy) ? [1 / (ux * ux), 1 / (uy * uy), wz] : [1, 1, wz];
  }

  /** A molecule of one detection. */
  private start(columns: readonly ArrayLike<number>[], row: number, frame: number, rowBase: number): number {
    const { pool } = this;
    const slot = pool.take();
    const [wx, wy, wz] = this.weights(columns, row);
    pool.count[slot] = 0;
    pool.weightX[slot] = 0;
    pool.weightY[slot] = 0;
    pool.weightZ[slot] = 0;
    pool.firstRow[slot] = rowBase + row;
    for (let c = 0; c < this.rules.length; c++) {
      const v = c < columns.length ? columns[c][row] : 1;
      pool.first[c][slot] = v;
      pool.values[c][slot] = this.rules[c] === 'min' ? Infinity : this.rules[c] === 'first' ? v : 0;
    }
    this.accumulate(slot, columns, row, frame, wx, wy, wz);
    return slot;
  }

  /** Add a detection to a molecule. */
  private extend(slot: number, columns: readonly ArrayLike<number>[], row: number, frame: number): void {
    const [wx, wy, wz] = this.weights(columns, row);
    this.accumulate(slot, columns, row, frame, wx, wy, wz);
  }

  private accumulate(slot: number, columns: readonly ArrayLike<number>[], row: number, frame: number, wx: number, wy: number, wz: number): void {
    const { pool, rules } = this;
    pool.count[slot]++;
    pool.weightX[slot] += wx;
    pool.weightY[slot] += wy;
    pool.weightZ[slot] += wz;
    pool.lastFrame[slot] = frame;
    pool.lastX[slot] = columns[this.xColumn][row];
    pool.lastY[slot] = columns[this.yColumn][row];
    for (let c = 0; c < rules.length; c++) {
      const v = c < columns.length ? columns[c][row] : 1; // the appended detections column: 1 each
      const values = pool.values[c];
      switch (rules[c]) {
        case 'min':
          values[slot] = Math.min(values[slot], v);
          break;
        case 'sum':
        case 'mean':
        case 'nan-if-merged':
          values[slot] += v;
          break;
        case 'weighted-x':
          values[slot] += wx * v;
          break;
        case 'weighted-y':
          values[slot] += wy * v;
          break;
        case 'weighted-z':
          values[slot] += wz * v;
          break;
        default:
          break; // first, and the recomputed uncertainties
      }
    }
  }

  /** Column c of a finished molecule. */
  private value(slot: number, c: number): number {
    const { pool } = this;
    const v = pool.values[c][slot];
    const n = pool.count[slot];
    if (n === 1) return pool.first[c][slot];
    switch (this.rules[c]) {
      case 'mean':
        return v / n;
      case 'nan-if-merged':
        return n > 1 ? NaN : v;
      case 'weighted-x':
        return v / pool.weightX[slot];
      case 'weighted-y':
        return v / pool.weightY[slot];
      case 'uncertainty-x':
        return 1 / Math.sqrt(pool.weightX[slot]);
      case 'uncertainty-y':
        return 1 / Math.sqrt(pool.weightY[slot]);
      case 'weighted-z':
        return v / pool.weightZ[slot];
      case 'uncertainty-z':
        return 1 / Math.sqrt(pool.weightZ[slot]);
      case 'uncertainty':
        return Math.sqrt((1 / pool.weightX[slot] + 1 / pool.weightY[slot]) / 2);
      default:
        return v;
    }
  }
}
