/**
 * `--background auto`, the default: a run looks at its first frames before it starts and takes
 * the temporal median over a cell's background (the simulator's, which the fit's model did not
 * make), `none` on a sparse stack; a given `none` warns over a cell; the sidecar says how the
 * background was chosen. Judged against the simulation's truth.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lastValueFrom, toArray } from 'rxjs';
import { localize } from '../../pipelines/localize.js';
import { chooseBackground } from '../../pipelines/chooseBackground.js';
import { localizeStack } from '../../pipelines/localizeStack.js';
import { openRun } from '../../pipelines/openRun.js';
import type { OpenedRun } from '../../pipelines/openRun.js';
import { PERSISTENCE_FRAMES, PERSISTENT_WARNING } from '../../src/detect/PersistentSpots.js';
import { evaluateLocalizations } from '../../src/evaluate/evaluateLocalizations.js';
import { readPointTable } from '../../src/evaluate/PointTable.js';
import { BACKGROUND_DEFAULTS, parseBackground } from '../../src/pipeline/BackgroundOptions.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';

/** 96×96 px, 150 frames (three windows of the median), the simulator's defaults otherwise, seeded. */
const SIM = { width: 96, height: 96, frames: 150, seed: 11 } as const;

interface Ran {
  notices: string[];
  warnings: string[];
  record: { parameters: { background: Record<string, unknown> } };
  falsePositivesPerFrame: number;
  jaccard: number;
}

describe('--background auto (the default)', () => {
  let dir = '';
  const stack = (name: string) => join(dir, `${name}.tif`);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bgauto-'));
    writeSimulation(stack('cell'), join(dir, 'cell.truth.csv'), { ...SIM, cellBackground: {} });
    writeSimulation(stack('sparse'), join(dir, 'sparse.truth.csv'), { ...SIM, frames: PERSISTENCE_FRAMES + 10 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(name: string, output: string, background?: string): Promise<Ran> {
    const notices: string[] = [];
    const warnings: string[] = [];
    const csv = join(dir, `${output}.csv`);
    await localizeStack({
      input: stack(name),
      output: csv,
      options: background === undefined ? {} : { background: parseBackground(background) },
      onNotice: (n) => notices.push(n),
      onWarning: (w) => warnings.push(w),
    });
    const truth = readPointTable(join(dir, `${name}.truth.csv`));
    const { evaluation } = evaluateLocalizations(truth, readPointTable(csv));
    const record = JSON.parse(readFileSync(join(dir, `${output}.json`), 'utf8')) as Ran['record'];
    return { notices, warnings, record, falsePositivesPerFrame: evaluation.falsePositives / SIM.frames, jaccard: evaluation.jaccard };
  }

  test('over a cell it chooses the temporal median, says so once and records it; ≤ 1 false positive per frame', async () => {
    const r = await run('cell', 'cell.auto');
    const chosen = r.record.parameters.background;
    assert.equal(chosen.method, 'temporal-median');
    assert.equal(chosen.windowFrames, BACKGROUND_DEFAULTS.windowFrames);
    assert.equal(chosen.chosen, 'auto');
    assert.equal(chosen.framesChecked, PERSISTENCE_FRAMES);
    assert.ok((chosen.persistentPlaces as number) >= PERSISTENT_WARNING, JSON.stringify(chosen));
    const told = r.notices.filter((n) => /structured background/.test(n));
    assert.equal(told.length, 1, r.notices.join('\n'));
    assert.match(told[0], new RegExp(`^structured background \\(${chosen.persistentPlaces as number} places keep a spot through the first 30 frames\\): the temporal median over 51 frames is used; --background none turns it off$`));
    assert.deepEqual(r.warnings.filter((w) => /stayed in place/.test(w)), []);
    // The target for the default run over a cell; the same stack with none: tens a frame.
    assert.ok(r.falsePositivesPerFrame <= 1, `${r.falsePositivesPerFrame} false positives a frame`);
    const none = await run('cell', 'cell.none', 'none');
    assert.ok(none.falsePositivesPerFrame > 5, `with none: ${none.falsePositivesPerFrame} a frame (the check would not show the median's gain)`);
    assert.ok(r.jaccard > none.jaccard + 0.2, `Jaccard ${r.jaccard} auto, ${none.jaccard} none`);
    // A given none: no choice recorded, today's warning naming the temporal median, once.
    assert.deepEqual(none.record.parameters.background, { method: 'none' });
    assert.deepEqual(none.notices.filter((n) => /structured background/.test(n)), []);
    const warned = none.warnings.filter((w) => /stayed in place/.test(w));
    assert.equal(warned.length, 1, none.warnings.join('\n'));
    assert.match(warned[0], /cell\.tif: .*--background temporal-median/);
  });

  test('on a sparse stack it chooses none, silently, and records the count', async () => {
    const r = await run('sparse', 'sparse.auto');
    const chosen = r.record.parameters.background;
    assert.equal(chosen.method, 'none');
    assert.equal(chosen.chosen, 'auto');
    assert.ok((chosen.persistentPlaces as number) < PERSISTENT_WARNING, JSON.stringify(chosen));
    assert.deepEqual(r.notices.filter((n) => /structured background/.test(n)), []);
    assert.deepEqual(r.warnings.filter((w) => /stayed in place/.test(w)), []);
  });

  test('it reads its frames into one buffer, reused (a 2048² frame is 8 MB; only the central crop is looked at)', async () => {
    const opened = openRun(stack('cell'), undefined, undefined);
    const buffers = new Set<ArrayBufferLike>();
    const watched: OpenedRun = {
      ...opened,
      readFirst: async function* (count, signal, pool) {
        for await (const frame of opened.readFirst(count, signal, pool)) {
          buffers.add(frame.data.buffer);
          yield frame;
        }
      },
    };
    try {
      const chosen = await chooseBackground(watched, {});
      assert.equal(chosen.choice?.framesChecked, PERSISTENCE_FRAMES);
      assert.equal(chosen.options.background?.method, 'temporal-median', 'the same choice as the run over a cell');
      assert.equal(buffers.size, 1, `${PERSISTENCE_FRAMES} frames read into ${buffers.size} buffers`);
    } finally {
      opened.close();
    }
  });

  test('the stream API on a path chooses as the run does, once: the batches of an explicit temporal median on 1 or 2 workers', async () => {
    const xs = async (options: Parameters<typeof localize>[1], workers = 1) => (await lastValueFrom(localize(stack('cell'), { ...options, workers, chunkFrames: 32 }).pipe(toArray()))).map((b) => [...b.x.subarray(0, b.count)]);
    const [auto, twoWorkers, median, none] = await Promise.all([xs({}), xs({}, 2), xs({ background: { method: 'temporal-median' } }), xs({ background: { method: 'none' } })]);
    assert.deepEqual(auto, median);
    assert.deepEqual(twoWorkers, median);
    assert.notDeepEqual(auto, none);
  });

  test('--background parses auto', () => {
    assert.deepEqual(parseBackground('auto'), { method: 'auto' });
    assert.equal(BACKGROUND_DEFAULTS.method, 'auto');
    assert.throws(() => parseBackground('auto:51'), /--background: the window must be/);
  });
});
