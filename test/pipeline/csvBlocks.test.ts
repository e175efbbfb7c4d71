/**
 * The CSV of a run is written in blocks of whole frames (LocalizationCsvWriter's flushBytes):
 * a run stopped or failing part-way still writes the rows of every frame it localized.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, statSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { localizeStack } from '../../pipelines/localizeStack.js';
import { CSV_FLUSH_BYTES } from '../../src/export/LocalizationCsvWriter.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-csvblocks-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** ~40 spots a frame: ~8 KB of rows, a block every ~8 frames. */
const SIM = { width: 128, height: 128, frames: 120, density: 0.25, seed: 3 } as const;
const stack = join(dir, 'in.tif');
writeSimulation(stack, join(dir, 'in.truth.csv'), SIM);
/**
 * Camera and σ given: no settings step, the same options in every run; chunks of 8 frames, so
 * that 2 workers hold at most 32 frames in flight and a stop at frame 69 leaves frames unread.
 */
const options = { camera: { baselineAdu: 100, photonsPerAdu: 1, readNoiseElectrons: 1, pixelSizeNm: 100 }, psfSigmaNm: 130, chunkFrames: 8 };

/** The CSV's data rows, by frame. */
function rowsByFrame(path: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const row of readFileSync(path, 'utf8').trim().split('\n').slice(1)) {
    const frame = Number(row.split(',')[1]);
    out.set(frame, [...(out.get(frame) ?? []), row]);
  }
  return out;
}

const full = await localizeStack({ input: stack, output: join(dir, 'full.csv'), options });
const fullRows = rowsByFrame(join(dir, 'full.csv'));

test('the whole run is several blocks (the cases below stop inside one)', () => {
  assert.equal(full.complete, true);
  assert.ok(statSync(join(dir, 'full.csv')).size > 3 * CSV_FLUSH_BYTES, `${statSync(join(dir, 'full.csv')).size} bytes`);
});

for (const workers of [1, 2]) {
  test(`a run stopped part-way (${workers} worker${workers === 1 ? '' : 's'}) writes the rows of every frame delivered, the rows held too`, async () => {
    const stop = new AbortController();
    let delivered = 0;
    const output = join(dir, `stopped-${workers}.csv`);
    const summary = await localizeStack({
      input: stack,
      output,
      options,
      workers,
      signal: stop.signal,
      onBatch: () => {
        // Inside a block (not at its end): the rows held must still reach the file.
        if (++delivered === 69) stop.abort(new Error('stopped by the test'));
      },
    });
    assert.equal(summary.complete, false);
    assert.ok(summary.frames >= 69 && summary.frames < SIM.frames, `${summary.frames} frames`);
    const rows = rowsByFrame(summary.output);
    const count = [...rows.values()].reduce((n, r) => n + r.length, 0);
    assert.equal(count, summary.localizations, 'the summary counts the rows in the file');
    for (let frame = 1; frame <= summary.frames; frame++) {
      // Ids run from 1 in both files; the rest of each row is the full run's.
      const strip = (r: string[] | undefined) => (r ?? []).map((row) => row.slice(row.indexOf(',')));
      assert.deepEqual(strip(rows.get(frame)), strip(fullRows.get(frame)), `frame ${frame}`);
    }
  });
}

test('a stack cut off part-way: the rows of every frame before the cut are written', async () => {
  const cut = join(dir, 'cut.tif');
  copyFileSync(stack, cut);
  // Cut inside frame ~70's pixels (uint16 frames one after another, the directories between).
  truncateSync(cut, Math.floor(statSync(cut).size * 0.58));
  const output = join(dir, 'cut.csv');
  const error = await localizeStack({ input: cut, output, options }).then(() => undefined, (e: unknown) => e as Error & { summary?: { frames: number; localizations: number; output: string } });
  assert.ok(error?.summary, `the run fails with its summary: ${String(error)}`);
  const { summary } = error;
  assert.ok(summary.frames > 40 && summary.frames < SIM.frames, `${summary.frames} frames before the cut`);
  const rows = rowsByFrame(summary.output);
  assert.equal([...rows.values()].reduce((n, r) => n + r.length, 0), summary.localizations);
  assert.equal(Math.max(...rows.keys()), Math.max(...[...fullRows.keys()].filter((f) => f <= summary.frames)), 'the last frame before the cut is in the file');
});
