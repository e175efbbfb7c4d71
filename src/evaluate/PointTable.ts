import { readFileSync } from 'node:fs';
import { InputFileError } from '../errors/InputFileError.js';

/** A table of points (localizations or truth), sorted by frame: frame numbers and positions in nm. */
export interface PointTable {
  /** Frame number of each row (as in the file, 1-based for ours and ThunderSTORM's). */
  frame: Int32Array;
  /** x, nm. */
  x: Float64Array;
  /** y, nm. */
  y: Float64Array;
  /** Other numeric columns by header (e.g. "uncertainty_x [nm]"). */
  columns: Map<string, Float64Array>;
}

const X_NAMES = ['x [nm]', 'x_nm', 'x'];
const Y_NAMES = ['y [nm]', 'y_nm', 'y'];

/**
 * Read a localization or truth CSV (ours, ThunderSTORM's, or any with `frame`, `x [nm]`,
 * `y [nm]` columns; quoted or bare headers), sorted by frame.
 * @param path - the CSV file
 * @throws an error naming the file and the missing column or the bad line
 */
export function readPointTable(path: string): PointTable {
  const bytes = readFileSync(path);
  refuseBinary(path, bytes);
  const text = bytes.toString('utf8');
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  const find = (names: string[]) => header.findIndex((h) => names.includes(h));
  const fi = find(['frame']);
  const xi = find(X_NAMES);
  const yi = find(Y_NAMES);
  if (fi < 0 || xi < 0 || yi < 0) {
    throw new InputFileError(`${path}: needs columns "frame", "x [nm]" and "y [nm]"; its header is: ${printable(lines[0] ?? '') || '(empty file)'}`);
  }
  const rows = lines.slice(1).filter((l) => l.trim() !== '');
  const n = rows.length;
  const raw = header.map(() => new Float64Array(n));
  rows.forEach((line, r) => {
    const cells = line.split(',');
    for (let c = 0; c < header.length; c++) raw[c][r] = Number(cells[c]);
    if (!Number.isFinite(raw[fi][r]) || !Number.isFinite(raw[xi][r]) || !Number.isFinite(raw[yi][r])) {
      throw new InputFileError(`${path}: line ${r + 2} has no number for frame, x or y: ${printable(line)}`);
    }
  });
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => raw[fi][a] - raw[fi][b]);
  const pick = (column: Float64Array) => Float64Array.from(order, (i) => column[i]);
  const columns = new Map<string, Float64Array>();
  header.forEach((h, c) => {
    if (c !== fi && c !== xi && c !== yi) columns.set(h, pick(raw[c]));
  });
  return { frame: Int32Array.from(order, (i) => raw[fi][i]), x: pick(raw[xi]), y: pick(raw[yi]), columns };
}

/**
 * Refuse a file that is not text (a TIFF stack given where a CSV belongs, say) before any of
 * it reaches a message or the terminal.
 */
function refuseBinary(path: string, bytes: Uint8Array): void {
  const head = bytes.subarray(0, 4096);
  const tiff = (head[0] === 0x49 && head[1] === 0x49 && head[2] === 42) || (head[0] === 0x4d && head[1] === 0x4d && head[3] === 42);
  if (tiff) throw new InputFileError(`${path}: is a TIFF image, not a localization CSV (localize it first: smlm-stream localize ${path})`);
  if (head.includes(0)) throw new InputFileError(`${path}: is binary data, not a localization CSV`);
}

/** A line shown in a message: control characters replaced, at most 200 characters. */
function printable(line: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = line.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
