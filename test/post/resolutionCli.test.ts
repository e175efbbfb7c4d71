import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeLocalizationTable } from '../../src/export/writeLocalizationTable.js';
import { estimateFrc, frcPixelNm } from '../../src/post/estimateFrc.js';
import { estimateNena } from '../../src/post/estimateNena.js';
import { mergeBlinks } from '../../src/post/mergeBlinks.js';
import { readTable } from '../../src/table/LocalizationTable.js';
import { CLI } from '../cli/cliArgs.js';
import { runBatch } from '../cli/cliBatch.js';
import { blinkingTable, uniformSites } from './blinkingTable.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-resolution-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[]) => spawnSync(process.execPath, [...CLI, 'resolution', ...args], { encoding: 'utf8' });

/** σ of the simulated table, nm. */
const SIGMA_NM = 10;
const locs = join(dir, 'locs.csv');
const table = blinkingTable({ seed: 3, sites: uniformSites(4, 3000, 2000), sigmaNm: SIGMA_NM, frames: 1000, meanOnFrames: 3 });
writeLocalizationTable(locs, table);
const merged = join(dir, 'merged.csv');
writeLocalizationTable(merged, mergeBlinks(table));

/** Width and height of a PNG from its IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG signature');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('smlm-stream resolution', () => {
  test('prints NeNA and FRC with units; the JSON holds them with the parameters; the plot is drawn', () => {
    const json = join(dir, 'locs.resolution.json');
    const plot = join(dir, 'frc.png');
    const r = run([locs, '--json', json, '--plot', plot, '--splits', '3']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /NeNA {2}\d+\.\d\d ± \d+\.\d\d nm {2}mean localization precision/);
    assert.match(r.stdout, /FRC {3}\d+\.\d ± \d+\.\d nm {2}resolution at the 1\/7 threshold/);
    const record = JSON.parse(readFileSync(json, 'utf8'));
    assert.ok(Math.abs(record.nenaNm / SIGMA_NM - 1) < 0.1, `NeNA ${record.nenaNm}`);
    // The command is the library on the same (CSV-rounded) table: the same figures.
    const back = readTable(locs);
    const nena = estimateNena(back);
    assert.ok(Math.abs(record.nenaNm - nena.nenaNm) < 1e-9);
    const frc = estimateFrc(back, { pixelNm: frcPixelNm(nena.nenaNm), splits: 3 });
    assert.ok(Math.abs(record.frcResolutionNm - frc.resolutionNm) < 1e-9, `${record.frcResolutionNm} against ${frc.resolutionNm}`);
    assert.equal(record.frc.parameters.pixelNm, frcPixelNm(nena.nenaNm));
    assert.equal(record.frc.parameters.splits, 3);
    assert.equal(record.frc.parameters.split, 'random');
    assert.equal(record.nena.parameters.searchRadiusNm, 150);
    assert.equal(record.nena.histogram.counts.length, 150);
    assert.equal(record.frc.curve.frc.length, record.frc.imagePx / 2 + 1);
    const [width, height] = pngSize(readFileSync(plot));
    assert.ok(width > 1500 && height > 500, `two panels side by side: ${width} × ${height}`);
  });

  test('a merged table: NeNA is refused with the reason, FRC is still given', () => {
    const json = join(dir, 'merged.resolution.json');
    const r = run([merged, '--json', json, '--splits', '1']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /NeNA {2}not available: .*merged\.csv: a merged table .*NeNA needs per-frame localizations/);
    const record = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(record.nenaNm, null);
    assert.match(record.nena.error, /per-frame localizations/);
    assert.ok(record.frcResolutionNm > 0);
    assert.match(record.frc.parameters.pixelFrom, /without NeNA/);
  });

  test('clear errors: missing columns, a bad flag, the JSON over the sidecar', () => {
    const bad = join(dir, 'bad.csv');
    writeLocalizationTable(bad, { header: ['frame', 'x [nm]'], columns: [Float64Array.of(1), Float64Array.of(2)], rows: 1 });
    // One process for the refusals (a node start each would dominate).
    const [columns, split, size, sidecar] = runBatch(dir, [
      ['resolution', bad],
      ['resolution', locs, '--split', 'halves'],
      ['resolution', locs, '--image-size', '1000'],
      ['resolution', locs, '--json', join(dir, 'locs.json')],
    ]);
    assert.equal(columns.status, 2);
    assert.match(columns.stderr, /bad\.csv: needs columns "frame", "x \[nm\]" and "y \[nm\]"/);
    assert.equal(split.status, 2);
    assert.match(split.stderr, /--split must be random or frame-blocks/);
    assert.equal(size.status, 2);
    assert.match(size.stderr, /--image-size must be a power of two/);
    assert.equal(sidecar.status, 2);
    assert.match(sidecar.stderr, /locs\.json: .*sidecar/);
  });
});
