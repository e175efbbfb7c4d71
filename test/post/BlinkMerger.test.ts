import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lastValueFrom, from, toArray } from 'rxjs';
import { evaluateLocalizations } from '../../src/evaluate/evaluateLocalizations.js';
import { pointTableOf } from '../../src/evaluate/pointTableOf.js';
import { pointTableFromTruth } from '../../src/evaluate/tablesFromBatches.js';
import { InvalidOptionError } from '../../src/errors/InvalidOptionError.js';
import { mergeBlinksOperator } from '../../src/pipeline/mergeBlinksOperator.js';
import { BatchMerger } from '../../src/post/BatchMerger.js';
import { BlinkMerger } from '../../src/post/BlinkMerger.js';
import { mergeBlinks } from '../../src/post/mergeBlinks.js';
import { mergeDistanceWarning } from '../../src/post/mergeDistanceWarning.js';
import { DETECTIONS_HEADER } from '../../src/table/columns.js';
import type { LocalizationTable } from '../../src/table/LocalizationTable.js';
import { findColumn } from '../../src/table/LocalizationTable.js';
import { tableFromBatches } from '../../src/table/tableFromBatches.js';
import { simulateAndLocalize, trueBlinks } from './simulated.js';

/** A table of rows given as objects (headers in the first row's key order). */
function table(rows: readonly Record<string, number>[]): LocalizationTable {
  const header = Object.keys(rows[0]);
  return { header, columns: header.map((h) => Float64Array.from(rows, (r) => r[h])), rows: rows.length };
}

/** Column `name` (without unit) of a table, as an array. */
function column(t: LocalizationTable, name: string): number[] {
  const c = findColumn(t, name);
  assert.ok(c >= 0, `no column ${name} in ${t.header.join(', ')}`);
  return [...t.columns[c]];
}

const ours = (frame: number, x: number, y: number, u: number, more: Record<string, number> = {}) => ({
  id: 0,
  frame,
  'x [nm]': x,
  'y [nm]': y,
  'sigma [nm]': 130,
  'intensity [photon]': 1000,
  'offset [photon]': 10,
  'bkgstd [photon]': 3,
  'uncertainty [nm]': u,
  'uncertainty_x [nm]': u,
  'uncertainty_y [nm]': u,
  loglikelihood: -100,
  iterations: 5,
  status: 0,
  ...more,
});

describe('merging blinks (ThunderSTORM semantics)', () => {
  test('a merged row: first frame and id, detections, inverse-variance means, recomputed uncertainty, sums, means, first values', () => {
    const rows = [
      ours(3, 100, 200, 4, { id: 7, 'intensity [photon]': 1000, 'offset [photon]': 10, 'bkgstd [photon]': 3, 'sigma [nm]': 120, iterations: 4 }),
      ours(4, 106, 203, 8, { id: 8, 'intensity [photon]': 1500, 'offset [photon]': 14, 'bkgstd [photon]': 5, 'sigma [nm]': 140, iterations: 9 }),
    ];
    const m = mergeBlinks(table(rows));
    assert.equal(m.rows, 1);
    assert.deepEqual(m.header, [...Object.keys(rows[0]), DETECTIONS_HEADER]);
    // Weights 1/16 and 1/64: x = (100/16 + 106/64)/(1/16 + 1/64); σ = 1/√(1/16 + 1/64).
    const w = [1 / 16, 1 / 64];
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
    close(column(m, 'x')[0], (100 * w[0] + 106 * w[1]) / (w[0] + w[1]));
    close(column(m, 'y')[0], (200 * w[0] + 203 * w[1]) / (w[0] + w[1]));
    close(column(m, 'uncertainty_x')[0], 1 / Math.sqrt(w[0] + w[1]));
    close(column(m, 'uncertainty')[0], 1 / Math.sqrt(w[0] + w[1]));
    assert.deepEqual(
      ['frame', 'id', DETECTIONS_HEADER, 'intensity', 'bkgstd', 'offset', 'sigma', 'loglikelihood', 'iterations'].map((n) => column(m, n)[0]),
      [3, 7, 2, 2500, 8, 12, 130, -200, 4],
    );
  });

  test('distance, gap and frame limits as ThunderSTORM: ≤ max distance, ≤ max off frames, at most max frames', () => {
    const at = (frame: number, x: number) => ours(frame, x, 0, 5);
    // 1, 2 (gap 0), 4 (gap 1): one molecule; 7 (gap 2): a new one; 8 at 25 nm: a new one again.
    const t = table([at(1, 0), at(2, 10), at(4, 15), at(7, 15), at(8, 40)]);
    assert.deepEqual(column(mergeBlinks(t), DETECTIONS_HEADER), [3, 1, 1]);
    assert.deepEqual(column(mergeBlinks(t, { maxOffFrames: 2, maxDistanceNm: 30 }), DETECTIONS_HEADER), [5]);
    assert.deepEqual(column(mergeBlinks(t, { maxOffFrames: 2, maxDistanceNm: 30, maxFrames: 2 }), DETECTIONS_HEADER), [2, 2, 1]);
    // Compared with the last detection, not the mean: a slow walk of 15 nm per frame stays one molecule.
    const walk = table([0, 1, 2, 3, 4].map((k) => at(k + 1, 15 * k)));
    assert.deepEqual(column(mergeBlinks(walk), DETECTIONS_HEADER), [5]);
  });

  test('greedy, nearest pair first; one localization per molecule and frame', () => {
    // Frame 1: A at 0, B at 30. Frame 2: p at 14 (A 14 nm, B 16 nm) and q at 18 (A 18, B 12).
    // Nearest first: (q, B) 12, then (p, A) 14.
    const t = table([ours(1, 0, 0, 5), ours(1, 30, 0, 5), ours(2, 14, 0, 5), ours(2, 18, 0, 5)]);
    const m = mergeBlinks(t);
    assert.deepEqual(column(m, DETECTIONS_HEADER), [2, 2]);
    // Equal weights: the plain means, to rounding (1e-9 nm).
    const xs = column(m, 'x').sort((a, b) => a - b);
    assert.ok(Math.abs(xs[0] - 7) < 1e-9 && Math.abs(xs[1] - 24) < 1e-9, `${xs}`);
  });

  test('rows that did not converge or have no usable uncertainty pass unmerged', () => {
    const t = table([ours(1, 0, 0, 5), ours(2, 1, 0, 5, { status: 2 }), ours(2, 2, 0, 5), ours(3, 3, 0, Number.NaN)]);
    const m = mergeBlinks(t);
    assert.deepEqual(column(m, DETECTIONS_HEADER), [2, 1, 1]);
    assert.deepEqual(column(m, 'status'), [0, 2, 0]);
    assert.ok(Number.isNaN(column(m, 'uncertainty')[2]), 'the NaN row is passed on as it came');
  });

  test("ThunderSTORM's CSV: one uncertainty column weights both axes, chi2 becomes NaN, detections add up when merged again", () => {
    const ts = (id: number, frame: number, x: number, u: number) => ({ id, frame, 'x [nm]': x, 'y [nm]': 0, 'sigma [nm]': 130, 'intensity [photon]': 900, 'offset [photon]': 5, 'bkgstd [photon]': 2, chi2: 17, 'uncertainty_xy [nm]': u });
    const m = mergeBlinks(table([ts(1, 1, 0, 3), ts(2, 2, 12, 6), ts(3, 9, 500, 4)]));
    assert.deepEqual(column(m, DETECTIONS_HEADER), [2, 1]);
    assert.ok(Math.abs(column(m, 'x')[0] - (0 / 9 + 12 / 36) / (1 / 9 + 1 / 36)) < 1e-9);
    assert.ok(Math.abs(column(m, 'uncertainty_xy')[0] - 1 / Math.sqrt(1 / 9 + 1 / 36)) < 1e-9);
    assert.ok(Number.isNaN(column(m, 'chi2')[0]));
    assert.equal(column(m, 'chi2')[1], 17);
    // Merging a merged table: the detections column is summed, not counted again.
    const shifted = { ...m, columns: m.columns.map((c, k) => (m.header[k] === 'frame' ? c.map((f) => f * 2) : c)) };
    assert.deepEqual(column(mergeBlinks(shifted, { maxOffFrames: 20, maxDistanceNm: 1000 }), DETECTIONS_HEADER), [3]);
  });

  test('errors: frames out of order, options out of range, no x column', () => {
    const merger = new BlinkMerger(['frame', 'x [nm]', 'y [nm]']);
    const columns = [Float64Array.of(5), Float64Array.of(0), Float64Array.of(0)];
    merger.addFrame(5, columns, [0]);
    assert.throws(() => merger.addFrame(4, columns, [0]), /increasing order; frame 4 came after 5/);
    const one = table([ours(1, 0, 0, 5)]);
    assert.throws(() => mergeBlinks(one, { maxDistanceNm: 0 }), InvalidOptionError);
    assert.throws(() => mergeBlinks(one, { maxOffFrames: 0.5 }), InvalidOptionError);
    assert.throws(() => mergeBlinks(one, { maxFrames: 0 }), InvalidOptionError);
    assert.throws(() => mergeBlinks({ header: ['frame', 'y [nm]'], columns: [new Float64Array(1), new Float64Array(1)], rows: 1 }, {}, 'a.csv'), /a\.csv: needs columns "frame", "x \[nm\]"/);
  });

  test('sparse simulation: the molecules are the true blinks within 3 %, and more precise than the frames', () => {
    // Isolated emitters (≥ 1 µm apart) at 3000 photons: per-axis uncertainty ≈ 3.3 nm, so a
    // blink's consecutive detections lie > 20 nm apart with probability exp(−20²/(4·3.3²)) ≈ 1e-4.
    const { truth, batches } = simulateAndLocalize({ frames: 600, density: 0.1, minSeparationNm: 1000, marginNm: 300, photons: 3000, background: 20, seed: 21 });
    const t = tableFromBatches(batches);
    const m = mergeBlinks(t);
    const blinks = trueBlinks(truth);
    assert.ok(blinks > 600, `${blinks} blinks`);
    assert.ok(Math.abs(m.rows / blinks - 1) <= 0.03, `${m.rows} molecules for ${blinks} true blinks`);
    // RMSE against the emitters' true positions (matched in the first frame of each molecule).
    const T = pointTableFromTruth(truth);
    const perFrame = evaluateLocalizations(T, pointTableOf(t), 50).evaluation.rmseLateralNm;
    const merged = evaluateLocalizations(T, pointTableOf(m), 50).evaluation.rmseLateralNm;
    assert.ok(merged < 0.9 * perFrame, `merged RMSE ${merged} nm vs per frame ${perFrame} nm`);
  });

  test('the stream operator gives the molecules of the whole table, with bounded memory', async () => {
    const { batches } = simulateAndLocalize({ frames: 400, density: 0.2, photons: 2000, seed: 22 });
    const whole = mergeBlinks(tableFromBatches(batches));
    const parts = await lastValueFrom(from(batches).pipe(mergeBlinksOperator(), toArray()));
    const rows = parts.flatMap((p) => Array.from({ length: p.rows }, (_, r) => p.columns.map((c) => c[r])));
    rows.sort((a, b) => a[0] - b[0]);
    const expected = Array.from({ length: whole.rows }, (_, r) => whole.columns.map((c) => c[r]));
    // Same rows (ids are those of the first detection in the run's CSV), the same values exactly.
    assert.deepEqual(rows, expected);
    const merger = new BatchMerger();
    let most = 0;
    for (const b of batches) {
      merger.push(b);
      most = Math.max(most, merger.openMolecules);
    }
    // Open molecules: those seen in the last two frames, a few times the spots of one frame.
    const perFrame = batches.reduce((n, b) => n + b.count, 0) / batches.length;
    assert.ok(most < 4 * perFrame + 10, `${most} molecules open at most, ${perFrame.toFixed(1)} spots per frame`);
  });

  test('a warning when the distance is short for the precision (exp(−d²/4σ²) > 1 %)', () => {
    assert.equal(mergeDistanceWarning(3, 20), undefined);
    const w = mergeDistanceWarning(6, 20);
    assert.ok(w && /6\.0 nm/.test(w) && /6\.2 %/.test(w) && /--max-distance 32/.test(w), w);
  });
});
