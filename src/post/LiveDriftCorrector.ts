import { FitStatus } from '../fit/FitStatus.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { AIM_DEFAULTS, CausalAim, MIN_SEGMENT_LOCALIZATIONS } from './estimateDriftAim.js';
import type { AimOptions } from './estimateDriftAim.js';

/** A segment held until its neighbours' shifts are known. */
interface HeldSegment {
  readonly index: number;
  readonly batches: LocalizationBatch[];
  /** Its shift (drift at its centre frame), nm, once estimated. */
  shift?: [number, number];
}

/**
 * Drift correction while a run goes on, with AIM's causal first round ({@link CausalAim}): the
 * batches of a segment are held until the segment after it ends, so that, as in
 * {@link estimateDriftAim}, the drift of a frame is interpolated linearly between the shifts at
 * the two nearest segment centres (extrapolated before the first centre and after the last),
 * relative to frame 1. A segment with fewer than MIN_SEGMENT_LOCALIZATIONS converged fits takes
 * the previous segment's shift. Latency: up to two segments; memory: two segments of batches
 * and round 1's reference.
 *
 * Less precise than {@link estimateDriftAim} on the finished table (round 1 only, no segments
 * after): use that when the run is over.
 */
export class LiveDriftCorrector {
  private readonly aim: CausalAim;
  private readonly segmentFrames: number;
  /** The last two segments: the one waiting for its successor's shift, and the one filling. */
  private held: HeldSegment[] = [];
  /** The segment before the held ones (for interpolation before a centre). */
  private before: { centre: number; shift: [number, number] } | undefined;
  /** What is subtracted so that frame 1's drift is 0. */
  private origin: [number, number] | undefined;

  /** @param options - AIM's options (segment length, intersect distance, search radius) */
  constructor(options: AimOptions = {}) {
    this.segmentFrames = options.segmentFrames ?? AIM_DEFAULTS.segmentFrames;
    this.aim = new CausalAim(options, false);
  }

  /**
   * Add one frame's batch (frames in increasing order).
   * @returns the batches of a segment now corrected (often none)
   */
  push(batch: LocalizationBatch): LocalizationBatch[] {
    const k = Math.floor((batch.frame - 1) / this.segmentFrames);
    const last = this.held[this.held.length - 1];
    let out: LocalizationBatch[] = [];
    if (last === undefined || last.index !== k) {
      if (last !== undefined) {
        this.estimate(last);
        if (this.held.length === 2) out = this.release(false);
      }
      this.held.push({ index: k, batches: [] });
    }
    this.held[this.held.length - 1].batches.push(batch);
    return out;
  }

  /** The batches still held (the run ended), corrected. */
  finish(): LocalizationBatch[] {
    const last = this.held[this.held.length - 1];
    if (last === undefined) return [];
    this.estimate(last);
    const out = this.held.length === 2 ? this.release(false) : [];
    return [...out, ...this.release(true)];
  }

  private centre(index: number): number {
    return index * this.segmentFrames + (this.segmentFrames + 1) / 2;
  }

  /** Estimate a segment's shift from its converged fits (or keep the previous one's). */
  private estimate(segment: HeldSegment): void {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const b of segment.batches) {
      for (let i = 0; i < b.count; i++) {
        if (b.status[i] !== FitStatus.converged) continue;
        xs.push(b.x[i]);
        ys.push(b.y[i]);
      }
    }
    const previous = this.aim.shifts[this.aim.shifts.length - 1];
    segment.shift = xs.length >= MIN_SEGMENT_LOCALIZATIONS || previous === undefined ? this.aim.add({ xs: Float64Array.from(xs), ys: Float64Array.from(ys) }) : previous;
  }

  /** Correct and give back the oldest held segment: interpolated towards its neighbours' centres. */
  private release(lastOne: boolean): LocalizationBatch[] {
    const segment = this.held.shift() as HeldSegment;
    const shift = segment.shift as [number, number];
    const c = this.centre(segment.index);
    const next = lastOne ? undefined : this.held[0];
    const after = next?.shift ? { centre: this.centre(next.index), shift: next.shift } : undefined;
    // The line through this centre and a neighbour's: the one before for earlier frames, the one
    // after for later frames; with one neighbour only, its line for both (extrapolation).
    const line = (f: number): [number, number] => {
      const other = (f < c ? this.before : after) ?? this.before ?? after;
      if (other === undefined) return shift;
      const t = (f - c) / (other.centre - c);
      return [shift[0] + t * (other.shift[0] - shift[0]), shift[1] + t * (other.shift[1] - shift[1])];
    };
    this.origin ??= line(1);
    const [ox, oy] = this.origin;
    const out = segment.batches.map((b) => {
      const [dx, dy] = line(b.frame);
      return { ...b, x: b.x.map((v) => v - (dx - ox)), y: b.y.map((v) => v - (dy - oy)) };
    });
    this.before = { centre: c, shift };
    return out;
  }
}
