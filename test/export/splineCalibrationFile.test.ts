import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InputFileError } from '../../src/errors/InputFileError.js';
import { Hdf5Library } from '../../src/export/Hdf5Library.js';
import { readSplineCalibration } from '../../src/export/readSplineCalibration.js';
import { flipSplineZ, writeSplineCalibration } from '../../src/export/writeSplineCalibration.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import { SplineEvaluator } from '../../src/fit/spline/SplineEvaluator.js';
import type { SplinePsf } from '../../src/fit/spline/SplinePsf.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-spline-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A PSF that is asymmetric in x, y and z (its centre drifts with z, it is wider in x than in y,
// and brighter above focus than below), so an axis swapped or a z flipped changes its values.
const NX = 9;
const NY = 7;
const NZ = 11;
function asymmetricVolume(): Float64Array {
  const v = new Float64Array(NX * NY * NZ);
  for (let z = 0; z < NZ; z++) {
    const t = z / (NZ - 1);
    for (let y = 0; y < NY; y++) {
      for (let x = 0; x < NX; x++) {
        const dx = x - 4 - 1.2 * t;
        const dy = y - 3 + 0.6 * t;
        v[(z * NY + y) * NX + x] = (1 + 2 * t) * Math.exp(-(dx * dx) / (2 * 1.8 ** 2) - (dy * dy) / (2 * 1.1 ** 2));
      }
    }
  }
  return v;
}

/** The PSF at (pixel offset from the emitter, depth): through our evaluator. */
function valueAt(spline: SplinePsf, dxPx: number, dyPx: number, zNm: number): number {
  const out = new Float64Array(4);
  new SplineEvaluator(spline).at(spline.centerXPx + dxPx, spline.centerYPx + dyPx, (zNm - spline.zStartNm) / spline.dzNm, out);
  return out[0];
}

describe('spline calibration files', () => {
  it('round-trips a spline written by calibrate-psf (z falling with the plane) bit for bit', async () => {
    const spline = buildSpline(asymmetricVolume(), NX, NY, NZ, -20, { zStartNm: 100 });
    const path = join(dir, 'roundtrip.h5');
    await writeSplineCalibration(path, spline, { pixelSizeNm: 110, beads: 9, record: { zOrigin: 'test' } });
    const read = await readSplineCalibration(path);
    assert.equal(read.format, 'picasso');
    assert.equal(read.pixelSizeNm, 110);
    assert.deepEqual(read.spline.coefficients, Float32Array.from(spline.coefficients)); // the file holds float32 (Picasso's dtype)
    assert.deepEqual({ ...read.spline, coefficients: null }, { ...spline, coefficients: null });
    assert.equal(read.record?.zOrigin, 'test');
  });

  it("writes Picasso's layout: its axes, monomial order and z convention give the samples back", async () => {
    // z rising with the plane: the writer flips it for Picasso (z_step_nm > 0).
    const volume = asymmetricVolume();
    const zStartNm = -100;
    const dzNm = 20;
    const spline = buildSpline(volume, NX, NY, NZ, dzNm, { zStartNm });
    const path = join(dir, 'picasso.h5');
    await writeSplineCalibration(path, spline, { pixelSizeNm: 100 });
    // Read it as Picasso does (picasso.fitting.precision._spline_coeff_reshaped and
    // splinefit._eval_spline_3d), independently of our reader: the flat buffer is
    // (niz, niy, nix, zp, yp, xp); native x of pixel i is i − x_shift (x first); plane k is at
    // z = (z_center − k)·z_step_nm·magnification_factor.
    const hdf5 = await Hdf5Library.load();
    const file = new hdf5.h5wasm.File(path, 'r');
    const meta = JSON.parse(String(file.attrs.metadata.value)) as Record<string, number & number[]>;
    const coefficients = (file.get('coefficients') as unknown as { value: Float32Array; shape: number[] });
    assert.deepEqual(coefficients.shape, [64, NX - 1, NY - 1, NZ - 1]);
    const c = coefficients.value;
    file.close();
    assert.equal(meta.model as unknown, 'spline-3d');
    assert.deepEqual(meta.n_data, [NX, NY, NZ]);
    assert.ok(meta.z_step_nm > 0);
    const picasso = (u: number, v: number, w: number) => {
      const [nix, niy, niz] = [NX - 1, NY - 1, NZ - 1];
      const i = Math.min(nix - 1, Math.floor(u)), j = Math.min(niy - 1, Math.floor(v)), k = Math.min(niz - 1, Math.floor(w));
      const fx = u - i, fy = v - j, fz = w - k;
      let sum = 0;
      for (let zp = 0; zp < 4; zp++) for (let yp = 0; yp < 4; yp++) for (let xp = 0; xp < 4; xp++) {
        sum += c[((((k * niy + j) * nix + i) * 4 + zp) * 4 + yp) * 4 + xp] * fx ** xp * fy ** yp * fz ** zp;
      }
      return sum;
    };
    let worst = 0;
    for (let iz = 0; iz < NZ; iz++) {
      const z = zStartNm + iz * dzNm;
      const w = meta.z_center - z / (meta.z_step_nm * meta.magnification_factor);
      for (let iy = 0; iy < NY; iy++) {
        for (let ix = 0; ix < NX; ix++) worst = Math.max(worst, Math.abs(picasso(ix, iy, w) - volume[(iz * NY + iy) * NX + ix]));
      }
    }
    // float32 coefficients (7 digits) of samples up to 3: a few 1e-6 of rounding.
    assert.ok(worst < 1e-5, `Picasso's reading of the samples is off by ${worst}`);
    // And our reader gives the same PSF at any point (between samples too), z unchanged.
    const read = (await readSplineCalibration(path)).spline;
    assert.ok(read.dzNm < 0);
    for (const [dx, dy, z] of [[0.3, -0.7, -55], [-1.4, 0.9, 37], [2.2, 1.6, 90]]) {
      assert.ok(Math.abs(valueAt(read, dx, dy, z) - valueAt(spline, dx, dy, z)) < 1e-5, `at (${dx}, ${dy}, ${z})`);
    }
  });

  it('flipSplineZ keeps every value and reverses the planes', () => {
    const spline = buildSpline(asymmetricVolume(), NX, NY, NZ, 25, { zStartNm: -30 });
    const flipped = flipSplineZ(spline);
    assert.equal(flipped.dzNm, -25);
    assert.equal(flipped.zStartNm, -30 + 10 * 25);
    for (const [dx, dy, z] of [[0.1, 0.2, -12], [1.3, -1.1, 101], [-2.5, 0.4, 219]]) {
      assert.ok(Math.abs(valueAt(flipped, dx, dy, z) - valueAt(spline, dx, dy, z)) < 1e-5);
    }
  });

  it("reads SMAPpy's layout: (64, z, y, x), z = −(w − z0)·dz", async () => {
    const spline = buildSpline(asymmetricVolume(), NX, NY, NZ, 30);
    const [vx, vy, vz] = [NX - 1, NY - 1, NZ - 1];
    const voxels = vx * vy * vz;
    const coeff = new Float32Array(64 * voxels);
    for (let v = 0; v < voxels; v++) for (let m = 0; m < 64; m++) coeff[m * voxels + v] = spline.coefficients[v * 64 + m];
    const z0 = 4.5;
    const dz = 30;
    const path = join(dir, 'smappy.h5');
    const hdf5 = await Hdf5Library.load();
    const file = new hdf5.h5wasm.File(path, 'w');
    file.create_dataset({ name: 'coeff', data: coeff, shape: [64, vz, vy, vx], dtype: '<f' });
    file.create_attribute('format', 'smappy-spline-calibration');
    file.create_attribute('coefficient_order', '64,z,y,x;16*pz+4*py+px');
    file.create_attribute('dz', dz);
    file.create_attribute('z0', z0);
    file.close();
    const read = await readSplineCalibration(path);
    assert.equal(read.format, 'smappy');
    assert.deepEqual(read.spline.coefficients, Float32Array.from(spline.coefficients)); // the file holds float32 (Picasso's dtype)
    // Plane w is at −(w − z0)·dz: plane 0 at z0·dz, falling by dz a plane.
    assert.equal(read.spline.zStartNm, z0 * dz);
    assert.equal(read.spline.dzNm, -dz);
    assert.equal(read.spline.centerXPx, vx / 2);
    assert.equal(read.spline.centerYPx, vy / 2);
  });

  it("reads SMAP's _3dcal.mat (v7.3): rows first, the row power fastest, x0 from 1", async () => {
    const spline = buildSpline(asymmetricVolume(), NX, NY, NZ, 10);
    const [vx, vy, vz] = [NX - 1, NY - 1, NZ - 1];
    // MATLAB's coeff(n1 = y, n2 = x, z, 64), coefficient 16·pz + 4·px + py, column-major: HDF5
    // sees dims (64, z, x, y) with y fastest.
    const mat = new Float32Array(64 * vx * vy * vz);
    for (let z = 0; z < vz; z++) for (let y = 0; y < vy; y++) for (let x = 0; x < vx; x++) {
      for (let pz = 0; pz < 4; pz++) for (let py = 0; py < 4; py++) for (let px = 0; px < 4; px++) {
        mat[(((16 * pz + 4 * px + py) * vz + z) * vx + x) * vy + y] = spline.coefficients[((z * vy + y) * vx + x) * 64 + 16 * pz + 4 * py + px];
      }
    }
    const path = join(dir, 'beads_3dcal.mat');
    const hdf5 = await Hdf5Library.load();
    const file = new hdf5.h5wasm.File(path, 'w');
    file.create_group('SXY');
    file.create_group('SXY/cspline');
    file.create_dataset({ name: 'SXY/cspline/coeff', data: mat, shape: [64, vz, vx, vy], dtype: '<f' });
    file.create_dataset({ name: 'SXY/cspline/dz', data: new Float64Array([10]), shape: [1, 1] });
    file.create_dataset({ name: 'SXY/cspline/z0', data: new Float64Array([5]), shape: [1, 1] });
    file.create_dataset({ name: 'SXY/cspline/x0', data: new Float64Array([4]), shape: [1, 1] });
    file.close();
    // MATLAB v7.3 puts a 512-byte header (a user block) before the HDF5 superblock; HDF5's
    // addresses count from the superblock, so prefixing one keeps the file valid.
    const header = Buffer.alloc(512, 0x20);
    header.write('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Dec  7 08:00:00 2026 HDF5 schema 1.00 .');
    writeFileSync(path, Buffer.concat([header, readFileSync(path)]));
    const read = await readSplineCalibration(path);
    assert.equal(read.format, 'smap');
    assert.deepEqual(read.spline.coefficients, Float32Array.from(spline.coefficients)); // the file holds float32 (Picasso's dtype)
    // z0 = 5 is used as SMAP's fitter uses it (corner-based planes, not 1 off as x0): plane
    // w = 5 is z = 0, plane 0 is +z0·dz = 50 nm; x0 = 4 (from 1) is sample 3.
    assert.equal(read.spline.zStartNm, 50);
    assert.equal(read.spline.dzNm, -10);
    assert.equal(read.spline.zStartNm + 5 * read.spline.dzNm, 0);
    assert.equal(read.spline.centerXPx, 3);
  });

  it('refuses, naming the file, what is not a spline calibration', async () => {
    const text = join(dir, 'notes.h5');
    writeFileSync(text, 'not hdf5');
    await assert.rejects(readSplineCalibration(text), (e: unknown) => e instanceof InputFileError && e.message.startsWith(`${text}: not an HDF5 file`));
    const other = join(dir, 'other.h5');
    const hdf5 = await Hdf5Library.load();
    const file = new hdf5.h5wasm.File(other, 'w');
    file.create_dataset({ name: 'locs', data: new Float32Array(3) });
    file.close();
    await assert.rejects(readSplineCalibration(other), (e: unknown) => e instanceof InputFileError && e.message.startsWith(`${other}: an HDF5 file, but no spline calibration`));
    await assert.rejects(readSplineCalibration(join(dir, 'missing.h5')), InputFileError);
  });

  it("refuses to write a spline Picasso would read off-centre", async () => {
    const spline = { ...buildSpline(asymmetricVolume(), NX, NY, NZ, -20), centerXPx: 3 };
    await assert.rejects(writeSplineCalibration(join(dir, 'off.h5'), spline, { pixelSizeNm: 100 }), RangeError);
  });
  it("records the measured box as Picasso's box, and effective_sigma within it, not over the padding", async () => {
    // A Gaussian PSF of σ 1.3 px measured over 11 px, on a small positive floor (what a bead's
    // background subtraction leaves), and the same padded to 21 px by repeating its border
    // samples (calibrate-psf's padding): the padded spline's σ and box are the measured ones.
    const P = 11;
    const S = 21;
    const Z = 5;
    const sample = (x: number, y: number) => 0.002 + Math.exp(-((x - 5) ** 2 + (y - 5) ** 2) / (2 * 1.3 ** 2));
    const measured = new Float64Array(P * P * Z);
    const padded = new Float64Array(S * S * Z);
    const m = (S - P) / 2;
    const clamp = (i: number) => Math.min(P - 1, Math.max(0, i - m));
    for (let z = 0; z < Z; z++) {
      for (let y = 0; y < P; y++) for (let x = 0; x < P; x++) measured[(z * P + y) * P + x] = sample(x, y);
      for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) padded[(z * S + y) * S + x] = sample(clamp(x), clamp(y));
    }
    const meta = async (name: string, spline: SplinePsf, boxPx?: number) => {
      const path = join(dir, name);
      await writeSplineCalibration(path, spline, { pixelSizeNm: 100, boxPx });
      const hdf5 = await Hdf5Library.load();
      const file = new hdf5.h5wasm.File(path, 'r');
      const m = JSON.parse(String(file.attrs.metadata.value)) as { box: number; effective_sigma: number };
      file.close();
      return m;
    };
    const own = await meta('measured.h5', buildSpline(measured, P, P, Z, -20));
    const wide = await meta('padded.h5', buildSpline(padded, S, S, Z, -20), P);
    const unstated = await meta('padded-unstated.h5', buildSpline(padded, S, S, Z, -20));
    assert.equal(own.box, P);
    assert.equal(wide.box, P);
    // √(⟨r²⟩/2) over the box's P² measured samples, by hand: equal to float32 rounding (the
    // file's coefficients are float32, 1e-6 relative).
    let sum = 0;
    let r2 = 0;
    for (let y = 0; y < P; y++) for (let x = 0; x < P; x++) {
      sum += sample(x, y);
      r2 += sample(x, y) * ((x - 5) ** 2 + (y - 5) ** 2);
    }
    const byHand = Math.sqrt(r2 / sum / 2);
    assert.ok(Math.abs(wide.effective_sigma - byHand) < 1e-5, `${wide.effective_sigma} against ${byHand}`);
    // Over the padding the floor, repeated at large r², inflates it (the reason for boxPx).
    assert.ok(unstated.effective_sigma > own.effective_sigma * 1.1, `${unstated.effective_sigma} against ${own.effective_sigma}`);
  });
});
