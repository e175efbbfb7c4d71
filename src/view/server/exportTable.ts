import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pointTableChunks } from '../../evaluate/PointTable.js';
import { writeLocalizationTable } from '../../export/writeLocalizationTable.js';
import { PICASSO_UNCERTAINTY_COLUMNS, picassoYamlPath, writePicasso } from '../../export/writePicasso.js';
import type { PicassoInfo } from '../../export/writePicasso.js';
import { sidecarPath } from '../../export/writeSidecar.js';
import { compileFilter } from '../../post/compileFilter.js';
import { filterTable } from '../../post/filterTable.js';
import { readLocalizationTable } from '../../table/LocalizationTable.js';
import type { ExportFormat } from '../protocol.js';
import { HttpError } from './HttpError.js';

/** A file written for a download, and how to remove it once sent. */
export interface ExportFile {
  /** The file to send. */
  readonly path: string;
  /** The name the browser saves it under. */
  readonly fileName: string;
  readonly contentType: string;
  /** Remove the temporary folder. */
  cleanup(): void;
}

/** The frame size, frame count and pixel size of the stack, when the CSV has no sidecar to give them. */
export type StackShape = Omit<PicassoInfo, 'box' | 'movie'> | undefined;

/**
 * A localization CSV for download, filtered with the `filter` command's grammar
 * (compileFilter, filterTable) and written by the export code the commands use: a CSV
 * (writeLocalizationTable), Picasso's HDF5 (writePicasso, as `export --format picasso`), or that
 * HDF5's YAML (`picasso-yaml`: Picasso opens the HDF5 with its YAML beside it).
 * @param csv - the CSV (a run's or the opened one)
 * @param format - the format
 * @param filter - the expression ('' keeps every row)
 * @param shape - the stack's shape, for Picasso's metadata when the CSV has no sidecar
 * @throws HttpError 400 for a bad expression (the filter command's message) or missing metadata
 */
export async function exportTable(csv: string, format: ExportFormat, filter: string, shape: StackShape): Promise<ExportFile> {
  const table = readLocalizationTable(csv);
  const kept = filter.trim() === '' ? table : filterTable(table, compileFilter(filter, table.header));
  const name = basename(csv).replace(/\.csv$/i, '') + (filter.trim() === '' ? '' : '.filtered');
  const folder = mkdtempSync(join(tmpdir(), 'smlm-stream-view-'));
  const cleanup = () => rmSync(folder, { recursive: true, force: true });
  try {
    const filtered = join(folder, `${name}.csv`);
    writeLocalizationTable(filtered, kept);
    if (format === 'csv') return { path: filtered, fileName: `${name}.csv`, contentType: 'text/csv; charset=utf-8', cleanup };
    const hdf5 = join(folder, `${name}.hdf5`);
    await writePicasso(hdf5, pointTableChunks(filtered, undefined, undefined, PICASSO_UNCERTAINTY_COLUMNS), picassoInfo(csv, shape));
    if (format === 'picasso') return { path: hdf5, fileName: `${name}.hdf5`, contentType: 'application/x-hdf5', cleanup };
    return { path: picassoYamlPath(hdf5), fileName: basename(picassoYamlPath(hdf5)), contentType: 'application/yaml; charset=utf-8', cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** Picasso's metadata: from the CSV's sidecar (as `export` reads it), else the stack's shape. */
function picassoInfo(csv: string, shape: StackShape): PicassoInfo {
  const sidecar = sidecarPath(csv);
  const run = existsSync(sidecar)
    ? (JSON.parse(readFileSync(sidecar, 'utf8')) as { input?: { path?: string; width?: number; height?: number; frameCount?: number }; parameters?: { camera?: { pixelSizeNm?: number }; fit?: { box?: number } } })
    : {};
  const width = run.input?.width ?? shape?.width;
  const height = run.input?.height ?? shape?.height;
  const frames = run.input?.frameCount ?? shape?.frames;
  const pixelSizeNm = run.parameters?.camera?.pixelSizeNm ?? shape?.pixelSizeNm;
  if (width === undefined || height === undefined || frames === undefined || pixelSizeNm === undefined) {
    throw new HttpError(400, `${basename(csv)}: no sidecar (${basename(sidecar)}) gives the frame size, frame count and pixel size Picasso needs; use smlm-stream export with --width, --height, --frames and --pixel-size`);
  }
  return { width, height, frames, pixelSizeNm, movie: run.input?.path, box: run.parameters?.fit?.box };
}
