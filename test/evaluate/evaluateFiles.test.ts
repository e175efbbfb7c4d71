import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { evaluateFiles } from '../../src/evaluate/evaluateFiles.js';
import { EVALUATE_DEFAULTS, evaluateLocalizations } from '../../src/evaluate/evaluateLocalizations.js';
import { readPointTable, Z_NAMES } from '../../src/evaluate/PointTable.js';
import { Random } from '../../src/simulate/Random.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-evaluate-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Rows "frame,x,y" of a truth and of localizations near it (jittered, some missed, some false). */
function tables(): { truth: string[]; found: string[] } {
  const rng = new Random(5);
  const truth: string[] = [];
  const found: string[] = [];
  for (let f = 1; f <= 300; f++) {
    // Frame 150 is crowded (more localizations than a frame's first buffer holds); some frames
    // have no truth, others no localizations.
    const n = f === 150 ? 1500 : f % 17 === 0 ? 0 : Math.floor(rng.uniform() * 60);
    for (let i = 0; i < n; i++) {
      const x = rng.uniform() * 40000;
      const y = rng.uniform() * 40000;
      truth.push(`${f},${x.toFixed(2)},${y.toFixed(2)}`);
      if (f % 23 !== 0 && rng.uniform() < 0.9) found.push(`${f},${(x + 30 * rng.normal()).toFixed(2)},${(y + 30 * rng.normal()).toFixed(2)}`);
    }
    const extra = f % 23 === 0 || f % 17 === 0 ? 3 : f === 150 ? 100 : Math.floor(rng.uniform() * 4);
    for (let i = 0; i < extra; i++) found.push(`${f},${(rng.uniform() * 40000).toFixed(2)},${(rng.uniform() * 40000).toFixed(2)}`);
  }
  return { truth, found };
}

test('evaluating two files gives the in-memory figures exactly, localizations in frame order or not', () => {
  const { truth, found } = tables();
  const header = '"frame","x [nm]","y [nm]"\n';
  const t = join(dir, 'truth.csv');
  writeFileSync(t, header + truth.join('\n') + '\n');
  const ordered = join(dir, 'ordered.csv');
  writeFileSync(ordered, header + found.join('\n') + '\n');
  // Out of frame order: odd frames after even ones, and a frame's rows reversed.
  const frameOf = (row: string) => Number(row.slice(0, row.indexOf(',')));
  const shuffled = join(dir, 'shuffled.csv');
  writeFileSync(shuffled, header + [...found.filter((r) => frameOf(r) % 2 === 0), ...found.filter((r) => frameOf(r) % 2 === 1).reverse()].join('\n') + '\n');
  for (const tolerance of [250, 40]) {
    for (const path of [ordered, shuffled]) {
      const expected = evaluateLocalizations(readPointTable(t, { positionsOnly: true }), readPointTable(path, { positionsOnly: true }), tolerance).evaluation;
      assert.ok(expected.truePositives > 1000 && expected.falsePositives > 100 && expected.falseNegatives > 100, 'a case with every kind of row');
      assert.deepEqual(evaluateFiles(t, path, tolerance), expected, `${path}, tolerance ${tolerance} nm`);
    }
  }
});

test('3-D tables: z RMSE, bias and outliers over the lateral matches, from files as in memory', () => {
  // 200 frames of 20 emitters; found z = truth z + 30 nm + N(0, 40 nm), 1 in 25 off by 400 nm,
  // and every 50th row without a z (NaN: left out of the z figures, still matched).
  const rng = new Random(8);
  const truth: string[] = [];
  const found: string[] = [];
  const dz: number[] = [];
  for (let f = 1; f <= 200; f++) {
    for (let i = 0; i < 20; i++) {
      const [x, y, z] = [rng.uniform() * 20000, rng.uniform() * 20000, (rng.uniform() - 0.5) * 1200];
      truth.push(`${f},${x.toFixed(3)},${y.toFixed(3)},${z.toFixed(3)}`);
      const row = found.length;
      const e = row % 25 === 0 ? 400 : 30 + 40 * rng.normal();
      const zf = row % 50 === 1 ? Number.NaN : Number((z + e).toFixed(3));
      found.push(`${f},${(x + 10 * rng.normal()).toFixed(3)},${(y + 10 * rng.normal()).toFixed(3)},${zf}`);
      if (Number.isFinite(zf)) dz.push(zf - Number(z.toFixed(3)));
    }
  }
  const header = '"frame","x [nm]","y [nm]","z [nm]"\n';
  const [t, l] = [join(dir, 'truth3d.csv'), join(dir, 'found3d.csv')];
  writeFileSync(t, header + truth.join('\n') + '\n');
  writeFileSync(l, header + found.join('\n') + '\n');
  const e = evaluateFiles(t, l);
  // Emitters 10 nm off laterally and ≥ ~100 nm apart in 20 µm²/20: every one pairs with its own.
  assert.equal(e.truePositives, 4000);
  assert.equal(e.zPairs, dz.length, 'the rows without a z are left out of the z figures');
  const rmse = Math.sqrt(dz.reduce((s, d) => s + d * d, 0) / dz.length);
  const bias = dz.reduce((s, d) => s + d, 0) / dz.length;
  // The same sums in another order: equal to rounding (1e-9 relative).
  assert.ok(Math.abs((e.rmseZNm ?? 0) - rmse) < 1e-9 * rmse, `z RMSE ${e.rmseZNm} vs ${rmse}`);
  assert.ok(Math.abs((e.biasZNm ?? 0) - bias) < 1e-9 * Math.abs(bias), `z bias ${e.biasZNm} vs ${bias}`);
  assert.equal(e.zOutliers, dz.filter((d) => Math.abs(d) > 250).length / dz.length);
  assert.ok(e.zOutliers !== undefined && e.zOutliers > 0.03 && e.zOutliers < 0.05, 'the 1-in-25 outliers, and not the 40 nm spread');
  assert.equal(e.zOutlierNm, EVALUATE_DEFAULTS.zOutlierNm);
  // In memory, the tables read with their z column: the same figures to the last bit.
  const read = (p: string) => readPointTable(p, { positionsOnly: true, keep: Z_NAMES });
  assert.deepEqual(evaluateLocalizations(read(t), read(l)).evaluation, e);
  // A 2-D localization table against the 3-D truth: no z figures.
  const flat = join(dir, 'found2d.csv');
  writeFileSync(flat, '"frame","x [nm]","y [nm]"\n' + found.map((r) => r.slice(0, r.lastIndexOf(','))).join('\n') + '\n');
  const e2 = evaluateFiles(t, flat);
  assert.equal(e2.truePositives, 4000);
  assert.equal(e2.rmseZNm, undefined);
});
