import { InputFileError } from '../errors/InputFileError.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { describeFault, findFaultyRows } from '../table/checkRows.js';
import { DETECTIONS_HEADER } from '../table/columns.js';
import type { LocalizationTable } from '../table/LocalizationTable.js';
import { findColumn, positions } from '../table/LocalizationTable.js';
import type { PairDistanceFit } from './fitPairDistances.js';
import { fitPairDistances } from './fitPairDistances.js';
import { nextFrameDistances } from './nextFrameDistances.js';

/** NeNA's options (Endesfelder et al., Histochem. Cell Biol. 141:629, 2014). */
export interface NenaOptions {
  /**
   * Search radius, nm: a localization's nearest neighbour in the next frame counts when it is
   * this close. Wide enough for the pair distances of σ up to some 35 nm (99 % of them lie
   * below 4.3·σ), narrow enough that the background stays ∝ d (πρR² ≪ 1 at a frame's density).
   * @default 150
   */
  searchRadiusNm?: number;
  /** Width of the histogram's bins, nm (the fit integrates the model over each bin exactly). @default 1 */
  binNm?: number;
  /**
   * Fit Endesfelder's short-range term too (a Gaussian of neighbours at a typical distance,
   * kept when BIC favours it): for structures whose molecules have neighbours a few σ away
   * (dimers, dense clusters). Off by default because it also takes the wide end of a spread of
   * precisions among molecules (photon counts vary) for neighbours and lowers NeNA below the
   * precision's RMS: with σ uniform in 10 nm ± 50 %, NeNA is 8.0 nm with it and 10.35 nm without
   * (RMS 10.41 nm); on the sample's fitted localizations 4.28 against 4.41 nm (true error 4.40
   * nm). Dimers 40 nm apart at σ = 10 nm: 10.04 nm with it, 10.66 nm without.
   * @default false
   */
  shortRangeTerm?: boolean;
}

/** NeNA's defaults: the one home of each. */
export const NENA_DEFAULTS = { searchRadiusNm: 150, binNm: 1, shortRangeTerm: false } as const satisfies Required<NenaOptions>;

/**
 * The fewest next-frame pairs NeNA fits: with 200 pure pairs σ's relative standard error is
 * 1/(2√200) ≈ 3.5 %, and the background term needs a few hundred distances to be told apart.
 */
export const NENA_MIN_PAIRS = 200;

/** Most bins of the histogram (radius / bin width): the fit's cost is per bin. */
const MAX_BINS = 10000;

/** NeNA's result: the mean localization precision with its error, and what it came from. */
export interface NenaResult {
  /** The mean localization precision σ, nm (one axis, one localization). */
  readonly nenaNm: number;
  /** Its standard error, nm (from the fit's observed information). */
  readonly nenaStandardErrorNm: number;
  /** Next-frame nearest-neighbour pairs within the radius (the distances fitted). */
  readonly pairs: number;
  /** The parameters used. */
  readonly searchRadiusNm: number;
  readonly binNm: number;
  readonly shortRangeTerm: boolean;
  /** The fitted model's parameters ({@link fitPairDistances}), without its curves. */
  readonly fit: Omit<PairDistanceFit, 'expected' | 'expectedPair'>;
  /** The histogram and the fitted curves, for plots: bin k spans [k·binNm, (k + 1)·binNm). */
  readonly histogram: {
    /** Distances per bin. */
    readonly counts: Float64Array;
    /** Expected counts per bin of the fitted model. */
    readonly expected: Float64Array;
    /** Expected counts per bin of the pair term alone. */
    readonly expectedPair: Float64Array;
  };
}

/**
 * Resolve NeNA's options: the defaults filled in, each checked.
 * @param options - the options given
 * @throws InvalidOptionError for a radius or bin width that is not positive, or too many bins
 */
export function resolveNenaOptions(options: NenaOptions = {}): Required<NenaOptions> {
  const searchRadiusNm = options.searchRadiusNm ?? NENA_DEFAULTS.searchRadiusNm;
  const binNm = options.binNm ?? NENA_DEFAULTS.binNm;
  const shortRangeTerm = options.shortRangeTerm ?? NENA_DEFAULTS.shortRangeTerm;
  if (!(searchRadiusNm > 0 && Number.isFinite(searchRadiusNm))) throw new InvalidOptionError(`NeNA's search radius must be a positive number of nm, got ${searchRadiusNm}`, 'searchRadiusNm');
  if (!(binNm > 0 && Number.isFinite(binNm))) throw new InvalidOptionError(`NeNA's bin width must be a positive number of nm, got ${binNm}`, 'binNm');
  if (searchRadiusNm / binNm > MAX_BINS) throw new InvalidOptionError(`NeNA's histogram would have ${Math.ceil(searchRadiusNm / binNm)} bins (search radius ${searchRadiusNm} nm / bin ${binNm} nm); at most ${MAX_BINS}: widen the bins`, 'binNm');
  if (searchRadiusNm / binNm < 8) throw new InvalidOptionError(`NeNA's histogram needs at least 8 bins, got ${searchRadiusNm} nm / ${binNm} nm: narrow the bins`, 'binNm');
  return { searchRadiusNm, binNm, shortRangeTerm };
}

/**
 * NeNA (Endesfelder et al., Histochem. Cell Biol. 141:629, 2014) of frame, x and y columns: the
 * distance from each localization to its nearest neighbour in the next frame within the search
 * radius ({@link nextFrameDistances}), histogrammed and fitted with the pair, short-range and
 * background terms ({@link fitPairDistances}, binned maximum likelihood; the short-range term
 * only when asked). A molecule on in two
 * consecutive frames gives two localizations each off by N(0, σ²) a coordinate, so their
 * distance has the density d/(2σ²)·exp(−d²/(4σ²)): σ is the mean localization precision.
 * @param frame - frame numbers (per-frame localizations: not merged)
 * @param x - x, nm
 * @param y - y, nm
 * @param options - search radius and bin width ({@link NENA_DEFAULTS})
 * @param path - the table's file, named in errors @default 'the table'
 * @throws InputFileError for a row without a usable frame, x or y, or too few pairs ({@link NENA_MIN_PAIRS})
 */
export function estimateNenaOfColumns(frame: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, options: NenaOptions = {}, path = 'the table'): NenaResult {
  const { searchRadiusNm, binNm, shortRangeTerm } = resolveNenaOptions(options);
  const faulty = findFaultyRows(frame, x, y);
  if (faulty) throw new InputFileError(`${path}: row ${faulty.row + 1}: ${describeFault(faulty.fault, faulty.value)}; NeNA needs a frame, x and y in every row`);
  const distances = nextFrameDistances(frame, x, y, searchRadiusNm);
  if (distances.length < NENA_MIN_PAIRS) {
    throw new InputFileError(
      `${path}: NeNA found ${distances.length} localizations with a neighbour in the next frame within ${searchRadiusNm} nm; it needs at least ${NENA_MIN_PAIRS} (molecules on in consecutive frames: a longer acquisition, or a wider search radius)`,
    );
  }
  const bins = Math.ceil(searchRadiusNm / binNm - 1e-9);
  const counts = new Float64Array(bins);
  for (let i = 0; i < distances.length; i++) counts[Math.min(bins - 1, Math.floor(distances[i] / binNm))]++;
  const { expected, expectedPair, ...fit } = fitPairDistances(counts, binNm, shortRangeTerm);
  if (!Number.isFinite(fit.sigmaNm)) throw new InputFileError(`${path}: NeNA's fit of ${distances.length} next-frame distances found no maximum (no pair term within ${searchRadiusNm} nm)`);
  return { nenaNm: fit.sigmaNm, nenaStandardErrorNm: fit.sigmaStandardErrorNm, pairs: distances.length, searchRadiusNm: bins * binNm, binNm, shortRangeTerm, fit, histogram: { counts, expected, expectedPair } };
}

/**
 * NeNA of a localization table (ours or ThunderSTORM's columns): {@link estimateNenaOfColumns}
 * of its frame, x and y, after checking that its rows are per-frame localizations.
 * @param table - the localizations, one row per detection in a frame
 * @param options - search radius and bin width ({@link NENA_DEFAULTS})
 * @param path - the table's file, named in errors @default 'the table'
 * @throws InputFileError for a merged table (a `detections` column above 1: one row per molecule), missing columns, unusable rows or too few pairs
 */
export function estimateNena(table: LocalizationTable, options: NenaOptions = {}, path = 'the table'): NenaResult {
  refuseMergedTable(table, path);
  const { frame, x, y } = positions(table, path);
  return estimateNenaOfColumns(frame, x, y, options, path);
}

/**
 * Refuse a merged table (`smlm-stream merge`, ThunderSTORM's merging): one row per molecule,
 * its `detections` column counting the frames merged. NeNA needs the same molecule's
 * localizations in consecutive frames, which merging has averaged into one row.
 * @param table - the table (its header and columns)
 * @param path - the table's file, named in the error
 * @throws InputFileError when a row's `detections` is above 1
 */
export function refuseMergedTable(table: Pick<LocalizationTable, 'header' | 'columns'>, path: string): void {
  const c = findColumn(table, DETECTIONS_HEADER);
  if (c < 0) return;
  const detections = table.columns[c];
  let merged = 0;
  for (let r = 0; r < detections.length; r++) if (detections[r] > 1) merged++;
  if (merged > 0) {
    throw new InputFileError(
      `${path}: a merged table (${merged} rows with "${DETECTIONS_HEADER}" above 1: one row per molecule); NeNA needs per-frame localizations, the same molecule in consecutive frames: give it the table from before merging`,
    );
  }
}
