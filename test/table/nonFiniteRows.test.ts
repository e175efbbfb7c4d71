import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Random } from '../../src/simulate/Random.js';
import { MAX_GAUSSIAN_SIGMA_PX } from '../../src/render/SuperResolutionImage.js';
import { USABLE_ROWS_FILTER } from '../../src/table/checkRows.js';
import { CLI } from '../cli/cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-nonfinite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });
const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const HEADER = '"id","frame","x [nm]","y [nm]","sigma [nm]","intensity [photon]","offset [photon]","bkgstd [photon]","uncertainty [nm]"';

/**
 * A small ThunderSTORM-style table: emitters on six lines, drifting 100 nm in x and −50 nm in y
 * over 300 frames, 3000 rows (fixed seed): enough for three drift segments of 100 frames.
 */
function cleanRows(): string[] {
  const rng = new Random(23);
  const rows: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const f = 1 + Math.floor(i / 10);
    const line = i % 6;
    const t = 5000 * rng.uniform();
    const x = 1000 + 700 * line + t * Math.cos(0.5 * line) + (100 * (f - 1)) / 300 + 8 * rng.normal();
    const y = 500 + t * Math.sin(0.5 * line) - (50 * (f - 1)) / 300 + 8 * rng.normal();
    rows.push(`${i + 1},${f},${x.toFixed(1)},${y.toFixed(1)},130.0,1200.0,10.0,3.5,${(8 + 4 * rng.uniform()).toFixed(2)}`);
  }
  return rows;
}

/** Rows no microscope gives: NaN, Infinity and 1e12 in frame, x and y (ids past the clean rows'). */
const BAD_ROWS = [
  '9001,50,NaN,900.0,130.0,1200.0,10.0,3.5,9.00',
  '9002,60,1200.0,Infinity,130.0,1200.0,10.0,3.5,9.00',
  '9003,70,1e12,900.0,130.0,1200.0,10.0,3.5,9.00',
  '9004,1e12,1200.0,900.0,130.0,1200.0,10.0,3.5,9.00',
  '9005,,1200.0,900.0,130.0,1200.0,10.0,3.5,9.00',
  '9006,80,-inf,900.0,130.0,1200.0,10.0,3.5,9.00',
];

const clean = cleanRows();
/** The clean table, and the same with the bad rows put among them (the first at line 102). */
const cleanCsv = join(dir, 'clean.csv');
writeFileSync(cleanCsv, `${[HEADER, ...clean].join('\n')}\n`);
const dirtyCsv = join(dir, 'dirty.csv');
const dirty = [...clean];
BAD_ROWS.forEach((row, k) => dirty.splice(100 + 400 * k, 0, row));
writeFileSync(dirtyCsv, `${[HEADER, ...dirty].join('\n')}\n`);
const FIRST_BAD_LINE = 102; // the header is line 1, clean rows 1–100 lines 2–101

describe('non-finite and absurd values in tables', () => {
  test('drift refuses a table with a NaN, Infinity or 1e12 row, naming the line; filtered, the finite rows give exactly the clean drift', () => {
    const before = digest(dirtyCsv);
    const out = join(dir, 'dirty.corrected.csv');
    const r = run(['drift', dirtyCsv, '-o', out]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`dirty\\.csv: line ${FIRST_BAD_LINE}: x is NaN \\(not a number\\) \\(and 5 more rows with no usable frame, x or y\\)`));
    assert.ok(r.stderr.includes(`--where "${USABLE_ROWS_FILTER}"`), r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    assert.ok(!existsSync(out) && !existsSync(join(dir, 'dirty.corrected.drift.csv')), 'nothing written');
    assert.equal(digest(dirtyCsv), before, 'the input unchanged');
    // The filter the message suggests leaves exactly the clean rows…
    const filtered = join(dir, 'filtered.csv');
    const f = run(['filter', dirtyCsv, '--where', USABLE_ROWS_FILTER, '-o', filtered]);
    assert.equal(f.status, 0, f.stderr);
    assert.match(f.stdout, /kept 3000 of 3006/);
    assert.match(f.stdout, new RegExp(`note: 6 rows have no usable frame, x or y \\(the first at line ${FIRST_BAD_LINE}: x is NaN \\(not a number\\)\\); 0 kept`));
    // …and drift on them gives the clean table's trajectory and corrected rows, byte for byte.
    const a = run(['drift', cleanCsv, '-o', join(dir, 'a.csv')]);
    const b = run(['drift', filtered, '-o', join(dir, 'b.csv')]);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    assert.equal(digest(join(dir, 'b.drift.csv')), digest(join(dir, 'a.drift.csv')));
    assert.equal(digest(join(dir, 'b.csv')), digest(join(dir, 'a.csv')));
    assert.ok(readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8').includes(`--where "${USABLE_ROWS_FILTER}"`), 'the README gives the same filter');
  });

  test('drift: one NaN plus one Infinity ends at once; x or frame of 1e12 is a one-line refusal, not an internal error', () => {
    for (const [bad, expected] of [
      [[BAD_ROWS[0], BAD_ROWS[1]], /line 102: x is NaN .*and 1 more row/],
      [[BAD_ROWS[2]], /line 102: x is 1000000000000 \(beyond ±10000000 nm\)/],
      [[BAD_ROWS[3]], /line 102: frame is 1000000000000 \(more than 100000000\)/],
    ] as const) {
      const csv = join(dir, 'one.csv');
      writeFileSync(csv, `${[HEADER, ...clean.slice(0, 100), ...bad, ...clean.slice(100)].join('\n')}\n`);
      const r = run(['drift', csv]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /internal error|Invalid typed array/);
    }
  });

  test('merge refuses a bad row naming the line; filtered, the merged rows equal the clean table\'s', () => {
    const before = digest(dirtyCsv);
    const r = run(['merge', dirtyCsv, '-o', join(dir, 'm.csv')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`line ${FIRST_BAD_LINE}: x is NaN`));
    assert.ok(!existsSync(join(dir, 'm.csv')));
    assert.equal(digest(dirtyCsv), before);
    const filtered = join(dir, 'mfiltered.csv');
    assert.equal(run(['filter', dirtyCsv, '--where', USABLE_ROWS_FILTER, '-o', filtered]).status, 0);
    assert.equal(run(['merge', cleanCsv, '-o', join(dir, 'ma.csv')]).status, 0);
    assert.equal(run(['merge', filtered, '-o', join(dir, 'mb.csv')]).status, 0);
    assert.equal(digest(join(dir, 'mb.csv')), digest(join(dir, 'ma.csv')));
  });

  test('render skips bad rows with a count and the first line: the image of the finite rows, byte for byte', () => {
    // An uncertainty of 1e8 nm (absurd) and NaN (missing) too: left out in gaussian mode, in a moment.
    const withU = join(dir, 'dirtyU.csv');
    const extra = ['9101,90,1500.0,900.0,130.0,1200.0,10.0,3.5,1e8', '9102,91,1500.0,900.0,130.0,1200.0,10.0,3.5,NaN'];
    writeFileSync(withU, `${[HEADER, ...dirty, ...extra].join('\n')}\n`);
    for (const mode of ['histogram', 'gaussian']) {
      const a = join(dir, `a-${mode}.png`);
      const b = join(dir, `b-${mode}.png`);
      const ra = run(['render', cleanCsv, '-o', a, '--mode', mode, '--pixel', '20']);
      // In histogram mode the uncertainty is not used: those two rows are localizations like the others.
      const rb = run(['render', mode === 'gaussian' ? withU : dirtyCsv, '-o', b, '--mode', mode, '--pixel', '20']);
      assert.equal(ra.status, 0, ra.stderr);
      assert.equal(rb.status, 0, rb.stderr);
      assert.match(rb.stdout, new RegExp(`warning: 6 rows of .*dirty(U)?\\.csv left out: no usable frame, x or y \\(the first at line ${FIRST_BAD_LINE}: x is NaN`));
      if (mode === 'gaussian') assert.match(rb.stdout, /warning: 2 localizations not drawn: uncertainty missing, negative or above 10000 nm/);
      assert.equal(digest(b), digest(a), `${mode}: the same image`);
    }
  });

  test('render --min-sigma beyond the widest Gaussian is refused; a wide one is drawn inside the image only', () => {
    const r = run(['render', cleanCsv, '-o', join(dir, 'wide.png'), '--mode', 'gaussian', '--pixel', '20', '--min-sigma', '1e6']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`--min-sigma must be at most ${MAX_GAUSSIAN_SIGMA_PX * 20}`));
    const w = run(['render', cleanCsv, '-o', join(dir, 'wide.png'), '--mode', 'gaussian', '--pixel', '20', '--min-sigma', String(MAX_GAUSSIAN_SIGMA_PX * 20)]);
    assert.equal(w.status, 0, w.stderr);
    assert.match(w.stdout, /3000 of 3000 localizations/);
  });

  test('evaluate and export refuse a row of x = 1e12 naming the line; export a NaN uncertainty too', () => {
    const csv = join(dir, 'far.csv');
    writeFileSync(csv, `${[HEADER, ...clean.slice(0, 5), BAD_ROWS[2], ...clean.slice(5, 10)].join('\n')}\n`);
    const e = run(['evaluate', cleanCsv, csv]);
    assert.equal(e.status, 2, e.stderr);
    assert.match(e.stderr, /far\.csv: line 7: x is 1000000000000 \(beyond ±10000000 nm\)/);
    const x = run(['export', csv, '--format', 'picasso', '-o', join(dir, 'far.hdf5'), '--width', '64', '--height', '64', '--frames', '300', '--pixel-size', '100']);
    assert.equal(x.status, 2, x.stderr);
    assert.match(x.stderr, /far\.csv: line 7: x is 1000000000000/);
    // Picasso's lpx and lpy come from the uncertainties: a NaN one is refused as well.
    const header = `${HEADER},"uncertainty_x [nm]","uncertainty_y [nm]"`;
    const withXY = (row: string, ux: string) => `${row},${ux},9.0`;
    const nan = join(dir, 'nanu.csv');
    writeFileSync(nan, `${[header, ...clean.slice(0, 3).map((r) => withXY(r, '9.0')), withXY(clean[3], 'nan')].join('\n')}\n`);
    const u = run(['export', nan, '--format', 'picasso', '-o', join(dir, 'nanu.hdf5'), '--width', '64', '--height', '64', '--frames', '300', '--pixel-size', '100']);
    assert.equal(u.status, 2, u.stderr);
    assert.match(u.stderr, /nanu\.csv: line 5: uncertainty is NaN \(not a number\); every row needs a frame, x and y and an uncertainty/);
  });

  test('ragged rows and text cells are refused with the file and line; NaN cells are values a filter can test', () => {
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, `${HEADER}\n${clean[0]}\n${clean[1].split(',').slice(0, 7).join(',')}\n${clean[2]}\n`);
    const longer = join(dir, 'longer.csv');
    writeFileSync(longer, `${HEADER}\n${clean[0]}\n\n${clean[1]},7\n`);
    const text = join(dir, 'text.csv');
    writeFileSync(text, `${HEADER}\n${clean[0]}\n${clean[1].replace(',130.0,', ',abc,')}\n`);
    for (const [csv, expected] of [
      [ragged, /ragged\.csv: line 3 has 7 values but the header names 9 columns/],
      [longer, /longer\.csv: line 4 has 10 values but the header names 9 columns/],
      [text, /text\.csv: line 3, column "sigma \[nm\]": 'abc' is not a number/],
    ] as const) {
      // The reader every table command shares: filter for each case, merge and render for one.
      for (const command of csv === text ? [['filter', csv, '--where', 'x > 0'], ['merge', csv], ['render', csv]] : [['filter', csv, '--where', 'x > 0']]) {
        const r = run(command);
        assert.equal(r.status, 2, `${command.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, expected);
      }
    }
    // A missing value (empty, nan) is a value: the filter's comparison is false, the row left out.
    const missing = join(dir, 'missing.csv');
    writeFileSync(missing, `${HEADER}\n${clean[0]}\n${clean[1].replace(/,[\d.]+$/, ',')}\n${clean[2].replace(/,[\d.]+$/, ',nan')}\n`);
    const f = run(['filter', missing, '--where', 'uncertainty < 100', '-o', join(dir, 'missing.f.csv')]);
    assert.equal(f.status, 0, f.stderr);
    assert.match(f.stdout, /kept 1 of 3/);
  });
});
