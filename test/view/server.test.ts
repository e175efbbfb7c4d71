/**
 * `smlm-stream view`'s server at the HTTP level (no browser): the first line, the token, the
 * paths it refuses, a stack opened at start, the frame, the preview against `localize`'s own
 * detection (also after an answer made with a stale background choice), and Ctrl-C. One server for the file, on a 64×64 px, 60-frame simulated stack
 * (test/view/run.test.ts: runs, export, cancel).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TiffStack } from '../../src/io/TiffStack.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { TOKEN_HEADER } from '../../src/view/protocol.js';
import type { FileListing, PreviewResult, ViewState } from '../../src/view/protocol.js';
import { runCliSync } from './runCli.js';
import { startView } from './viewProcess.js';
import type { ViewProcess } from './viewProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-view-'));
const outside = mkdtempSync(join(tmpdir(), 'smlm-view-outside-'));
const stack = join(dir, 's.tif');
let view: ViewProcess;

/** Rows of a CSV per frame (1-based frame column, the second). */
function rowsPerFrame(csv: string): Map<number, string[][]> {
  const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const byFrame = new Map<number, string[][]>();
  for (const r of rows) byFrame.set(Number(r[1]), [...(byFrame.get(Number(r[1])) ?? []), r]);
  return byFrame;
}

before(async () => {
  writeSimulation(stack, join(dir, 's.truth.csv'), { width: 64, height: 64, frames: 60, density: 1, seed: 3 });
  // Ways out of the root: a folder and a stack reached through symbolic links.
  copyFileSync(stack, join(outside, 'o.tif'));
  symlinkSync(outside, join(dir, 'out'));
  symlinkSync(join(outside, 'o.tif'), join(dir, 'link.tif'));
  // What else a home folder holds: hidden folders, other files, subfolders.
  const locs = 'id,frame,x [nm],y [nm]\n1,1,10,20\n';
  mkdirSync(join(dir, '.ssh'));
  writeFileSync(join(dir, '.ssh', 'keys.csv'), locs);
  writeFileSync(join(dir, '.hidden.csv'), locs);
  symlinkSync(join(dir, '.ssh'), join(dir, 'keys'));
  writeFileSync(join(dir, 'notes.txt'), 'private\n');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'x.csv'), locs);
  view = await startView([stack]);
});

after(async () => {
  await view?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('smlm-stream view: start, token, paths', () => {
  test('the first stdout line is http://127.0.0.1:PORT/?token=TOKEN, a 128-bit hex token', () => {
    assert.match(view.firstLine, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
  });

  test('a request without the token, or with a wrong one, is refused with 403', async () => {
    for (const path of ['/', '/app.js', '/api/state', '/api/frame?index=0', '/api/events']) {
      assert.equal((await fetch(view.base + path)).status, 403, `${path} without a token`);
    }
    const wrong = view.token.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    assert.equal((await fetch(`${view.base}/api/state?token=${wrong}`)).status, 403, 'a wrong token of the same length');
    assert.equal((await fetch(`${view.base}/api/state`, { headers: { [TOKEN_HEADER]: `${view.token}0` } })).status, 403, 'a longer token');
    assert.equal((await fetch(`${view.base}/api/state?token=${view.token}`)).status, 200, 'the token as a query parameter');
    const page = await view.api('/');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.ok(html.includes(`app.js?token=${view.token}`), 'the page loads its script with the token');
  });

  test('a stack PATH is opened at start', async () => {
    const state = (await (await view.api('/api/state')).json()) as ViewState;
    assert.deepEqual({ ...state.opened }, { path: 's.tif', kind: 'stack', width: 64, height: 64, frames: 60, pixelSizeNm: 100 });
    assert.equal(state.run.state, 'idle');
    assert.equal(state.defaults.threshold !== undefined, true, "localize's default threshold for the page");
  });

  test("'..', an absolute path and symbolic links out of PATH are refused with 403", async () => {
    const refused = [
      await view.api('/api/files?dir=..'),
      await view.api(`/api/files?dir=${encodeURIComponent(outside)}`),
      await view.api('/api/files?dir=out'),
      await view.post('/api/open', { path: '../s.tif' }),
      await view.post('/api/open', { path: join(outside, 'o.tif') }),
      await view.post('/api/open', { path: 'link.tif' }),
      await view.post('/api/open', { path: 'out/o.tif' }),
    ];
    assert.deepEqual(refused.map((r) => r.status), [403, 403, 403, 403, 403, 403, 403]);
    const listing = (await (await view.api('/api/files?dir=.')).json()) as FileListing;
    const names = listing.entries.map((e) => e.name);
    assert.ok(names.includes('s.tif') && !names.includes('out') && !names.includes('link.tif'), `listed: ${names.join(', ')}`);
    const state = (await (await view.api('/api/state')).json()) as ViewState;
    assert.equal(state.opened?.path, 's.tif', 'the opened stack is unchanged');
  });
});

describe('smlm-stream view: hidden files, and a file PATH', () => {
  test("a file PATH: only its folder's stacks and CSVs are listed and opened (not other files, not subfolders)", async () => {
    const listing = (await (await view.api('/api/files?dir=.')).json()) as FileListing;
    assert.deepEqual(listing.entries.map((e) => e.name).sort(), ['s.tif', 's.truth.csv'].sort(), 'the stacks and CSVs of the folder');
    const refused = [
      await view.api('/api/files?dir=sub'),
      await view.api('/api/files?dir=.ssh'),
      await view.post('/api/open', { path: 'sub/x.csv' }),
      await view.post('/api/open', { path: 'notes.txt' }),
      await view.post('/api/open', { path: '.ssh/keys.csv' }),
      await view.post('/api/open', { path: 'keys/keys.csv' }),
      await view.post('/api/open', { path: '.' }),
    ];
    assert.deepEqual(refused.map((r) => r.status), [403, 403, 403, 403, 403, 403, 403]);
    assert.equal((await (await view.api('/api/state')).json() as ViewState).opened?.path, 's.tif', 'the opened stack is unchanged');
  });

  test('a folder PATH: hidden files and folders (a name starting with a dot) are neither listed nor read', async () => {
    const folder = await startView([dir]);
    try {
      const names = ((await (await folder.api('/api/files?dir=.')).json()) as FileListing).entries.map((e) => e.name);
      assert.ok(names.includes('sub') && names.includes('notes.txt'), `a folder PATH lists its folders and files: ${names.join(', ')}`);
      assert.ok(!names.includes('.ssh') && !names.includes('.hidden.csv') && !names.includes('keys'), `no hidden entry, nor a link to one: ${names.join(', ')}`);
      const refused = [
        await folder.api('/api/files?dir=.ssh'),
        await folder.api('/api/files?dir=keys'),
        await folder.post('/api/open', { path: '.ssh/keys.csv' }),
        await folder.post('/api/open', { path: '.hidden.csv' }),
        await folder.post('/api/open', { path: 'keys/keys.csv' }),
      ];
      assert.deepEqual(refused.map((r) => r.status), [403, 403, 403, 403, 403]);
      assert.equal((await folder.post('/api/open', { path: 'sub/x.csv' })).status, 200, 'a CSV in a subfolder opens');
    } finally {
      await folder.stop();
    }
  });
});

describe('smlm-stream view: frames and preview', () => {
  test('a frame is its raw pixel values as little-endian Float32, row-major', async () => {
    const r = await view.api('/api/frame?index=5');
    assert.equal(r.status, 200);
    assert.deepEqual([r.headers.get('x-frame-width'), r.headers.get('x-frame-height'), r.headers.get('x-frame-index')], ['64', '64', '5']);
    const got = new Float32Array(await r.arrayBuffer());
    const file = TiffStack.open(stack);
    const frame = await file.readFrame(5);
    file.close();
    assert.deepEqual(got, Float32Array.from(frame.data as ArrayLike<number>));
  });

  test("the preview's candidates are localize's on that frame, and follow the threshold", async () => {
    // localize with every fit written and one emitter per window: a row per candidate.
    runCliSync(['localize', stack, '-o', join(dir, 'all.csv'), '--all-fits', '--multi-emitter', 'off', '--quiet']);
    runCliSync(['localize', stack, '-o', join(dir, 'all10.csv'), '--all-fits', '--multi-emitter', 'off', '--threshold', '10', '--quiet']);
    const rows = rowsPerFrame(join(dir, 'all.csv'));
    const rows10 = rowsPerFrame(join(dir, 'all10.csv'));
    for (const index of [0, 7]) {
      const p = (await (await view.post('/api/preview', { frame: index, flags: { 'multi-emitter': 'off' } })).json()) as PreviewResult;
      assert.equal(p.candidates.length, rows.get(index + 1)?.length, `frame ${index + 1}: candidates`);
      const high = (await (await view.post('/api/preview', { frame: index, flags: { 'multi-emitter': 'off', threshold: '10' } })).json()) as PreviewResult;
      assert.equal(high.candidates.length, rows10.get(index + 1)?.length ?? 0, `frame ${index + 1}: candidates at --threshold 10`);
      assert.ok(high.candidates.length < p.candidates.length, `the threshold changes them: ${high.candidates.length} < ${p.candidates.length}`);
    }
    // Frame 1 starts a chunk: localize fits it cold, as the preview does, so the converged fits
    // are the CSV's, to its rounding (2 decimals of nm: 0.005 nm).
    const p0 = (await (await view.post('/api/preview', { frame: 0, flags: { 'multi-emitter': 'off' } })).json()) as PreviewResult;
    const converged = (rows.get(1) ?? []).filter((r) => r[13] === '0').map((r) => [Number(r[2]), Number(r[3])]);
    assert.equal(p0.fits.length, converged.length, 'converged fits');
    const fitted = p0.fits.map((f) => [f.xPx * 100, f.yPx * 100]);
    for (const [x, y] of converged) assert.ok(fitted.some(([fx, fy]) => Math.abs(fx - x) <= 0.0051 && Math.abs(fy - y) <= 0.0051), `a fit at (${x}, ${y}) nm`);
  });

  test('a change answered at once (allowStale) is marked stale, then asked again equals localize at that threshold', async () => {
    runCliSync(['localize', stack, '-o', join(dir, 'all6.csv'), '--all-fits', '--multi-emitter', 'off', '--threshold', '6', '--quiet']);
    const rows6 = rowsPerFrame(join(dir, 'all6.csv'));
    const ask = async (flags: Record<string, string>, allowStale: boolean) => (await (await view.post('/api/preview', { frame: 7, flags: { 'multi-emitter': 'off', ...flags }, allowStale })).json()) as PreviewResult;
    // The last choice made: the temporal median (given). A threshold not seen yet, background
    // auto: the answer uses the temporal median while auto's choice is made, and says so.
    const median6 = await ask({ background: 'temporal-median', threshold: '6' }, false);
    assert.equal(median6.backgroundCurrent, true);
    const stale = await ask({ threshold: '6' }, true);
    assert.equal(stale.backgroundCurrent, false, 'the choice for these flags was not made yet');
    assert.deepEqual(stale.candidates, median6.candidates, 'the stale answer is made with the last choice (the temporal median)');
    // Asked again without allowStale: the choice a run makes (none, on these molecules), so localize's candidates.
    const current = await ask({ threshold: '6' }, false);
    assert.equal(current.backgroundCurrent, true);
    assert.equal(current.candidates.length, rows6.get(8)?.length ?? 0, 'frame 8: candidates at --threshold 6');
    assert.notDeepEqual(current.candidates, stale.candidates, 'the temporal median changes the candidates (else this test shows nothing)');
    // The choice is made now: an allowStale ask is current.
    assert.equal((await ask({ threshold: '6' }, true)).backgroundCurrent, true);
  });

  test("a bad flag is refused with 400 and localize's message", async () => {
    const r = await view.post('/api/preview', { frame: 0, flags: { threshold: 'abc' } });
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error: string }).error, /--threshold needs a decimal number, got 'abc'/);
    const out = await view.post('/api/preview', { frame: 0, flags: { output: '/tmp/x.csv' } });
    assert.equal(out.status, 400, 'no flag that writes a file');
  });
});

describe('smlm-stream view: stop', () => {
  test('Ctrl-C (SIGINT) stops the server and exits 0', async () => {
    assert.equal(await view.stop(), 0, view.stderr());
  });
});
