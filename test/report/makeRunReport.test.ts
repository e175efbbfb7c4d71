/**
 * The run report's content and page: every section there once, the numbers in it those of the
 * table (counted here independently of the report's code), the drift of a drift step, the reason
 * NeNA is not computed on a merged table, nothing that would reach the network, and text from
 * files escaped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputFileError } from '../../src/errors/InputFileError.js';
import { estimateFrc, frcPixelNm } from '../../src/post/estimateFrc.js';
import { estimateNena } from '../../src/post/estimateNena.js';
import { readTable } from '../../src/table/LocalizationTable.js';
import { buildReportHtml } from '../../src/report/buildReportHtml.js';
import { makeRunReport } from '../../src/report/makeRunReport.js';
import { notComputed, REPORT_SECTIONS } from '../../src/report/ReportContent.js';
import type { ReportContent } from '../../src/report/ReportContent.js';
import { readRunRecord } from '../../src/report/readRunRecord.js';
import { columnHistogram, frameCounts } from '../../src/report/summarizeTable.js';
import { writeSyntheticRun } from './syntheticRun.js';
import type { SyntheticRun } from './syntheticRun.js';

const ROWS = 3000;
const FRAMES = 250;
/** Rows placed outside the camera image: three molecules of three frames. */
const OUTSIDE = 9;
/** The made-up localization precision, nm. */
const PRECISION_NM = 8;

/** A column of a CSV as numbers, read here with split (independent of the report's reader). */
function column(path: string, header: string): number[] {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const at = lines[0].split(',').indexOf(`"${header}"`);
  assert.ok(at >= 0, `${header} in ${path}`);
  return lines.slice(1).map((l) => Number(l.split(',')[at]));
}

/** The median of numbers. */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

describe('the run report', () => {
  let dir: string;
  let run: SyntheticRun;
  let content: ReportContent;
  let html: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-'));
    run = await writeSyntheticRun(dir, 'run', { rows: ROWS, frames: FRAMES, widthPx: 32, outside: OUTSIDE, stack: 'stack<script>alert(1)</script>.tif' });
    content = await makeRunReport(run.record, 'test');
    html = buildReportHtml(content);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('each section is there once, with its id and test id, in order', () => {
    let last = -1;
    for (const id of REPORT_SECTIONS) {
      const tag = `<section id="${id}" data-testid="${id}">`;
      const at = html.indexOf(tag);
      assert.ok(at > last, `section ${id} present after the one before`);
      assert.equal(html.indexOf(tag, at + 1), -1, `section ${id} once`);
      last = at;
    }
  });

  test('the page fetches nothing: no script, no link, no URL but data: ones', () => {
    assert.doesNotMatch(html, /<script|<link|<iframe|@import|url\(/i);
    for (const m of html.matchAll(/\b(?:src|href)="([^"]*)"/g)) assert.match(m[1], /^data:/, `only data: URIs, got ${m[1].slice(0, 40)}`);
    assert.match(html, /<img src="data:image\/png;base64,iVBORw0KGgo/, 'the image is an inline PNG');
  });

  test('text from the record is escaped', () => {
    assert.ok(!html.includes('<script>alert(1)'), 'the stack name is not markup');
    assert.ok(html.includes('stack&lt;script&gt;alert(1)&lt;/script&gt;.tif'));
  });

  test('histograms: every finite value counted once, the medians those of the table', () => {
    const byHeader = new Map(content.histograms.map((h) => [h.histogram.header, h.histogram]));
    assert.deepEqual([...byHeader.keys()], ['intensity [photon]', 'offset [photon]', 'uncertainty [nm]', 'sigma [nm]']);
    for (const [header, h] of byHeader) {
      const values = column(run.table, header);
      assert.equal(h.values, values.length, `${header}: values`);
      assert.equal(h.counts.reduce((a, b) => a + b, 0) + h.below + h.above, values.length, `${header}: bins + outside = values`);
      assert.equal(h.median, median(values), `${header}: median`);
      // The page shows the same numbers.
      assert.ok(html.includes(`data-column="${header}" data-median="${median(values)}" data-values="${values.length}"`), `${header} in the page`);
      // Each bin holds the values in it (count here for the first, the middle and the last bin).
      for (const b of [0, Math.floor(h.counts.length / 2), h.counts.length - 1]) {
        const lo = h.lo + b * h.binWidth;
        const hi = lo + h.binWidth;
        const last = b === h.counts.length - 1;
        const expected = values.filter((v) => v >= lo && (v < hi || (last && v <= hi))).length;
        // A value on an edge may fall either side with floating-point edges: at most the values equal to an edge differ.
        const onEdges = values.filter((v) => Math.abs(v - lo) < 1e-9 * Math.abs(lo) || Math.abs(v - hi) < 1e-9 * Math.abs(hi)).length;
        assert.ok(Math.abs(h.counts[b] - expected) <= onEdges, `${header} bin ${b}: ${h.counts[b]} vs ${expected}`);
      }
    }
    assert.match(html, /<svg[^>]*>[\s\S]*photons[\s\S]*<\/svg>/, 'the photon histogram is inline SVG');
  });

  test('localizations per frame: every row in its frame block', () => {
    const f = content.frames.counts;
    assert.equal(f.firstFrame, 1);
    assert.equal(f.lastFrame, FRAMES);
    const frames = column(run.table, 'frame');
    for (let b = 0; b < f.blockStart.length; b++) {
      const start = f.blockStart[b];
      const end = Math.min(FRAMES, start + f.blockFrames - 1);
      const n = frames.filter((v) => v >= start && v <= end).length;
      assert.ok(Math.abs(f.perFrame[b] - n / (end - start + 1)) < 1e-12, `block ${b}`);
    }
    // Blocks of frames when there are more frames than points.
    const many = frameCounts({ frame: Int32Array.from({ length: 5000 }, (_, i) => i + 1) }, 1, 5000, 1000);
    assert.equal(many.blockFrames, 5);
    assert.equal(many.perFrame.length, 1000);
    assert.ok(many.perFrame.every((v) => v === 1));
  });

  test('the image: the camera field of view, the rows inside it drawn, a round scale bar', () => {
    const im = content.image;
    assert.equal(im.pixelNm, 10, 'the render default pixel: the field (3.2 µm) fits in the image limit');
    assert.equal(im.width, 320);
    assert.equal(im.height, 320);
    const xs = column(run.table, 'x [nm]');
    const ys = column(run.table, 'y [nm]');
    const inside = xs.filter((x, i) => x >= 0 && x < 3200 && ys[i] >= 0 && ys[i] < 3200).length;
    assert.ok(inside <= ROWS - OUTSIDE, 'the rows placed outside are outside');
    assert.equal(im.drawn, inside, 'the rows inside the camera image are drawn, no other');
    assert.equal(im.scaleBar.lengthNm, 500, 'a fifth of 3.2 µm rounds down to 500 nm');
    assert.match(html, /data-testid="scale-bar" data-length-nm="500" style="width: 15\.625%"><span>500 nm<\/span>/);
    assert.ok(html.includes(`${inside.toLocaleString('en-US')} of ${ROWS.toLocaleString('en-US')} localizations drawn`));
  });

  test('the drift of the drift step: its trajectory, largest drift and precision', async () => {
    // A small field (1.6 µm): FRC's transform is small.
    const small = await writeSyntheticRun(dir, 'drifted', { rows: 600, frames: 100, widthPx: 16, drift: true });
    const drifted = await makeRunReport(small.driftRecord as string, 'test');
    const d = drifted.drift;
    assert.ok(d && !notComputed(d), 'a drift section with a plot');
    assert.equal(d.frames, 100);
    assert.deepEqual(d.maxAbsNm, small.driftMaxNm);
    assert.deepEqual(d.precisionNm, { x: 0.5, y: 0.75 });
    assert.equal(drifted.table, small.driftTable, 'the step\'s table is reported');
    assert.equal(drifted.steps.map((s) => s.step).join(), 'drift');
    assert.match(buildReportHtml(drifted), /id="drift"[\s\S]*<svg[\s\S]*drift \[nm\][\s\S]*<\/section>/);
    assert.equal(content.drift, undefined, 'the run itself corrected no drift');
    assert.match(html, /The run corrected no drift/);
  });

  test('camera and PSF: the values used, their source and the data check', () => {
    assert.match(html, /baseline<\/th><td>100 ± 0\.9 ADU \(estimated\)/);
    assert.match(html, /PSF σ measured<\/th><td>132 ± 0\.18 nm, the median of 500 spots/);
    assert.match(html, /data check<\/th><td><span class="warning">the made-up warning<\/span>/);
    assert.match(html, /wallSeconds<\/th><td>12\.5</);
  });

  test("NeNA and FRC: the library's values on the table, shown with their plots", () => {
    const table = readTable(run.table);
    const nena = estimateNena(table, {}, run.table);
    assert.ok(!notComputed(content.nena), 'NeNA computed');
    assert.equal(content.nena.precisionNm, nena.nenaNm);
    assert.equal(content.nena.pairs, nena.pairs);
    // The made-up precision, within NeNA's target of 10 % (2000 pairs: a standard error near 1 %).
    assert.ok(Math.abs(nena.nenaNm / PRECISION_NM - 1) < 0.1, `NeNA ${nena.nenaNm} nm for ${PRECISION_NM} nm`);
    assert.ok(html.includes(`data-testid="nena-nm" data-value="${nena.nenaNm}"`));
    const frc = estimateFrc(table, { pixelNm: frcPixelNm(nena.nenaNm) }, run.table);
    assert.ok(!notComputed(content.frc), 'FRC computed');
    assert.equal(content.frc.resolutionNm, frc.resolutionNm);
    assert.ok(html.includes(`data-testid="frc-nm" data-value="${frc.resolutionNm}"`));
    assert.match(html, /id="frc"[\s\S]*<svg[\s\S]*1\/7[\s\S]*<\/section>/, 'the FRC curve with its threshold');
  });

  test('NeNA on a merged table: not computed, and why', async () => {
    const merged = await writeSyntheticRun(dir, 'merged', { rows: 200, frames: 20, widthPx: 16, merged: true });
    const c = await makeRunReport(merged.record, 'test');
    assert.ok(c.merged);
    assert.ok(notComputed(c.nena));
    assert.match(c.nena.reason, /a merged table .*NeNA needs per-frame localizations/);
    assert.match(buildReportHtml(c), /id="nena"[\s\S]*Not computed: .*a merged table/);
  });

  test('NeNA without molecules in consecutive frames: not computed, and why', async () => {
    const single = await writeSyntheticRun(dir, 'single', { rows: 300, frames: 300, widthPx: 16, onFrames: 1 });
    const c = await makeRunReport(single.record, 'test');
    assert.ok(notComputed(c.nena));
    assert.match(c.nena.reason, /NeNA found \d+ localizations with a neighbour in the next frame/);
  });

  test('a 3-D table gets a z histogram', async () => {
    const depth = await writeSyntheticRun(dir, 'depth', { rows: 300, frames: 10, widthPx: 16, depth: true });
    const c = await makeRunReport(depth.record, 'test');
    const z = c.histograms.find((h) => h.histogram.header === 'z [nm]');
    assert.ok(z, 'z histogram');
    assert.equal(z.histogram.values, 300);
  });

  test('records that are no run record are refused, naming the file', () => {
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'frame,x\n');
    assert.throws(() => readRunRecord(notJson), (e: Error) => e instanceof InputFileError && e.message.startsWith(`${notJson}: is not JSON`));
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"a": 1}');
    assert.throws(() => readRunRecord(other), (e: Error) => e instanceof InputFileError && e.message.includes('is not a run record'));
    const lost = join(dir, 'lost.json');
    writeFileSync(lost, JSON.stringify({ software: { name: 'smlm-stream' }, output: join(dir, 'nowhere.csv') }));
    assert.throws(() => readRunRecord(lost), (e: Error) => e instanceof InputFileError && e.message.includes('nowhere.csv is missing'));
  });

  test('a column of one value (a fixed σ) makes one-bin-wide histogram around it', () => {
    const h = columnHistogram(new Float64Array([130, 130, 130, Number.NaN]), 'sigma [nm]', 'PSF σ', 10);
    assert.equal(h.values, 3);
    assert.equal(h.median, 130);
    assert.equal(h.counts.reduce((a, b) => a + b, 0), 3);
    assert.ok(h.lo < 130 && h.lo + 10 * h.binWidth > 130);
  });
});
