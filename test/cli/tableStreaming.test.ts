import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { InputFileError } from '../../src/errors/InputFileError.js';
import { run as drift } from '../../src/cli/driftCommand.js';
import { run as filter } from '../../src/cli/filterCommand.js';
import { run as merge } from '../../src/cli/mergeCommand.js';
import { run as render } from '../../src/cli/renderCommand.js';
import { correctDrift } from '../../src/post/correctDrift.js';
import { estimateDriftAim } from '../../src/post/estimateDriftAim.js';
import { filterTable } from '../../src/post/filterTable.js';
import { mergeBlinks } from '../../src/post/mergeBlinks.js';
import { Random } from '../../src/simulate/Random.js';
import { ASTIGMATIC_COLUMNS, LOCALIZATION_COLUMNS } from '../../src/table/columns.js';
import type { LocalizationTable } from '../../src/table/LocalizationTable.js';
import { writeLocalizationTable } from '../../src/export/writeLocalizationTable.js';
import { positions, readTable, selectRows } from '../../src/table/LocalizationTable.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-table-streaming-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Rows per block for the streamed runs: 7 splits every frame's rows and the bead's molecule across many blocks. */
const SMALL_BLOCK = 7;
/** More rows than any table here: the whole table in one block. */
const ONE_BLOCK = 1 << 20;

/**
 * A 3-D localization table in our format, 120 frames: a bead on in every frame (one molecule
 * across every block), blinking molecules on 40 sites (2–4 frames each, so merges happen), a
 * drift of 30 nm in x; every 17th row not converged, every 23rd without an uncertainty.
 */
function writeTable(path: string): LocalizationTable {
  const rng = new Random(5);
  const header = [...LOCALIZATION_COLUMNS, ...ASTIGMATIC_COLUMNS].map((c) => c.header);
  const rows: number[][] = [];
  const sites = Array.from({ length: 40 }, () => [200 + 3000 * rng.uniform(), 200 + 3000 * rng.uniform()]);
  const on: { site: number; left: number }[] = [];
  for (let f = 1; f <= 120; f++) {
    while (on.length < 8) on.push({ site: Math.floor(rng.uniform() * sites.length), left: 2 + Math.floor(3 * rng.uniform()) });
    const here = [[1600, 1600], ...on.map((m) => sites[m.site])];
    for (const [sx, sy] of here) {
      const r = rows.length;
      const u = r % 23 === 5 ? Number.NaN : 5 + 5 * rng.uniform();
      const noise = sx === 1600 ? 2 : 6; // the bead is bright
      const x = sx + (30 * f) / 120 + noise * rng.normal();
      const y = sy + noise * rng.normal();
      // id frame x y sigma intensity offset bkgstd uncertainty ux uy ll iterations status emitters z uz sigma1 sigma2
      rows.push([r + 1, f, x, y, 130 + 5 * rng.uniform(), 500 + 2000 * rng.uniform(), 20 * rng.uniform(), 4, u, u, u * 1.1, -200 * rng.uniform(), 5, r % 17 === 3 ? 2 : 0, 1, -300 + 600 * rng.uniform(), 20 + 10 * rng.uniform(), 120, 140]);
    }
    for (const m of on) m.left--;
    on.splice(0, on.length, ...on.filter((m) => m.left > 0));
  }
  const table = { header, columns: header.map((_, c) => Float64Array.from(rows, (row) => row[c])), rows: rows.length };
  writeLocalizationTable(path, table);
  return readTable(path);
}

const csv = join(dir, 'locs.csv');
const table = writeTable(csv);
const quiet = () => undefined;
const bytes = (path: string) => readFileSync(path);

describe('table commands streamed: the same bytes whatever the block size, and as the whole-table computation', () => {
  test('filter: 7-row blocks, one block, and filterTable of the whole table write the same CSV', async () => {
    const where = 'uncertainty < 8 && intensity > 900';
    for (const [name, rows] of [['small', SMALL_BLOCK], ['one', ONE_BLOCK]] as const) {
      assert.equal(await filter([csv, '--where', where, '-o', join(dir, `filter-${name}.csv`)], quiet, rows), 0);
    }
    writeLocalizationTable(join(dir, 'filter-whole.csv'), filterTable(table, where));
    const whole = bytes(join(dir, 'filter-whole.csv'));
    assert.ok(readTable(join(dir, 'filter-whole.csv')).rows > 100, 'the filter keeps rows of many blocks');
    assert.deepEqual(bytes(join(dir, 'filter-small.csv')), whole);
    assert.deepEqual(bytes(join(dir, 'filter-one.csv')), whole);
    const record = JSON.parse(readFileSync(join(dir, 'filter-small.json'), 'utf8')) as { counts: { rowsIn: number; rowsOut: number } };
    assert.deepEqual(record.counts, { rowsIn: table.rows, rowsOut: readTable(join(dir, 'filter-whole.csv')).rows });
  });

  test('merge: a bead on in every frame and blinks across 7-row blocks merge as mergeBlinks of the whole table', async () => {
    const lines: string[] = [];
    assert.equal(await merge([csv, '-o', join(dir, 'merge-small.csv')], (l) => lines.push(l), SMALL_BLOCK), 0);
    assert.equal(await merge([csv, '-o', join(dir, 'merge-one.csv')], quiet, ONE_BLOCK), 0);
    const merged = mergeBlinks(table, {}, csv);
    writeLocalizationTable(join(dir, 'merge-whole.csv'), merged);
    const whole = bytes(join(dir, 'merge-whole.csv'));
    // The bead is one molecule of many detections; blinks of 2–4 frames merge too.
    const detections = merged.columns[merged.header.indexOf('detections')];
    assert.ok(Math.max(...detections) >= 60, `the bead spans half the table or more (${Math.max(...detections)} detections)`);
    assert.ok(detections.filter((d) => d > 1).length > 50, 'many molecules of several detections');
    assert.deepEqual(bytes(join(dir, 'merge-small.csv')), whole);
    assert.deepEqual(bytes(join(dir, 'merge-one.csv')), whole);
    assert.match(lines[0], new RegExp(`${table.rows} localizations → ${merged.rows} molecules`));
  });

  test('merge of a table not in frame order (merged in memory) writes what mergeBlinks writes', async () => {
    const shuffled = join(dir, 'shuffled.csv');
    const order = Array.from({ length: table.rows }, (_, i) => i);
    const rng = new Random(9);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    writeLocalizationTable(shuffled, selectRows(table, order));
    assert.equal(await merge([shuffled, '-o', join(dir, 'shuffled-merged.csv')], quiet, SMALL_BLOCK), 0);
    writeLocalizationTable(join(dir, 'shuffled-whole.csv'), mergeBlinks(readTable(shuffled), {}, shuffled));
    assert.deepEqual(bytes(join(dir, 'shuffled-merged.csv')), bytes(join(dir, 'shuffled-whole.csv')));
  });

  test('drift: positions read as columns, rows corrected block by block: the same CSV and trajectory', async () => {
    for (const [name, rows] of [['small', SMALL_BLOCK], ['one', ONE_BLOCK]] as const) {
      assert.equal(await drift([csv, '--segment-frames', '30', '-o', join(dir, `drift-${name}.csv`)], quiet, rows), 0);
    }
    const { frame, x, y } = positions(table, csv);
    const trajectory = estimateDriftAim(frame, x, y, { segmentFrames: 30 });
    writeLocalizationTable(join(dir, 'drift-whole.csv'), correctDrift(table, trajectory, csv));
    const whole = bytes(join(dir, 'drift-whole.csv'));
    assert.deepEqual(bytes(join(dir, 'drift-small.csv')), whole);
    assert.deepEqual(bytes(join(dir, 'drift-one.csv')), whole);
    assert.deepEqual(bytes(join(dir, 'drift-small.drift.csv')), bytes(join(dir, 'drift-one.drift.csv')));
  });

  test('render: histogram, gaussian and depth-coloured images are the same from 7-row blocks and from one', () => {
    const modes: [string, string[]][] = [['histogram', []], ['gaussian', ['--mode', 'gaussian']], ['depth', ['--color', 'z']]];
    for (const [name, flags] of modes) {
      const lines: string[] = [];
      assert.equal(render([csv, ...flags, '-o', join(dir, `${name}-small.png`)], (l) => lines.push(l), SMALL_BLOCK), 0);
      assert.equal(render([csv, ...flags, '-o', join(dir, `${name}-one.png`)], quiet, ONE_BLOCK), 0);
      assert.match(lines[0], new RegExp(`of ${table.rows} localizations`));
      assert.deepEqual(bytes(join(dir, `${name}-small.png`)), bytes(join(dir, `${name}-one.png`)), name);
    }
  });

  test('a filter that fails on a row leaves no output and no .partial', async () => {
    const out = join(dir, 'failed.csv');
    // An unknown function is found when a row of frame > 100 (many blocks in) evaluates it.
    await assert.rejects(filter([csv, '--where', 'frame > 100 and nofn(1)', '-o', out], quiet, SMALL_BLOCK));
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(`${out}.partial`), false);
  });
});

describe('rows without a usable frame, x or y, met block by block', () => {
  // Three faulty rows in three different 7-row blocks (data row i is on line i + 2): the first
  // at line 44 (data row 42, the 7th block), then data rows 200 and 431.
  const lines = readFileSync(csv, 'utf8').split('\n');
  const setCell = (line: number, column: number, value: string) => {
    const cells = lines[line - 1].split(',');
    cells[column] = value;
    lines[line - 1] = cells.join(',');
  };
  setCell(44, 2, 'NaN'); // x
  setCell(202, 3, 'Infinity'); // y
  setCell(433, 2, '1e12'); // x
  const faulty = join(dir, 'faulty.csv');
  writeFileSync(faulty, lines.join('\n'));
  const FIRST = /faulty\.csv: line 44: x is NaN \(not a number\) \(and 2 more rows with no usable frame, x or y\)/;

  const refusal = async (command: typeof drift, name: string, rows: number) => {
    const out = join(dir, `faulty-${name}-${rows}.csv`);
    let message = '';
    await assert.rejects(command([faulty, '-o', out], quiet, rows), (e: unknown) => {
      message = (e as Error).message;
      return e instanceof InputFileError;
    });
    assert.ok(!existsSync(out) && !existsSync(`${out}.partial`), `${name}: nothing written`);
    return message;
  };

  test('drift and merge refuse the table naming the first faulty line and counting all three, whatever the block size', async () => {
    for (const [name, command] of [['drift', drift], ['merge', merge]] as const) {
      const small = await refusal(command, name, SMALL_BLOCK);
      assert.match(small, FIRST);
      assert.ok(small.includes(`${name} needs a frame, x and y in every row`), small);
      assert.equal(await refusal(command, name, ONE_BLOCK), small, `${name}: the same message from one block`);
    }
  });

  test('filter notes the three rows and the first line, whatever the block size', async () => {
    const notes: string[][] = [];
    for (const rows of [SMALL_BLOCK, ONE_BLOCK]) {
      const lines: string[] = [];
      const out = join(dir, `faulty-filter-${rows}.csv`);
      assert.equal(await filter([faulty, '--where', 'x < 1000000', '-o', out], (l) => lines.push(l.replace(out, 'OUT')), rows), 0);
      notes.push(lines);
    }
    // "x < 1000000" leaves out the NaN and the 1e12 x (a comparison with NaN is false) and keeps the infinite y.
    assert.match(notes[0][1], /note: 3 rows have no usable frame, x or y \(the first at line 44: x is NaN \(not a number\)\); 1 kept/);
    assert.deepEqual(notes[0], notes[1]);
  });

  test('render leaves the three rows out with one warning naming line 44, whatever the block size', () => {
    const warnings: string[][] = [];
    for (const rows of [SMALL_BLOCK, ONE_BLOCK]) {
      const lines: string[] = [];
      assert.equal(render([faulty, '-o', join(dir, `faulty-${rows}.png`)], (l) => lines.push(l), rows), 0);
      warnings.push(lines.filter((l) => l.includes('warning')));
    }
    assert.deepEqual(warnings[0], [`  warning: 3 rows of ${faulty} left out: no usable frame, x or y (the first at line 44: x is NaN (not a number))`]);
    assert.deepEqual(warnings[1], warnings[0]);
    assert.deepEqual(bytes(join(dir, `faulty-${SMALL_BLOCK}.png`)), bytes(join(dir, `faulty-${ONE_BLOCK}.png`)));
  });
});
