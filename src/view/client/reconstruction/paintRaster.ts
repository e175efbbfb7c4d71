import { depthColour } from '../../../render/depthColour.js';
import { PNG_DEFAULTS } from '../../../render/encodePng.js';
import type { ViewRaster } from './ViewRaster.js';

/** Entries of a colour table. */
const LUT_SIZE = 256;

/** Largest count told apart when finding the contrast percentile (denser pixels count as this). */
const MAX_COUNT_BIN = 1 << 16;

/**
 * The 'hot' colour table of `render`'s PNGs (black → red → yellow → white, each channel rising
 * over a third), as 0xAABBGGRR words for a little-endian ImageData.
 */
function hotTable(): Uint32Array {
  const table = new Uint32Array(LUT_SIZE);
  for (let i = 0; i < LUT_SIZE; i++) {
    const t = i / (LUT_SIZE - 1);
    const r = Math.round(255 * Math.min(1, 3 * t));
    const g = Math.round(255 * Math.min(1, Math.max(0, 3 * t - 1)));
    const b = Math.round(255 * Math.min(1, Math.max(0, 3 * t - 2)));
    table[i] = 0xff000000 | (b << 16) | (g << 8) | r;
  }
  return table;
}

/**
 * The colour scale of `render --color z|frame` (src/render/depthColour.ts, blue → red) at full
 * brightness, as three channel tables 0–1 (a pixel's colour is its mean value's entry times its
 * brightness).
 */
function hueTable(): Float32Array {
  const rgb = new Uint8Array(3);
  const table = new Float32Array(3 * LUT_SIZE);
  for (let i = 0; i < LUT_SIZE; i++) {
    depthColour(i / (LUT_SIZE - 1), 1, rgb, 0);
    for (let c = 0; c < 3; c++) table[3 * i + c] = rgb[c] / 255;
  }
  return table;
}

const HOT = hotTable();
const HUE = hueTable();

/**
 * The hue of `t` ∈ [0, 1] on the value scale as a CSS colour (for the colour bar drawn beside
 * the image).
 */
export function hueCss(t: number): string {
  const i = Math.round(Math.min(1, Math.max(0, t)) * (LUT_SIZE - 1));
  return `rgb(${Math.round(255 * HUE[3 * i])},${Math.round(255 * HUE[3 * i + 1])},${Math.round(255 * HUE[3 * i + 2])})`;
}

/**
 * The count shown at full brightness: `percentile` of the non-empty pixels' counts (the same
 * rule as `render`'s PNGs, PNG_DEFAULTS.percentile), found from a table of how many pixels hold
 * each count, so no sort; 1 for an empty image.
 * @param counts - localizations per pixel
 * @param scratch - MAX_COUNT_BIN + 1 entries, overwritten
 */
export function contrastTop(counts: Float32Array, scratch: Uint32Array, percentile: number = PNG_DEFAULTS.percentile): number {
  scratch.fill(0);
  let nonZero = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0) {
      scratch[c < MAX_COUNT_BIN ? Math.ceil(c) : MAX_COUNT_BIN]++;
      nonZero++;
    }
  }
  if (nonZero === 0) return 1;
  const rank = Math.min(nonZero, Math.max(1, Math.ceil((percentile / 100) * nonZero)));
  let seen = 0;
  for (let c = 1; c <= MAX_COUNT_BIN; c++) {
    seen += scratch[c];
    if (seen >= rank) return c;
  }
  return MAX_COUNT_BIN;
}

/** A scratch table for {@link contrastTop}. */
export function contrastScratch(): Uint32Array {
  return new Uint32Array(MAX_COUNT_BIN + 1);
}

/**
 * Paint a raster into RGBA pixels: brightness = count / top (clipped at 1); without a colour
 * field the 'hot' table, with one the hue of the pixel's mean value between `range[0]` and
 * `range[1]` times the brightness (pixels without a value: grey).
 * @param raster - the counts (and sums)
 * @param top - the count shown at full brightness
 * @param range - the values at the two ends of the hue scale (ignored without a colour field)
 * @param pixels - the ImageData's words (0xAABBGGRR), raster-sized, overwritten
 */
export function paintRaster(raster: ViewRaster, top: number, range: readonly [number, number], pixels: Uint32Array): void {
  const { counts, sums, valued } = raster;
  const scale = (LUT_SIZE - 1) / top;
  const n = counts.length;
  if (raster.field < 0) {
    for (let i = 0; i < n; i++) {
      const c = counts[i];
      pixels[i] = c > 0 ? HOT[Math.min(LUT_SIZE - 1, Math.round(c * scale))] : 0xff000000;
    }
    return;
  }
  const lo = range[0];
  const span = range[1] > range[0] ? range[1] - range[0] : 1;
  for (let i = 0; i < n; i++) {
    const c = counts[i];
    if (!(c > 0)) {
      pixels[i] = 0xff000000;
      continue;
    }
    const v = Math.min(1, c / top);
    const w = valued[i];
    let r = 0.6;
    let g = 0.6;
    let b = 0.6;
    if (w > 0) {
      const t = (sums[i] / w - lo) / span;
      const h = 3 * Math.round(Math.min(1, Math.max(0, t)) * (LUT_SIZE - 1));
      r = HUE[h];
      g = HUE[h + 1];
      b = HUE[h + 2];
    }
    pixels[i] = 0xff000000 | (Math.round(255 * v * b) << 16) | (Math.round(255 * v * g) << 8) | Math.round(255 * v * r);
  }
}
