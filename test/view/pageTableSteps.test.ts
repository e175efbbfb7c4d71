/**
 * The reconstruction's drift, merge and resolution buttons of `smlm-stream view` in a real
 * browser (Debian's Chromium, playwright-core), against the compiled CLI: after a run from the
 * page, `resolution-button` shows the NeNA and FRC `smlm-stream resolution --json` finds on the
 * same CSV; `drift-button` writes the files `smlm-stream drift` writes (the same bytes) and the
 * page then shows the corrected table; `merge-button` merges that table as `smlm-stream merge`
 * does (the same bytes, the same row count shown); NeNA on the merged table is refused with the
 * command's reason; no console errors. One browser for the file. Build first.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { LOC_FIELD, LOC_RECORD_LENGTH } from '../../src/view/protocol.js';
import type { ResolutionResult } from '../../src/view/protocol.js';
import { chromiumMissing } from '../browser/launchChromium.js';
import { canvasContent } from './pageCanvas.js';
import { runCli } from './runCli.js';
import { closeViewPage, openViewPage } from './viewPage.js';
import type { ViewProcess } from './viewProcess.js';

const skip = chromiumMissing();
/**
 * A stack long enough for drift: 300 frames (3 of AIM's 100-frame segments) of 32×32 px with a
 * known drift; ~5000 localizations. 32 px keep FRC's work small (its transform 1024 px).
 */
const SIMULATED = ['--width', '32', '--height', '32', '--frames', '300', '--density', '2', '--drift', '40,-30', '--seed', '11', '--quiet'];

let dir = '';
let view: ViewProcess;
let closeBrowser: () => Promise<void> = async () => undefined;
let page: Page;
const consoleErrors: string[] = [];

/** The data rows of a CSV. */
function rowsOf(path: string): number {
  return readFileSync(path, 'utf8').trimEnd().split('\n').length - 1;
}

/** Clicks a step's button and waits for its result; the result's text. */
async function press(step: 'drift' | 'merge' | 'resolution'): Promise<string> {
  await page.click(`[data-testid="${step}-button"]`);
  const handle = await page.waitForFunction((id) => {
    const element = document.querySelector<HTMLElement>(`[data-testid="${id}-result"]`);
    return element?.dataset.state === 'ready' || element?.dataset.state === 'error' ? { state: element.dataset.state, text: element.textContent ?? '' } : undefined;
  }, step, { timeout: 30_000 });
  const { state, text } = (await handle.jsonValue()) as { state: string; text: string };
  assert.equal(state, 'ready', `${step}: ${text}`);
  return text;
}

/** Waits until the reconstruction shows `rows` localizations (filtered-count, no filter). */
async function shownRows(rows: number): Promise<void> {
  await page.waitForFunction((want) => document.querySelector('[data-testid="filtered-count"]')?.textContent?.replaceAll(',', '') === want, String(rows), { timeout: 10_000 });
}

/** The last localization's x (nm) of /api/locs, the table the page is given. */
async function lastRecordX(rows: number): Promise<number> {
  const records = new Float32Array(await (await view.api(`/api/locs?from=${rows - 1}`)).arrayBuffer());
  assert.equal(records.length, LOC_RECORD_LENGTH);
  return records[LOC_FIELD.xNm] as number;
}

/** The x of a CSV's last row. */
function lastRowX(path: string): number {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  const k = (lines[0] as string).split(',').findIndex((name) => name.replaceAll('"', '').startsWith('x'));
  return Number((lines.at(-1) as string).split(',')[k]);
}

before(async () => {
  if (skip !== undefined) return;
  ({ dir, view, closeBrowser, page } = await openViewPage('smlm-view-steps-', SIMULATED, { width: 1280, height: 900 }, consoleErrors));
  await page.goto(view.firstLine);
  await page.waitForSelector('[data-testid="run-button"]:not([disabled])', { timeout: 15_000 });
  await page.click('[data-testid="run-button"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.textContent?.includes('done'), null, { timeout: 30_000 });
});

after(async () => {
  if (skip !== undefined) return;
  await closeViewPage({ closeBrowser, view, dir });
});

test("resolution shows the NeNA and FRC of `smlm-stream resolution` on the run's CSV", { skip }, async () => {
  const text = await press('resolution');
  const json = join(dir, 'reference.resolution.json');
  await runCli(['resolution', join(dir, 'stack.csv'), '--json', json]);
  const cli = JSON.parse(readFileSync(json, 'utf8')) as ResolutionResult;
  assert.ok(cli.nenaNm !== null && cli.frcResolutionNm !== null, 'the CLI finds both');
  // The page prints what the command prints: NeNA to 0.01 nm, FRC to 0.1 nm.
  assert.ok(text.includes(`NeNA ${cli.nenaNm.toFixed(2)} ± ${(cli.nenaStandardErrorNm as number).toFixed(2)} nm`), text);
  assert.ok(text.includes(`FRC ${cli.frcResolutionNm.toFixed(1)} ± ${(cli.frcResolutionSdNm as number).toFixed(1)} nm`), text);
  // The page's numbers are the command's, not only their rounding (data-figures: the server's answer).
  const figures = JSON.parse((await page.getAttribute('[data-testid="resolution-result"]', 'data-figures')) ?? '{}') as Record<string, number>;
  assert.deepEqual(figures, { nenaNm: cli.nenaNm, nenaStandardErrorNm: cli.nenaStandardErrorNm, frcResolutionNm: cli.frcResolutionNm, frcResolutionSdNm: cli.frcResolutionSdNm });
  const plot = await canvasContent(page, 'frc-plot');
  assert.ok(plot.levels > 2, `the FRC curve is drawn (${plot.levels} levels)`);
});

test('drift writes what `smlm-stream drift` writes and the page shows the corrected table', { skip }, async () => {
  const text = await press('drift');
  assert.match(text, /Drift of 300 frames: x -?[\d.]+ to -?[\d.]+ nm, y -?[\d.]+ to -?[\d.]+ nm; precision [\d.]+ nm \(x\)/);
  const written = join(dir, 'stack.corrected.csv');
  for (const file of [written, join(dir, 'stack.corrected.drift.csv'), join(dir, 'stack.corrected.json')]) assert.ok(existsSync(file), `${file} written, as drift writes it`);
  const reference = join(dir, 'reference.corrected.csv');
  await runCli(['drift', join(dir, 'stack.csv'), '-o', reference]);
  assert.ok(readFileSync(written).equals(readFileSync(reference)), "the corrected CSV is drift's, byte for byte");
  assert.ok(readFileSync(join(dir, 'stack.corrected.drift.csv')).equals(readFileSync(join(dir, 'reference.corrected.drift.csv'))), "the trajectory is drift's");
  const rows = rowsOf(written);
  await shownRows(rows);
  // The records the page is given are the corrected table's (x to 0.01 nm in the CSV), not the
  // run's: the last row (frame 300) is moved by the drift (relative to frame 1).
  assert.ok(Math.abs((await lastRecordX(rows)) - lastRowX(written)) <= 0.0051, 'the page shows the corrected table');
  assert.ok(Math.abs(lastRowX(written) - lastRowX(join(dir, 'stack.csv'))) > 1, 'the correction moved the last row by over 1 nm');
  const plot = await canvasContent(page, 'drift-plot');
  assert.ok(plot.levels > 2, `the trajectory is drawn (${plot.levels} levels)`);
});

test('merge merges the table shown as `smlm-stream merge` does; NeNA then refuses it', { skip }, async () => {
  const before = rowsOf(join(dir, 'stack.corrected.csv'));
  const text = await press('merge');
  const written = join(dir, 'stack.corrected.merged.csv');
  const reference = join(dir, 'reference.merged.csv');
  await runCli(['merge', join(dir, 'stack.corrected.csv'), '-o', reference]);
  assert.ok(readFileSync(written).equals(readFileSync(reference)), "the merged CSV is merge's, byte for byte");
  const after = rowsOf(written);
  assert.ok(after < before, `blinks merged: ${before} → ${after}`);
  const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  assert.ok(text.includes(`${count(before)} localizations → ${count(after)} molecules`), text);
  await shownRows(after);
  const refused = await press('resolution');
  assert.match(refused, /NeNA not available: .*merged/i, 'NeNA needs per-frame localizations, as the command says');
  assert.match(refused, /FRC [\d.]+ ± [\d.]+ nm/, 'FRC still measured');
});

test('the page logged no console errors', { skip }, () => {
  assert.deepEqual(consoleErrors, []);
});
