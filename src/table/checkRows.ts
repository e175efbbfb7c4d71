/**
 * The one check of a localization's numbers that every table command shares: a frame, an x, a
 * y (and, where a command uses it, an uncertainty) that are numbers and within what a
 * microscope can produce. A row that fails it is refused (drift, merge, evaluate, export: the
 * message names its line) or skipped with a count and a warning (render); either way it never
 * changes what the other rows give. The limits are far beyond any real table, so only a broken
 * row (a NaN, an Infinity, a 1e12) meets them, and every grid or array sized from the data stays
 * bounded.
 */

/** Largest |x| and |y|, nm: 1 cm, beyond any field of view (a 2048-px camera at 1 µm a pixel spans 2 mm). */
export const MAX_COORDINATE_NM = 1e7;

/** Largest frame number: 10⁸ (over a day of acquisition at 1 kHz). Frames start at 0 or 1. */
export const MAX_FRAME = 1e8;

/** Largest lateral uncertainty, nm: 10 µm, some fifty times the diffraction limit. */
export const MAX_UNCERTAINTY_NM = 1e4;

/** What is wrong with a row: the first of its numbers that fails (codes, not an enum). */
export const ROW_FAULT = { none: 0, frame: 1, x: 2, y: 3, uncertainty: 4 } as const;
/** One of {@link ROW_FAULT}'s codes. */
export type RowFault = (typeof ROW_FAULT)[keyof typeof ROW_FAULT];

/** The column each fault is about, as a microscopist reads it. */
const FAULT_NAMES = ['', 'frame', 'x', 'y', 'uncertainty'] as const;

/**
 * The first fault of one row (no allocation: for hot loops). NaN fails every comparison, so a
 * missing number is caught by the same test as an out-of-range one.
 * @param frame - frame number (from 0 or 1)
 * @param x - x, nm
 * @param y - y, nm
 * @param uncertainty - lateral uncertainty, nm, when the caller uses it @default 0 (not checked)
 * @returns {@link ROW_FAULT}.none (0) when the row is usable
 */
export function rowFault(frame: number, x: number, y: number, uncertainty = 0): RowFault {
  if (!(frame >= 0 && frame <= MAX_FRAME)) return ROW_FAULT.frame;
  if (!(x >= -MAX_COORDINATE_NM && x <= MAX_COORDINATE_NM)) return ROW_FAULT.x;
  if (!(y >= -MAX_COORDINATE_NM && y <= MAX_COORDINATE_NM)) return ROW_FAULT.y;
  if (!(uncertainty >= 0 && uncertainty <= MAX_UNCERTAINTY_NM)) return ROW_FAULT.uncertainty;
  return ROW_FAULT.none;
}

/**
 * A fault in words: `x is NaN (not a number)`, `frame is 1e12 (more than 100000000)`.
 * @param fault - a code of {@link ROW_FAULT}, not none
 * @param value - the value at fault
 */
export function describeFault(fault: RowFault, value: number): string {
  const name = FAULT_NAMES[fault];
  const why = Number.isNaN(value)
    ? 'not a number'
    : !Number.isFinite(value)
      ? 'infinite'
      : fault === ROW_FAULT.frame
        ? value < 0 ? 'negative' : `more than ${MAX_FRAME}`
        : fault === ROW_FAULT.uncertainty
          ? value < 0 ? 'negative' : `more than ${MAX_UNCERTAINTY_NM} nm`
          : `beyond ±${MAX_COORDINATE_NM} nm`;
  return `${name} is ${String(value)} (${why})`;
}

/** The rows that fail {@link rowFault}: how many, and the first (0-based row index, fault, value). */
export interface FaultyRows {
  readonly count: number;
  readonly row: number;
  readonly fault: RowFault;
  readonly value: number;
}

/**
 * Tally of faulty rows met while reading or drawing: their count and the first one, for a
 * warning (`3 rows skipped…, the first at line 12: x is NaN`). Noting allocates nothing.
 */
export class RowFaultTally implements FaultyRows {
  count = 0;
  row = -1;
  fault: RowFault = ROW_FAULT.none;
  value = 0;

  /**
   * Note a faulty row (the first one noted is kept).
   * @param row - its 0-based index among the table's rows
   * @param fault - what is wrong
   * @param value - the value at fault
   */
  note(row: number, fault: RowFault, value: number): void {
    if (this.count++ === 0) {
      this.row = row;
      this.fault = fault;
      this.value = value;
    }
  }

  /**
   * Add the faulty rows of one block of a table read block by block ({@link findFaultyRows} of
   * the block's columns): their count, and their first row when none was noted before.
   * @param found - the block's faulty rows (rows counted from the block's start), or undefined
   * @param firstRow - the block's first row's 0-based index among the table's rows
   */
  add(found: FaultyRows | undefined, firstRow: number): void {
    if (!found) return;
    if (this.count === 0) {
      this.row = firstRow + found.row;
      this.fault = found.fault;
      this.value = found.value;
    }
    this.count += found.count;
  }
}

/**
 * The value a fault is about.
 * @param fault - the fault
 * @param frame - frame
 * @param x - x, nm
 * @param y - y, nm
 * @param uncertainty - uncertainty, nm @default 0
 */
export function faultValue(fault: RowFault, frame: number, x: number, y: number, uncertainty = 0): number {
  return fault === ROW_FAULT.frame ? frame : fault === ROW_FAULT.x ? x : fault === ROW_FAULT.y ? y : uncertainty;
}

/**
 * Scan columns for rows that fail {@link rowFault} (allocation-free).
 * @param frame - frames
 * @param x - x, nm
 * @param y - y, nm
 * @param uncertainty - uncertainties, nm, when the caller uses them @default not checked
 * @returns the count and the first faulty row, or undefined when every row is usable
 */
export function findFaultyRows(frame: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, uncertainty?: ArrayLike<number>): FaultyRows | undefined {
  const tally = new RowFaultTally();
  for (let r = 0; r < frame.length; r++) {
    const u = uncertainty === undefined ? 0 : uncertainty[r];
    const fault = rowFault(frame[r], x[r], y[r], u);
    if (fault !== ROW_FAULT.none) tally.note(r, fault, faultValue(fault, frame[r], x[r], y[r], u));
  }
  return tally.count === 0 ? undefined : tally;
}

/**
 * A filter expression (the `filter` command's language) that keeps exactly the rows
 * {@link rowFault} accepts for frame, x and y: what a refusal suggests running first.
 */
export const USABLE_ROWS_FILTER = `frame >= 0 && frame <= ${MAX_FRAME} && abs(x) <= ${MAX_COORDINATE_NM} && abs(y) <= ${MAX_COORDINATE_NM}`;
