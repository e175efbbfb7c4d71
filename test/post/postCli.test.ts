import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Random } from '../../src/simulate/Random.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { DETECTIONS_HEADER, LOCALIZATION_COLUMNS } from '../../src/table/columns.js';
import { readTable } from '../../src/table/LocalizationTable.js';
import { CLI } from '../cli/cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-post-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });

/** Column `name` (header without unit) of a CSV read back. */
function column(path: string, name: string): number[] {
  const t = readTable(path);
  const c = t.header.findIndex((h) => h.replace(/\s*\[.*\]$/, '') === name);
  assert.ok(c >= 0, `${path} has no ${name}: ${t.header.join(', ')}`);
  return [...t.columns[c]];
}

/**
 * A ThunderSTORM CSV of emitters on lines that drift by 200 nm in x and −100 nm in y over 1000
 * frames (20 000 rows, fixed seed), and the true drift as a drift CSV.
 */
function thunderstormTable(): { csv: string; drift: string } {
  const rng = new Random(8);
  const frames = 1000;
  const lines = ['"id","frame","x [nm]","y [nm]","sigma [nm]","intensity [photon]","offset [photon]","bkgstd [photon]","chi2","uncertainty_xy [nm]"'];
  const drift = (f: number) => [(200 * (f - 1)) / frames, (-100 * (f - 1)) / frames];
  for (let i = 0; i < 20000; i++) {
    const f = 1 + Math.floor(i / 20);
    const line = i % 6;
    const t = 8000 * rng.uniform();
    const [dx, dy] = drift(f);
    const x = 1000 + 900 * line + t * Math.cos(0.5 * line) + dx + 8 * rng.normal();
    const y = 500 + t * Math.sin(0.5 * line) + dy + 8 * rng.normal();
    lines.push(`${i + 1},${f},${x.toFixed(1)},${y.toFixed(1)},130.0,1200,10.0,3.5,1.2,8.0`);
  }
  const csv = join(dir, 'ts.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const truth = ['"frame","drift x [nm]","drift y [nm]"', ...Array.from({ length: frames }, (_, k) => `${k + 1},${drift(k + 1).join(',')}`)];
  const driftCsv = join(dir, 'ts.truth.drift.csv');
  writeFileSync(driftCsv, `${truth.join('\n')}\n`);
  return { csv, drift: driftCsv };
}

describe('post-processing commands: drift, merge, filter', () => {
  const ts = thunderstormTable();

  test("drift on ThunderSTORM's CSV: corrected table, the trajectory, a plot, the precision, a sidecar", () => {
    const out = join(dir, 'ts.corrected.csv');
    const plot = join(dir, 'drift.png');
    const r = run(['drift', ts.csv, '--plot', plot, '--true-drift', ts.drift]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /10 segments of 100 frames/);
    assert.match(r.stdout, /precision of the trajectory: \d+\.\d\d nm \(x\), \d+\.\d\d nm \(y\)/);
    const rms = /RMS error ([\d.]+) nm \(x\), ([\d.]+) nm \(y\)/.exec(r.stdout);
    assert.ok(rms && Number(rms[1]) < 3 && Number(rms[2]) < 3, r.stdout);
    // Every column kept; x and y minus the drift of their frame (to the 0.01 nm written).
    assert.deepEqual(readTable(out).header, readTable(ts.csv).header);
    const driftCsv = join(dir, 'ts.corrected.drift.csv');
    assert.equal(readFileSync(driftCsv, 'utf8').split('\n')[0], '"frame","drift x [nm]","drift y [nm]"');
    const dx = column(driftCsv, 'drift x');
    assert.equal(dx.length, 1000);
    assert.equal(dx[0], 0);
    const frame = column(ts.csv, 'frame');
    const x0 = column(ts.csv, 'x');
    const x1 = column(out, 'x');
    assert.ok(x1.every((v, i) => Math.abs(v - (x0[i] - dx[frame[i] - 1])) <= 0.011), 'x − drift x(frame)');
    assert.deepEqual(column(out, 'chi2'), column(ts.csv, 'chi2'));
    assert.deepEqual([...readFileSync(plot).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const sidecar = JSON.parse(readFileSync(join(dir, 'ts.corrected.json'), 'utf8'));
    assert.equal(sidecar.step, 'drift');
    assert.deepEqual(sidecar.parameters, { method: 'aim', segmentFrames: 100, intersectNm: 20, searchNm: 60 });
    assert.equal(sidecar.counts.rowsIn, 20000);
    assert.ok(sidecar.results.precisionNm.x > 0);
  });

  test('a chain localize → merge → drift → filter: each sidecar records its step and the one before', () => {
    const stack = join(dir, 'chain.tif');
    writeSimulation(stack, join(dir, 'chain.truth.csv'), { width: 48, height: 48, frames: 200, density: 0.3, seed: 5 });
    const locs = join(dir, 'chain.csv');
    assert.equal(run(['localize', stack, '-o', locs, '--quiet']).status, 0);
    const merge = run(['merge', locs]);
    assert.equal(merge.status, 0, merge.stderr);
    assert.match(merge.stdout, /\d+ localizations → \d+ molecules/);
    const merged = join(dir, 'chain.merged.csv');
    assert.deepEqual(readTable(merged).header, [...readTable(locs).header, 'detections']);
    const drift = run(['drift', merged, '--segment-frames', '100']);
    assert.equal(drift.status, 0, drift.stderr);
    const filtered = run(['filter', join(dir, 'chain.merged.corrected.csv'), '--where', 'detections >= 2 && uncertainty < 15']);
    assert.equal(filtered.status, 0, filtered.stderr);
    assert.match(filtered.stdout, /kept \d+ of \d+ localizations/);
    const sidecar = JSON.parse(readFileSync(join(dir, 'chain.merged.corrected.filtered.json'), 'utf8'));
    assert.deepEqual([sidecar.step, sidecar.previous.step, sidecar.previous.previous.step], ['filter', 'drift', 'merge']);
    assert.deepEqual(sidecar.parameters, { where: 'detections >= 2 && uncertainty < 15' });
    assert.equal(sidecar.previous.previous.previous.software.name, 'smlm-stream', "the localize run's own record");
    assert.ok(column(join(dir, 'chain.merged.corrected.filtered.csv'), 'detections').every((d) => d >= 2));
  });

  test('localize --merge writes the molecules as the run goes: those of merge on the CSV, to the digits written', () => {
    const stack = join(dir, 'live.tif');
    writeSimulation(stack, join(dir, 'live.truth.csv'), { width: 48, height: 48, frames: 300, density: 0.3, seed: 6 });
    const locs = join(dir, 'live.csv');
    const r = run(['localize', stack, '-o', locs, '--merge', '--workers', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /merged\s+[\d,]+ molecules → .*live\.merged\.csv/);
    assert.equal(run(['merge', locs, '-o', join(dir, 'later.csv')]).status, 0);
    const live = readTable(join(dir, 'live.merged.csv'));
    const later = readTable(join(dir, 'later.csv'));
    assert.deepEqual(live.header, later.header);
    assert.equal(live.rows, later.rows);
    // Rows come out as molecules end; by id (the first detection's), the same molecules.
    const byId = (t: typeof live) => new Map(Array.from({ length: t.rows }, (_, r) => [t.columns[0][r], t.columns.map((c) => c[r])]));
    const a = byId(live);
    const b = byId(later);
    // The CSV's values are rounded (0.01 nm, 0.1 photon…): merged from them, the means differ in
    // the last digits, and a summed column (intensity, bkgstd: ThunderSTORM's sums) by up to
    // half its last digit per detection summed.
    const detections = live.header.indexOf(DETECTIONS_HEADER);
    const halfDigit = live.header.map((h) => 0.5 * 10 ** -(LOCALIZATION_COLUMNS.find((c) => c.header === h)?.decimals ?? 2));
    const summed = live.header.map((h) => /^(intensity|bkgstd) /.test(h));
    for (const [id, row] of a) {
      const other = b.get(id);
      assert.ok(other, `molecule ${id}`);
      row.forEach((v, k) => {
        const tolerance = summed[k] ? row[detections] * halfDigit[k] + 1e-4 * Math.abs(v) : 0.02 + 1e-4 * Math.abs(v);
        assert.ok(Math.abs(v - other[k]) <= tolerance, `${live.header[k]} of ${id}: ${v} vs ${other[k]} (tolerance ${tolerance})`);
      });
    }
    const sidecar = JSON.parse(readFileSync(join(dir, 'live.json'), 'utf8'));
    assert.equal(sidecar.parameters.merge.maxDistanceNm, 20);
    assert.equal(sidecar.counts.mergedMolecules, live.rows);
  });

  test('errors: a filter pointing at the place, an output onto the input, too few localizations for drift', () => {
    const bad = run(['filter', ts.csv, '--where', 'intensity > 500 && uncertanty < 20']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--where: unknown column "uncertanty" .* at character 20/);
    assert.ok(bad.stderr.includes('  intensity > 500 && uncertanty < 20\n                     ^\n'), bad.stderr);
    const before = readFileSync(ts.csv, 'utf8');
    const onto = run(['merge', ts.csv, '-o', ts.csv]);
    assert.equal(onto.status, 2);
    assert.match(onto.stderr, /ts\.csv/);
    assert.equal(readFileSync(ts.csv, 'utf8'), before, 'the input is untouched');
    const few = join(dir, 'few.csv');
    writeFileSync(few, '"frame","x [nm]","y [nm]"\n1,0,0\n150,10,10\n');
    const sparse = run(['drift', few]);
    assert.equal(sparse.status, 2);
    assert.match(sparse.stderr, /--segment-frames: drift segment 1 \(frames 1–150\) holds 2 localizations; AIM needs at least 20 per segment: use longer segments\n$/);
    assert.equal(existsSync(join(dir, 'few.corrected.csv')), false);
    const none = run(['filter', ts.csv]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /filter needs --where EXPR/);
  });
});
