import type { Frame, PixelArray } from '../io/Frame.js';
import type { StreamStep } from './operatorOf.js';

/** A frame with its per-pixel background, in the frame's own units (ADU), row-major. */
export interface BackgroundFrame extends Frame {
  /** The background of each pixel, in the units of `data`; none when the run has no background. */
  readonly background?: Float32Array;
}

/** Background arrays kept for reuse at most (the frames in flight take them; more are left to the GC). */
const FREE_ARRAYS = 1024;

/** Values a pixel's samples may span to be counted rather than selected (ADU). */
const COUNTED_RANGE = 4096;

/** Values around the previous median that {@link rankNear} counts (a median outside them is counted over the pixel's whole span). */
const GUESS_BINS = 32;

/** Pixels gathered at once into the transposed scratch (a block of them × the window). */
const BLOCK_PIXELS = 1024;

/**
 * The temporal median background as a stream step: frames in, in order; each frame out with
 * its background, the median of each pixel over the W frames of the run centred on it, the
 * window moved inside the run at its ends (frame t's window is positions c − h … c + h, h =
 * (W − 1)/2, c = t clamped to h … T − 1 − h; a run shorter than W uses all its frames, and an
 * even count the mean of the two middle values). Blinking spots are outliers of each pixel's
 * time series, so the median ignores them.
 *
 * The exact median is taken at the anchor positions 0, k, 2k, … and the last position of the
 * run, and interpolated linearly between (k = `anchorFrames`; k = 1 is exact everywhere). The
 * median commutes with the camera's affine ADU → photon conversion, so it is taken on the raw
 * values and converted once per pixel later.
 *
 * Bounded memory: at most `windowFrames` frames are held (the last W: every window still to
 * come and every frame still to emit lie in them, for k ≤ h + 1); a frame comes out once the
 * frame h + k positions later has come in (the window's half plus the anchor spacing), or at
 * the end. The output depends only on the run's frames and its length T, never on how it is
 * read: given T and a part [first, end) of the run, the step computes that part's backgrounds
 * from the frames {@link TemporalMedian.haloOf} names, as chunks of a queue do.
 */
export class TemporalMedian implements StreamStep<Frame, BackgroundFrame> {
  readonly windowFrames: number;
  readonly anchorFrames: number;
  /** Most frames held at once so far (for tests of the memory bound). */
  maxHeld = 0;
  /** Frames held, oldest first; `held[0]` is at position `base`. */
  private held: Frame[] = [];
  /** Copies of the held frames' pixels (the frames themselves go on: a reader may reuse their buffers, a worker take them over). */
  private copies: PixelArray[] = [];
  /** Copies no longer needed, for reuse. */
  private spare: PixelArray[] = [];
  private base = 0;
  /** Position of the next frame pushed. */
  private count = 0;
  /** The last anchor whose median is known (−1: none yet), its window start, and its median. */
  private anchor = -1;
  private anchorWindow = -1;
  private median: Float32Array | undefined;
  /** The first anchor to compute. */
  private readonly firstAnchor: number;
  private scratch = new Float32Array(0);
  /** The same for samples of 16 bits or fewer, held exactly as integers (counted without float indices). */
  private scratchInt = new Int32Array(0);
  /** Counts of whole-number values above a pixel's smallest ({@link countedRank}); all zero between calls. */
  private readonly counts = new Int32Array(COUNTED_RANGE);
  /** Background arrays given back ({@link give}), for reuse: a run allocates a few, not one per frame. */
  private readonly free: Float32Array[] = [];
  /** Positions of the run that are emitted; the others are only read. */
  private readonly firstOut: number;
  private readonly endOut: number;
  /** The run's length, when known in advance (a part of a run). */
  private readonly runLength: number | undefined;

  /**
   * @param windowFrames - W, odd, ≥ 1
   * @param anchorFrames - k, the spacing of the exact medians, 1 … (W + 1)/2
   * @param part - for a part of a run: the run's length T, the positions [first, end) to emit,
   *   and the position of the first frame pushed ({@link haloOf}'s `from`) @default the whole
   *   run, its length known at {@link finish}
   */
  constructor(windowFrames: number, anchorFrames: number, part?: { runLength: number; first: number; end: number }) {
    if (!(Number.isInteger(windowFrames) && windowFrames >= 1 && windowFrames % 2 === 1)) throw new RangeError(`TemporalMedian: the window must be odd, got ${windowFrames}`);
    const half = (windowFrames - 1) / 2;
    if (!(Number.isInteger(anchorFrames) && anchorFrames >= 1 && anchorFrames <= half + 1)) throw new RangeError(`TemporalMedian: the anchor spacing must be 1…${half + 1}, got ${anchorFrames}`);
    this.windowFrames = windowFrames;
    this.anchorFrames = anchorFrames;
    this.runLength = part?.runLength;
    this.firstOut = part?.first ?? 0;
    this.endOut = part?.end ?? Number.POSITIVE_INFINITY;
    this.firstAnchor = part ? Math.floor(part.first / anchorFrames) * anchorFrames : 0;
    if (part) {
      const from = TemporalMedian.haloOf(part.runLength, part.first, part.end, windowFrames, anchorFrames).from;
      this.base = from;
      this.count = from;
    }
  }

  /**
   * The positions of the run that the part [first, end) needs: from the window of the anchor at
   * or before `first` to the window of the anchor at or after `end − 1`.
   * @param runLength - T, the run's frames
   * @param first - the part's first position
   * @param end - the part's end (exclusive)
   * @param windowFrames - W
   * @param anchorFrames - k
   * @returns the positions to push, [from, to)
   */
  static haloOf(runLength: number, first: number, end: number, windowFrames: number, anchorFrames: number): { from: number; to: number } {
    const lo = Math.floor(first / anchorFrames) * anchorFrames;
    const hi = Math.min(Math.ceil((end - 1) / anchorFrames) * anchorFrames, runLength - 1);
    const a = windowOf(lo, runLength, windowFrames);
    const b = windowOf(hi, runLength, windowFrames);
    return { from: a.start, to: b.start + b.length };
  }

  /** Frames held now. */
  get heldFrames(): number {
    return this.held.length;
  }

  push(frame: Frame): BackgroundFrame[] {
    this.held.push(frame);
    this.copies.push(this.copyOf(frame.data));
    this.count++;
    // Only the last W frames can still be needed.
    if (this.held.length > this.windowFrames) {
      this.held.shift();
      this.spare.push(this.copies.shift() as PixelArray);
      this.base++;
    }
    this.maxHeld = Math.max(this.maxHeld, this.held.length);
    const out: BackgroundFrame[] = [];
    const last = this.count - 1;
    for (;;) {
      const next = this.nextAnchor(this.runLength);
      if (next < 0) break;
      const w = windowOf(next, this.runLength, this.windowFrames);
      if (last < w.start + w.length - 1) break;
      this.advance(next, w, out);
    }
    return out;
  }

  finish(): BackgroundFrame[] {
    const out: BackgroundFrame[] = [];
    const total = this.runLength ?? this.count;
    if (this.count > this.base) {
      for (let next = this.nextAnchor(total); next >= 0; next = this.nextAnchor(total)) this.advance(next, windowOf(next, total, this.windowFrames), out);
    }
    this.held = [];
    this.copies = [];
    this.spare = [];
    return out;
  }

  /**
   * Give back a frame's background once it is used (optional: without, each frame gets a new
   * array; with, the run reuses a few, which spares the allocator and the page faults).
   * @param background - a `background` this step emitted, no longer read by anyone
   */
  give(background: Float32Array): void {
    if (this.free.length < FREE_ARRAYS) this.free.push(background);
  }

  /** An array of `length` values, given back earlier or new (contents undefined). */
  private take(length: number): Float32Array {
    for (;;) {
      const a = this.free.pop();
      if (!a) return new Float32Array(length);
      if (a.length === length) return a;
    }
  }

  /** A copy of `data`, in a spare array of the same type and length when there is one. */
  private copyOf(data: PixelArray): PixelArray {
    const spare = this.spare.pop();
    if (spare && spare.constructor === data.constructor && spare.length === data.length) {
      spare.set(data as never);
      return spare;
    }
    return data.slice();
  }

  /** The next anchor: on the grid, or the run's last position; −1 when all are done (or past the part). */
  private nextAnchor(total: number | undefined): number {
    let next = this.anchor < 0 ? this.firstAnchor : this.anchor + this.anchorFrames;
    if (this.anchor >= this.endOut - 1) return -1;
    if (total !== undefined && next > total - 1) next = this.anchor < total - 1 ? total - 1 : -1;
    return next;
  }

  /** Take the median at anchor `next` over its window, and emit the frames up to it. */
  private advance(next: number, window: { start: number; length: number }, out: BackgroundFrame[]): void {
    const previous = this.median;
    const median = window.start === this.anchorWindow && previous ? previous : this.medianOf(window.start, window.length);
    const from = this.anchor;
    if (from >= 0 && previous) {
      for (let t = Math.max(from + 1, this.firstOut); t <= next && t < this.endOut; t++) {
        out.push(this.withBackground(t, interpolate(previous, median, (t - from) / (next - from), t === next, this.take(median.length))));
      }
    } else if (next >= this.firstOut && next < this.endOut) {
      out.push(this.withBackground(next, interpolate(median, median, 1, true, this.take(median.length))));
    }
    if (previous && previous !== median) this.give(previous);
    this.anchor = next;
    this.anchorWindow = window.start;
    this.median = median;
  }

  private withBackground(t: number, background: Float32Array): BackgroundFrame {
    const frame = this.held[t - this.base];
    return { index: frame.index, width: frame.width, height: frame.height, data: frame.data, background };
  }

  /** Each pixel's median over `length` held frames from position `start` (a new array). */
  private medianOf(start: number, length: number): Float32Array {
    if (start < this.base || start + length > this.base + this.held.length) throw new Error(`TemporalMedian: positions ${start}…${start + length - 1} are not held (${this.base}…${this.base + this.held.length - 1})`);
    const first = this.held[start - this.base];
    const pixels = first.width * first.height;
    const rows: PixelArray[] = [];
    for (let j = 0; j < length; j++) {
      const f = this.held[start - this.base + j];
      if (f.width !== first.width || f.height !== first.height) throw new RangeError(`the temporal median needs frames of one size: frame ${f.index + 1} is ${f.width}×${f.height} px, frame ${first.index + 1} ${first.width}×${first.height} px`);
      rows.push(this.copies[start - this.base + j]);
    }
    const median = this.take(pixels);
    const data = first.data;
    if (data instanceof Uint16Array || data instanceof Uint8Array || data instanceof Int16Array || data instanceof Int8Array) this.smallIntegerMedian(rows, pixels, length, median);
    else this.anyMedian(rows, pixels, length, !(data instanceof Float32Array || data instanceof Float64Array), median);
    return median;
  }

  /**
   * Each pixel's median of samples of 16 bits or fewer: transposed into whole numbers and
   * counted; a pixel whose values span more than the counts is selected (the same values).
   */
  private smallIntegerMedian(rows: PixelArray[], pixels: number, length: number, median: Float32Array): void {
    // The previous anchor's median, where there is one: this one is near it (counted in a few bins around it).
    const guess = this.median?.length === pixels ? this.median : undefined;
    if (this.scratchInt.length < BLOCK_PIXELS * length) this.scratchInt = new Int32Array(BLOCK_PIXELS * length);
    if (this.scratch.length < length) this.scratch = new Float32Array(length);
    const scratch = this.scratchInt;
    const series = this.scratch;
    const middle = length >> 1;
    const even = length % 2 === 0;
    const counts = this.counts;
    for (let p0 = 0; p0 < pixels; p0 += BLOCK_PIXELS) {
      const p1 = Math.min(pixels, p0 + BLOCK_PIXELS);
      // Transpose the block: each pixel's time series contiguous.
      for (let j = 0; j < length; j++) {
        const row = rows[j];
        for (let p = p0, o = j; p < p1; p++, o += length) scratch[o] = row[p];
      }
      for (let p = p0, o = 0; p < p1; p++, o += length) {
        let counted = guess && !even ? rankNear(scratch, o, length, middle, Math.floor(guess[p]) - GUESS_BINS / 2, counts) : Number.NaN;
        if (counted === counted) {
          median[p] = counted;
          continue;
        }
        counted = countedRank(scratch, o, length, middle, counts);
        if (counted === counted) {
          median[p] = even ? 0.5 * (counted + countedRank(scratch, o, length, middle - 1, counts)) : counted;
          continue;
        }
        for (let j = 0; j < length; j++) series[j] = scratch[o + j];
        const upper = select(series, 0, length - 1, middle);
        median[p] = even ? 0.5 * (upper + maxBelow(series, 0, middle)) : upper;
      }
    }
  }

  /** Each pixel's median of samples of any type: whole numbers counted where they span little, else selected. */
  private anyMedian(rows: PixelArray[], pixels: number, length: number, whole: boolean, median: Float32Array): void {
    if (this.scratch.length < BLOCK_PIXELS * length) this.scratch = new Float32Array(BLOCK_PIXELS * length);
    const scratch = this.scratch;
    const middle = length >> 1;
    const even = length % 2 === 0;
    // Whole-number samples (every integer camera type) are counted, about twice as fast as
    // quickselect; float samples, and pixels whose values span more than the counts, select.
    const counts = this.counts;
    for (let p0 = 0; p0 < pixels; p0 += BLOCK_PIXELS) {
      const p1 = Math.min(pixels, p0 + BLOCK_PIXELS);
      // Transpose the block: each pixel's time series contiguous.
      for (let j = 0; j < length; j++) {
        const row = rows[j];
        for (let p = p0, o = j; p < p1; p++, o += length) scratch[o] = row[p];
      }
      for (let p = p0, o = 0; p < p1; p++, o += length) {
        const counted = whole ? countedRank(scratch, o, length, middle, counts) : Number.NaN;
        if (counted === counted) {
          median[p] = even ? 0.5 * (counted + countedRank(scratch, o, length, middle - 1, counts)) : counted;
          continue;
        }
        const upper = select(scratch, o, o + length - 1, o + middle);
        median[p] = even ? 0.5 * (upper + maxBelow(scratch, o, o + middle)) : upper;
      }
    }
  }
}

/**
 * The window of anchor `a`: positions [start, start + length). In a run of known length T
 * shorter than W, all of it; else centred on `a` clamped to h … T − 1 − h (to h only, while T is
 * not known).
 */
function windowOf(a: number, total: number | undefined, windowFrames: number): { start: number; length: number } {
  if (total !== undefined && total < windowFrames) return { start: 0, length: total };
  const h = (windowFrames - 1) / 2;
  let c = Math.max(a, h);
  if (total !== undefined) c = Math.min(c, total - 1 - h);
  return { start: c - h, length: windowFrames };
}

/** (1 − w)·a + w·b per pixel into `out`; `b` itself copied when `atEnd`. */
function interpolate(a: Float32Array, b: Float32Array, w: number, atEnd: boolean, out: Float32Array): Float32Array {
  if (atEnd) {
    out.set(b);
    return out;
  }
  for (let i = 0; i < a.length; i++) out[i] = a[i] + (b[i] - a[i]) * w;
  return out;
}

/**
 * The value of rank `k` (0 = the smallest) of the whole numbers `v[lo … lo + n − 1]`, by counting
 * them above their smallest; NaN when they span {@link COUNTED_RANGE} or more. `counts` is all
 * zero before and after.
 */
function countedRank(v: Float32Array | Int32Array, lo: number, n: number, k: number, counts: Int32Array): number {
  const end = lo + n;
  let min = v[lo];
  let max = min;
  for (let i = lo + 1; i < end; i++) {
    const x = v[i];
    if (x < min) min = x;
    else if (x > max) max = x;
  }
  if (max - min >= COUNTED_RANGE) return Number.NaN;
  for (let i = lo; i < end; i++) counts[(v[i] - min) | 0]++;
  let seen = 0;
  let r = 0;
  for (;; r++) {
    seen += counts[r];
    if (seen > k) break;
  }
  for (let i = lo; i < end; i++) counts[(v[i] - min) | 0] = 0;
  return min + r;
}

/**
 * The value of rank `k` of the whole numbers `v[lo … lo + n − 1]` when it lies in
 * `from … from + GUESS_BINS − 1`: counted in those bins, the values below them only tallied;
 * NaN when it lies outside. `counts` is all zero before and after.
 */
function rankNear(v: Int32Array, lo: number, n: number, k: number, from: number, counts: Int32Array): number {
  const end = lo + n;
  let below = 0;
  for (let i = lo; i < end; i++) {
    const d = v[i] - from;
    if (d < 0) below++;
    else if (d < GUESS_BINS) counts[d]++;
  }
  let r = -1;
  if (below <= k) {
    let seen = below;
    for (let b = 0; b < GUESS_BINS; b++) {
      seen += counts[b];
      if (seen > k) {
        r = b;
        break;
      }
    }
  }
  for (let b = 0; b < GUESS_BINS; b++) counts[b] = 0;
  return r < 0 ? Number.NaN : from + r;
}

/** The largest of `v[lo … end − 1]` (after {@link select}, the values below the k-th). */
function maxBelow(v: Float32Array, lo: number, end: number): number {
  let m = v[lo];
  for (let i = lo + 1; i < end; i++) if (v[i] > m) m = v[i];
  return m;
}

/**
 * The k-th smallest of `v[lo … hi]` (index k in sorted order), by quickselect with a
 * median-of-three pivot; reorders the range so that `v[lo … k − 1]` ≤ v[k] ≤ `v[k + 1 … hi]`.
 */
function select(v: Float32Array, lo: number, hi: number, k: number): number {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three into v[mid]; v[lo] ≤ v[mid] ≤ v[hi].
    if (v[mid] < v[lo]) swap(v, mid, lo);
    if (v[hi] < v[lo]) swap(v, hi, lo);
    if (v[hi] < v[mid]) swap(v, hi, mid);
    const pivot = v[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        swap(v, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return v[k];
  }
  return v[k];
}

function swap(v: Float32Array, i: number, j: number): void {
  const t = v[i];
  v[i] = v[j];
  v[j] = t;
}
