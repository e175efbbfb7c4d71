/**
 * `smlm-stream report` and `localize --report` from the command line (in one child process):
 * the page written where asked or named after the CSV, its line on stdout, and the refusals
 * (an output over an input, a record that is missing) with exit 2 and the file named.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPORT_SECTIONS } from '../../src/report/ReportContent.js';
import { runBatch } from './cliBatch.js';
import type { BatchResult } from './cliBatch.js';
import { writeSyntheticRun } from '../report/syntheticRun.js';

const SAMPLE = join(import.meta.dirname, '../../samples/filaments.tif');

let dir: string;
let results: BatchResult[];
let record: string;
let table: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
  ({ record, table } = await writeSyntheticRun(dir, 'run', { rows: 500, frames: 50, widthPx: 16 }));
  results = runBatch(dir, [
    ['report', record, '-o', join(dir, 'page.html')],
    ['report', record, '-o', table],
    ['report', join(dir, 'missing.json')],
    ['localize', SAMPLE, '--frames', '1:30', '-o', join(dir, 'sample.csv'), '--report'],
    ['report', record],
  ]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('report writes the page where -o says, and says so', () => {
  const [r] = results;
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /smlm-stream report: .*run\.json → .*page\.html \(\d+\.\d\d MB, \d+\.\d\d s\)/);
  const html = readFileSync(join(dir, 'page.html'), 'utf8');
  for (const id of REPORT_SECTIONS) assert.ok(html.includes(`id="${id}"`), id);
});

test('without -o the page is named after the record', () => {
  assert.equal(results[4].status, 0, results[4].stderr);
  assert.ok(existsSync(join(dir, 'run.report.html')));
});

test('report refuses to write over its table, and a missing record, naming the file (exit 2)', () => {
  assert.equal(results[1].status, 2);
  assert.match(results[1].stderr, /run\.csv/);
  assert.equal(results[2].status, 2);
  assert.match(results[2].stderr, /missing\.json: cannot be read/);
});

test('localize --report writes NAME.report.html at the end of the run', () => {
  const r = results[3];
  assert.equal(r.status, 0, r.stderr);
  const page = join(dir, 'sample.report.html');
  assert.match(r.stdout, new RegExp(`report +${page.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(`));
  const html = readFileSync(page, 'utf8');
  assert.match(html, /filaments\.tif/);
  assert.match(html, /Frames 1 to 30;/, 'the run of 30 frames');
});
