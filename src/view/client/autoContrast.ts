/**
 * The automatic contrast of a frame: the display range from a low and a high percentile of its
 * pixels, so a few hot pixels or a bright bead do not leave the spots grey on black. ImageJ's
 * "Auto" saturates 0.35 % of the pixels; SMLM frames are mostly background with a few bright
 * spots, so the high end is kept higher (99.9 %) to leave the spots unsaturated.
 */
export const AUTO_CONTRAST = {
  /** Percentile of the display's black, %. */
  lowPercent: 0.1,
  /** Percentile of the display's white, %. */
  highPercent: 99.9,
  /** At most this many pixels are sorted (evenly strided): a 2048² frame sorts in ~10 ms. */
  maxSamples: 1 << 16,
} as const;

/** A display range, in the frame's units (ADU). */
export interface ContrastRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The {@link AUTO_CONTRAST} percentiles of `pixels` (ADU; NaN ignored). A flat frame gives a
 * range of width 1 around its value, so the display never divides by zero.
 */
export function autoContrast(pixels: Float32Array): ContrastRange {
  const stride = Math.max(1, Math.ceil(pixels.length / AUTO_CONTRAST.maxSamples));
  const samples = new Float32Array(Math.ceil(pixels.length / stride));
  let count = 0;
  for (let i = 0; i < pixels.length; i += stride) {
    const value = pixels[i] as number;
    if (!Number.isNaN(value)) samples[count++] = value;
  }
  if (count === 0) return { min: 0, max: 1 };
  const sorted = samples.subarray(0, count).sort();
  const at = (percent: number) => sorted[Math.min(count - 1, Math.max(0, Math.round((percent / 100) * (count - 1))))] as number;
  const min = at(AUTO_CONTRAST.lowPercent);
  const max = at(AUTO_CONTRAST.highPercent);
  return max > min ? { min, max } : { min: min - 0.5, max: min + 0.5 };
}
