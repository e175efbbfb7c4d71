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
  /** Beads found but left out because their window would cross the frame's edge. */
  readonly nearEdge?: number;
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
  const { positions, overlapping, nearEdge } = findBeads(sum, frames, width, height, box);
  const windows = new Float32Array(positions.length * frames * box * box);
  let k = 0;
  for await (const frame of readFrames()) {
    if (k >= frames) break;
    cutFrame(windows, frame, k++, frames, width, box, positions);
  }
  if (k !== frames) throw new InputFileError(`the stack gave ${frames} frames, then ${k} when read again: has the file changed?`);
  return { frames, box, positions, windows, overlapping, nearEdge };
}

/**
 * {@link readBeadWindows} for frames already in memory (one pass each, synchronously).
 * @param frames - photons per pixel, row-major
 */
export function beadWindowsOf(frames: readonly ArrayLike<number>[], width: number, height: number, box: number): BeadWindows {
  const sum = new Float64Array(width * height);
  frames.forEach((frame, k) => addToSum(sum, frame, k));
  const { positions, overlapping, nearEdge } = findBeads(sum, frames.length, width, height, box);
  const windows = new Float32Array(positions.length * frames.length * box * box);
  frames.forEach((frame, k) => cutFrame(windows, frame, k, frames.length, width, box, positions));
  return { frames: frames.length, box, positions, windows, overlapping, nearEdge };
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

/**
 * The beads of the mean image (the sum over `frames`): its local maxima far above the background
 * after smoothing with a Gaussian sized from the PSF's extent (σ half the RMS radius of the
 * brightest bead's light, 1 px to box/6) and with a pixel near them over the threshold, each
 * then centred on the light's centroid around it, a window apart and inside the border. The smoothing and the centroid matter
 * for PSFs whose mean over z is not brightest at its centre: a double helix's is a ring of its two
 * lobes, whose brightest pixel lies 1–2 px off the bead (5 of 10 storm-analysis beads were left out
 * as offset by 2.9 px before).
 */
function findBeads(sum: Float64Array, frames: number, width: number, height: number, box: number): { positions: [number, number][]; overlapping: number; nearEdge: number } {
  if (frames === 0) return { positions: [], overlapping: 0, nearEdge: 0 };
  const mean = Float64Array.from(sum, (v) => v / frames);
  const sorted = Float64Array.from(mean).sort();
  const median = sorted[sorted.length >> 1];
  const mad = Float64Array.from(mean, (v) => Math.abs(v - median)).sort()[mean.length >> 1] * 1.4826;
  const threshold = median + Math.max(20 * mad, 1);
  const half = box >> 1;
  const light = (i: number) => Math.max(0, mean[i] - median - 3 * mad);
  let brightest = 0;
  for (let i = 1; i < mean.length; i++) if (mean[i] > mean[brightest]) brightest = i;
  if (!(mean[brightest] > threshold)) return { positions: [], overlapping: 0, nearEdge: 0 };
  const sigma = Math.min(Math.max(1, extentPx(light, brightest % width, Math.floor(brightest / width), width, height, half) / 2), box / 6);
  const smooth = gaussianSmooth(mean, width, height, sigma);
  const peaks: [number, number, number][] = [];
  let nearEdge = 0;
  const reach = Math.max(2, Math.ceil(sigma));
  for (let r = reach; r < height - reach; r++) {
    for (let c = reach; c < width - reach; c++) {
      const v = smooth[r * width + c];
      if (!(v > median) || !(mean[r * width + c] > threshold || brighterNear(mean, c, r, width, reach, threshold))) continue;
      let top = true;
      for (let dr = -reach; dr <= reach && top; dr++) for (let dc = -reach; dc <= reach; dc++) if ((dr || dc) && smooth[(r + dr) * width + c + dc] > v) { top = false; break; }
      if (!top) continue;
      // A centroid that wandered further than the smoothing's reach from its maximum was pulled
      // by a neighbour's light (a bright or saturated bead nearby): the maximum is the bead.
      const [mx, my] = centreOf(light, c, r, width, height, Math.max(2, Math.ceil(3 * sigma)));
      const [cx, cy] = Math.max(Math.abs(mx - c), Math.abs(my - r)) > reach ? [c, r] : [mx, my];
      if (cx >= half && cy >= half && cx < width - half && cy < height - half) peaks.push([cx, cy, v]);
      else nearEdge++;
    }
  }
  // Beads whose windows overlap are both left out (their widths would mix).
  const positions = peaks.filter(([c, r], i) => peaks.every(([c2, r2], j) => i === j || Math.abs(c - c2) >= box || Math.abs(r - r2) >= box)).map(([c, r]): [number, number] => [c, r]);
  return { positions, overlapping: peaks.length - positions.length, nearEdge };
}

/** Whether a pixel within `reach` of (c, r) of the image is over `threshold` (the caller keeps the square inside). */
function brighterNear(image: Float64Array, c: number, r: number, width: number, reach: number, threshold: number): boolean {
  for (let y = r - reach; y <= r + reach; y++) for (let x = c - reach; x <= c + reach; x++) if (image[y * width + x] > threshold) return true;
  return false;
}

/** The RMS radius of the light about its centroid in the square of half-side `half` about (c, r), px. */
function extentPx(light: (i: number) => number, c: number, r: number, width: number, height: number, half: number): number {
  let s = 0, sx = 0, sy = 0, sxx = 0;
  for (let y = Math.max(0, r - half); y <= Math.min(height - 1, r + half); y++) {
    for (let x = Math.max(0, c - half); x <= Math.min(width - 1, c + half); x++) {
      const v = light(y * width + x);
      s += v; sx += v * x; sy += v * y; sxx += v * (x * x + y * y);
    }
  }
  if (!(s > 0)) return 1;
  return Math.sqrt(Math.max(0, sxx / s - (sx / s) ** 2 - (sy / s) ** 2));
}

/** The nearest pixel to the light's centroid within `radius` of (c, r), re-centred until it stays (at most 5 times). */
function centreOf(light: (i: number) => number, c: number, r: number, width: number, height: number, radius: number): [number, number] {
  let [x0, y0] = [c, r];
  for (let pass = 0; pass < 5; pass++) {
    let s = 0, sx = 0, sy = 0;
    for (let y = Math.max(0, y0 - radius); y <= Math.min(height - 1, y0 + radius); y++) {
      for (let x = Math.max(0, x0 - radius); x <= Math.min(width - 1, x0 + radius); x++) {
        const v = light(y * width + x);
        s += v; sx += v * x; sy += v * y;
      }
    }
    if (!(s > 0)) break;
    const [x1, y1] = [Math.round(sx / s), Math.round(sy / s)];
    if (x1 === x0 && y1 === y0) break;
    [x0, y0] = [x1, y1];
  }
  return [x0, y0];
}

/** The image smoothed by a Gaussian of σ `sigma` px (separable, truncated at 3σ, renormalised at the border). */
function gaussianSmooth(image: Float64Array, width: number, height: number, sigma: number): Float64Array {
  const reach = Math.ceil(3 * sigma);
  const kernel = Float64Array.from({ length: 2 * reach + 1 }, (_, i) => Math.exp(-((i - reach) ** 2) / (2 * sigma * sigma)));
  const rows = new Float64Array(image.length);
  const out = new Float64Array(image.length);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let s = 0, w = 0;
      for (let j = -reach; j <= reach; j++) {
        const x = c + j;
        if (x < 0 || x >= width) continue;
        s += kernel[j + reach] * image[r * width + x];
        w += kernel[j + reach];
      }
      rows[r * width + c] = s / w;
    }
  }
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let s = 0, w = 0;
      for (let j = -reach; j <= reach; j++) {
        const y = r + j;
        if (y < 0 || y >= height) continue;
        s += kernel[j + reach] * rows[y * width + c];
        w += kernel[j + reach];
      }
      out[r * width + c] = s / w;
    }
  }
  return out;
}
