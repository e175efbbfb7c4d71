/**
 * The drift trajectory written next to a localization table: `NAME.drift.csv` for `NAME.csv`
 * (the corrected table's, or a simulation's truth's: `NAME.truth.drift.csv`).
 * @param csvPath - the table
 */
export function driftPath(csvPath: string): string {
  return csvPath.replace(/(\.csv)?$/i, '.drift.csv');
}

/** The headers of a drift trajectory (docs/design.md §7): the drift of every frame relative to frame 1, nm. */
export const DRIFT_HEADERS = ['frame', 'drift x [nm]', 'drift y [nm]'] as const;

/** Decimals of the drift columns (0.01 nm, below any drift precision reached). */
export const DRIFT_DECIMALS = 2;

/** The header line of a drift trajectory. */
export const DRIFT_CSV_HEADER = DRIFT_HEADERS.map((h) => `"${h}"`).join(',');
