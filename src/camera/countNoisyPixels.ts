import type { FrameSample } from './estimateCamera.js';
import { selectKth } from './selectKth.js';

/** Every limit of {@link countNoisyPixels}, stated once. */
export const NOISY_PIXEL_LIMITS = {
  /** Frames needed to judge a pixel's temporal noise (fewer: nothing counted). */
  minFrames: 10,
  /** Frames used at most (the first ones): bounds the time on long stacks. */
  maxFrames: 50,
  /** A pixel is noisy when its temporal variance is this many times the noise line's at its level (3× the noise sd). */
  varianceRatio: 9,
  /** Noisy pixels above this share of the frame are warned about (an sCMOS sensor's hot pixels). */
  warnShare: 0.005,
} as const;

/** Pixels gathered at a time (their values in every frame: 50 × 1024 × 8 bytes, in cache). */
const NOISY_BLOCK_PIXELS = 1024;

/** The median of χ²₁: the median of d²/2 for a difference d of two draws of variance v is this × v. */
const CHI2_1_MEDIAN = 0.4549364;

/**
 * Count pixels whose temporal noise is far above the camera's noise line (sCMOS hot pixels:
 * their own read noise, which a single line for all pixels cannot hold). Each pixel's variance
 * is the median of (x_{t+1} − x_t)²/2 over consecutive frames, over the median of χ²₁ (robust to
 * a spot present in a minority of frames), compared with slope·(median level) + intercept and
 * with the median of its 8 neighbours' (a hot pixel stands alone; spots span several pixels).
 *
 * @param frames - the frames (ADU), at least {@link NOISY_PIXEL_LIMITS}.minFrames of them
 * @param slopeAdu - the noise line's slope, ADU (estimateCamera's slopeAdu)
 * @param interceptAdu2 - its intercept, ADU² (estimateCamera's interceptAdu2)
 * @returns the noisy pixels and the pixels judged (0 and 0 with too few frames)
 */
export function countNoisyPixels(frames: readonly FrameSample[], slopeAdu: number, interceptAdu2: number): { noisy: number; pixels: number } {
  const l = NOISY_PIXEL_LIMITS;
  if (frames.length < l.minFrames) return { noisy: 0, pixels: 0 };
  const used = frames.slice(0, l.maxFrames);
  const n = used.length;
  const { width, height } = used[0];
  const values = new Float64Array(n);
  const squares = new Float64Array(n - 1);
  /** Each pixel's variance, or NOT_MEASURED for a quiet pixel's until a noisy neighbour asks for it. */
  const variances = new Float64Array(width * height);
  const levels = new Float64Array(width * height);
  // The median of the squares is above a bound exactly when at least this many of them are (the
  // (n − 1 − middle) largest): a quiet pixel is told by counting, with no selection.
  const middle = (n - 1) >> 1;
  const above = n - 1 - middle;
  /** A pixel's variance from its values: the same numbers, hence the same median, as the blocks'. */
  const measure = (k: number): number => {
    for (let t = 0; t < n; t++) values[t] = used[t].data[k];
    for (let t = 0; t < n - 1; t++) squares[t] = ((values[t + 1] - values[t]) ** 2) / 2;
    return selectKth(squares, middle) / CHI2_1_MEDIAN;
  };
  // Pixels in blocks: each frame's run of a block copied at once (not 50 frames' pixel k in turn).
  const block = new Float64Array(n * NOISY_BLOCK_PIXELS);
  for (let k0 = 0; k0 < width * height; k0 += NOISY_BLOCK_PIXELS) {
    const b = Math.min(NOISY_BLOCK_PIXELS, width * height - k0);
    for (let t = 0; t < n; t++) {
      const data = used[t].data;
      for (let j = 0; j < b; j++) block[j * n + t] = data[k0 + j];
    }
    for (let j = 0; j < b; j++) {
      const k = k0 + j;
      let finite = true;
      let lowest = Number.POSITIVE_INFINITY;
      for (let t = 0; t < n; t++) {
        const v = block[j * n + t];
        values[t] = v;
        if (v !== v) finite = false;
        if (v < lowest) lowest = v;
      }
      for (let t = 0; t < n - 1; t++) squares[t] = ((values[t + 1] - values[t]) ** 2) / 2;
      if (finite) {
        // The level only matters for a pixel noisier than the line at its lowest value (the
        // line rises): a pixel within it is quiet, its level its lowest value. Whether the
        // median of the squares over χ²₁'s median exceeds the bound is counted (the division is
        // monotone, so the count says what the median would); the median itself, by selection
        // (the value a sort puts there, in O(n)), only for the others.
        if (slopeAdu > 0) {
          const bound = l.varianceRatio * Math.max(slopeAdu * lowest + interceptAdu2, 1e-6);
          let over = 0;
          for (let t = 0; t < n - 1; t++) if (squares[t] / CHI2_1_MEDIAN > bound) over++;
          if (over < above) {
            variances[k] = NOT_MEASURED;
            levels[k] = lowest;
            continue;
          }
        }
        variances[k] = selectKth(squares, middle) / CHI2_1_MEDIAN;
        levels[k] = selectKth(values, n >> 1);
      } else {
        squares.sort();
        values.sort();
        variances[k] = squares[middle] / CHI2_1_MEDIAN;
        levels[k] = values[n >> 1];
      }
    }
  }
  // A hot pixel stands alone; a blinking spot spans its neighbours too (dense frames).
  const neighbours = new Float64Array(8);
  let noisy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = y * width + x;
      if (variances[k] === NOT_MEASURED) continue; // quiet: within the line at its level
      const predicted = Math.max(slopeAdu * levels[k] + interceptAdu2, 1e-6);
      if (!(variances[k] > l.varianceRatio * predicted)) continue;
      let m = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx, yy = y + dy;
          if (!((dx || dy) && xx >= 0 && yy >= 0 && xx < width && yy < height)) continue;
          const i = yy * width + xx;
          if (variances[i] === NOT_MEASURED) variances[i] = measure(i);
          neighbours[m++] = variances[i];
        }
      }
      const around = neighbours.subarray(0, m).sort()[m >> 1];
      if (variances[k] > l.varianceRatio * around) noisy++;
    }
  }
  return { noisy, pixels: width * height };
}

/** The mark of a variance not measured (a quiet pixel's): no measured variance is negative. */
const NOT_MEASURED = -1;
