import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { from, lastValueFrom, toArray } from 'rxjs';
import { evaluateLocalizations } from '../../src/evaluate/evaluateLocalizations.js';
import { pointTableOf } from '../../src/evaluate/pointTableOf.js';
import { pointTableFromTruth } from '../../src/evaluate/tablesFromBatches.js';
import { InvalidOptionError } from '../../src/errors/InvalidOptionError.js';
import { correctDriftOperator } from '../../src/pipeline/correctDriftOperator.js';
import { correctDrift } from '../../src/post/correctDrift.js';
import { estimateDriftAim } from '../../src/post/estimateDriftAim.js';
import { Random } from '../../src/simulate/Random.js';
import type { TruthRows } from '../../src/simulate/simulateStack.js';
import type { LocalizationBatch } from '../../src/table/LocalizationBatch.js';
import type { LocalizationTable } from '../../src/table/LocalizationTable.js';
import { tableFromBatches } from '../../src/table/tableFromBatches.js';
import { simulateAndLocalize } from './simulated.js';

/** RMS difference of two trajectories, their mean difference (a constant offset) removed, nm. */
function rmsAfterOffset(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < a.length; i++) mean += (a[i] - b[i]) / a.length;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i] - mean) ** 2;
  return Math.sqrt(s / a.length);
}

/**
 * Localizations of emitters on a few lines, 10 nm noise, drifting by `drift(frame)`: a fast
 * stand-in for a structure imaged over many frames.
 */
function linesTable(count: number, frames: number, drift: (f: number) => [number, number], seed: number) {
  const rng = new Random(seed);
  const frame = new Float64Array(count);
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const f = 1 + Math.floor((i * frames) / count);
    const line = i % 8;
    const t = 10000 * rng.uniform();
    const angle = 0.4 * line;
    const [dx, dy] = drift(f);
    frame[i] = f;
    x[i] = 2000 + 700 * line + t * Math.cos(angle) + dx + 10 * rng.normal();
    y[i] = 1000 + t * Math.sin(angle) + dy + 10 * rng.normal();
  }
  return { frame, x, y };
}

describe('drift: AIM (adaptive intersection maximization)', () => {
  test('follows a known drift within 5 nm RMS per axis on lines; no drift gives a flat trajectory', () => {
    const frames = 3000;
    const drift = (f: number): [number, number] => [(250 * f) / frames + 30 * Math.sin((2 * Math.PI * f) / 1500), (-150 * f) / frames];
    const t = linesTable(60000, frames, drift, 3);
    const d = estimateDriftAim(t.frame, t.x, t.y);
    const truth = (k: 0 | 1) => Array.from({ length: frames }, (_, f) => drift(f + 1)[k] - drift(1)[k]);
    assert.equal(d.x.length, frames);
    assert.equal(d.x[0], 0);
    assert.ok(rmsAfterOffset(d.x, truth(0)) < 5 && rmsAfterOffset(d.y, truth(1)) < 5, `RMS ${rmsAfterOffset(d.x, truth(0))}, ${rmsAfterOffset(d.y, truth(1))} nm`);
    assert.equal(d.segments.length, 30);
    assert.ok(d.precisionNm.x > 0 && d.precisionNm.x < 2, `precision ${d.precisionNm.x} nm`);
    const still = linesTable(30000, 1500, () => [0, 0], 4);
    const s = estimateDriftAim(still.frame, still.x, still.y);
    const largest = Math.max(...s.x.map(Math.abs), ...s.y.map(Math.abs));
    assert.ok(largest < 2, `a still sample drifts by ${largest} nm`);
  });

  test('round 2 is leave-one-out: it improves on the causal round', () => {
    // With a reference that contained the segment itself, round 2 would return round 1's shifts.
    const frames = 2000;
    const drift = (f: number): [number, number] => [40 * Math.sin((2 * Math.PI * f) / 700), 0];
    const t = linesTable(20000, frames, drift, 5);
    const d = estimateDriftAim(t.frame, t.x, t.y, { segmentFrames: 50 });
    const truth = Array.from({ length: frames }, (_, f) => drift(f + 1)[0] - drift(1)[0]);
    assert.ok(rmsAfterOffset(d.x, truth) < 3, `${rmsAfterOffset(d.x, truth)} nm`);
  });

  test('too few localizations per segment: an error naming the segment and the flag to change', () => {
    const t = linesTable(150, 1000, () => [0, 0], 6); // 15 per segment
    assert.throws(() => estimateDriftAim(t.frame, t.x, t.y), (e: unknown) => e instanceof InvalidOptionError && /segment 1 \(frames 1–100\) holds \d+ localizations; AIM needs at least 20/.test(e.message) && e.option === 'segmentFrames');
    assert.throws(() => estimateDriftAim(Float64Array.of(1.5), Float64Array.of(0), Float64Array.of(0)), /row 1 has frame 1\.5/);
  });

  describe('on simulated drifting filaments (300 nm, −200 nm and a 40 nm wobble over 2000 frames)', () => {
    let truth: TruthRows[];
    let batches: LocalizationBatch[];
    let table: LocalizationTable;
    let trueDrift: { x: Float64Array; y: Float64Array };
    before(() => {
      ({ truth, batches } = simulateAndLocalize({
        frames: 2000,
        density: 0.3,
        structure: 'filaments',
        structureCount: 6,
        photons: 1500,
        background: 20,
        minSeparationNm: 600,
        seed: 12,
        drift: { xNm: 300, yNm: -200, wobbleNm: 40, wobblePeriodFrames: 1000 },
      }));
      table = tableFromBatches(batches);
      trueDrift = { x: Float64Array.from(truth, (t) => t.driftX - truth[0].driftX), y: Float64Array.from(truth, (t) => t.driftY - truth[0].driftY) };
    });
    const T = () => pointTableFromTruth(truth);
    /** RMSE (bias removed) of isolated spots over their mean CRLB: 1 at the bound. */
    const calibration = (t: LocalizationTable) => {
      const { evaluation: e, pairs } = evaluateLocalizations(T(), pointTableOf(t), 50);
      let crlb = 0;
      for (const k of pairs.found) crlb += t.columns[9][k] ** 2 + t.columns[10][k] ** 2;
      return Math.sqrt(e.rmseLateralNm ** 2 - e.biasXNm ** 2 - e.biasYNm ** 2) / Math.sqrt(crlb / pairs.found.length);
    };

    test('corrected: Jaccard within 2 points of the true correction, trajectory within 5 nm RMS, precision at the bound', () => {
      const d = estimateDriftAim(table.columns[1], table.columns[2], table.columns[3]);
      const rx = rmsAfterOffset(d.x, trueDrift.x);
      const ry = rmsAfterOffset(d.y, trueDrift.y);
      assert.ok(rx <= 5 && ry <= 5, `trajectory RMS ${rx}, ${ry} nm`);
      const jaccard = (t: LocalizationTable) => evaluateLocalizations(T(), pointTableOf(t)).evaluation.jaccard;
      const none = jaccard(table);
      const ours = jaccard(correctDrift(table, d));
      const ideal = jaccard(correctDrift(table, trueDrift));
      assert.ok(none < ideal - 0.3, `uncorrected ${none} vs ${ideal}: the drift matters`);
      assert.ok(ours >= ideal - 0.02, `Jaccard ${ours} corrected vs ${ideal} with the true drift`);
      // Trajectory errors of ~2 nm add in quadrature to ~5 nm fits: within 10 % of the true correction.
      const c = calibration(correctDrift(table, d));
      const ideal1 = calibration(correctDrift(table, trueDrift));
      assert.ok(ideal1 < 1.1 && c < 1.1 * ideal1, `RMSE/CRLB ${c} corrected vs ${ideal1} with the true drift`);
    });

    test('the live operator (causal round 1) corrects while batches stream, in order, within 5 nm RMS', async () => {
      const out = await lastValueFrom(from(batches).pipe(correctDriftOperator(), toArray()));
      assert.deepEqual(out.map((b) => b.frame), batches.map((b) => b.frame));
      const lx = new Float64Array(batches.length);
      const ly = new Float64Array(batches.length);
      let seen = 0;
      batches.forEach((b, k) => {
        if (b.count === 0) return;
        lx[k] = b.x[0] - out[k].x[0];
        ly[k] = b.y[0] - out[k].y[0];
        seen++;
      });
      assert.ok(seen > 0.95 * batches.length);
      const used = (v: Float64Array) => v.filter((_, k) => batches[k].count > 0);
      const rx = rmsAfterOffset(used(lx), used(trueDrift.x));
      const ry = rmsAfterOffset(used(ly), used(trueDrift.y));
      assert.ok(rx <= 5 && ry <= 5, `live trajectory RMS ${rx}, ${ry} nm`);
      const c = calibration(tableFromBatches(out));
      assert.ok(c < 1.15 * calibration(correctDrift(table, trueDrift)), `live RMSE/CRLB ${c}`);
    });
  });
});
