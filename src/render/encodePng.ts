import { encode } from 'fast-png';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { ImageAnnotation } from './annotateImage.js';
import { annotateImage } from './annotateImage.js';
import { depthColour } from './depthColour.js';

/** Colour maps: 'hot' (black → red → yellow → white), 'grey'. */
export type Colormap = 'hot' | 'grey';

/** The defaults of {@link encodePng} and {@link encodeDepthPng}: colour map, bit depth, contrast percentile. */
export const PNG_DEFAULTS = { colormap: 'hot', bitDepth: 8, percentile: 99.5 } as const;

/** Options of {@link encodePng}. */
export interface PngOptions {
  /** Colour map for 8-bit output. @default 'hot' */
  colormap?: Colormap;
  /** 8-bit (colour map) or 16-bit grey. @default 8 */
  bitDepth?: 8 | 16;
  /** The value shown at full scale is this percentile of the non-zero pixels. @default 99.5 */
  percentile?: number;
  /** A scale bar (and colour bar) drawn on the image ({@link annotateImage}). @default none */
  annotation?: ImageAnnotation;
}

/** The 'hot' colour map at t ∈ [0, 1]: red rises first, then green, then blue (each over a third). */
function hot(t: number, rgb: Uint8Array, at: number): void {
  const r = Math.min(1, 3 * t);
  const g = Math.min(1, Math.max(0, 3 * t - 1));
  const b = Math.min(1, Math.max(0, 3 * t - 2));
  rgb[at] = Math.round(255 * r);
  rgb[at + 1] = Math.round(255 * g);
  rgb[at + 2] = Math.round(255 * b);
}

/**
 * The display maximum: a percentile of the non-zero pixels (a few bright pixels would otherwise
 * make the image dark).
 */
function percentileOfNonZero(values: Float64Array, percentile: number): number {
  // Counted, then copied into one array (TypedArray.filter gathers its values in a temporary
  // list first: render --mode gaussian of 4 M rows into 2563×2562 px peaked at 343 MB, 218 MB this way).
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > 0) count++;
  const nonZero = new Float64Array(count);
  for (let i = 0, k = 0; i < values.length; i++) if (values[i] > 0) nonZero[k++] = values[i];
  if (nonZero.length === 0) return 1;
  nonZero.sort();
  const k = Math.min(nonZero.length - 1, Math.max(0, Math.ceil((percentile / 100) * nonZero.length) - 1));
  return nonZero[k];
}

/**
 * Encode an image of non-negative values as PNG (with fast-png): contrast from a percentile, then
 * a colour map (8-bit RGB) or 16-bit grey.
 * @param values - row-major values
 * @param width - px
 * @param height - px
 * @param options - colour map, bit depth, percentile
 * @returns the PNG file's bytes
 */
export function encodePng(values: Float64Array, width: number, height: number, options: PngOptions = {}): Uint8Array {
  const bitDepth = options.bitDepth ?? PNG_DEFAULTS.bitDepth;
  const colormap = options.colormap ?? PNG_DEFAULTS.colormap;
  const percentile = options.percentile ?? PNG_DEFAULTS.percentile;
  if (bitDepth !== 8 && bitDepth !== 16) throw new InvalidOptionError(`PNG bit depth must be 8 or 16, got ${String(bitDepth)}`);
  if (colormap !== 'hot' && colormap !== 'grey') throw new InvalidOptionError(`colour map must be hot or grey, got ${String(colormap)}`);
  if (!(percentile > 0 && percentile <= 100)) throw new InvalidOptionError(`contrast percentile must be in (0, 100], got ${percentile}`);
  const top = percentileOfNonZero(values, percentile);
  const n = width * height;
  const annotate = (data: Uint8Array | Uint16Array, channels: 1 | 3, white: number) => {
    if (options.annotation) annotateImage({ data, width, height, channels, white }, options.annotation);
  };
  if (bitDepth === 16) {
    const data = new Uint16Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.round(65535 * Math.min(1, values[i] / top));
    annotate(data, 1, 65535);
    return encode({ width, height, data, depth: 16, channels: 1 });
  }
  if (colormap === 'grey') {
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.round(255 * Math.min(1, values[i] / top));
    annotate(data, 1, 255);
    return encode({ width, height, data, depth: 8, channels: 1 });
  }
  const data = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) hot(Math.min(1, values[i] / top), data, 3 * i);
  annotate(data, 3, 255);
  return encode({ width, height, data, depth: 8, channels: 3 });
}

/**
 * Encode a depth-coloured image as 8-bit RGB PNG: each pixel's hue is its mean value
 * (`weighted`/`counts`, e.g. z in nm) from blue at `range[0]` through green to red at
 * `range[1]`, its brightness the density (`counts`, contrast from a percentile as in
 * {@link encodePng}).
 * @param counts - row-major densities
 * @param weighted - row-major Σ density · value
 * @param range - the values shown at the two ends of the hue scale
 * @param percentile - the density shown at full brightness @default {@link PNG_DEFAULTS} (99.5)
 * @param annotation - a scale bar and colour bar drawn on it ({@link annotateImage}) @default none
 */
export function encodeDepthPng(counts: Float64Array, weighted: Float64Array, width: number, height: number, range: readonly [number, number], percentile: number = PNG_DEFAULTS.percentile, annotation?: ImageAnnotation): Uint8Array {
  if (!(range[1] > range[0])) throw new InvalidOptionError(`the depth range must run from low to high, got ${range[0]}:${range[1]}`);
  if (!(percentile > 0 && percentile <= 100)) throw new InvalidOptionError(`contrast percentile must be in (0, 100], got ${percentile}`);
  const top = percentileOfNonZero(counts, percentile);
  const n = width * height;
  const data = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    const c = counts[i];
    if (!(c > 0)) continue;
    const t = Math.min(1, Math.max(0, (weighted[i] / c - range[0]) / (range[1] - range[0])));
    depthColour(t, Math.min(1, c / top), data, 3 * i);
  }
  if (annotation) annotateImage({ data, width, height, channels: 3, white: 255 }, annotation);
  return encode({ width, height, data, depth: 8, channels: 3 });
}
