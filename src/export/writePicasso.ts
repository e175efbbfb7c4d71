import { writeFileSync } from 'node:fs';
import type { PointTable } from '../evaluate/PointTable.js';
import { InputFileError } from '../errors/InputFileError.js';
import { softwareVersion } from '../softwareVersion.js';

/** What Picasso's metadata needs besides the localizations. */
export interface PicassoInfo {
  /** Camera image width and height, px. */
  width: number;
  height: number;
  /** Frames in the movie. */
  frames: number;
  /** Camera pixel size, nm. */
  pixelSizeNm: number;
  /** The movie the localizations came from (recorded in the YAML). */
  movie?: string;
  /** Fitting window, px. */
  box?: number;
}

/**
 * Write localizations as Picasso's localization HDF5 (`/locs`, a compound table with Picasso's
 * dtypes: `frame` uint32 from 0; `x`, `y`, `sx`, `sy`, `lpx`, `lpy` float32 in camera pixels —
 * Picasso puts pixel centres on integers, so x = x_nm / P − ½; `photons`, `bg` float32;
 * `log_likelihood` float32, `iterations` int32) with its metadata as a YAML sidecar and embedded
 * as JSON (`/metadata`), so Picasso: Render opens it. HDF5 is written with h5wasm.
 *
 * @param path - the .hdf5 file (the YAML goes next to it)
 * @param table - localizations with the CSV's columns (`sigma [nm]`, `intensity [photon]`, …)
 * @param info - field of view, frames, pixel size
 */
export async function writePicasso(path: string, table: PointTable, info: PicassoInfo): Promise<void> {
  const n = table.frame.length;
  const column = (header: string) => {
    const c = table.columns.get(header);
    if (!c) throw new InputFileError(`Picasso export needs a "${header}" column`);
    return c;
  };
  const p = info.pixelSizeNm;
  const sigma = column('sigma [nm]');
  const photons = column('intensity [photon]');
  const bg = column('offset [photon]');
  const ux = column('uncertainty_x [nm]');
  const uy = column('uncertainty_y [nm]');
  const ll = table.columns.get('loglikelihood');
  const iterations = table.columns.get('iterations');
  const locs = new Map<string, Uint32Array | Float32Array | Int32Array>([
    ['frame', Uint32Array.from(table.frame, (f) => f - 1)],
    ['x', Float32Array.from(table.x, (v) => v / p - 0.5)],
    ['y', Float32Array.from(table.y, (v) => v / p - 0.5)],
    ['photons', Float32Array.from(photons)],
    ['sx', Float32Array.from(sigma, (v) => v / p)],
    ['sy', Float32Array.from(sigma, (v) => v / p)],
    ['bg', Float32Array.from(bg)],
    ['lpx', Float32Array.from(ux, (v) => v / p)],
    ['lpy', Float32Array.from(uy, (v) => v / p)],
    ['log_likelihood', ll ? Float32Array.from(ll) : new Float32Array(n).fill(Number.NaN)],
    ['iterations', iterations ? Int32Array.from(iterations) : new Int32Array(n)],
  ]);
  const movieInfo = {
    'Byte Order': '<',
    'Data Type': 'uint16',
    File: info.movie ?? '',
    Frames: info.frames,
    Height: info.height,
    Width: info.width,
    Pixelsize: p,
  };
  const localizeInfo = {
    Generated_by: `smlm-stream ${softwareVersion()}`,
    'Box Size': info.box ?? 0,
    'Fit method': 'MLE, integrated Gaussian (smlm-stream)',
    Pixelsize: p,
    Localizations: n,
  };
  const h5wasm = (await import('h5wasm/node')).default;
  await h5wasm.ready;
  const file = new h5wasm.File(path, 'w');
  try {
    file.create_dataset({ name: 'locs', data: locs });
    file.create_dataset({ name: 'metadata', data: JSON.stringify([movieInfo, localizeInfo]) });
  } finally {
    file.close();
  }
  writeFileSync(picassoYamlPath(path), [movieInfo, localizeInfo].map(toYamlDocument).join('---\n'));
}

/**
 * The YAML metadata file Picasso expects next to a localization HDF5: the same name, `.yaml`.
 * @param hdf5Path - e.g. `locs.hdf5`
 */
export function picassoYamlPath(hdf5Path: string): string {
  return hdf5Path.replace(/\.[^./\\]*$/, '') + '.yaml';
}

/** One flat YAML document (numbers bare, strings double-quoted JSON-style, which YAML reads). */
function toYamlDocument(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => `${/^[A-Za-z_][\w .]*$/.test(k) ? k : JSON.stringify(k)}: ${typeof v === 'number' ? String(v) : JSON.stringify(v)}\n`)
    .join('');
}
