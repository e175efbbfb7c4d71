/**
 * An open and a run's start at once (in-process server, HTTP requests): each awaits the flags'
 * parsing, made slow here, so the other arrives during that await. Before the fix an open
 * racing a run closed the run's stack and wiped its records; now the later one gets 409.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VIEW_LOCALIZE } from '../../src/cli/viewCommand.js';
import { VIEW_TABLE_COMMANDS } from '../../src/cli/viewTableCommands.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { TOKEN_HEADER } from '../../src/view/protocol.js';
import type { ViewState } from '../../src/view/protocol.js';
import type { LocalizeFlags } from '../../src/view/server/LocalizeFlags.js';
import { startViewServer } from '../../src/view/server/startViewServer.js';
import type { ViewServer } from '../../src/view/server/startViewServer.js';
import { ViewSession } from '../../src/view/server/ViewSession.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-view-race-'));
/** The delay of the next parse, ms (then 0): the first request's await is the long one. */
let nextDelayMs = 0;
const slow: LocalizeFlags = {
  ...VIEW_LOCALIZE,
  async parse(flags) {
    const delay = nextDelayMs;
    nextDelayMs = 0;
    await new Promise((resolve) => setTimeout(resolve, delay));
    return VIEW_LOCALIZE.parse(flags);
  },
};
let server: ViewServer;
let session: ViewSession;

before(async () => {
  writeSimulation(join(dir, 'a.tif'), join(dir, 'a.truth.csv'), { width: 48, height: 48, frames: 40, density: 1, seed: 8 });
  writeSimulation(join(dir, 'b.tif'), join(dir, 'b.truth.csv'), { width: 48, height: 48, frames: 10, density: 1, seed: 9 });
  session = new ViewSession({ path: dir, flags: { workers: '1' }, follow: false, localize: slow, tables: VIEW_TABLE_COMMANDS });
  server = await startViewServer(session, 0);
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** POST JSON to the in-process server. */
const post = (path: string, body: unknown) => fetch(`http://127.0.0.1:${server.port}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { [TOKEN_HEADER]: server.token } });
const state = async () => (await (await fetch(`http://127.0.0.1:${server.port}/api/state`, { headers: { [TOKEN_HEADER]: server.token } })).json()) as ViewState;

/** Wait for the run to end. */
async function settled(): Promise<ViewState> {
  for (let k = 0; k < 600; k++) {
    const s = await state();
    if (s.run.state !== 'running') return s;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the run did not end in 30 s');
}

test('a run started while an open parses its flags is refused with 409 (the stack is not swapped under it)', async () => {
  assert.equal((await post('/api/open', { path: 'a.tif' })).status, 200);
  nextDelayMs = 300;
  const opening = post('/api/open', { path: 'b.tif' });
  await new Promise((resolve) => setTimeout(resolve, 100)); // the open is in its await
  const run = await post('/api/run', { flags: {} });
  assert.equal((await opening).status, 200);
  assert.equal(run.status, 409, await run.text());
  assert.equal((await state()).opened?.path, 'b.tif');
});

test('an open while a run parses its flags is refused with 409, and the run keeps its records', async () => {
  nextDelayMs = 300;
  const running = post('/api/run', { flags: {} });
  await new Promise((resolve) => setTimeout(resolve, 100)); // the run's start is in its await
  const open = await post('/api/open', { path: 'a.tif' });
  assert.equal((await running).status, 200);
  assert.equal(open.status, 409, await open.text());
  const done = await settled();
  assert.equal(done.run.state, 'done', done.run.message);
  assert.equal(done.opened?.path, 'b.tif', 'the stack run is the one still opened');
  assert.ok(done.run.localizations > 0, 'the run kept its records');
});
