/**
 * The choice of the worker module (src/pipeline/workerModule.ts): the bundle only while every
 * input its manifest lists is unchanged, else the compiled module. On a small made-up build in a
 * temporary folder (a pipeline/ folder with the worker, its bundle and manifest, and inputs in a
 * sibling folder as dist/src/fit is), so the test needs no build and leaves dist alone.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bundleInput, WORKER_BUNDLE, WORKER_BUNDLE_MANIFEST, WORKER_MODULE, workerModule } from '../../src/pipeline/workerModule.js';

const root = mkdtempSync(join(tmpdir(), 'smlm-worker-module-'));
after(() => rmSync(root, { recursive: true, force: true }));

const INPUTS = [WORKER_MODULE, 'FrameLocalizer.js', '../fit/FitKernel.js', '../fit/fitKernel.wasm'];

/** A made-up build in a fresh folder: its pipeline folder, as a build script leaves it. */
function build(name: string): string {
  const pipeline = join(root, name, 'pipeline');
  mkdirSync(pipeline, { recursive: true });
  mkdirSync(join(root, name, 'fit'));
  for (const input of INPUTS) writeFileSync(join(pipeline, input), `// ${input}\nexport const x = 1;\n`);
  writeFileSync(join(pipeline, WORKER_BUNDLE), '// the bundle\n');
  const inputs = INPUTS.map((input) => bundleInput(pipeline, input));
  writeFileSync(join(pipeline, WORKER_BUNDLE_MANIFEST), JSON.stringify({ bundle: WORKER_BUNDLE, inputs }));
  return pipeline;
}

/** Set a file's mtime `seconds` later than it is. */
function touch(file: string, seconds = 5): void {
  const { atime, mtimeMs } = statSync(file);
  utimesSync(file, atime, new Date(mtimeMs + seconds * 1000));
}

describe('workerModule', () => {
  test('an unchanged build starts the bundle', () => {
    const dir = build('fresh');
    assert.equal(workerModule(dir), join(dir, WORKER_BUNDLE));
  });

  test('files with new mtimes but the same content (an npm install, a full tsc) still start the bundle', () => {
    const dir = build('installed');
    // The whole build copied without its times, as an installer writes it.
    cpSync(join(root, 'installed'), join(root, 'copied'), { recursive: true, preserveTimestamps: false });
    const copied = join(root, 'copied', 'pipeline');
    for (const input of INPUTS) utimesSync(join(copied, input), new Date(499162500000), new Date(499162500000));
    assert.notEqual(statSync(join(copied, INPUTS[2])).mtimeMs, statSync(join(dir, INPUTS[2])).mtimeMs);
    assert.equal(workerModule(copied), join(copied, WORKER_BUNDLE));
  });

  for (const input of INPUTS) {
    test(`a changed ${input} (same size, new content) starts the compiled module`, () => {
      const dir = build(`changed-${input.replace(/\W/g, '_')}`);
      const file = join(dir, input);
      writeFileSync(file, readFileSync(file, 'utf8').replace('x = 1', 'x = 2'));
      touch(file); // a later mtime for sure (a write in the same clock tick would keep it)
      assert.equal(workerModule(dir), join(dir, WORKER_MODULE));
    });
  }

  test('a changed size starts the compiled module, even at the recorded mtime', () => {
    const dir = build('grown');
    const file = join(dir, '../fit/FitKernel.js');
    const { atime, mtime } = statSync(file);
    writeFileSync(file, `${readFileSync(file, 'utf8')}// more\n`);
    utimesSync(file, atime, mtime);
    assert.equal(workerModule(dir), join(dir, WORKER_MODULE));
  });

  test('a touched input with the same content keeps the bundle (the content decides)', () => {
    const dir = build('touched');
    touch(join(dir, 'FrameLocalizer.js'));
    assert.equal(workerModule(dir), join(dir, WORKER_BUNDLE));
  });

  test('no bundle, no manifest, an unreadable manifest or an input gone starts the compiled module', () => {
    const noBundle = build('no-bundle');
    unlinkSync(join(noBundle, WORKER_BUNDLE));
    assert.equal(workerModule(noBundle), join(noBundle, WORKER_MODULE));
    const noManifest = build('no-manifest');
    unlinkSync(join(noManifest, WORKER_BUNDLE_MANIFEST));
    assert.equal(workerModule(noManifest), join(noManifest, WORKER_MODULE));
    const broken = build('broken');
    writeFileSync(join(broken, WORKER_BUNDLE_MANIFEST), '{"inputs": [');
    assert.equal(workerModule(broken), join(broken, WORKER_MODULE));
    const gone = build('gone');
    unlinkSync(join(gone, '../fit/fitKernel.wasm'));
    assert.equal(workerModule(gone), join(gone, WORKER_MODULE));
  });
});
