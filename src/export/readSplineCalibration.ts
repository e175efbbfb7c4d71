import { existsSync } from 'node:fs';
import { InputFileError } from '../errors/InputFileError.js';
import { SPLINE_COEFFICIENTS } from '../fit/spline/SplinePsf.js';
import type { SplinePsf } from '../fit/spline/SplinePsf.js';
import { Hdf5Library } from './Hdf5Library.js';
import { SPLINE_FILE_RECORD_KEY } from './writeSplineCalibration.js';

/** The layouts {@link readSplineCalibration} reads. */
export type SplineFileFormat = 'picasso' | 'smappy' | 'smap';

/** A spline PSF read from a file, with where it came from. */
export interface SplineCalibrationFile {
  /** The PSF, in smlm-stream's conventions ({@link SplinePsf}). */
  readonly spline: SplinePsf;
  /** Whose layout the file has. */
  readonly format: SplineFileFormat;
  /** The camera pixel size the calibration was made with, nm, where the file says. */
  readonly pixelSizeNm?: number;
  /** smlm-stream's own record (calibrate-psf's), where the file has one. */
  readonly record?: Record<string, unknown>;
  /** The box the PSF was measured over, px, where the file says (Picasso's `box`). */
  readonly boxPx?: number;
}

/** The h5wasm objects the reader walks (a group, a dataset, a reference). */
type H5 = InstanceType<Hdf5Library['h5wasm']['File']>;
type Entity = ReturnType<H5['get']>;

/**
 * Read a cubic-spline PSF calibration (HDF5) into smlm-stream's {@link SplinePsf}: plane w at
 * depth zStartNm + w·dzNm (nm, z as the calibration's tool reports it), sample (u, v) the pixel
 * whose centre is (u − centerXPx, v − centerYPx) px from the emitter, 64 coefficients a voxel,
 * `i + 4j + 16k` for dx^i·dy^j·dz^k. Three layouts, recognised by their content:
 *
 * - **Picasso 0.11** (`*_spline_calib.hdf5`, `picasso.io.save_spline_calibration`, and
 *   calibrate-psf's own files): dataset `coefficients` (float32, nominal shape
 *   (64, nx−1, ny−1, nz−1)) whose C-order buffer is (iz, iy, ix, pz, py, px) — x power fastest,
 *   the data's first axis x (columns): our layout, copied as it is; file attribute `metadata`, a
 *   JSON string: `model` ("spline-3d"; "spline-2d" and multichannel models are refused),
 *   `n_data` [nx, ny, nz], `z_center` (the plane of z = 0, in planes), `z_step_nm`,
 *   `magnification_factor`, `pixelsize`. Picasso's z of plane k is
 *   (z_center − k)·z_step_nm·magnification_factor: z falls as the plane rises (its stage
 *   scan's z is −(k·d − span/2)). Laterally the emitter is the middle sample, (n − 1)/2.
 * - **SMAPpy** (`format` attribute "smappy-spline-calibration", `smappy.io.calibration`):
 *   dataset `coeff` (float32, (64, nz−1, ny−1, nx−1) C-order: coefficient slowest, then z, y, x;
 *   coefficient `16·pz + 4·py + px`), attributes `dz` (nm), `z0` (plane of the focus) and `x0`
 *   (the emitter's sample, both axes; absent: the middle). z = −(w − z0)·dz.
 * - **SMAP** `*_3dcal.mat` saved as MATLAB v7.3 (HDF5 behind a 512-byte user block):
 *   `SXY/cspline` (or `cspline`) with `coeff` (a MATLAB (n1, n2, nz, 64) array, or a cell of
 *   them: the first is read), `dz`, `z0`, `x0`. MATLAB's first axis is the image row (y), and
 *   in its coefficient index `16·pz + 4·p2 + p1` the row power p1 is the fastest
 *   (`kernel_computeDelta3D`, whose "x" is the row): both are swapped into ours. z = −(w − z0)·dz
 *   with w the kernel's 0-based plane coordinate (SMAP's `znm`, refractive-index factor left
 *   out); the emitter's sample is x0 − 1 (x0 counts from 1; absent: the middle).
 *
 * @param path - the file
 * @returns the spline and its origin
 * @throws InputFileError naming the file when it is not one of these layouts or is inconsistent
 */
export async function readSplineCalibration(path: string): Promise<SplineCalibrationFile> {
  if (!existsSync(path)) throw new InputFileError(`${path}: no such file`);
  const hdf5 = await Hdf5Library.load();
  let file: H5;
  try {
    file = new hdf5.h5wasm.File(path, 'r');
  } catch {
    throw new InputFileError(`${path}: not an HDF5 file (a spline calibration is HDF5: Picasso's *_spline_calib.hdf5, SMAPpy's, or SMAP's _3dcal.mat saved as v7.3)`);
  }
  try {
    const attrs = file.attrs;
    if (attrs.metadata !== undefined && file.get('coefficients') !== null) return readPicasso(path, file);
    if (attrs.format !== undefined && String(attrs.format.value) === 'smappy-spline-calibration') return readSmappy(path, file);
    const cspline = file.get('SXY/cspline') ?? file.get('cspline');
    if (cspline !== null) return readSmap(path, file, cspline);
    throw new InputFileError(`${path}: an HDF5 file, but no spline calibration in it (looked for Picasso's "coefficients" + "metadata", SMAPpy's "coeff" + format attribute, SMAP's SXY/cspline)`);
  } finally {
    file.close();
  }
}

function readPicasso(path: string, file: H5): SplineCalibrationFile {
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(String(file.attrs.metadata.value)) as Record<string, unknown>;
  } catch {
    throw new InputFileError(`${path}: the "metadata" attribute is not JSON`);
  }
  if (meta.model !== 'spline-3d') throw new InputFileError(`${path}: a Picasso "${String(meta.model)}" calibration; only "spline-3d" (one channel) is read`);
  const dataset = file.get('coefficients') as unknown as { shape: number[] | null; value: unknown };
  const shape = dataset.shape ?? [];
  const data = float32(dataset.value);
  const nData = numbers(meta.n_data, 3);
  const voxels = nData ? nData.map((n) => n - 1) : shape.slice(1);
  if (voxels.length !== 3 || voxels.some((n) => !(Number.isInteger(n) && n >= 1))) throw new InputFileError(`${path}: cannot tell the spline's size (n_data ${JSON.stringify(meta.n_data)}, coefficients shape ${JSON.stringify(shape)})`);
  const [vx, vy, vz] = voxels;
  if (data.length !== SPLINE_COEFFICIENTS * vx * vy * vz) throw new InputFileError(`${path}: ${data.length} coefficients for ${vx}×${vy}×${vz} voxels (64 each expected)`);
  const step = positive(meta.z_step_nm, path, 'z_step_nm');
  const magnification = meta.magnification_factor === undefined ? 1 : positive(meta.magnification_factor, path, 'magnification_factor');
  const zCenter = finite(meta.z_center, path, 'z_center');
  let spline: SplinePsf = { voxelsX: vx, voxelsY: vy, voxelsZ: vz, zStartNm: zCenter * step * magnification, dzNm: -step * magnification, centerXPx: vx / 2, centerYPx: vy / 2, coefficients: data };
  const record = meta[SPLINE_FILE_RECORD_KEY] as Record<string, unknown> | undefined;
  // Our own files: the exact geometry written (the Picasso numbers are it, up to rounding).
  if (record && record.flipped_z === false && typeof record.z_start_nm === 'number' && typeof record.dz_nm === 'number' && Math.abs(record.dz_nm - spline.dzNm) <= 1e-9 * step && Math.abs(record.z_start_nm - spline.zStartNm) <= 1e-6 * step) {
    spline = { ...spline, zStartNm: record.z_start_nm, dzNm: record.dz_nm };
  }
  const pixelSizeNm = typeof meta.pixelsize === 'number' && meta.pixelsize > 0 ? meta.pixelsize : undefined;
  const boxPx = Number.isInteger(meta.box) && (meta.box as number) >= 1 ? (meta.box as number) : undefined;
  return { spline, format: 'picasso', pixelSizeNm, record, boxPx };
}

function readSmappy(path: string, file: H5): SplineCalibrationFile {
  const attrs = file.attrs;
  const order = attrs.coefficient_order ? String(attrs.coefficient_order.value) : '';
  if (order !== '64,z,y,x;16*pz+4*py+px') throw new InputFileError(`${path}: SMAPpy coefficient order "${order}" is not the one read ("64,z,y,x;16*pz+4*py+px")`);
  const dataset = file.get('coeff') as unknown as { shape: number[] | null; value: unknown } | null;
  if (!dataset) throw new InputFileError(`${path}: a SMAPpy calibration without its "coeff" dataset`);
  const shape = dataset.shape ?? [];
  if (shape.length !== 4 || shape[0] !== SPLINE_COEFFICIENTS) throw new InputFileError(`${path}: SMAPpy "coeff" has shape ${JSON.stringify(shape)}, not (64, nz, ny, nx)`);
  const [, vz, vy, vx] = shape;
  const src = float32(dataset.value);
  const voxels = vx * vy * vz;
  const out = new Float32Array(src.length);
  for (let c = 0; c < SPLINE_COEFFICIENTS; c++) for (let v = 0; v < voxels; v++) out[v * SPLINE_COEFFICIENTS + c] = src[c * voxels + v];
  const dz = positive(scalar(attrs.dz?.value), path, 'dz');
  const z0 = finite(scalar(attrs.z0?.value), path, 'z0');
  const x0 = attrs.x0 === undefined ? undefined : finite(scalar(attrs.x0.value), path, 'x0');
  const spline: SplinePsf = { voxelsX: vx, voxelsY: vy, voxelsZ: vz, zStartNm: z0 * dz, dzNm: -dz, centerXPx: x0 ?? vx / 2, centerYPx: x0 !== undefined && vx === vy ? x0 : vy / 2, coefficients: out };
  return { spline, format: 'smappy' };
}

function readSmap(path: string, file: H5, cspline: Entity): SplineCalibrationFile {
  const group = cspline as unknown as { get(name: string): Entity };
  const field = (name: string) => resolve(file, group.get(name));
  let coeff = field('coeff');
  if (!coeff) throw new InputFileError(`${path}: SMAP cspline without "coeff"`);
  // A cell array of channels: a dataset of object references; the first channel is read.
  const cell = coeff.value;
  if (Array.isArray(cell) || (cell !== null && typeof cell === 'object' && !ArrayBuffer.isView(cell))) coeff = resolve(file, coeff);
  const shape = coeff?.shape ?? [];
  if (!coeff || shape.length !== 4 || shape[0] !== SPLINE_COEFFICIENTS) throw new InputFileError(`${path}: SMAP cspline.coeff has shape ${JSON.stringify(shape)} (HDF5 order), not (64, nz, n2, n1)`);
  const [, vz, vx, vy] = shape; // MATLAB (n1 = rows = y, n2 = columns = x, nz, 64), reversed by HDF5
  const src = float32(coeff.value);
  const out = new Float32Array(src.length);
  for (let z = 0; z < vz; z++) {
    for (let y = 0; y < vy; y++) {
      for (let x = 0; x < vx; x++) {
        const to = ((z * vy + y) * vx + x) * SPLINE_COEFFICIENTS;
        for (let pz = 0; pz < 4; pz++) {
          for (let py = 0; py < 4; py++) {
            for (let px = 0; px < 4; px++) {
              const matlab = 16 * pz + 4 * px + py;
              out[to + 16 * pz + 4 * py + px] = src[((matlab * vz + z) * vx + x) * vy + y];
            }
          }
        }
      }
    }
  }
  const dz = positive(scalar(field('dz')?.value), path, 'cspline.dz');
  const z0 = finite(scalar(field('z0')?.value), path, 'cspline.z0');
  // x0 is a MATLAB index (SMAP's calibrate3D: cspline.x0 = dRx + 1, the centre pixel counted
  // from 1): 1 off. z0 is not: SMAP's spline fitters take coordinates in the spline's own
  // corner-based sample units (planes from 0), and SMAP and its fitter examples turn a fitted z
  // into nm as (z_fit − z0)·dz and a depth into the fitter's z as z/dz + z0 (DECODE's loader reads
  // it the same way: x0 − 1, z0 as is). So z = 0 is sample plane w = z0, whatever z0's origin in
  // the calibration code (round((planes + 1)/2) in older versions, the focus in newer).
  const x0Field = field('x0');
  const x0 = x0Field ? finite(scalar(x0Field.value), path, 'cspline.x0') - 1 : undefined;
  const spline: SplinePsf = { voxelsX: vx, voxelsY: vy, voxelsZ: vz, zStartNm: z0 * dz, dzNm: -dz, centerXPx: x0 ?? vx / 2, centerYPx: x0 ?? vy / 2, coefficients: out };
  return { spline, format: 'smap' };
}

/** A dataset, following a MATLAB object reference (a cell or struct-array element) to its target. */
function resolve(file: H5, entity: unknown): { shape: number[] | null; value: unknown } | undefined {
  if (!entity) return undefined;
  const dataset = entity as unknown as { shape: number[] | null; value: unknown };
  const value = dataset.value;
  const first = Array.isArray(value) ? value[0] : undefined;
  if (first !== undefined && typeof first === 'object' && first !== null && !ArrayBuffer.isView(first)) {
    const target = file.dereference(first as Parameters<H5['dereference']>[0]);
    return (target ?? undefined) as unknown as { shape: number[] | null; value: unknown } | undefined;
  }
  return dataset;
}

function float32(value: unknown): Float32Array {
  if (value instanceof Float32Array) return value;
  if (ArrayBuffer.isView(value) || Array.isArray(value)) return Float32Array.from(value as ArrayLike<number>);
  return new Float32Array(0);
}

function scalar(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (ArrayBuffer.isView(value) || Array.isArray(value)) return Number((value as ArrayLike<number>)[0]);
  return Number.NaN;
}

function numbers(value: unknown, length: number): number[] | undefined {
  return Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'number') ? (value as number[]) : undefined;
}

function finite(value: unknown, path: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InputFileError(`${path}: ${name} is missing or not a number`);
  return value;
}

function positive(value: unknown, path: string, name: string): number {
  const v = finite(value, path, name);
  if (!(v > 0)) throw new InputFileError(`${path}: ${name} must be positive, got ${v}`);
  return v;
}
