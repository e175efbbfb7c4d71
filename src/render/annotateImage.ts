import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { chooseScaleBar } from './chooseScaleBar.js';
import { depthColour } from './depthColour.js';
import { measureText, drawText, FONT_ASCENT } from './drawText.js';
import type { Raster } from './Raster.js';
import { darkenRect, fillRect } from './Raster.js';

/**
 * The look of image labels: the font's scale is the image's shorter side over `sidePerDot` px
 * per font dot (at least 1: a 512 px image has 14 px digits, a 4096 px one 112 px); the strip
 * behind a label keeps `backdrop` of the image's brightness (white becomes 64 of 255, so white
 * text stays legible on any image); a colour bar's gradient is at least `colorBarFraction` of
 * the width.
 */
export const ANNOTATION_DEFAULTS = { sidePerDot: 250, backdrop: 0.25, colorBarFraction: 0.2 } as const;

/** What to draw on an image. */
export interface ImageAnnotation {
  /** Draw a scale bar (bottom right): the image's pixel size, nm. */
  scaleBarPixelNm?: number;
  /** Draw a colour bar of the depth colours ({@link depthColour}), bottom left, or above the scale bar when there is no room beside it. */
  colorBar?: {
    /** Its name, left of the gradient ("z", "frame"). */
    title: string;
    /** The values at the blue and red ends (finite). */
    range: readonly [number, number];
    /** The values' unit, after the high end's label ("nm"); none for frames. */
    unit?: string;
  };
}

/** A rectangle, px: left column, top row, width, height. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where the labels of an image go, px; a part is absent when not asked for or when it does not fit. */
export interface AnnotationLayout {
  /** Image pixels per font dot. */
  dot: number;
  /** The strip, the bar (white) and the label's top-left corner. */
  scaleBar?: { strip: Box; bar: Box; label: string; labelX: number; labelY: number; lengthNm: number };
  /** The strip, the gradient, and the title's and the ends' labels with their top-left corners. */
  colorBar?: { strip: Box; gradient: Box; texts: { text: string; x: number; y: number }[] };
  /** A sentence for each part left out because the image is too small for it. */
  omitted: string[];
}

/**
 * Where the scale bar and the colour bar of an image go (nothing drawn): sizes from the image's
 * shorter side, the scale bar bottom right with its {@link chooseScaleBar} length (rounded to
 * whole pixels) and label above it, the colour bar bottom left (above the scale bar when the
 * two would meet); a part that does not fit inside a margin is left out and said.
 * @param width - image width, px
 * @param height - image height, px
 * @param annotation - what to draw
 */
export function layoutAnnotation(width: number, height: number, annotation: ImageAnnotation): AnnotationLayout {
  const dot = Math.max(1, Math.round(Math.min(width, height) / ANNOTATION_DEFAULTS.sidePerDot));
  const margin = 3 * dot;
  const pad = 2 * dot;
  const layout: AnnotationLayout = { dot, omitted: [] };
  const fits = (box: Box) => box.x >= margin && box.y >= margin && box.x + box.width + margin <= width && box.y + box.height + margin <= height;
  let freeBottom = height - margin; // the lowest free row above the scale bar
  let scaleLeft = width; // the scale bar's strip's left edge
  if (annotation.scaleBarPixelNm !== undefined) {
    const pixelNm = annotation.scaleBarPixelNm;
    if (!(pixelNm > 0)) throw new InvalidOptionError(`a scale bar needs a pixel size > 0 nm, got ${pixelNm}`);
    const chosen = chooseScaleBar(width * pixelNm, pixelNm);
    const lengthPx = Math.max(1, Math.round(chosen.lengthPx ?? 0));
    const thickness = 2 * dot;
    const text = measureText(chosen.label, dot);
    const inner = Math.max(lengthPx, text.width);
    const strip = { x: 0, y: 0, width: inner + 2 * pad, height: pad + text.height + dot + thickness + pad };
    strip.x = width - margin - strip.width;
    strip.y = height - margin - strip.height;
    if (fits(strip)) {
      const bar = { x: strip.x + pad + Math.ceil((inner - lengthPx) / 2), y: strip.y + strip.height - pad - thickness, width: lengthPx, height: thickness };
      layout.scaleBar = { strip, bar, label: chosen.label, labelX: strip.x + pad + Math.floor((inner - text.width) / 2), labelY: strip.y + pad, lengthNm: chosen.lengthNm };
      freeBottom = strip.y - dot;
      scaleLeft = strip.x;
    } else {
      layout.omitted.push(`no scale bar: the ${width}×${height} px image is too small for its ${chosen.label} bar and label`);
    }
  }
  if (annotation.colorBar) {
    const { title, range, unit } = annotation.colorBar;
    if (!(Number.isFinite(range[0]) && Number.isFinite(range[1]))) throw new InvalidOptionError(`a colour bar needs a finite range, got ${range[0]}:${range[1]}`);
    const low = formatValue(range[0]);
    const high = formatValue(range[1]) + (unit ? ` ${unit}` : '');
    const titleSize = measureText(title, dot);
    const lowSize = measureText(low, dot);
    const highSize = measureText(high, dot);
    const gradientWidth = Math.max(Math.round(ANNOTATION_DEFAULTS.colorBarFraction * width), lowSize.width + highSize.width + 4 * dot);
    const gradientHeight = FONT_ASCENT * dot;
    const strip = { x: margin, y: 0, width: pad + titleSize.width + pad + gradientWidth + pad, height: pad + gradientHeight + dot + Math.max(lowSize.height, highSize.height) + pad };
    strip.y = height - margin - strip.height;
    if (strip.x + strip.width + margin > scaleLeft) {
      strip.x = width - margin - strip.width;
      strip.y = freeBottom - strip.height;
    }
    if (fits(strip)) {
      const gradient = { x: strip.x + pad + titleSize.width + pad, y: strip.y + pad, width: gradientWidth, height: gradientHeight };
      const labelY = gradient.y + gradientHeight + dot;
      layout.colorBar = {
        strip,
        gradient,
        texts: [
          { text: title, x: strip.x + pad, y: gradient.y },
          { text: low, x: gradient.x, y: labelY },
          { text: high, x: gradient.x + gradientWidth - highSize.width, y: labelY },
        ],
      };
    } else {
      layout.omitted.push(`no colour bar: the ${width}×${height} px image is too small for it`);
    }
  }
  return layout;
}

/**
 * Draw a scale bar and a colour bar ({@link layoutAnnotation}) on an image, each on a darkened
 * strip so that its white bar and labels read on any image. The cost is the strips' pixels only.
 * @param raster - the image, drawn on in place (a colour bar needs 8-bit RGB)
 * @param annotation - what to draw
 * @returns where each part went, and what was left out
 */
export function annotateImage(raster: Raster, annotation: ImageAnnotation): AnnotationLayout {
  const layout = layoutAnnotation(raster.width, raster.height, annotation);
  const { dot, scaleBar, colorBar } = layout;
  if (scaleBar) {
    const { strip, bar } = scaleBar;
    darkenRect(raster, strip.x, strip.y, strip.width, strip.height, ANNOTATION_DEFAULTS.backdrop);
    fillRect(raster, bar.x, bar.y, bar.width, bar.height, 1);
    drawText(raster, scaleBar.label, scaleBar.labelX, scaleBar.labelY, dot);
  }
  if (colorBar) {
    if (raster.channels !== 3 || raster.white !== 255) throw new InvalidOptionError('a colour bar needs an 8-bit RGB image');
    const { strip, gradient } = colorBar;
    darkenRect(raster, strip.x, strip.y, strip.width, strip.height, ANNOTATION_DEFAULTS.backdrop);
    const { data, width } = raster;
    for (let c = 0; c < gradient.width; c++) {
      const at = 3 * (gradient.y * width + gradient.x + c);
      depthColour(gradient.width > 1 ? c / (gradient.width - 1) : 0, 1, data, at);
      for (let r = 1; r < gradient.height; r++) data.copyWithin(at + 3 * r * width, at, at + 3);
    }
    for (const t of colorBar.texts) drawText(raster, t.text, t.x, t.y, dot);
  }
  return layout;
}

/** A colour bar's end value: an integer when it is one or large, else 3 significant digits; '−' for minus. */
function formatValue(value: number): string {
  const text = Number.isInteger(value) || Math.abs(value) >= 100 ? value.toFixed(0) : String(Number(value.toPrecision(3)));
  return text.replace('-', '−');
}
