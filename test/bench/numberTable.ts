import { readFileSync } from 'node:fs';

/** A CSV of numbers (smlm-stream's tables): a column's index by name, and the rows. */
export interface NumberTable {
  /** The index of the column named `name` (unquoted, with its unit); throws naming the file where there is none. */
  col: (name: string) => number;
  rows: number[][];
}

/**
 * Read a CSV whose cells are all numbers (a localization or truth table) for the benches.
 * @param path - the CSV
 */
export function readNumberTable(path: string): NumberTable {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header.split(',').map((c) => c.replace(/"/g, ''));
  const col = (name: string): number => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`${path}: no column "${name}"`);
    return i;
  };
  return { col, rows: lines.map((line) => line.split(',').map(Number)) };
}

/**
 * A table's rows grouped by frame.
 * @param rows - the rows
 * @param f - the frame column's index
 */
export function rowsByFrame(rows: number[][], f: number): Map<number, number[][]> {
  const m = new Map<number, number[][]>();
  for (const r of rows) (m.get(r[f]) ?? m.set(r[f], []).get(r[f]) as number[][]).push(r);
  return m;
}
