import { InvalidOptionError } from '../errors/InvalidOptionError.js';

/**
 * The defaults of {@link chooseScaleBar}: the bar's target length as a fraction of the image's
 * width (the bar is the longest 1, 2 or 5 × 10^k nm not above it, so it spans 8 to 20 % of the
 * width: consecutive round lengths differ by at most 2.5×).
 */
export const SCALE_BAR_DEFAULTS = { widthFraction: 0.2 } as const;

/** A scale bar: its length in nm (and in image pixels when the pixel size is known) and its label. */
export interface ScaleBar {
  /** Length, nm: 1, 2 or 5 × 10^k. */
  lengthNm: number;
  /** Length in image pixels (`lengthNm / pixelNm`, not rounded), when a pixel size was given. */
  lengthPx?: number;
  /** The label: "500 nm", "2 µm", "1 mm" (µ is U+00B5, the micro sign). */
  label: string;
}

/** Units of a label, largest first: a length of at least `nm` nm is written in this unit. */
const UNITS = [
  { nm: 1e6, name: 'mm' },
  { nm: 1e3, name: 'µm' },
  { nm: 0, name: 'nm' },
] as const;

/**
 * The scale bar of an image `widthNm` wide: the longest round length (1, 2 or 5 × 10^k nm) not
 * above `widthFraction` of the width, so the bar spans 8–20 % of the image by default, and its
 * label in nm below 1 µm, µm below 1 mm, mm above ("200 nm", "2 µm", "0.5 nm"). The one rule
 * shared by `render` PNGs, the preview, the report and the browser's reconstruction.
 * @param widthNm - the image's width, nm (> 0)
 * @param pixelNm - the image's pixel size, nm: adds {@link ScaleBar.lengthPx} @default none
 * @param widthFraction - target length as a fraction of the width, in (0, 1] @default 0.2
 * @returns the bar's length and label
 */
export function chooseScaleBar(widthNm: number, pixelNm?: number, widthFraction: number = SCALE_BAR_DEFAULTS.widthFraction): ScaleBar {
  if (!(widthNm > 0 && Number.isFinite(widthNm))) throw new InvalidOptionError(`a scale bar needs an image width > 0 nm, got ${widthNm}`);
  if (pixelNm !== undefined && !(pixelNm > 0 && Number.isFinite(pixelNm))) throw new InvalidOptionError(`a scale bar needs a pixel size > 0 nm, got ${pixelNm}`);
  if (!(widthFraction > 0 && widthFraction <= 1)) throw new InvalidOptionError(`the scale bar's width fraction must be in (0, 1], got ${widthFraction}`);
  const target = widthNm * widthFraction;
  // 10^k at or below the target; the factor 1 + 1e-9 keeps an exact power (1000) from flooring to the one below.
  let decade = 10 ** Math.floor(Math.log10(target * (1 + 1e-9)));
  let mantissa = 1;
  for (const m of [5, 2, 1]) {
    if (m * decade <= target * (1 + 1e-9)) {
      mantissa = m;
      break;
    }
  }
  // Rounded to 12 significant digits: 10^-1 · 5 is 0.5, not 0.5000000000000001.
  decade = Number(decade.toPrecision(12));
  const lengthNm = Number((mantissa * decade).toPrecision(12));
  const unit = UNITS.find((u) => lengthNm >= u.nm) ?? UNITS[UNITS.length - 1];
  const value = unit.nm > 0 ? Number((lengthNm / unit.nm).toPrecision(12)) : lengthNm;
  const bar: ScaleBar = { lengthNm, label: `${value} ${unit.name}` };
  if (pixelNm !== undefined) bar.lengthPx = lengthNm / pixelNm;
  return bar;
}
