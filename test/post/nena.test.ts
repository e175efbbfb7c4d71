import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputFileError } from '../../src/errors/InputFileError.js';
import { InvalidOptionError } from '../../src/errors/InvalidOptionError.js';
import { estimateNena, NENA_MIN_PAIRS } from '../../src/post/estimateNena.js';
import { mergeBlinks } from '../../src/post/mergeBlinks.js';
import { nextFrameDistances } from '../../src/post/nextFrameDistances.js';
import { Random } from '../../src/simulate/Random.js';
import { blinkingTable, uniformSites } from './blinkingTable.js';

/** The target: NeNA within 10 % of the true precision. */
const TARGET = 0.1;

describe('NeNA (Endesfelder et al. 2014)', () => {
  test('finds the precision of sparse blinking molecules within 10 %, with an honest standard error', () => {
    for (const sigmaNm of [6, 20]) {
      // 5 000 molecules over 20 × 20 µm, on 3 frames on average: ~10 000 next-frame pairs.
      const table = blinkingTable({ seed: 11, sites: uniformSites(12, 5000, 20000), sigmaNm, frames: 2000, meanOnFrames: 3 });
      const nena = estimateNena(table);
      assert.ok(Math.abs(nena.nenaNm / sigmaNm - 1) < TARGET, `σ ${sigmaNm} nm: NeNA ${nena.nenaNm.toFixed(2)} nm`);
      // Pure pairs: the Rayleigh MLE's standard error is σ/(2√n); the background term adds a
      // little. Outside [0.8, 2]× of it the error would be misreported.
      const ideal = sigmaNm / (2 * Math.sqrt(nena.pairs));
      assert.ok(nena.nenaStandardErrorNm > 0.8 * ideal && nena.nenaStandardErrorNm < 2 * ideal, `standard error ${nena.nenaStandardErrorNm} against ${ideal}`);
      // 5 standard errors: the fit is unbiased on its own model's data.
      assert.ok(Math.abs(nena.nenaNm - sigmaNm) < 5 * nena.nenaStandardErrorNm + 0.01 * sigmaNm, `NeNA ${nena.nenaNm} ± ${nena.nenaStandardErrorNm}`);
      const counted = nena.histogram.counts.reduce((a, b) => a + b, 0);
      assert.equal(counted, nena.pairs);
      const expected = nena.histogram.expected.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(expected - counted) < 1e-6 * counted, 'the fitted curve is in counts per bin');
    }
  });

  test('dense frames (a background of unrelated neighbours) and dimers (a short-range term)', () => {
    // 60 000 molecules on 10 × 10 µm in 1 000 frames: ~180 on a frame, nearest strangers within 150 nm.
    const dense = estimateNena(blinkingTable({ seed: 21, sites: uniformSites(22, 60000, 10000), sigmaNm: 12, frames: 1000, meanOnFrames: 3 }));
    assert.ok(Math.abs(dense.nenaNm / 12 - 1) < TARGET, `dense: ${dense.nenaNm}`);
    assert.ok(dense.fit.backgroundFraction > 0.02, `dense: background ${dense.fit.backgroundFraction}`);
    // Pairs of molecules 40 nm apart, all on within 20 frames: next-frame neighbours at 40 nm.
    const random = new Random(31);
    const base = uniformSites(32, 8000, 20000);
    const sites = new Float64Array(4 * 8000);
    for (let i = 0; i < 8000; i++) {
      const a = random.uniform() * 2 * Math.PI;
      sites.set([base[2 * i], base[2 * i + 1], base[2 * i] + 40 * Math.cos(a), base[2 * i + 1] + 40 * Math.sin(a)], 4 * i);
    }
    const dimerTable = blinkingTable({ seed: 33, sites, sigmaNm: 10, frames: 20, meanOnFrames: 3 });
    const dimers = estimateNena(dimerTable, { shortRangeTerm: true });
    assert.ok(Math.abs(dimers.nenaNm / 10 - 1) < 0.02, `dimers: ${dimers.nenaNm}`);
    assert.ok(dimers.fit.shortRangeTerm, 'dimers: the short-range term is kept');
    assert.ok(Math.abs(dimers.fit.shortRangeCenterNm - 40) < 8, `dimers: short-range centre ${dimers.fit.shortRangeCenterNm}`);
    // Without the term (the default), the neighbours at 40 nm widen the pair term a little.
    const plain = estimateNena(dimerTable);
    assert.ok(!plain.fit.shortRangeTerm);
    assert.ok(Math.abs(plain.nenaNm / 10 - 1) < TARGET && plain.nenaNm > dimers.nenaNm, `dimers without the short-range term: ${plain.nenaNm}`);
  });

  test('a spread of precisions among molecules gives their RMS', () => {
    // Each molecule's σ uniform in 10 nm ± 50 % (photon counts vary): RMS 10·√(1 + 0.5²/3) nm.
    const table = blinkingTable({ seed: 71, sites: uniformSites(72, 8000, 20000), sigmaNm: 10, frames: 2000, meanOnFrames: 3, sigmaSpread: 0.5 });
    const rms = 10 * Math.sqrt(1 + 0.25 / 3);
    const nena = estimateNena(table);
    // 5 %: the pairs weight molecules by their frames on, and the pair term is one Rayleigh, not a mixture.
    assert.ok(Math.abs(nena.nenaNm / rms - 1) < 0.05, `NeNA ${nena.nenaNm} against RMS ${rms}`);
    // The short-range term would take the wide molecules for neighbours: what the default avoids.
    const withTerm = estimateNena(table, { shortRangeTerm: true });
    assert.ok(withTerm.nenaNm < nena.nenaNm, `with the short-range term: ${withTerm.nenaNm}`);
  });

  test('the grid search finds the same nearest next-frame neighbours as a search of every pair', () => {
    const random = new Random(41);
    const n = 3000;
    // Coordinates on both sides of 0 and far apart (cells wrap round the hashed grid), frames with gaps.
    const frame = Float64Array.from({ length: n }, () => 1 + Math.floor(random.uniform() * 40) * (random.uniform() < 0.1 ? 3 : 1));
    const x = Float64Array.from({ length: n }, () => (random.uniform() - 0.5) * 3000 + (random.uniform() < 0.2 ? 614400 : 0));
    const y = Float64Array.from({ length: n }, () => (random.uniform() - 0.5) * 3000);
    const radius = 150;
    const fast = Array.from(nextFrameDistances(frame, x, y, radius)).sort((a, b) => a - b);
    const slow: number[] = [];
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      for (let j = 0; j < n; j++) if (frame[j] === frame[i] + 1) best = Math.min(best, Math.hypot(x[j] - x[i], y[j] - y[i]));
      if (best <= radius) slow.push(best);
    }
    slow.sort((a, b) => a - b);
    assert.ok(slow.length > 100, `the case has pairs (${slow.length})`);
    assert.equal(fast.length, slow.length);
    fast.forEach((d, i) => assert.ok(Math.abs(d - slow[i]) < 1e-9, `distance ${i}: ${d} against ${slow[i]}`));
  });

  test('a merged table is refused with a message saying why', () => {
    const table = blinkingTable({ seed: 51, sites: uniformSites(52, 2000, 20000), sigmaNm: 10, frames: 500, meanOnFrames: 3 });
    const merged = mergeBlinks(table);
    assert.throws(() => estimateNena(merged, {}, 'merged.csv'), (e: unknown) => e instanceof InputFileError && /^merged\.csv: a merged table/.test(e.message) && /per-frame localizations/.test(e.message));
    // The table before merging gives NeNA.
    assert.ok(estimateNena(table).nenaNm > 0);
  });

  test('too few pairs, and impossible options, are clear errors', () => {
    const few = blinkingTable({ seed: 61, sites: uniformSites(62, 60, 20000), sigmaNm: 10, frames: 100, meanOnFrames: 3 });
    assert.throws(() => estimateNena(few, {}, 'few.csv'), (e: unknown) => e instanceof InputFileError && e.message.startsWith('few.csv: NeNA found') && e.message.includes(`at least ${NENA_MIN_PAIRS}`));
    assert.throws(() => estimateNena(few, { searchRadiusNm: 0 }), InvalidOptionError);
    assert.throws(() => estimateNena(few, { binNm: 100 }), InvalidOptionError);
    const broken = { ...few, columns: [few.columns[0], Float64Array.from(few.columns[1], (v, i) => (i === 3 ? NaN : v)), few.columns[2]] };
    assert.throws(() => estimateNena(broken, {}, 'broken.csv'), /broken\.csv: row 4: x is NaN/);
  });
});
