/**
 * The package as a user gets it: `npm pack`, installed into an empty project, imported from
 * plain ESM, type-checked from a strict TypeScript consumer, and its CLI run on the sample
 * (with workers, which start from the worker bundle). Needs the build (`npm test`
 * runs it first) and the npm registry or the cache `npm ci` fills (--prefer-offline).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CLI } from '../cli/cliArgs.js';

const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; devDependencies: Record<string, string> };
const dir = mkdtempSync(join(tmpdir(), 'smlm-package-'));
const consumer = join(dir, 'consumer');
const sample = join(root, 'samples/filaments.tif');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const installed = join(consumer, 'node_modules', pkg.name);
/** The bundles of the package (esbuild's, test/build/bundleWorker.mjs and buildView.mjs). */
const BUNDLES = ['dist/src/pipeline/localizeWorker.bundle.js', 'dist/view/app.js'];
let files: string[] = [];

after(() => rmSync(dir, { recursive: true, force: true }));

describe('the npm package', () => {
  before(() => {
    // --ignore-scripts: the build is fresh (npm test ran it); prepare would only build again.
    const packed = JSON.parse(execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' })) as { filename: string; files: { path: string }[]; size: number }[];
    files = packed[0].files.map((f) => f.path);
    execFileSync('mkdir', ['-p', consumer]);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(dir, packed[0].filename), `@types/node@${pkg.devDependencies['@types/node']}`], { cwd: consumer, encoding: 'utf8' });
  });

  test('the tarball holds the build, its types and kernels, and no tests or samples', () => {
    for (const needed of ['package.json', 'README.md', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/smlm-stream.js', 'dist/src/pipeline/localizeWorker.js', 'dist/src/pipeline/localizeWorker.bundle.js', 'dist/src/pipeline/fitKernel.wasm', 'dist/src/pipeline/waveletKernel.wasm', 'dist/src/fit/fitKernel.wasm', 'dist/src/detect/waveletKernel.wasm', 'dist/pipelines/localizeStack.js', 'dist/view/app.js', 'dist/view/index.html', 'docs/design.md']) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    for (const bundle of BUNDLES) assert.ok(files.includes(`${bundle}.LICENSE.txt`), `${bundle}'s licence notices are in the tarball`);
    assert.ok(files.includes('dist/src/pipeline/localizeWorker.bundle.inputs.json'), "the worker bundle's manifest is in the tarball");
    const stray = files.filter((f) => f.startsWith('test/') || f.startsWith('samples/') || f.startsWith('src/') || f.includes('.test.') || f.includes('/assembly/'));
    assert.deepEqual(stray, [], 'no tests, samples, sources or kernel sources');
  });

  test("each bundle's notice file names every package the bundle holds, with its licence text", () => {
    for (const bundle of BUNDLES) {
      // The bundled packages as esbuild marks them in its (unminified) output: a `// node_modules/<package>/<file>`
      // line before each module's code. The notices come from the build's metafile (test/build/bundleNotices.mjs).
      const code = readFileSync(join(installed, bundle), 'utf8');
      const held = new Set([...code.matchAll(/^\/\/ (?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]));
      assert.ok(held.size > 0, `${bundle} marks the packages it holds (// node_modules/... lines; a minified bundle needs another source)`);
      const notice = readFileSync(join(installed, `${bundle}.LICENSE.txt`), 'utf8');
      const named = new Map([...notice.matchAll(/\n-{64}\n(\S+) (\S+) \((.+)\)\n\n([^]*?)(?=\n-{64}\n|$)/g)].map((m) => [m[1], m[4]]));
      assert.deepEqual([...named.keys()].sort(), [...held].sort(), `${bundle}: the notice names exactly the bundled packages`);
      for (const [name, text] of named) assert.match(text, /permission|licen[cs]e|copyright/i, `${bundle}: ${name}'s licence text`);
    }
  });

  test('the installed package starts its workers from the bundle', async () => {
    // The choice LocalizerPool makes (once a process) on the installed files: npm sets their mtimes, so the
    // manifest's sha256 decides. A bundle skipped here would cost the 0.3-0.4 s of CPU it saves at start-up.
    const pipeline = join(installed, 'dist/src/pipeline');
    const { workerModule } = (await import(pathToFileURL(join(pipeline, 'workerModule.js')).href)) as typeof import('../../src/pipeline/workerModule.js');
    assert.equal(workerModule(pipeline), join(pipeline, 'localizeWorker.bundle.js'));
  });

  test('plain ESM imports the API by the package name and localizes the sample', () => {
    writeFileSync(join(consumer, 'use.mjs'), `
import { localize, fitPatches, FitStatus, TiffStack, LOCALIZATION_COLUMNS, createFitResults, softwareVersion } from 'smlm-stream';
const stack = TiffStack.open(process.argv[2]);
const frames = stack.metadata.frameCount;
stack.close();
let rows = 0;
await new Promise((resolve, reject) => localize(process.argv[2], { frames: { end: 20 } }).subscribe({
  next: (batch) => { rows += batch.status.filter((s) => s === FitStatus.converged).length; },
  error: reject,
  complete: resolve,
}));
const patch = new Float64Array(49).fill(20);
const fit = fitPatches(patch, { box: 7, sigmaPx: 1.3 }, { out: createFitResults(1) });
console.log(JSON.stringify({ frames, rows, columns: LOCALIZATION_COLUMNS.length, status: fit.status[0], version: softwareVersion() }));
`);
    const out = JSON.parse(execFileSync(process.execPath, [join(consumer, 'use.mjs'), sample], { cwd: consumer, encoding: 'utf8' }));
    assert.equal(out.frames, 300);
    assert.ok(out.rows > 300, `${out.rows} localizations in 20 frames`);
    assert.equal(out.columns, 15);
    assert.equal(out.version, pkg.version);
    assert.ok(out.status >= 0 && out.status <= 5);
  });

  test('a strict TypeScript consumer type-checks against the shipped declarations', () => {
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023'], types: ['node'], noEmit: true }, include: ['use.ts'] }));
    writeFileSync(join(consumer, 'use.ts'), `
import type { FitResults, LocalizationBatch, LocalizeOptions, LocalizeStackSummary, StackMetadata } from 'smlm-stream';
import { fitPatches, FitStatus, localize, localizeStack, resolveLocalizeOptions, TiffStack } from 'smlm-stream';
const options: LocalizeOptions = { camera: { pixelSizeNm: 100, baselineAdu: 100 }, psfSigmaNm: 130, fit: { maxIterations: 30, engine: 'wasm' }, detect: { threshold: 1.2 } };
const resolved = resolveLocalizeOptions(options);
const box: number = resolved.fit.box;
const results: FitResults = fitPatches(new Float64Array(box * box), { box, sigmaPx: resolved.psfSigmaPx });
const converged: boolean = results.status[0] === FitStatus.converged;
const metadata: StackMetadata = TiffStack.open('x.tif').metadata;
localize('x.tif', options).subscribe((batch: LocalizationBatch) => batch.x[0] + batch.frame);
const run: Promise<LocalizeStackSummary> = localizeStack({ input: 'x.tif', output: 'x.csv', options });
// @ts-expect-error: the engine is 'wasm' or 'js'
const wrong: LocalizeOptions = { fit: { engine: 'gpu' } };
void [converged, metadata, run, wrong];
`);
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(consumer, 'tsconfig.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('the installed CLI answers --version, and gives the CSV of the repository run (one thread and two workers)', () => {
    const bin = join(consumer, 'node_modules/.bin/smlm-stream');
    accessSync(bin, constants.X_OK);
    assert.equal(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(), pkg.version);
    const repo = spawnSync(process.execPath, [...CLI, 'localize', sample, '-o', join(dir, 'repo.csv'), '--quiet', '--workers', '1'], { encoding: 'utf8' });
    assert.equal(repo.status, 0, repo.stderr);
    for (const workers of ['1', '2']) {
      const out = join(dir, `installed-${workers}.csv`);
      const r = spawnSync(bin, ['localize', sample, '-o', out, '--workers', workers], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`on ${workers} (thread|workers)`));
      assert.match(r.stdout, /engines\s+detection wasm, fit wasm/);
      assert.equal(readFileSync(out, 'utf8'), readFileSync(join(dir, 'repo.csv'), 'utf8'), `${workers} worker(s): the same CSV`);
    }
  });
});
