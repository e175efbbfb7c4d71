import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readPointTable } from '../../src/evaluate/PointTable.js';
import { CsvTableReader } from '../../src/table/CsvTableReader.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-point-table-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readPointTable', () => {
  test('a table out of frame order comes back sorted by frame, rows of a frame in file order; positionsOnly keeps the same positions', () => {
    const path = join(dir, 'unsorted.csv');
    writeFileSync(path, '"frame","x [nm]","y [nm]","intensity [photon]"\n3,30,1,300\n1,10,2,100\n3,31,3,301\n2,20,4,200\n1,11,5,101\n');
    const t = readPointTable(path);
    assert.deepEqual([...t.frame], [1, 1, 2, 3, 3]);
    assert.deepEqual([...t.x], [10, 11, 20, 30, 31]);
    assert.deepEqual([...t.y], [2, 5, 4, 1, 3]);
    assert.deepEqual([...(t.columns.get('intensity [photon]') ?? [])], [100, 101, 200, 300, 301]);
    const p = readPointTable(path, { positionsOnly: true });
    assert.deepEqual([...p.frame], [...t.frame]);
    assert.deepEqual([...p.x], [...t.x]);
    assert.deepEqual([...p.y], [...t.y]);
    assert.equal(p.columns.size, 0);
  });

  test('rowCapacity: at least the rows, counting blank lines and a last line without a line end', () => {
    const path = join(dir, 'blank.csv');
    writeFileSync(path, 'frame,x,y\n1,1,1\n\n2,2,2\r\n3,3,3');
    assert.equal(CsvTableReader.rowCapacity(path), 4);
    const t = readPointTable(path);
    assert.deepEqual([...t.frame], [1, 2, 3]);
  });
});
