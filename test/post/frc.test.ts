import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputFileError } from '../../src/errors/InputFileError.js';
import { InvalidOptionError } from '../../src/errors/InvalidOptionError.js';
import { estimateFrc, frcCrossing, FRC_DEFAULTS } from '../../src/post/estimateFrc.js';
import { RadixTwoFft } from '../../src/camera/RadixTwoFft.js';
import { Random } from '../../src/simulate/Random.js';
import type { LocalizationTable } from '../../src/table/LocalizationTable.js';
import { blinkingTable, uniformSites } from './blinkingTable.js';

/** The target: FRC within 10 % of an independent implementation. */
const TARGET = 0.1;

/**
 * An independent FRC, written from the definition with plain loops: the table split at random
 * (its own generator), each half binned into an n × n histogram at `pixelNm` from the data's
 * corner, each localization weighted by a Tukey window (taper `fraction`) over the data's
 * extent, the 2-D DFT as a direct sum (separable: rows then columns, O(n³)), the ring sums
 * over round(|q|), a moving average of 5 rings, and the 1/7 crossing by linear interpolation.
 */
function referenceFrc(table: LocalizationTable, pixelNm: number, n: number, splits: number, seed: number, fraction: number): number {
  const [frame, x, y] = table.columns;
  const x0 = Math.min(...x);
  const y0 = Math.min(...y);
  const w = Math.max(...x) - x0;
  const h = Math.max(...y) - y0;
  const window = (t: number) => (t < fraction / 2 ? 0.5 - 0.5 * Math.cos((2 * Math.PI * t) / fraction) : t > 1 - fraction / 2 ? 0.5 - 0.5 * Math.cos((2 * Math.PI * (1 - t)) / fraction) : 1);
  const cos = Float64Array.from({ length: n }, (_, k) => Math.cos((2 * Math.PI * k) / n));
  const sin = Float64Array.from({ length: n }, (_, k) => Math.sin((2 * Math.PI * k) / n));
  // DFT of a real image: rows, then columns, each a direct sum.
  const dft = (image: Float64Array) => {
    const re = new Float64Array(n * n);
    const im = new Float64Array(n * n);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < n; k++) {
        let sr = 0;
        let si = 0;
        for (let c = 0; c < n; c++) {
          const v = image[r * n + c];
          if (v === 0) continue;
          sr += v * cos[(k * c) % n];
          si -= v * sin[(k * c) % n];
        }
        re[r * n + k] = sr;
        im[r * n + k] = si;
      }
    }
    const outRe = new Float64Array(n * n);
    const outIm = new Float64Array(n * n);
    for (let k = 0; k < n; k++) {
      for (let l = 0; l < n; l++) {
        let sr = 0;
        let si = 0;
        for (let r = 0; r < n; r++) {
          const a = re[r * n + k];
          const b = im[r * n + k];
          const c = cos[(l * r) % n];
          const s = -sin[(l * r) % n];
          sr += a * c - b * s;
          si += a * s + b * c;
        }
        outRe[l * n + k] = sr;
        outIm[l * n + k] = si;
      }
    }
    return [outRe, outIm];
  };
  const random = new Random(seed);
  const results: number[] = [];
  for (let s = 0; s < splits; s++) {
    const a = new Float64Array(n * n);
    const b = new Float64Array(n * n);
    for (let i = 0; i < frame.length; i++) {
      const column = Math.floor((x[i] - x0) / pixelNm);
      const row = Math.floor((y[i] - y0) / pixelNm);
      if (column >= n || row >= n) continue;
      (random.uniform() < 0.5 ? a : b)[row * n + column] += window((x[i] - x0) / w) * window((y[i] - y0) / h);
    }
    const [ar, ai] = dft(a);
    const [br, bi] = dft(b);
    const rings = n / 2 + 1;
    const num = new Float64Array(rings);
    const pa = new Float64Array(rings);
    const pb = new Float64Array(rings);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const u = c <= n / 2 ? c : c - n;
        const v = r <= n / 2 ? r : r - n;
        const k = Math.round(Math.hypot(u, v));
        if (k >= rings) continue;
        const i = r * n + c;
        num[k] += ar[i] * br[i] + ai[i] * bi[i];
        pa[k] += ar[i] ** 2 + ai[i] ** 2;
        pb[k] += br[i] ** 2 + bi[i] ** 2;
      }
    }
    const frc = Array.from(num, (v, k) => v / Math.sqrt(pa[k] * pb[k]));
    const smooth = frc.map((_, k) => {
      const part = frc.slice(Math.max(0, k - 2), k + 3);
      return part.reduce((p, q) => p + q, 0) / part.length;
    });
    let crossing = NaN;
    for (let k = 1; k < rings; k++) {
      if (smooth[k] < 1 / 7) {
        crossing = k - 1 + (smooth[k - 1] - 1 / 7) / (smooth[k - 1] - smooth[k]);
        break;
      }
    }
    results.push((n * pixelNm) / crossing);
  }
  return results.reduce((p, q) => p + q, 0) / results.length;
}

describe('FRC (Nieuwenhuizen et al. 2013)', () => {
  test('the FFT equals a direct DFT, in 1-D and in 2-D', () => {
    const random = new Random(1);
    for (const n of [1, 2, 8, 64]) {
      const re = Float64Array.from({ length: n }, () => random.normal());
      const im = Float64Array.from({ length: n }, () => random.normal());
      const outRe = Float64Array.from(re);
      const outIm = Float64Array.from(im);
      new RadixTwoFft(n).transform(outRe, outIm);
      for (let k = 0; k < n; k++) {
        let sr = 0;
        let si = 0;
        for (let j = 0; j < n; j++) {
          const t = (-2 * Math.PI * j * k) / n;
          sr += re[j] * Math.cos(t) - im[j] * Math.sin(t);
          si += re[j] * Math.sin(t) + im[j] * Math.cos(t);
        }
        assert.ok(Math.abs(outRe[k] - sr) < 1e-9 && Math.abs(outIm[k] - si) < 1e-9, `n ${n}, k ${k}`);
      }
    }
    const n = 16;
    const re = Float64Array.from({ length: n * n }, () => random.normal());
    const im = Float64Array.from({ length: n * n }, () => random.normal());
    const outRe = Float64Array.from(re);
    const outIm = Float64Array.from(im);
    new RadixTwoFft(n).transform2d(outRe, outIm);
    for (const [kr, kc] of [[0, 0], [1, 0], [0, 3], [5, 11], [15, 15]]) {
      let sr = 0;
      let si = 0;
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          const t = (-2 * Math.PI * (kr * r + kc * c)) / n;
          sr += re[r * n + c] * Math.cos(t) - im[r * n + c] * Math.sin(t);
          si += re[r * n + c] * Math.sin(t) + im[r * n + c] * Math.cos(t);
        }
      }
      assert.ok(Math.abs(outRe[kr * n + kc] - sr) < 1e-9 && Math.abs(outIm[kr * n + kc] - si) < 1e-9, `(${kr}, ${kc})`);
    }
    assert.throws(() => new RadixTwoFft(12), RangeError);
  });

  test('the resolution is within 10 % of an independent plain-DFT implementation', () => {
    // 4 000 molecules on 2.56 × 2.56 µm at 10 nm: a 256-pixel image, as the reference's.
    const table = blinkingTable({ seed: 5, sites: uniformSites(6, 4000, 2400), sigmaNm: 10, frames: 500, meanOnFrames: 3 });
    const frc = estimateFrc(table, { pixelNm: 10, splits: 3, seed: 7 });
    assert.equal(frc.imagePx, 256);
    assert.equal(frc.folded, false);
    const reference = referenceFrc(table, 10, 256, 2, 99, FRC_DEFAULTS.tukeyFraction);
    assert.ok(Number.isFinite(reference) && reference > 10, `reference ${reference}`);
    assert.ok(Math.abs(frc.resolutionNm / reference - 1) < TARGET, `FRC ${frc.resolutionNm.toFixed(1)} nm, reference ${reference.toFixed(1)} nm`);
    // The splits agree among themselves: their SD is a few % of the mean.
    assert.ok(frc.resolutionSdNm < 0.05 * frc.resolutionNm, `SD ${frc.resolutionSdNm}`);
  });

  test('a finer precision gives a finer resolution; the pixel and the folding leave it alone', () => {
    const sites = uniformSites(12, 3000, 2500);
    const sharp = estimateFrc(blinkingTable({ seed: 13, sites, sigmaNm: 8, frames: 500, meanOnFrames: 3 }), { pixelNm: 4, splits: 2 });
    const blurred = estimateFrc(blinkingTable({ seed: 13, sites, sigmaNm: 20, frames: 500, meanOnFrames: 3 }), { pixelNm: 4, splits: 2 });
    assert.ok(blurred.resolutionNm > 1.5 * sharp.resolutionNm, `σ 8 nm: ${sharp.resolutionNm.toFixed(1)} nm, σ 20 nm: ${blurred.resolutionNm.toFixed(1)} nm`);
    // Half the pixel (σ/4 instead of σ/2): within 3 % (the crossing is far below Nyquist either way).
    const finer = estimateFrc(blinkingTable({ seed: 13, sites, sigmaNm: 20, frames: 500, meanOnFrames: 3 }), { pixelNm: 10, splits: 2 });
    assert.ok(Math.abs(finer.resolutionNm / blurred.resolutionNm - 1) < 0.03, `pixel 4 nm: ${blurred.resolutionNm}, 10 nm: ${finer.resolutionNm}`);
    // The 2.5 µm field at 4 nm (625 px) folded into 256 px: the rings sampled 4× more coarsely (the crossing still some 30 rings out).
    const folded = estimateFrc(blinkingTable({ seed: 13, sites, sigmaNm: 8, frames: 500, meanOnFrames: 3 }), { pixelNm: 4, splits: 2, maxImagePx: 256 });
    assert.equal(folded.folded, true);
    assert.equal(sharp.folded, false);
    assert.ok(Math.abs(folded.resolutionNm / sharp.resolutionNm - 1) < 0.05, `folded ${folded.resolutionNm}, whole ${sharp.resolutionNm}`);
  });

  test('the crossing is interpolated between rings', () => {
    assert.equal(frcCrossing([1, 0.5, 0.2, 0.1, 0.05], 0.15), 2.5);
    assert.ok(Number.isNaN(frcCrossing([1, 0.9, 0.8], 0.15)));
  });

  test('frame blocks, and errors', () => {
    // Molecules each on once: 50 blocks of 20 frames keep a molecule's localizations in one half,
    // so the halves share no molecule and uniform sites have no structure to correlate.
    const table = blinkingTable({ seed: 21, sites: uniformSites(22, 4000, 2400), sigmaNm: 10, frames: 1000, meanOnFrames: 3 });
    const random = estimateFrc(table, { pixelNm: 10, splits: 2 });
    const blocks = estimateFrc(table, { pixelNm: 10, splits: 2, split: 'frame-blocks' });
    assert.ok(!(blocks.resolutionNm < 5 * random.resolutionNm), `random ${random.resolutionNm}, blocks ${blocks.resolutionNm}`);
    assert.equal(blocks.blockFrames, 20);
    const oneFrame = { ...table, columns: [table.columns[0].map(() => 7), table.columns[1], table.columns[2]] };
    assert.throws(() => estimateFrc(oneFrame, { pixelNm: 10, split: 'frame-blocks' }, 'one.csv'), (e: unknown) => e instanceof InputFileError && e.message.startsWith('one.csv: FRC split by frame blocks needs at least 2 frames'));
    assert.throws(() => estimateFrc(table, { pixelNm: 10, split: 'frame-blocks', blocks: 1 }), InvalidOptionError);
    assert.throws(() => estimateFrc(table, { pixelNm: -1 }), InvalidOptionError);
    assert.throws(() => estimateFrc(table, { pixelNm: 10, maxImagePx: 1000 }), InvalidOptionError);
    assert.throws(() => estimateFrc(table, { pixelNm: 10, splits: 0 }), InvalidOptionError);
  });
});
