/**
 * The colour of a value on the depth (or time) scale: hue from blue (t = 0) through cyan, green
 * and yellow to red (t = 1) at full saturation, brightness `brightness`; written as 8-bit RGB.
 * The one colour scale of images coloured by a value and of their colour bars.
 * @param t - position on the scale, 0 to 1 (clamped by the caller)
 * @param brightness - HSV value, 0 to 1
 * @param rgb - output samples
 * @param at - index of the red sample
 */
export function depthColour(t: number, brightness: number, rgb: Uint8Array | Uint16Array, at: number): void {
  // Hue 240° (blue) → 0° (red): h in sextants; HSV → RGB as f(n) = v·(1 − max(0, min(k, 4 − k, 1))), k = (n + h) mod 6.
  const h = (1 - t) * 4;
  rgb[at] = Math.round(255 * channel(5, h, brightness));
  rgb[at + 1] = Math.round(255 * channel(3, h, brightness));
  rgb[at + 2] = Math.round(255 * channel(1, h, brightness));
}

/** One RGB channel (n = 5 red, 3 green, 1 blue) of hue h (sextants) at full saturation and value v. */
function channel(n: number, h: number, v: number): number {
  const k = (n + h) % 6;
  return v * (1 - Math.max(0, Math.min(k, 4 - k, 1)));
}
