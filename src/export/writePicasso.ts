import type { PointTable } from '../evaluate/PointTable.js';
import { InputFileError } from '../errors/InputFileError.js';
import { AtomicFile } from '../io/AtomicFile.js';
import { softwareVersion } from '../softwareVersion.js';
import { Hdf5Library } from './Hdf5Library.js';

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

/** The uncertainty columns Picasso's lpx, lpy and lpz come from (checked like the positions when read). */
export const PICASSO_UNCERTAINTY_COLUMNS: readonly string[] = ['uncertainty_x [nm]', 'uncertainty_y [nm]', 'uncertainty_z [nm]'];

/** Picasso's columns of one block of localizations (its dtypes, camera pixels, frames from 0). */
function picassoColumns(table: PointTable, pixelSizeNm: number): Map<string, Uint32Array | Float32Array | Int32Array> {
  const n = table.frame.length;
  const column = (header: string) => {
    const c = table.columns.get(header);
    if (!c) throw new InputFileError(`Picasso export needs a "${header}" column`);
    return c;
  };
  const p = pixelSizeNm;
  const sigma = column('sigma [nm]');
  const ux = column(PICASSO_UNCERTAINTY_COLUMNS[0]);
  const uy = column(PICASSO_UNCERTAINTY_COLUMNS[1]);
  const ll = table.columns.get('loglikelihood');
  const iterations = table.columns.get('iterations');
  // 3-D tables: Picasso's z and lpz in nm, and the two widths.
  const z = table.columns.get('z [nm]');
  const lpz = table.columns.get(PICASSO_UNCERTAINTY_COLUMNS[2]);
  const sigma1 = table.columns.get('sigma1 [nm]') ?? sigma;
  const sigma2 = table.columns.get('sigma2 [nm]') ?? sigma;
  return new Map<string, Uint32Array | Float32Array | Int32Array>([
    ['frame', Uint32Array.from(table.frame, (f) => f - 1)],
    ['x', Float32Array.from(table.x, (v) => v / p - 0.5)],
    ['y', Float32Array.from(table.y, (v) => v / p - 0.5)],
    ...(z ? ([['z', Float32Array.from(z)]] as const) : []),
    ['photons', Float32Array.from(column('intensity [photon]'))],
    ['sx', Float32Array.from(sigma1, (v) => v / p)],
    ['sy', Float32Array.from(sigma2, (v) => v / p)],
    ['bg', Float32Array.from(column('offset [photon]'))],
    ['lpx', Float32Array.from(ux, (v) => v / p)],
    ['lpy', Float32Array.from(uy, (v) => v / p)],
    ...(z && lpz ? ([['lpz', Float32Array.from(lpz)]] as const) : []),
    ['log_likelihood', ll ? Float32Array.from(ll) : new Float32Array(n).fill(Number.NaN)],
    ['iterations', iterations ? Int32Array.from(iterations) : new Int32Array(n)],
  ]);
}

/** Rows per HDF5 chunk of the /locs table (and per block written). */
const CHUNK_ROWS = 65536;

/**
 * Write localizations as Picasso's localization HDF5 (`/locs`, a compound table with Picasso's
 * dtypes: `frame` uint32 from 0; `x`, `y`, `sx`, `sy`, `lpx`, `lpy` float32 in camera pixels —
 * Picasso puts pixel centres on integers, so x = x_nm / P − ½; `photons`, `bg` float32;
 * `log_likelihood` float32, `iterations` int32; a 3-D table adds `z` and `lpz` in nm, and `sx`,
 * `sy` are its sigma1, sigma2) with its metadata as a YAML sidecar and embedded
 * as JSON (`/metadata`), so Picasso: Render opens it. HDF5 is written with h5wasm, block by
 * block into a resizable table, so a table of any length is exported in fixed memory. Both
 * files appear when whole ({@link AtomicFile}); a failed write (a full disk) leaves neither,
 * and is one error naming the file and the cause, HDF5's own diagnostics silenced.
 *
 * @param path - the .hdf5 file (the YAML goes next to it)
 * @param blocks - localizations with the CSV's columns (`sigma [nm]`, `intensity [photon]`, …):
 *   one table, or blocks of one (e.g. `pointTableChunks(csv)`), written in order
 * @param info - field of view, frames, pixel size
 * @returns the number of localizations written
 * @throws FileWriteError naming the file a write failed on
 */
export async function writePicasso(path: string, blocks: PointTable | Iterable<PointTable>, info: PicassoInfo): Promise<number> {
  const p = info.pixelSizeNm;
  const hdf5 = await Hdf5Library.load();
  // Both files under temporary names, renamed together once whole: a failure leaves neither.
  const files = [AtomicFile.reserve(path)];
  let n = 0;
  try {
    const file = hdf5.writing(path, () => new hdf5.h5wasm.File(files[0].temporaryPath, 'w'));
    let closed = false;
    try {
      let locs: ReturnType<typeof file.create_dataset> | undefined;
      for (const block of isTable(blocks) ? [blocks] : blocks) {
        const rows = block.frame.length;
        const data = picassoColumns(block, p);
        hdf5.writing(path, () => {
          if (!locs) {
            locs = file.create_dataset({ name: 'locs', data, maxshape: [null], chunks: [CHUNK_ROWS] });
          } else if (rows > 0) {
            locs.resize([n + rows]);
            locs.write_slice([[n, n + rows]], data);
          }
        });
        n += rows;
      }
      const empty = locs ? undefined : picassoColumns({ frame: new Int32Array(0), x: new Float64Array(0), y: new Float64Array(0), columns: new Map(EMPTY_COLUMNS) }, p);
      hdf5.writing(path, () => {
        if (empty) file.create_dataset({ name: 'locs', data: empty, maxshape: [null], chunks: [CHUNK_ROWS] });
        file.create_dataset({ name: 'metadata', data: JSON.stringify(picassoMetadata(info, n)) });
        closed = true;
        file.close();
      });
    } finally {
      if (!closed) closeQuietly(file);
    }
    const yaml = new AtomicFile(picassoYamlPath(path));
    files.push(yaml);
    yaml.append(picassoMetadata(info, n).map(toYamlDocument).join('---\n'));
    AtomicFile.commitAll(files);
  } catch (error) {
    AtomicFile.abandonAll(files);
    throw error;
  }
  return n;
}

/** Close an HDF5 file after a failure (whose error is the one to report). */
function closeQuietly(file: { close(): unknown }): void {
  try {
    file.close();
  } catch {
    // The file is abandoned; a second error closing it says nothing new.
  }
}

/** The columns Picasso's table needs, empty (an export of no localizations). */
const EMPTY_COLUMNS: [string, Float64Array][] = ['sigma [nm]', 'intensity [photon]', 'offset [photon]', 'uncertainty_x [nm]', 'uncertainty_y [nm]'].map((h) => [h, new Float64Array(0)]);

function isTable(value: PointTable | Iterable<PointTable>): value is PointTable {
  return (value as PointTable).frame instanceof Int32Array;
}

/** Picasso's two metadata documents: the movie's, and the localization's. */
function picassoMetadata(info: PicassoInfo, localizations: number): Record<string, string | number>[] {
  return [
    { 'Byte Order': '<', 'Data Type': 'uint16', File: info.movie ?? '', Frames: info.frames, Height: info.height, Width: info.width, Pixelsize: info.pixelSizeNm },
    { Generated_by: `smlm-stream ${softwareVersion()}`, 'Box Size': info.box ?? 0, 'Fit method': 'MLE, integrated Gaussian (smlm-stream)', Pixelsize: info.pixelSizeNm, Localizations: localizations },
  ];
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
