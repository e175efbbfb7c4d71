import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { localizeMergeDrift } from '../../pipelines/localizeMergeDrift.js';
import { OutputPathError } from '../../src/errors/OutputPathError.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { readTable } from '../../src/table/LocalizationTable.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-chain-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('pipelines/localizeMergeDrift: localize → merge → drift → render, each step recorded', async () => {
  const stack = join(dir, 'fil.tif');
  writeSimulation(stack, join(dir, 'fil.truth.csv'), { width: 48, height: 48, frames: 400, density: 0.4, structure: 'filaments', seed: 3, drift: { xNm: 80, yNm: 40 } });
  const output = join(dir, 'fil.csv');
  const r = await localizeMergeDrift({ input: stack, output, drift: { segmentFrames: 100 } });
  assert.equal(r.corrected, join(dir, 'fil.merged.corrected.csv'));
  const raw = readTable(output);
  const corrected = readTable(r.corrected);
  assert.ok(corrected.rows > 100 && corrected.rows < raw.rows, `${corrected.rows} molecules of ${raw.rows} localizations`);
  assert.equal(r.drift.x.length, 400);
  // The estimated drift at the last frame, against the 80 nm, 40 nm of the simulation (±15 nm: 4 segments of a sparse field).
  assert.ok(Math.abs(r.drift.x[399] - 80) < 15 && Math.abs(r.drift.y[399] - 40) < 15, `drift ${r.drift.x[399]}, ${r.drift.y[399]}`);
  assert.ok(existsSync(join(dir, 'fil.merged.corrected.drift.csv')));
  assert.deepEqual([...readFileSync(r.image).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const sidecar = JSON.parse(readFileSync(join(dir, 'fil.merged.corrected.json'), 'utf8'));
  assert.equal(sidecar.step, 'drift');
  assert.equal(sidecar.parameters.segmentFrames, 100);
  assert.equal(sidecar.previous.step, 'merge');
  assert.equal(sidecar.previous.parameters.maxDistanceNm, 20);
  assert.equal(sidecar.previous.previous.parameters.merge.maxDistanceNm, 20, "the localization run's record, with its merging");
  // Nothing may overwrite the stack.
  await assert.rejects(localizeMergeDrift({ input: stack, output, image: { path: stack } }), OutputPathError);
});
