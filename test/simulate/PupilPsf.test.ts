import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fitEllipticalSpot } from '../../src/astig/fitEllipticalSpot.js';
import { PupilPsf, resolvePupilPsfOptions } from '../../src/simulate/PupilPsf.js';

/** The optics of the tests: NA 1.49 oil, 670 nm, 100 nm pixels; planes every 50 nm (fewer to compute). */
const OPTICS = { numericalAperture: 1.49, wavelengthNm: 670, zStepNm: 50 };
const PIXEL = 100;

/** σx, σy of a spot at z through the PSF, nm: 10⁶ photons drawn noise-free at a pixel's centre, the elliptical fit (+1 photon/px of background). */
function widths(psf: PupilPsf, zNm: number): { x: number; y: number } {
  const w = 21;
  const image = new Float64Array(w * w);
  psf.add(image, w, w, 10.5, 10.5, 1e6, zNm);
  const f = fitEllipticalSpot(image.map((v) => v + 1), w, { sigmaPx: 1.5 });
  assert.ok(f.ok, `z ${zNm}`);
  return { x: f.sigmaX * PIXEL, y: f.sigmaY * PIXEL };
}

describe('the pupil-function PSF', () => {
  test('it integrates to 1: a large window holds nearly all, the drawing window a little less, every sub-pixel position the same', () => {
    // An 8 µm plane: the Airy pattern's tails beyond 4 µm hold ~0.5–1 % (the encircled energy
    // of an Airy disk approaches 1 as 1 − 2/(π²·2πNA·r/λ)); the sum is ≤ 1 + rounding.
    const big = new PupilPsf(PIXEL, { ...OPTICS, astigmatismNm: 0, windowNm: 8000 });
    for (const z of [0, 400]) {
      const plane = big.plane(z);
      const sum = plane.reduce((s, v) => s + v, 0);
      assert.ok(sum > 0.98 && sum < 1 + 1e-9, `z ${z}: ${sum}`);
    }
    const psf = new PupilPsf(PIXEL, OPTICS);
    const totals = [0, 0.13, 0.5, 0.77].map((shift) => {
      const image = new Float64Array(40 * 40);
      psf.add(image, 40, 40, 20 + shift, 20 + shift / 2, 1000, 0);
      return image.reduce((s, v) => s + v, 0) / 1000;
    });
    // The 2.6 µm window midway between the foci holds 0.97 of the photons; the bilinear shift moves the sum by < 0.1 %.
    for (const t of totals) assert.ok(t > 0.95 && t < 0.99 && Math.abs(t - totals[0]) < 1e-3, JSON.stringify(totals));
    // Clipped at the image's edge: a spot on the corner pixel keeps that pixel, half of its row
    // and column and a quarter of the rest (0.41 measured), and loses the light off the image.
    const corner = new Float64Array(40 * 40);
    psf.add(corner, 40, 40, 0.5, 0.5, 1000, 0);
    const inCorner = corner.reduce((s, v) => s + v, 0) / 1000;
    assert.ok(inCorner > 0.3 && inCorner < 0.5, String(inCorner));
  });

  test('in focus without aberrations: the Airy pattern, its first zero at 0.61 λ/NA and its Gaussian width near 0.21 λ/NA', () => {
    const psf = new PupilPsf(PIXEL, { ...OPTICS, astigmatismNm: 0 });
    const plane = psf.plane(0);
    const side = 2 * psf.gridHalf + 1;
    const h = PIXEL / psf.options.oversampling;
    // Along the row through the centre, the first minimum: the Airy disk's radius 0.61 λ/NA = 274 nm, found to a grid step (20 nm).
    const row = psf.gridHalf * side;
    let m = psf.gridHalf + 1;
    while (plane[row + m + 1] < plane[row + m]) m++;
    const radius = (m - psf.gridHalf) * h;
    assert.ok(Math.abs(radius - (0.61 * 670) / 1.49) <= h, `first zero at ${radius} nm`);
    assert.ok(plane[row + m] < 1e-3 * plane[row + psf.gridHalf], 'a zero, not a dip');
    // The best pixel-integrated Gaussian (Poisson MLE on 100 nm pixels): Zhang et al., Appl. Opt.
    // 46:1819 (2007), give σ ≈ 0.21 λ/NA = 94 nm for the paraxial Airy pattern. The Airy pattern
    // is not a Gaussian, so its best Gaussian depends on the pixel and the weighting: measured
    // 0.97 × at 100 nm pixels, 0.90 × at 50 nm (the core outweighs the rings); within 10 %.
    const w = widths(psf, 0);
    assert.ok(Math.abs(w.x - w.y) < 0.1, JSON.stringify(w));
    assert.ok(Math.abs(w.x / ((0.21 * 670) / 1.49) - 1) < 0.1, JSON.stringify(w));
  });

  test('astigmatism separates the foci of x and y (x below), symmetric without spherical aberration', () => {
    const psf = new PupilPsf(PIXEL, { ...OPTICS, astigmatismNm: 80 });
    const depths = [-400, -300, -200, -150, -100, 0, 100, 150, 200, 300, 400];
    const w = depths.map((z) => widths(psf, z));
    const narrowest = (axis: 'x' | 'y') => depths[w.reduce((best, v, i) => (v[axis] < w[best][axis] ? i : best), 0)];
    // 80 nm RMS of astigmatism: the paraxial estimate puts the foci at ∓2n·√6·a/NA² ≈ ∓270 nm;
    // the high-NA defocus (faster at the pupil's edge) brings them in to ∓200 nm (measured).
    assert.ok(narrowest('x') <= -150 && narrowest('x') >= -300, `x focus ${narrowest('x')}`);
    assert.ok(narrowest('y') >= 150 && narrowest('y') <= 300, `y focus ${narrowest('y')}`);
    // z = 0 is round; ±z mirror x and y (no spherical aberration: W and the defocus are even in z's sign).
    const mid = w[depths.indexOf(0)];
    assert.ok(Math.abs(mid.x - mid.y) < 0.1, JSON.stringify(mid));
    const plus = w[depths.indexOf(300)];
    const minus = w[depths.indexOf(-300)];
    assert.ok(Math.abs(plus.x - minus.y) < 0.1 && Math.abs(plus.y - minus.x) < 0.1, JSON.stringify([plus, minus]));
    // Spherical aberration breaks that symmetry (the beads' plot: the widths level off above focus).
    const spherical = new PupilPsf(PIXEL, { ...OPTICS, astigmatismNm: 80, sphericalNm: 30 });
    const sp = widths(spherical, 300);
    const sm = widths(spherical, -300);
    assert.ok(Math.abs(sp.x - sm.y) > 5, JSON.stringify([sp, sm]));
  });

  test('deterministic: the same options give the same pixels, and z between two planes lies between them', () => {
    const a = new PupilPsf(PIXEL, { ...OPTICS, sphericalNm: 20 });
    const b = new PupilPsf(PIXEL, { ...OPTICS, sphericalNm: 20 });
    const draw = (psf: PupilPsf, z: number) => {
      const image = new Float64Array(32 * 32);
      psf.add(image, 32, 32, 15.3, 16.8, 5000, z);
      return image;
    };
    assert.deepEqual(draw(a, 130), draw(b, 130));
    const low = draw(a, 100);
    const high = draw(a, 150);
    const between = draw(a, 130);
    for (let i = 0; i < between.length; i++) assert.ok(Math.abs(between[i] - (0.4 * low[i] + 0.6 * high[i])) < 1e-9 * 5000);
  });

  test('options are checked, naming the option', () => {
    assert.throws(() => resolvePupilPsfOptions({ numericalAperture: 1.6 }), /pupil PSF option numericalAperture \(1\.6\) must be below the immersion index \(1\.518\)/);
    assert.throws(() => resolvePupilPsfOptions({ wavelengthNm: 0 }), /wavelengthNm must be > 0/);
    assert.throws(() => resolvePupilPsfOptions({ oversampling: 2.5 }), /oversampling must be a whole number/);
    assert.equal(resolvePupilPsfOptions({ immersionIndex: 1.52 }).sampleIndex, 1.52);
  });

  test('coma tilts the spot along x alone, trefoil is mirror-symmetric about the x axis only', () => {
    const side = 31;
    const draw = (o: object) => {
      const image = new Float64Array(side * side);
      new PupilPsf(100, { astigmatismNm: 0, ...o }).add(image, side, side, side / 2, side / 2, 1, 0);
      return image;
    };
    /** Centroid offsets (px) and the largest difference under the mirrors x → −x and y → −y, relative to the peak. */
    const shape = (image: Float64Array) => {
      let s = 0, sx = 0, sy = 0, top = 0, mirrorX = 0, mirrorY = 0;
      for (let r = 0; r < side; r++) {
        for (let c = 0; c < side; c++) {
          const v = image[r * side + c];
          s += v; sx += v * (c - (side - 1) / 2); sy += v * (r - (side - 1) / 2); top = Math.max(top, v);
          mirrorX = Math.max(mirrorX, Math.abs(v - image[r * side + side - 1 - c]));
          mirrorY = Math.max(mirrorY, Math.abs(v - image[(side - 1 - r) * side + c]));
        }
      }
      return { x: sx / s, y: sy / s, mirrorX: mirrorX / top, mirrorY: mirrorY / top };
    };
    const plain = shape(draw({}));
    const coma = shape(draw({ comaNm: 40 }));
    const trefoil = shape(draw({ trefoilNm: 40 }));
    // Float32 planes: symmetric to ~1e-6 of the peak.
    for (const v of [plain.mirrorX, plain.mirrorY, coma.mirrorY, trefoil.mirrorY, Math.abs(coma.y)]) assert.ok(v < 1e-4, `${v}`);
    // 40 nm of coma or trefoil moves light across x's mirror (measured 0.10 and 0.089 of the peak;
    // 0 without: the bound is half of that, far above the float32 noise).
    assert.ok(coma.mirrorX > 0.04 && trefoil.mirrorX > 0.04, `coma ${coma.mirrorX}, trefoil ${trefoil.mirrorX}`);
    assert.ok(Math.abs(coma.x) > 0.05, `coma's centroid ${coma.x} px`);
    assert.throws(() => resolvePupilPsfOptions({ comaNm: Number.NaN }), /comaNm must be a number/);
  });
});

