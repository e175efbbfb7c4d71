import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { assignMinCost } from '../../src/evaluate/assignMinCost.js';
import { evaluateLocalizations } from '../../src/evaluate/evaluateLocalizations.js';
import { matchPoints } from '../../src/evaluate/matchPoints.js';
import { readPointTable } from '../../src/evaluate/PointTable.js';
import { Random } from '../../src/simulate/Random.js';

/** Brute force over all assignments (small n only). */
function bestCost(cost: number[][]): number {
  const n = cost.length;
  const m = cost[0].length;
  let best = Infinity;
  const used = new Array<boolean>(m).fill(false);
  const go = (r: number, acc: number) => {
    if (r === n) {
      best = Math.min(best, acc);
      return;
    }
    for (let c = 0; c < m; c++) {
      if (used[c]) continue;
      used[c] = true;
      go(r + 1, acc + cost[r][c]);
      used[c] = false;
    }
  };
  go(0, 0);
  return best;
}

test('the Hungarian assignment is optimal (random 4×6 matrices against brute force)', () => {
  const rng = new Random(4);
  for (let trial = 0; trial < 50; trial++) {
    const cost = Array.from({ length: 4 }, () => Array.from({ length: 6 }, () => rng.uniform()));
    const a = assignMinCost(Float64Array.from(cost.flat()), 4, 6);
    assert.equal(new Set(a).size, 4, 'distinct columns');
    const total = cost.reduce((s, row, r) => s + row[a[r]], 0);
    assert.ok(Math.abs(total - bestCost(cost)) < 1e-12, `trial ${trial}`);
  }
});

test('matching within the tolerance prefers the optimal pairing over the greedy one', () => {
  // Greedy nearest-first would pair t0–f0 (distance 10) and leave t1 unmatched (f1 is 300 away).
  const m = matchPoints([0, 200], [0, 0], [150, 10], [0, 0], 250);
  const pairs = m.truth.map((t, k) => [t, m.found[k]]).sort((a, b) => a[0] - b[0]);
  assert.deepEqual(pairs, [[0, 1], [1, 0]]);
  assert.equal(matchPoints([0], [0], [300], [0], 250).truth.length, 0, 'beyond the tolerance: no match');
});

test('evaluation figures on a known case, reading ThunderSTORM-style CSV', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smlm-eval-'));
  try {
    writeFileSync(join(dir, 't.csv'), '"frame","x [nm]","y [nm]"\n1,100,100\n1,1000,1000\n2,500,500\n');
    writeFileSync(join(dir, 'l.csv'), '"id","frame","x [nm]","y [nm]","sigma [nm]"\n1,1,104,97,130\n2,2,496,503,130\n3,2,3000,3000,130\n');
    const { evaluation: e } = evaluateLocalizations(readPointTable(join(dir, 't.csv')), readPointTable(join(dir, 'l.csv')));
    assert.equal(e.truePositives, 2);
    assert.equal(e.falsePositives, 1);
    assert.equal(e.falseNegatives, 1);
    assert.equal(e.jaccard, 0.5);
    assert.equal(e.biasXNm, 0);
    assert.equal(e.biasYNm, 0);
    assert.equal(e.rmseLateralNm, 5);
    writeFileSync(join(dir, 'bad.csv'), 'a,b\n1,2\n');
    assert.throws(() => readPointTable(join(dir, 'bad.csv')), /bad\.csv: needs columns "frame"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
