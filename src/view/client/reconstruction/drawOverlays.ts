import { chooseScaleBar } from '../../../render/chooseScaleBar.js';
import { hueCss } from './paintRaster.js';

/** Margin between the overlays and the canvas's edges, and the font size, in canvas px at scale 1. */
const MARGIN_PX = 12;
const FONT_PX = 13;

/** The font size for a canvas: larger on large canvases (so a 4 K export stays readable). */
function fontPx(width: number): number {
  return Math.max(FONT_PX, Math.round(width / 80));
}

/**
 * Draw the scale bar at the bottom right of the canvas: the round length of chooseScaleBar (the
 * one rule of `render`'s PNGs) for the visible width, a white bar on a dark strip with its label
 * above it.
 * @param ctx - the canvas's 2-D context (identity transform)
 * @param nmPerPx - the view's scale, nm per canvas pixel
 * @returns the bar drawn (length in nm and canvas px, label), for tests
 */
export function drawScaleBar(ctx: CanvasRenderingContext2D, nmPerPx: number): { lengthNm: number; lengthPx: number; label: string } {
  const { width, height } = ctx.canvas;
  const bar = chooseScaleBar(width * nmPerPx, nmPerPx);
  const lengthPx = bar.lengthPx ?? bar.lengthNm / nmPerPx;
  const font = fontPx(width);
  const thick = Math.max(3, Math.round(font / 3));
  const right = width - MARGIN_PX;
  const bottom = height - MARGIN_PX;
  ctx.save();
  ctx.font = `${font}px sans-serif`;
  const textWidth = ctx.measureText(bar.label).width;
  const boxWidth = Math.max(lengthPx, textWidth) + 12;
  ctx.fillStyle = 'rgba(0,0,0,0.55)';
  ctx.fillRect(right - boxWidth + 6, bottom - thick - font - 12, boxWidth, thick + font + 18);
  ctx.fillStyle = '#fff';
  ctx.fillRect(Math.round(right - lengthPx), bottom - thick, Math.round(lengthPx), thick);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(bar.label, right - lengthPx / 2, bottom - thick - 3);
  ctx.restore();
  return { lengthNm: bar.lengthNm, lengthPx, label: bar.label };
}

/**
 * Draw the colour bar at the top right: the hue scale from `range[0]` (blue) to `range[1]` (red)
 * with both ends labelled and the quantity named ("z [nm]", "frame"); without a range (no
 * localization has the value: z of a 2-D run), the name and "no values" (the pixels are grey).
 * @param ctx - the canvas's 2-D context (identity transform)
 * @param range - the values at the two ends, or null
 * @param name - the quantity with its unit
 */
export function drawColourBar(ctx: CanvasRenderingContext2D, range: readonly [number, number] | null, name: string): void {
  const { width } = ctx.canvas;
  const font = fontPx(width);
  const barWidth = Math.min(160, Math.round(width / 4));
  const barHeight = Math.max(8, Math.round(font * 0.8));
  const right = width - MARGIN_PX;
  const top = MARGIN_PX;
  const left = right - barWidth;
  ctx.save();
  ctx.fillStyle = 'rgba(0,0,0,0.55)';
  ctx.fillRect(left - 8, top - 4, barWidth + 16, barHeight + 2 * font + 16);
  if (range === null) {
    ctx.fillStyle = '#fff';
    ctx.font = `${font}px sans-serif`;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'center';
    ctx.fillText(name, left + barWidth / 2, top);
    ctx.fillText('no values (grey)', left + barWidth / 2, top + font + 6);
    ctx.restore();
    return;
  }
  const gradient = ctx.createLinearGradient(left, 0, right, 0);
  for (let k = 0; k <= 8; k++) gradient.addColorStop(k / 8, hueCss(k / 8));
  ctx.fillStyle = gradient;
  ctx.fillRect(left, top + font + 4, barWidth, barHeight);
  ctx.fillStyle = '#fff';
  ctx.font = `${font}px sans-serif`;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  ctx.fillText(name, left + barWidth / 2, top);
  const below = top + font + barHeight + 8;
  ctx.textAlign = 'left';
  ctx.fillText(formatValue(range[0]), left, below);
  ctx.textAlign = 'right';
  ctx.fillText(formatValue(range[1]), right, below);
  ctx.restore();
}

/** A value for a label: no more digits than it needs (3 significant, integers as they are). */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) || Math.abs(value) >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}
