import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileWriteError } from '../../src/errors/FileWriteError.js';
import { TableCsvWriter } from '../../src/export/TableCsvWriter.js';
import { writeLocalizationTable } from '../../src/export/writeLocalizationTable.js';
import { readTable } from '../../src/table/LocalizationTable.js';
import { fullDisk } from './fullDisk.js';

test('tables as CSV: our columns with their decimals, others exactly, read back as written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smlm-table-'));
  try {
    const path = join(dir, 't.csv');
    const header = ['frame', 'x [nm]', 'detections', 'chi2', 'drift x [nm]'];
    const columns = [Float64Array.of(1, 2), Float64Array.of(1.23456, 7), Float64Array.of(3, 1), Float64Array.of(0.1 + 0.2, Number.NaN), Float64Array.of(1.005, -2)];
    writeLocalizationTable(path, { header, columns, rows: 2 });
    assert.equal(readFileSync(path, 'utf8'), '"frame","x [nm]","detections","chi2","drift x [nm]"\n1,1.23,3,0.30000000000000004,1.00\n2,7.00,1,NaN,-2.00\n');
    const back = readTable(path);
    assert.deepEqual(back.header, header);
    assert.equal(back.columns[3][0], 0.1 + 0.2, 'a column we do not know reads back exactly');
    assert.ok(!existsSync(`${path}.partial`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a write error names the file; the temporary file ends with a whole row; nothing under the name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smlm-table-'));
  try {
    const path = join(dir, 'merged.csv');
    const sink = fullDisk(300);
    const writer = new TableCsvWriter(path, ['frame', 'x [nm]'], sink);
    const rows = 10;
    const block = { header: writer.header, columns: [Float64Array.from({ length: rows }, (_, i) => i + 1), Float64Array.from({ length: rows }, (_, i) => 1000 + i / 3)], rows };
    let caught: unknown;
    for (let k = 0; k < 10 && caught === undefined; k++) {
      try {
        writer.write(block);
      } catch (error) {
        caught = error;
      }
    }
    assert.ok(caught instanceof FileWriteError, String(caught));
    assert.equal(caught.message, `could not write ${path}.partial: no space left on the device (ENOSPC)`);
    const text = new TextDecoder().decode(sink.bytes.subarray(0, sink.length));
    assert.ok(text.endsWith('\n'), JSON.stringify(text.slice(-30)));
    assert.equal(text.trim().split('\n').length - 1, writer.rows, 'the rows counted are the rows kept');
    writer.abandon();
    assert.ok(!existsSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
