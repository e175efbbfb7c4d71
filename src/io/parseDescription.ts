import { parseOme } from './parseOme.js';

/** What a stack's ImageDescription says about it (ImageJ or OME-XML). */
export interface StackDescription {
  /** Which convention the description follows. */
  kind: 'imagej' | 'ome' | 'none';
  /** ImageJ `images=`: planes in the stack, when given. */
  images?: number;
  /** ImageJ hyperstack sizes, when given. */
  channels?: number;
  slices?: number;
  frames?: number;
  /** ImageJ `unit=` of the resolution tags, converted: nm per unit (undefined if unknown). */
  nmPerUnit?: number;
  /** ImageJ `unit=` as written. */
  unit?: string;
  /** Pixel size along x in nm stated directly (OME `PhysicalSizeX` with its unit). */
  pixelSizeNm?: number;
}

const UNIT_NM: Readonly<Record<string, number>> = {
  nm: 1,
  nanometer: 1,
  nanometers: 1,
  um: 1000,
  'µm': 1000,
  'μm': 1000,
  micron: 1000,
  microns: 1000,
  micrometer: 1000,
  micrometers: 1000,
  mm: 1e6,
  millimeter: 1e6,
  cm: 1e7,
  m: 1e9,
  meter: 1e9,
  'å': 0.1,
  angstrom: 0.1,
};

/**
 * Parse an ImageDescription: ImageJ's `key=value` lines (`ImageJ=…`, `images=`, `unit=`, …) or
 * OME-XML (`PhysicalSizeX` and `PhysicalSizeXUnit`, default µm).
 * @param text - the description (may be undefined)
 */
export function parseDescription(text: string | undefined): StackDescription {
  if (!text) return { kind: 'none' };
  if (text.startsWith('ImageJ=')) {
    const values = new Map<string, string>();
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
    }
    const int = (key: string) => {
      const v = Number(values.get(key));
      return Number.isInteger(v) && v > 0 ? v : undefined;
    };
    const unit = values.get('unit')?.replace(/\\u00B5/gi, 'µ').toLowerCase();
    return {
      kind: 'imagej',
      images: int('images'),
      channels: int('channels'),
      slices: int('slices'),
      frames: int('frames'),
      nmPerUnit: unit === undefined ? undefined : UNIT_NM[unit],
      unit,
    };
  }
  if (/<OME[\s>]/.test(text)) return { kind: 'ome', pixelSizeNm: parseOme(text)?.pixelSizeNm };
  return { kind: 'none' };
}
