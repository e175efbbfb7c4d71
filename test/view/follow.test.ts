/**
 * `smlm-stream view --follow`: a stack still being written. The page is told of new frames
 * (`frames` events), and a run keeps going as frames arrive, ending after localize's idle time
 * once the writer stops.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Frame } from '../../src/io/Frame.js';
import { TiffStack } from '../../src/io/TiffStack.js';
import { TiffWriter, writeTiff } from '../../src/io/TiffWriter.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import type { ViewState } from '../../src/view/protocol.js';
import { eventsUntil, startView } from './viewProcess.js';
import type { ViewProcess } from './viewProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-view-follow-'));
let view: ViewProcess | undefined;
let series: ViewProcess | undefined;

after(async () => {
  await view?.stop();
  await series?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The frames of a simulated stack (written elsewhere, read back). */
async function simulatedFrames(count: number): Promise<Frame[]> {
  const source = join(mkdtempSync(join(tmpdir(), 'smlm-view-source-')), 'source.tif');
  writeSimulation(source, `${source}.truth.csv`, { width: 48, height: 48, frames: count, density: 1, seed: 5 });
  const stack = TiffStack.open(source);
  const frames: Frame[] = [];
  for await (const f of stack.frames()) frames.push({ ...f, data: f.data.slice() });
  stack.close();
  return frames;
}

test('a growing stack: frames events as it grows, and a run that follows it to the end', async () => {
  const frames = await simulatedFrames(40);
  const live = join(dir, 'live.tif');
  const writer = new TiffWriter(live, { width: 48, height: 48, pixelSizeNm: 100 });
  for (const f of frames.slice(0, 10)) writer.append(f.data);
  view = await startView([live, '--follow', '--idle-timeout', '1.5']);
  const state = (await (await view.api('/api/state')).json()) as ViewState;
  assert.equal(state.follow, true);
  assert.equal(state.opened?.frames, 10, 'the frames written so far');
  // More frames while the page listens: a frames event with the new count.
  const grown = await eventsUntil(view, (e) => e.event === 'frames' && (e.data.frames as number) >= 20, 20_000, async () => {
    for (const f of frames.slice(10, 20)) writer.append(f.data);
  });
  assert.equal(grown.at(-1)?.data.frames, 20);
  // A run started now keeps going as the writer adds the rest, and ends after the idle time.
  let written = 20;
  const timer = setInterval(() => {
    if (written < frames.length) writer.append(frames[written++].data);
  }, 30);
  try {
    const events = await eventsUntil(view, (e) => e.event === 'done' || e.event === 'error', 60_000, async () => {
      const r = await view?.post('/api/run', { flags: {} });
      assert.equal(r?.status, 200);
    });
    assert.equal(events.at(-1)?.event, 'done', JSON.stringify(events.at(-1)?.data));
    assert.equal(written, frames.length);
  } finally {
    clearInterval(timer);
    writer.close();
  }
  const after = (await (await view.api('/api/state')).json()) as ViewState;
  assert.equal(after.run.framesDone, 40, 'every frame written, those after the start included');
  const record = JSON.parse(readFileSync(join(dir, 'live.json'), 'utf8')) as { complete?: boolean };
  assert.equal(record.complete, true);
  assert.ok(after.run.localizations > 0);
  assert.equal(await view.stop(), 0);
});

test("a Micro-Manager series that grows by a file: the new frames are served (the series is opened again)", async () => {
  const frames = (await simulatedFrames(20)).map((f) => f.data);
  const folder = join(dir, 'mm');
  mkdirSync(folder);
  const options = { width: 48, height: 48, pixelSizeNm: 100 };
  writeTiff(join(folder, 'c_MMStack_Pos0.ome.tif'), frames.slice(0, 10), options);
  series = await startView([join(folder, 'c_MMStack_Pos0.ome.tif'), '--follow']);
  assert.equal(((await (await series.api('/api/state')).json()) as ViewState).opened?.frames, 10);
  const grown = await eventsUntil(series, (e) => e.event === 'frames' && (e.data.frames as number) >= 20, 20_000, async () => {
    // Micro-Manager's next file, written whole under another name first.
    writeTiff(join(dir, 'next.tif'), frames.slice(10), options);
    renameSync(join(dir, 'next.tif'), join(folder, 'c_MMStack_Pos0_1.ome.tif'));
  });
  assert.equal(grown.at(-1)?.data.frames, 20);
  const r = await series.api('/api/frame?index=15');
  assert.equal(r.status, 200, await r.clone().text());
  const got = new Float32Array(await r.arrayBuffer());
  assert.deepEqual(got, Float32Array.from(frames[15] as ArrayLike<number>), "frame 16 is the second file's sixth");
  const preview = await series.post('/api/preview', { frame: 19, flags: {} });
  assert.equal(preview.status, 200, await preview.clone().text());
});
