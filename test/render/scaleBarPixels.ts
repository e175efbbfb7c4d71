import type { DecodedPng } from 'fast-png';

/** A horizontal run of pixels: its row, first column and length. */
export interface PixelRun {
  row: number;
  start: number;
  length: number;
}

/** Whether pixel (row, column) of a decoded PNG is full white in every colour channel. */
export function isWhite(png: DecodedPng, row: number, column: number): boolean {
  const white = png.depth === 16 ? 65535 : 255;
  const colours = png.channels >= 3 ? 3 : 1;
  const at = (row * png.width + column) * png.channels;
  for (let c = 0; c < colours; c++) if (png.data[at + c] !== white) return false;
  return true;
}

/**
 * The longest run of pixels meeting `test` in rows [rowFrom, rowTo) (the first of equal ones,
 * scanning up from the bottom).
 */
export function longestRun(png: DecodedPng, test: (row: number, column: number) => boolean, rowFrom = 0, rowTo = png.height): PixelRun {
  let best: PixelRun = { row: -1, start: -1, length: 0 };
  for (let row = rowTo - 1; row >= rowFrom; row--) {
    let start = -1;
    for (let column = 0; column <= png.width; column++) {
      const inRun = column < png.width && test(row, column);
      if (inRun && start < 0) start = column;
      if (!inRun && start >= 0) {
        if (column - start > best.length) best = { row, start, length: column - start };
        start = -1;
      }
    }
  }
  return best;
}

/**
 * The groups of adjacent columns holding white pixels in a rectangle (a label's characters,
 * each glyph's dots touching column to column, one blank column or more between glyphs).
 */
export function inkGroups(png: DecodedPng, rowFrom: number, rowTo: number, columnFrom: number, columnTo: number): number {
  let groups = 0;
  let previous = false;
  for (let column = columnFrom; column < columnTo; column++) {
    let ink = false;
    for (let row = rowFrom; row < rowTo && !ink; row++) ink = isWhite(png, row, column);
    if (ink && !previous) groups++;
    previous = ink;
  }
  return groups;
}
