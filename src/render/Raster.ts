/**
 * An image being drawn on before it is encoded: row-major samples, `channels` per pixel (1 grey
 * or 3 RGB), `white` the largest sample (255 for 8 bits, 65535 for 16).
 */
export interface Raster {
  readonly data: Uint8Array | Uint16Array;
  /** px */
  readonly width: number;
  /** px */
  readonly height: number;
  readonly channels: 1 | 3;
  /** The full-scale sample value. */
  readonly white: number;
}

/**
 * Set every channel of the pixels of a rectangle to `level` × white (clipped to the image).
 * @param raster - the image
 * @param x - left column, px
 * @param y - top row, px
 * @param width - px
 * @param height - px
 * @param level - 0 (black) to 1 (white)
 */
export function fillRect(raster: Raster, x: number, y: number, width: number, height: number, level: number): void {
  const { data, channels } = raster;
  const value = Math.round(level * raster.white);
  const [c0, c1, r0, r1] = clip(raster, x, y, width, height);
  for (let r = r0; r < r1; r++) data.fill(value, (r * raster.width + c0) * channels, (r * raster.width + c1) * channels);
}

/**
 * Multiply the samples of a rectangle by `factor` (a darkened strip behind labels, the image
 * still faintly seen through it).
 * @param factor - 0 (black) to 1 (unchanged)
 */
export function darkenRect(raster: Raster, x: number, y: number, width: number, height: number, factor: number): void {
  const { data, channels } = raster;
  const [c0, c1, r0, r1] = clip(raster, x, y, width, height);
  for (let r = r0; r < r1; r++) {
    const end = (r * raster.width + c1) * channels;
    for (let i = (r * raster.width + c0) * channels; i < end; i++) data[i] = Math.round(data[i] * factor);
  }
}

/** The rectangle's columns [c0, c1) and rows [r0, r1) inside the image. */
function clip(raster: Raster, x: number, y: number, width: number, height: number): [number, number, number, number] {
  return [Math.max(0, x), Math.min(raster.width, x + width), Math.max(0, y), Math.min(raster.height, y + height)];
}
