import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { Raster } from './Raster.js';
import { fillRect } from './Raster.js';

/**
 * A small bitmap font of our own, for labels on images (scale bars, colour bars) that must
 * render the same on a machine without any font installed. Each glyph is drawn on a grid 7 rows
 * above the baseline and 2 below (µ's tail), '#' a dot; its width is its rows' length. Digits,
 * '.', '−' (and '-' as it), '+', ' ', and the letters of the labels: "nm", "µm", "mm", "z",
 * "frame", "s".
 */
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  '0': ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  '1': ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  '2': ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  '3': ['#####', '...#.', '..#..', '...#.', '....#', '#...#', '.###.'],
  '4': ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  '5': ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  '6': ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
  '7': ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  '8': ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  '9': ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
  '.': ['..', '..', '..', '..', '..', '##', '##'],
  '−': ['....', '....', '....', '####', '....', '....', '....'],
  '+': ['.....', '..#..', '..#..', '#####', '..#..', '..#..', '.....'],
  ' ': ['...', '...', '...', '...', '...', '...', '...'],
  n: ['....', '....', '#.#.', '##.#', '#..#', '#..#', '#..#'],
  m: ['.....', '.....', '##.#.', '#.#.#', '#.#.#', '#.#.#', '#.#.#'],
  µ: ['....', '....', '#..#', '#..#', '#..#', '#.##', '##.#', '#...', '#...'],
  s: ['....', '....', '.###', '#...', '.##.', '...#', '###.'],
  z: ['....', '....', '####', '...#', '..#.', '.#..', '####'],
  f: ['..##', '.#..', '.#..', '###.', '.#..', '.#..', '.#..'],
  r: ['....', '....', '#.##', '##..', '#...', '#...', '#...'],
  a: ['....', '....', '.##.', '...#', '.###', '#..#', '.###'],
  e: ['....', '....', '.##.', '#..#', '####', '#...', '.##.'],
};

/** Rows of the font above the baseline and in all (with the descender). */
export const FONT_ASCENT = 7;
const FONT_ROWS = 9;

/** The glyph of a character ('-' drawn as '−'); an unknown one is refused (a label we wrote wrongly). */
function glyph(character: string): readonly string[] {
  const g = GLYPHS[character === '-' ? '−' : character];
  if (!g) throw new InvalidOptionError(`the image label font has no '${character}'`);
  return g;
}

/**
 * The size of a text in the font at `scale` image pixels per font dot: its width (glyphs and one
 * dot between them) and height (7 dots, 9 when a character reaches below the baseline).
 * @param text - the label
 * @param scale - image pixels per font dot (an integer ≥ 1)
 * @returns width and height, px
 */
export function measureText(text: string, scale: number): { width: number; height: number } {
  let width = 0;
  let rows = FONT_ASCENT;
  for (const character of text) {
    const g = glyph(character);
    width += g[0].length + 1;
    rows = Math.max(rows, g.length);
  }
  return { width: Math.max(0, width - 1) * scale, height: Math.min(rows, FONT_ROWS) * scale };
}

/**
 * Draw a text in the built-in bitmap font, each dot a `scale` × `scale` square of `level` ×
 * white in every channel.
 * @param raster - the image
 * @param text - the label
 * @param x - left edge, px
 * @param top - top of the glyphs' 7 rows above the baseline, px
 * @param scale - image pixels per font dot (an integer ≥ 1)
 * @param level - 0 (black) to 1 (white) @default 1
 */
export function drawText(raster: Raster, text: string, x: number, top: number, scale: number, level = 1): void {
  let left = x;
  for (const character of text) {
    const g = glyph(character);
    for (let row = 0; row < g.length; row++) {
      for (let column = 0; column < g[row].length; column++) {
        if (g[row][column] === '#') fillRect(raster, left + column * scale, top + row * scale, scale, scale, level);
      }
    }
    left += (g[0].length + 1) * scale;
  }
}
