/**
 * The steps of a run, each on its own: opening a run's stack (openRun), the one factory of fit
 * engines, and the warm-start search. The whole run is covered by localizeStack.test.ts and the
 * byte-identical CSVs of the baseline; these tests hold each step's own contract.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openRun } from '../../pipelines/openRun.js';
import { AstigmaticFit } from '../../src/fit/AstigmaticFit.js';
import { createFitEngines } from '../../src/fit/createFitEngines.js';
import { WasmAstigmaticFit } from '../../src/fit/WasmAstigmaticFit.js';
import { InvalidOptionError } from '../../src/errors/InvalidOptionError.js';
import { EmitterSelector } from '../../src/fit/EmitterSelector.js';
import { DepthEmitterFits } from '../../src/fit/DepthEmitterFits.js';
import { DepthEmitterSelector } from '../../src/fit/DepthEmitterSelector.js';
import { WarmStarts } from '../../src/fit/WarmStarts.js';
import type { AstigmatismCurves } from '../../src/fit/models/AstigmaticModel.js';
import { WasmEmitterSelector } from '../../src/fit/WasmEmitterSelector.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'samples', 'filaments.tif');

describe('openRun', () => {
  test('opens the stack and counts the frames of a range (0-based start, exclusive end, step)', () => {
    const all = openRun(SAMPLE, undefined, undefined);
    const count = all.metadata.frameCount;
    all.close();
    assert.ok(count >= 10, `${count} frames`);
    const run = openRun(SAMPLE, { start: 2, end: 9, step: 3 }, undefined);
    try {
      // Frames 2, 5, 8.
      assert.deepEqual(run.range, { start: 2, end: 9, step: 3, total: 3 });
      assert.equal(run.input, SAMPLE);
      assert.deepEqual(run.files, [SAMPLE]);
      assert.equal(run.address, undefined);
    } finally {
      run.close();
      run.close(); // again is harmless
    }
    const beyond = openRun(SAMPLE, { start: 0, end: count + 100 }, undefined);
    assert.equal(beyond.range.end, count, 'the end is at most the stack');
    beyond.close();
    const follow = openRun(SAMPLE, { follow: true }, undefined);
    assert.equal(follow.range.total, undefined, 'follow mode: the stack grows');
    follow.close();
  });

  test('refuses a queue with follow mode, and a bad queue address before opening anything', () => {
    assert.throws(() => openRun(SAMPLE, { follow: true }, 'redis://localhost:6379'), (e: unknown) => e instanceof InvalidOptionError && e.option === 'queue');
    // A missing file would be a TiffError: the address is refused first.
    assert.throws(() => openRun('/nonexistent.tif', undefined, 'http://nowhere'), (e: unknown) => e instanceof InvalidOptionError);
  });
});

describe('createFitEngines', () => {
  const options = (engine: 'wasm' | 'js', multi = true) => resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, fit: { engine }, multiEmitter: { enabled: multi } });
  // What the 3-D fits need of a calibration: the two defocus curves and their range.
  const calibration: AstigmatismCurves = {
    x: { sigma0Nm: 130, centerNm: -200, depthNm: 400, a: 0, b: 0 },
    y: { sigma0Nm: 130, centerNm: 200, depthNm: 400, a: 0, b: 0 },
    zRangeNm: [-400, 400],
    pixelSizeNm: 100,
  };

  test('one engine option chooses every fit: the kernel for wasm, the JavaScript reference for js', () => {
    const wasm = createFitEngines(options('wasm').fit, options('wasm').multiEmitter, calibration);
    assert.ok(wasm.workspace.kernel, 'the single fit in the kernel');
    // 3-D: the seeded selection over the 3-D model's K-emitter fit (its fits in the kernel for wasm).
    assert.ok(wasm.selector instanceof DepthEmitterSelector && wasm.selector.fit instanceof DepthEmitterFits);
    assert.ok(wasm.depthFits === wasm.selector.fit);
    assert.ok(wasm.astigmatic instanceof WasmAstigmaticFit);
    assert.ok(createFitEngines(options('wasm').fit, options('wasm').multiEmitter, undefined).selector instanceof WasmEmitterSelector, '2-D: the selection in the kernel');
    const js = createFitEngines(options('js').fit, options('js').multiEmitter, calibration);
    assert.equal(js.workspace.kernel, undefined);
    assert.ok(js.selector instanceof DepthEmitterSelector && js.selector.fit instanceof DepthEmitterFits);
    assert.ok(createFitEngines(options('js').fit, options('js').multiEmitter, undefined).selector instanceof EmitterSelector);
    assert.ok(js.astigmatic instanceof AstigmaticFit);
  });

  test('the conjugate-gradient solver runs in JavaScript: no kernel for the single fit, even with engine wasm', () => {
    const o = resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, fit: { engine: 'wasm', solver: 'conjugate-gradient' } });
    const engines = createFitEngines(o.fit, o.multiEmitter, undefined);
    assert.equal(engines.workspace.kernel, undefined);
    assert.ok(engines.selector instanceof WasmEmitterSelector, 'the multi-emitter selection still in the kernel');
  });

  test('no selector when multi-emitter fitting is off, no 3-D fit without a calibration', () => {
    const o = options('wasm', false);
    const engines = createFitEngines(o.fit, o.multiEmitter, undefined);
    assert.equal(engines.selector, undefined);
    assert.equal(engines.astigmatic, undefined);
    assert.equal(createFitEngines(o.fit, o.multiEmitter, calibration).depthFits, undefined, 'nor a 3-D one');
  });

  test("the 3-D refits' engines only for a run that refits; the pair fit only where a split may run", () => {
    const on = options('wasm');
    const refits = createFitEngines(on.fit, on.multiEmitter, calibration, undefined, { modelFollowsPsf: true });
    assert.ok(refits.depthModel !== undefined && refits.pairFits instanceof DepthEmitterFits, 'refits and splits');
    assert.equal(refits.pairFits.maxEmitters, 2);
    const noRefits = createFitEngines(on.fit, on.multiEmitter, calibration);
    assert.equal(noRefits.depthModel, undefined, 'no refits asked for: no model');
    assert.equal(noRefits.pairFits, undefined);
    const misfit = createFitEngines(on.fit, on.multiEmitter, calibration, undefined, { modelFollowsPsf: false });
    assert.ok(misfit.depthModel !== undefined && misfit.pairFits === undefined, 'curves that do not follow the beads: refits, no split');
    const one = resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, multiEmitter: { maxEmitters: 1 } });
    const single = createFitEngines(one.fit, one.multiEmitter, calibration, undefined, { modelFollowsPsf: true });
    assert.ok(single.depthModel !== undefined && single.pairFits === undefined, 'K = 1 only: refits, no split');
    const off = options('wasm', false);
    const none = createFitEngines(off.fit, off.multiEmitter, calibration, undefined, { modelFollowsPsf: true });
    assert.ok(none.depthModel === undefined && none.pairFits === undefined, 'multi-emitter off: neither');
    assert.equal(createFitEngines(on.fit, on.multiEmitter, undefined, undefined, { modelFollowsPsf: true }).depthModel, undefined, '2-D: neither');
  });
});

describe('WarmStarts', () => {
  test("a candidate starts from the previous frame's nearest localization within 1 px, in its patch's coordinates", () => {
    const warm = new WarmStarts();
    warm.begin(3);
    // Added out of order: the search needs them sorted by x, which end() does.
    warm.add(30.2, 10.4, 900, 12, 1.3);
    warm.add(10.6, 20.5, 1000, 10, 1.2);
    warm.add(10.9, 20.9, 1100, 11, 1.25);
    warm.end();
    const f = () => new Float64Array(3);
    const start = { x: f(), y: f(), photons: f(), background: f(), sigma: f() };
    // Candidate 0 at pixel (row 20, column 10), centre (10.5, 20.5): the first localization is
    // 0.1 px away, the second 0.57 px. Candidate 1 has none within 1 px. Candidate 2 is 0.5 px from the third.
    const column = Int32Array.of(10, 50, 30);
    const row = Int32Array.of(20, 5, 10);
    const originColumn = Int32Array.of(8, 48, 28);
    const originRow = Int32Array.of(18, 3, 8);
    warm.find(3, column, row, originColumn, originRow, start);
    assert.deepEqual([start.x[0], start.y[0], start.photons[0], start.background[0], start.sigma[0]], [10.6 - 8, 20.5 - 18, 1000, 10, 1.2]);
    assert.ok(Number.isNaN(start.x[1]), 'none within 1 px: the automatic guess');
    assert.equal(start.photons[2], 900);
    // The next frame forgets this one: after an empty frame, no warm starts.
    warm.begin(0);
    warm.end();
    warm.find(3, column, row, originColumn, originRow, start);
    assert.ok(start.x.every((x) => Number.isNaN(x)));
  });
});
