import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shiftVolume, shiftVolumeScratch } from '../../src/astig/shiftVolume.js';
import { PupilPsf } from '../../src/simulate/PupilPsf.js';

/** One plane (planes = 1) of `rows` × `columns`, shifted along x by `dx` px. */
function shiftX(plane: Float64Array, rows: number, columns: number, dx: number, lateral: 'spline' | 'fourier'): Float64Array {
  const out = new Float64Array(plane.length);
  shiftVolume(plane, 1, rows, columns, 0, 0, dx, out, shiftVolumeScratch(1, rows, columns), lateral);
  return out;
}

describe('shiftVolume: lateral resampling', () => {
  it("'fourier' is exact on a band-limited periodic line level at its ends plus a straight line, odd and even lengths; the identity at shift 0", () => {
    for (const L of [27, 28]) {
      // Periodic, band-limited and symmetric about −½: f(L − 1) = f(−1) = f(0), so the end line
      // taken off is g's ramp and a constant, and what is left is band-limited: exact.
      const f = (x: number) => Math.cos((2 * Math.PI * 3 * (x + 0.5)) / L) + 0.5 * Math.cos((2 * Math.PI * 7 * (x + 0.5)) / L);
      const g = (x: number) => f(x) + 0.2 + 0.05 * x;
      const line = Float64Array.from({ length: L }, (_, j) => g(j));
      const shifted = shiftX(line, 1, L, 0.37, 'fourier');
      for (let i = 0; i < L; i++) assert.ok(Math.abs(shifted[i] - g(i + 0.37)) < 1e-12, `L ${L}, sample ${i}: ${shifted[i]} vs ${g(i + 0.37)}`);
      const ramp = Float64Array.from({ length: L }, (_, j) => 2 + 0.3 * j);
      shiftX(ramp, 1, L, -0.6, 'fourier').forEach((v, i) => assert.ok(Math.abs(v - (2 + 0.3 * (i - 0.6))) < 1e-12));
      shiftX(line, 1, L, 0, 'fourier').forEach((v, i) => assert.ok(Math.abs(v - line[i]) < 1e-12));
    }
  });

  it('moves a pixel-integrated pupil PSF (NA 1.2, 100 nm pixels, −500 nm) closer to the one imaged there than the cubic spline does', () => {
    // The spline through pixel-integrated samples smooths the PSF's fine structure; the PSF is
    // sampled finer than λ/(4·NA) (121 nm), so the trigonometric interpolant is near exact but
    // for the window's ends (its tails wrap around). Measured: RMS error 3.2× smaller.
    const psf = new PupilPsf(100, { numericalAperture: 1.2, immersionIndex: 1.33, wavelengthNm: 580, astigmatismNm: 70, sphericalNm: -35 });
    const side = 27, c = 13.5;
    const plane = (x: number) => {
      const p = new Float64Array(side * side);
      psf.add(p, side, side, x, c, 1, -500);
      return p;
    };
    const at = plane(c), moved = plane(c - 0.43);
    const error = (lateral: 'spline' | 'fourier') => {
      const s = shiftX(at, side, side, 0.43, lateral);
      let e = 0;
      // The central 21 px (calibrate-psf's box inside its 3 px margins).
      for (let r = 3; r < side - 3; r++) for (let k = 3; k < side - 3; k++) e += (s[r * side + k] - moved[r * side + k]) ** 2;
      return Math.sqrt(e);
    };
    const spline = error('spline'), fourier = error('fourier');
    assert.ok(fourier < spline / 2, `RMS error fourier ${fourier.toExponential(2)}, spline ${spline.toExponential(2)}`);
  });
});
