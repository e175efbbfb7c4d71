import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileWriteError } from '../../src/errors/FileWriteError.js';
import { fullDisk } from './fullDisk.js';
import { CSV_FLUSH_BYTES, LocalizationCsvWriter } from '../../src/export/LocalizationCsvWriter.js';
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
    // Room for the header and about one and a half frames of 3 rows; each frame written as it comes.
    const sink = fullDisk(600);
    const writer = new LocalizationCsvWriter(path, { sink, flushBytes: 0 });
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

/** A frame of `rows` converged rows at distinct positions. */
function frameRows(frame: number, rows: number) {
  const b = createLocalizationBatch(frame, rows);
  for (let i = 0; i < rows; i++) b.x[i] = 1000 * frame + i;
  return b;
}

test('rows are written in blocks of whole frames; flush, commit and abandon write the rows held', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smlm-csv-'));
  try {
    const path = join(dir, 'locs.csv');
    const writes: number[] = [];
    const sink = fullDisk(1 << 22);
    const counting = { ...sink, write: (b: Uint8Array, o: number, l: number, p: number) => (writes.push(l), sink.write(b, o, l, p)) };
    const writer = new LocalizationCsvWriter(path, { sink: counting });
    const header = writes.length;
    let frames = 0;
    while (writes.length === header) writer.write(frameRows(++frames, 40));
    // One block of several frames, at least CSV_FLUSH_BYTES long and less than one frame more.
    const block = writes[header];
    const frameBytes = block / frames;
    assert.ok(frames > 1, `${frames} frames in the first block`);
    assert.ok(block >= CSV_FLUSH_BYTES && block < CSV_FLUSH_BYTES + frameBytes + 1, `block of ${block} bytes`);
    const fileText = () => new TextDecoder().decode(sink.bytes.subarray(0, sink.length));
    assert.equal(fileText().trim().split('\n').length - 1, 40 * frames, 'the file holds the whole block');
    writer.write(frameRows(++frames, 40));
    assert.equal(fileText().trim().split('\n').length - 1, 40 * (frames - 1), 'the next frame is held');
    writer.flush();
    assert.equal(fileText().trim().split('\n').length - 1, 40 * frames, 'flush writes it');
    writer.write(frameRows(++frames, 3));
    writer.abandon();
    const rows = fileText().trim().split('\n').slice(1);
    assert.equal(rows.length, 40 * (frames - 1) + 3, 'abandon writes the rows held');
    assert.deepEqual(rows.map((r) => Number(r.split(',')[0])), rows.map((_, i) => i + 1), 'ids run on across blocks');
    assert.equal(writer.rows, rows.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a block that cannot be written: the file is cut back to the blocks before it, rows counts them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smlm-csv-'));
  try {
    const path = join(dir, 'locs.csv');
    // Room for the header, one block and part of the next.
    const sink = fullDisk(CSV_FLUSH_BYTES + 30000);
    const writer = new LocalizationCsvWriter(path, { sink });
    let caught: unknown;
    for (let frame = 1; frame < 200 && caught === undefined; frame++) {
      try {
        writer.write(frameRows(frame, 40));
      } catch (error) {
        caught = error;
      }
    }
    assert.ok(caught instanceof FileWriteError, String(caught));
    assert.equal(caught.code, 'ENOSPC');
    const rows = new TextDecoder().decode(sink.bytes.subarray(0, sink.length)).split('\n').slice(1, -1);
    assert.ok(rows.length > 40 && rows.length % 40 === 0, `whole frames of the first block: ${rows.length} rows`);
    assert.equal(writer.rows, rows.length);
    // The frames the file holds (the run record's count after a write error): frames 1…k.
    assert.equal(writer.framesInFile, rows.length / 40);
    assert.equal(writer.lastFrameInFile, rows.length / 40);
    assert.equal(Number(rows[rows.length - 1].split(',')[1]), writer.lastFrameInFile, 'the last row is the last frame counted');
    const kept = sink.length;
    writer.abandon();
    assert.equal(sink.length, kept, 'abandon adds nothing after the failure (the failed block is dropped)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
