import { InputFileError } from '../errors/InputFileError.js';

/**
 * The bead stack as a stream: each call starts a new pass over the frames, in photons per pixel
 * above the camera's offset, row-major. A frame's array may be reused for the next one (only
 * windows are copied out of it).
 */
export type BeadFrameReader = () => AsyncIterable<ArrayLike<number>> | Iterable<ArrayLike<number>>;

/** What a calibration keeps of a bead stack: a window around each bead in every frame. */
export interface BeadWindows {
  /** Frames in the stack. */
  readonly frames: number;
  /** The windows' width and height, px (odd). */
  readonly box: number;
  /** Each bead's window centre: [column, row], px. */
  readonly positions: readonly (readonly [number, number])[];
  /** Photons, [bead][frame][row][column] (float32: 4·box² bytes a bead and frame). */
  readonly windows: Float32Array;
  /** Beads found but left out because their windows overlap another's. */
  readonly overlapping?: number;
}

/**
 * Read a bead z-stack in two passes, keeping only what a calibration needs: the first pass sums
 * the mean image, on which the beads are found (local maxima far above the background, a window
 * apart, away from the border); the second cuts a `box` × `box` window around each bead from
 * every frame. Memory: the mean image (8 bytes a pixel) and the windows, never a whole stack.
 * @param readFrames - a new pass over the stack per call
 * @param width - frame width, px
 * @param height - frame height, px
 * @param box - window width, px (odd)
 * @throws InputFileError when a frame has another size, or the second pass gives another count
 */
export async function readBeadWindows(readFrames: BeadFrameReader, width: number, height: number, box: number): Promise<BeadWindows> {
  const sum = new Float64Array(width * height);
  let frames = 0;
  for await (const frame of readFrames()) addToSum(sum, frame, frames++);
  const { positions, overlapping } = findBeads(sum, frames, width, height, box);
  const windows = new Float32Array(positions.length * frames * box * box);
  let k = 0;
  for await (const frame of readFrames()) {
    if (k >= frames) break;
    cutFrame(windows, frame, k++, frames, width, box, positions);
  }
  if (k !== frames) throw new InputFileError(`the stack gave ${frames} frames, then ${k} when read again: has the file changed?`);
  return { frames, box, positions, windows, overlapping };
}

/**
 * {@link readBeadWindows} for frames already in memory (one pass each, synchronously).
 * @param frames - photons per pixel, row-major
 */
export function beadWindowsOf(frames: readonly ArrayLike<number>[], width: number, height: number, box: number): BeadWindows {
  const sum = new Float64Array(width * height);
  frames.forEach((frame, k) => addToSum(sum, frame, k));
  const { positions, overlapping } = findBeads(sum, frames.length, width, height, box);
  const windows = new Float32Array(positions.length * frames.length * box * box);
  frames.forEach((frame, k) => cutFrame(windows, frame, k, frames.length, width, box, positions));
  return { frames: frames.length, box, positions, windows, overlapping };
}

function addToSum(sum: Float64Array, frame: ArrayLike<number>, index: number): void {
  if (frame.length !== sum.length) throw new InputFileError(`frame ${index + 1} holds ${frame.length} pixels where the first holds ${sum.length}: a bead z-stack has one frame size`);
  for (let i = 0; i < sum.length; i++) sum[i] += frame[i];
}

/** Frame k's window of every bead into `windows`. */
function cutFrame(windows: Float32Array, frame: ArrayLike<number>, k: number, frames: number, width: number, box: number, positions: readonly (readonly [number, number])[]): void {
  const half = box >> 1;
  const area = box * box;
  positions.forEach(([column, row], b) => {
    const at = (b * frames + k) * area;
    for (let r = 0; r < box; r++) {
      const from = (row - half + r) * width + column - half;
      for (let c = 0; c < box; c++) windows[at + r * box + c] = frame[from + c];
    }
  });
}

/** Local maxima of the mean image (the sum over `frames`), far above its background, a window apart and inside the border. */
function findBeads(sum: Float64Array, frames: number, width: number, height: number, box: number): { positions: [number, number][]; overlapping: number } {
  if (frames === 0) return { positions: [], overlapping: 0 };
  const mean = Float64Array.from(sum, (v) => v / frames);
  const sorted = Float64Array.from(mean).sort();
  const median = sorted[sorted.length >> 1];
  const mad = Float64Array.from(mean, (v) => Math.abs(v - median)).sort()[mean.length >> 1] * 1.4826;
  const threshold = median + Math.max(20 * mad, 1);
  const half = box >> 1;
  const peaks: [number, number, number][] = [];
  for (let r = half; r < height - half; r++) {
    for (let c = half; c < width - half; c++) {
      const v = mean[r * width + c];
      if (!(v > threshold)) continue;
      let top = true;
      for (let dr = -2; dr <= 2 && top; dr++) for (let dc = -2; dc <= 2; dc++) if ((dr || dc) && mean[(r + dr) * width + c + dc] > v) { top = false; break; }
      if (top) peaks.push([c, r, v]);
    }
  }
  // Beads whose windows overlap are both left out (their widths would mix).
  const positions = peaks.filter(([c, r], i) => peaks.every(([c2, r2], j) => i === j || Math.abs(c - c2) >= box || Math.abs(r - r2) >= box)).map(([c, r]): [number, number] => [c, r]);
  return { positions, overlapping: peaks.length - positions.length };
}
