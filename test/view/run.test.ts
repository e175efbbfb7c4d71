/**
 * `smlm-stream view`'s runs at the HTTP level (no browser): a run's CSV against `localize`'s,
 * the records of /api/locs, export with a filter, cancel, and Ctrl-C after a run. One server for
 * the file, on a 64×64 px, 60-frame simulated stack (test/view/server.test.ts: token, paths,
 * frames, preview).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { LOC_FIELD, LOC_RECORD_LENGTH, LOCS_TOTAL_HEADER } from '../../src/view/protocol.js';
import type { StackInfo, ViewState } from '../../src/view/protocol.js';
import { runCliSync } from './runCli.js';
import { eventsUntil, startView } from './viewProcess.js';
import type { ViewProcess } from './viewProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-view-'));
const stack = join(dir, 's.tif');
let view: ViewProcess;

before(async () => {
  writeSimulation(stack, join(dir, 's.truth.csv'), { width: 64, height: 64, frames: 60, density: 1, seed: 3 });
  view = await startView([stack]);
});

after(async () => {
  await view?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('smlm-stream view: run, export, cancel, Ctrl-C', () => {
  test("a run writes localize's CSV, byte for byte, where localize writes it", async () => {
    let started: { runId: number; csvPath: string } | undefined;
    const events = await eventsUntil(view, (e) => e.event === 'done' || e.event === 'error', 60_000, async () => {
      started = (await (await view.post('/api/run', { flags: {} })).json()) as { runId: number; csvPath: string };
    });
    const done = events.at(-1);
    assert.equal(done?.event, 'done', JSON.stringify(done?.data));
    assert.equal(started?.csvPath, 's.csv');
    assert.ok(events.some((e) => e.event === 'progress'), 'progress events');
    runCliSync(['localize', stack, '-o', join(dir, 'cli.csv'), '--quiet']);
    const ours = readFileSync(join(dir, 's.csv'));
    assert.ok(ours.equals(readFileSync(join(dir, 'cli.csv'))), 'the same CSV as localize');
    const rows = ours.toString().trim().split('\n').length - 1;
    assert.equal(done?.data.localizations, rows);
    const locs = await view.api('/api/locs?from=0');
    assert.equal(locs.headers.get(LOCS_TOTAL_HEADER), String(rows));
    const records = new Float32Array(await locs.arrayBuffer());
    assert.equal(records.length, rows * LOC_RECORD_LENGTH);
    const first = ours.toString().split('\n')[1].split(',');
    // The CSV has x to 2 decimals of nm: the record (float32 of the full value, ~2e-4 nm here) within 0.005 nm.
    assert.ok(Math.abs(records[LOC_FIELD.xNm] - Number(first[2])) <= 0.0051, `the first record is the first row: ${records[LOC_FIELD.xNm]} ≈ ${first[2]}`);
    assert.equal(records[LOC_FIELD.frame], Number(first[1]) - 1, 'frames from 0');
    const later = await view.api(`/api/locs?from=${rows - 2}`);
    assert.equal((await later.arrayBuffer()).byteLength, 2 * LOC_RECORD_LENGTH * 4, 'from K: the records from K on');
  });

  test("export: the run's table filtered with the filter command's grammar", async () => {
    const r = await view.api(`/api/export?format=csv&filter=${encodeURIComponent('uncertainty < 8')}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-disposition') ?? '', /attachment; filename="s\.filtered\.csv"/);
    runCliSync(['filter', join(dir, 's.csv'), '--where', 'uncertainty < 8', '-o', join(dir, 'f.csv')]);
    assert.equal(await r.text(), readFileSync(join(dir, 'f.csv'), 'utf8'), "the filter command's rows");
    const h5 = await view.api('/api/export?format=picasso');
    assert.equal(h5.status, 200);
    assert.deepEqual([...new Uint8Array((await h5.arrayBuffer()).slice(0, 4))], [0x89, 0x48, 0x44, 0x46], 'an HDF5 file');
    const bad = await view.api(`/api/export?format=csv&filter=${encodeURIComponent('uncertainty <')}`);
    assert.equal(bad.status, 400);
  });

  test('cancel stops a run (its rows kept); a second run meanwhile is refused with 409', async () => {
    let second = 0;
    let cancelled = false;
    const events = await eventsUntil(view, (e) => e.event === 'cancelled' || e.event === 'done', 60_000, async () => {
      const run = await view.post('/api/run', { flags: { workers: '1' } });
      assert.equal(run.status, 200, await run.clone().text());
      second = (await view.post('/api/run', { flags: {} })).status;
      cancelled = ((await (await view.post('/api/run/cancel', {})).json()) as { cancelled: boolean }).cancelled;
    });
    assert.equal(second, 409);
    assert.equal(cancelled, true);
    assert.equal(events.at(-1)?.event, 'cancelled');
    const state = (await (await view.api('/api/state')).json()) as ViewState;
    assert.equal(state.run.state, 'cancelled');
    assert.ok(state.run.framesDone < 60, `${state.run.framesDone} frames done`);
    const record = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { complete?: boolean };
    assert.equal(record.complete, false, 'the sidecar says the run is incomplete');
  });

  test('Ctrl-C (SIGINT) during a run cancels it (its rows kept), stops the server and exits 0', async () => {
    const opened = (await (await view.api('/api/state')).json()) as { opened: StackInfo };
    assert.ok(opened.opened);
    const r = await view.post('/api/run', { flags: { workers: '1' } });
    assert.equal(r.status, 200);
    assert.equal(await view.stop(), 0, view.stderr());
    const record = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { complete?: boolean; stopReason?: string };
    assert.equal(record.complete, false);
    assert.equal(record.stopReason, 'the server stopped');
  });
});
