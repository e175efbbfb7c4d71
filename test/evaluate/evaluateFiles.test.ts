import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { evaluateFiles } from '../../src/evaluate/evaluateFiles.js';
import { evaluateLocalizations } from '../../src/evaluate/evaluateLocalizations.js';
import { readPointTable } from '../../src/evaluate/PointTable.js';
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
