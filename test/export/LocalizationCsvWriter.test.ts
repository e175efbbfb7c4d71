import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileWriteError } from '../../src/errors/FileWriteError.js';
import { fullDisk } from './fullDisk.js';
import { LocalizationCsvWriter } from '../../src/export/LocalizationCsvWriter.js';
import { sidecarPath } from '../../src/export/writeSidecar.js';
import { createLocalizationBatch } from '../../src/table/LocalizationBatch.js';

test('rows stream to PATH.partial, converged only, ids from 1; commit renames', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smlm-csv-'));
  try {
    const path = join(dir, 'locs.csv');
    const writer = new LocalizationCsvWriter(path);
    const a = createLocalizationBatch(1, 3);
    a.x.set([50, 150, 250]);
    a.y.set([50.123, 1, 2]);
    a.status.set([0, 1, 0]);
    a.sigma.fill(130);
    assert.equal(writer.write(a), 2);
    const b = createLocalizationBatch(2, 1);
    b.x[0] = 12.345;
    assert.equal(writer.write(b), 1);
    assert.ok(existsSync(`${path}.partial`) && !existsSync(path), 'written under the temporary name');
    writer.commit();
    assert.ok(existsSync(path) && !existsSync(`${path}.partial`));
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines[0].split(',').slice(0, 9).join(','), '"id","frame","x [nm]","y [nm]","sigma [nm]","intensity [photon]","offset [photon]","bkgstd [photon]","uncertainty [nm]"');
    assert.equal(lines[1].split(',').slice(0, 5).join(','), '1,1,50.00,50.12,130.00');
    assert.equal(lines[2].split(',').slice(0, 3).join(','), '2,1,250.00');
    assert.equal(lines[3].split(',').slice(0, 3).join(','), '3,2,12.35');
    assert.equal(lines[4], '', 'ends with \\n');
    assert.equal(lines.length, 5);
    const all = new LocalizationCsvWriter(join(dir, 'all.csv'), { includeAllFits: true });
    assert.equal(all.write(a), 3);
    all.commit();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sidecar path: the output name with .json', () => {
  assert.equal(sidecarPath('run/locs.csv'), 'run/locs.json');
  assert.equal(sidecarPath('a.b/locs'), 'a.b/locs.json');
});

test('a write error (disk full) names the file and the cause, and the file is cut back to whole frames', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smlm-csv-'));
  try {
    const path = join(dir, 'locs.csv');
    // Room for the header and about one and a half frames of 3 rows.
    const sink = fullDisk(600);
    const writer = new LocalizationCsvWriter(path, { sink });
    const batch = (frame: number) => {
      const b = createLocalizationBatch(frame, 3);
      b.x.set([1000.5, 2000.25, 3000.125]);
      return b;
    };
    writer.write(batch(1));
    const whole = sink.length;
    let caught: unknown;
    for (let frame = 2; frame < 10 && caught === undefined; frame++) {
      try {
        writer.write(batch(frame));
      } catch (error) {
        caught = error;
      }
    }
    assert.ok(caught instanceof FileWriteError, String(caught));
    assert.equal(caught.code, 'ENOSPC');
    assert.equal(caught.message, `could not write ${path}.partial: no space left on the device (ENOSPC)`);
    const text = new TextDecoder().decode(sink.bytes.subarray(0, sink.length));
    assert.ok(text.endsWith('\n'), `ends with a whole row: ${JSON.stringify(text.slice(-40))}`);
    assert.ok(sink.length >= whole, 'whole frames are kept');
    const rows = text.trim().split('\n').slice(1);
    assert.equal(rows.length % 3, 0, `whole frames of 3 rows: ${rows.length} rows`);
    assert.equal(writer.rows, rows.length);
    writer.abandon();
    assert.ok(!existsSync(path), 'nothing under the final name');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
