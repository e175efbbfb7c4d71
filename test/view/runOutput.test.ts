/**
 * Where a run of `smlm-stream view` may write: STACK.csv under PATH only, and never over a file
 * this view did not write (a user's own STACK.csv, an earlier analysis). Refused with 409 and
 * the file's name; the file is left as it was.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import type { ViewState } from '../../src/view/protocol.js';
import { startView } from './viewProcess.js';
import type { ViewProcess } from './viewProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-view-output-'));
const views: ViewProcess[] = [];
after(async () => {
  for (const v of views) await v.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Wait for the run to end. */
async function settled(view: ViewProcess): Promise<ViewState> {
  for (let k = 0; k < 600; k++) {
    const s = (await (await view.api('/api/state')).json()) as ViewState;
    if (s.run.state !== 'running') return s;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the run did not end in 30 s');
}

test("an existing STACK.csv this view did not write is refused (409, named); the view's own is replaced", async () => {
  const stack = join(dir, 'a.tif');
  writeSimulation(stack, join(dir, 'a.truth.csv'), { width: 32, height: 32, frames: 8, density: 1, seed: 4 });
  writeFileSync(join(dir, 'a.csv'), 'mine\n');
  const view = await startView([stack]);
  views.push(view);
  const r = await view.post('/api/run', { flags: {} });
  assert.equal(r.status, 409);
  assert.match(((await r.json()) as { error: string }).error, /a\.csv exists and this view did not write it/);
  assert.equal(readFileSync(join(dir, 'a.csv'), 'utf8'), 'mine\n', 'the file is untouched');
  rmSync(join(dir, 'a.csv'));
  assert.equal((await view.post('/api/run', { flags: {} })).status, 200, 'with the file gone, the run starts');
  assert.equal((await settled(view)).run.state, 'done');
  assert.equal((await view.post('/api/run', { flags: {} })).status, 200, 'the CSV of its own run is replaced');
  assert.equal((await settled(view)).run.state, 'done');
});

test('a folder PATH opened as the stack: its CSV (next to the folder) is outside PATH, refused with 409', async () => {
  const folder = join(dir, 'frames');
  mkdirSync(folder);
  writeSimulation(join(folder, 'f1.tif'), join(dir, 'f1.truth.csv'), { width: 32, height: 32, frames: 5, density: 1, seed: 6 });
  const view = await startView([folder]);
  views.push(view);
  assert.equal(((await (await view.api('/api/state')).json()) as ViewState).opened?.kind, 'stack');
  const r = await view.post('/api/run', { flags: {} });
  assert.equal(r.status, 409);
  assert.match(((await r.json()) as { error: string }).error, /frames\.csv, outside/);
  assert.equal(existsSync(join(dir, 'frames.csv')), false, 'nothing written outside PATH');
});
