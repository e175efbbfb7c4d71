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
  const variances = new Float64Array(width * height);
  const levels = new Float64Array(width * height);
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
        // The middle elements by selection: the values a sort puts there, in O(n). The level
        // only matters for a pixel noisier than the line at its lowest value (the line rises).
        variances[k] = selectKth(squares, (n - 1) >> 1) / CHI2_1_MEDIAN;
        const quiet = slopeAdu > 0 && !(variances[k] > l.varianceRatio * Math.max(slopeAdu * lowest + interceptAdu2, 1e-6));
        levels[k] = quiet ? lowest : selectKth(values, n >> 1);
      } else {
        squares.sort();
        values.sort();
        variances[k] = squares[(n - 1) >> 1] / CHI2_1_MEDIAN;
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
      const predicted = Math.max(slopeAdu * levels[k] + interceptAdu2, 1e-6);
      if (!(variances[k] > l.varianceRatio * predicted)) continue;
      let m = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx, yy = y + dy;
          if ((dx || dy) && xx >= 0 && yy >= 0 && xx < width && yy < height) neighbours[m++] = variances[yy * width + xx];
        }
      }
      const around = neighbours.subarray(0, m).sort()[m >> 1];
      if (variances[k] > l.varianceRatio * around) noisy++;
    }
  }
  return { noisy, pixels: width * height };
}

