import { FIT_STATUS_WORDS } from '../fit/FitStatus.js';
import type { LocalizationBatch } from './LocalizationBatch.js';

/** One column of the localization table: declared once, used by the CSV writer, sidecar and docs. */
export interface Column {
  /** Field of {@link LocalizationBatch} (or 'id', assigned by the writer). */
  readonly key: keyof LocalizationBatch | 'id';
  /** CSV header (ThunderSTORM's where it has one). */
  readonly header: string;
  /** Unit, '' for none. */
  readonly unit: string;
  /** Decimals written in CSV. */
  readonly decimals: number;
  /** What the column means. */
  readonly description: string;
}

/**
 * The CSV columns in order: ThunderSTORM 1.3's nine (design.md §2, verbatim), then ours.
 */
export const LOCALIZATION_COLUMNS: readonly Column[] = [
  { key: 'id', header: 'id', unit: '', decimals: 0, description: 'row number, from 1' },
  { key: 'frame', header: 'frame', unit: '', decimals: 0, description: 'frame number, from 1 (first TIFF page = 1)' },
  { key: 'x', header: 'x [nm]', unit: 'nm', decimals: 2, description: 'x from the left image edge' },
  { key: 'y', header: 'y [nm]', unit: 'nm', decimals: 2, description: 'y from the top image edge' },
  { key: 'sigma', header: 'sigma [nm]', unit: 'nm', decimals: 2, description: 'PSF standard deviation (fixed or fitted)' },
  { key: 'intensity', header: 'intensity [photon]', unit: 'photon', decimals: 1, description: 'total photons N of the PSF' },
  { key: 'offset', header: 'offset [photon]', unit: 'photon', decimals: 2, description: 'background b per pixel' },
  { key: 'bkgstd', header: 'bkgstd [photon]', unit: 'photon', decimals: 2, description: 'standard deviation of the fit residuals' },
  { key: 'uncertainty', header: 'uncertainty [nm]', unit: 'nm', decimals: 2, description: 'lateral uncertainty √((CRLBx + CRLBy)/2)' },
  { key: 'uncertaintyX', header: 'uncertainty_x [nm]', unit: 'nm', decimals: 2, description: '√CRLB of x' },
  { key: 'uncertaintyY', header: 'uncertainty_y [nm]', unit: 'nm', decimals: 2, description: '√CRLB of y' },
  { key: 'logLikelihood', header: 'loglikelihood', unit: '', decimals: 3, description: 'Poisson log-likelihood at the fit, Σ n log μ − μ' },
  { key: 'iterations', header: 'iterations', unit: '', decimals: 0, description: 'solver iterations' },
  { key: 'status', header: 'status', unit: '', decimals: 0, description: `fit status: ${Object.entries(FIT_STATUS_WORDS).map(([code, words]) => `${code} ${words}`).join(', ')}` },
  { key: 'emitters', header: 'emitters', unit: '', decimals: 0, description: 'emitters in the fit: 1, or K for one of K fitted jointly in a crowded window' },
];

/** The columns a 3-D (astigmatic) run adds at the end, with ThunderSTORM's names (docs/design.md §8). */
export const ASTIGMATIC_COLUMNS: readonly Column[] = [
  { key: 'z', header: 'z [nm]', unit: 'nm', decimals: 2, description: '3-D runs: depth, 0 where the calibration puts it (midway between the foci)' },
  { key: 'uncertaintyZ', header: 'uncertainty_z [nm]', unit: 'nm', decimals: 2, description: '3-D runs: √(CRLB of z + the z model error of the calibration squared)' },
  { key: 'sigma1', header: 'sigma1 [nm]', unit: 'nm', decimals: 2, description: '3-D runs: PSF σ along x at z (sigma is √(sigma1·sigma2))' },
  { key: 'sigma2', header: 'sigma2 [nm]', unit: 'nm', decimals: 2, description: '3-D runs: PSF σ along y at z' },
];

/** The columns of a table: the 2-D ones, then the 3-D ones when `astigmatic`. */
export function tableColumns(astigmatic: boolean): readonly Column[] {
  return astigmatic ? [...LOCALIZATION_COLUMNS, ...ASTIGMATIC_COLUMNS] : LOCALIZATION_COLUMNS;
}

/** A CSV header line: every header quoted, comma-separated (ThunderSTORM's style). */
export function csvHeader(columns: readonly Column[]): string {
  return columns.map((c) => `"${c.header}"`).join(',');
}

/** The CSV header line of a 2-D run. */
export const CSV_HEADER = csvHeader(LOCALIZATION_COLUMNS);

/** The column a merged table gains: how many detections (frames) each molecule has (ThunderSTORM's name). */
export const DETECTIONS_HEADER = 'detections';
