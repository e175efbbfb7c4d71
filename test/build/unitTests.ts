/**
 * `npm run test:unit`: the fast subset of the tests for the inner loop, run from the sources
 * (no build), in one process. Which files (a rule on what a file does, not on its folder, so
 * that a new test file falls on the right side by itself):
 *
 * 1. every `*.test.ts` of test/,
 * 2. less any that starts a process: a file importing `node:child_process`, itself or through a
 *    helper of test/ it imports (test/cli/cliArgs.ts serves only to spawn the CLI; Redis is
 *    spawned too);
 * 3. less any that needs a build or Redis, the same way: a file importing the package by its
 *    name or a path under dist/ (the build), or bullmq or ioredis (a Redis server);
 * 4. less the files in {@link SLOW}.
 *
 * How: the files are imported one after another into this process, and node:test queues their
 * tests on one root. tsx then compiles the sources once (the 35 files of an earlier rule took 30 s
 * of CPU as one `node --test` process each, 11 s here; the 44 of this rule run in 18 s of wall
 * time). `npm test` keeps one process per file and runs all.
 *
 * `node --import tsx test/build/unitTests.ts --list` prints the files instead (one per line).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Imports that mark a file as not a unit test: a process, the build, or a Redis server. */
const NOT_UNIT = [
  /from\s*['"](node:)?child_process['"]/, // starts a process
  /from\s*['"](smlm-stream(\/[^'"]*)?|[^'"]*\/dist\/[^'"]*)['"]/, // needs the build
  /from\s*['"](bullmq|ioredis)['"]/, // needs Redis
  /from\s*['"](playwright-core|[^'"]*launchChromium(\.[jt]s)?)['"]/, // needs Chromium
];

/**
 * Files over about 10 s alone (measured one process per file on the 2-core machine under load),
 * run by `npm test` only.
 */
const SLOW = [
  'test/fit/WasmFitKernel.test.ts', // 68 s: the fit kernel against the JavaScript fit on every model
  'test/detect/WasmWaveletKernel.test.ts', // 64 s: the wavelet kernel against the JavaScript filter
  'test/post/drift.test.ts', // 21 s: drift estimated on simulated tables
  'test/post/BlinkMerger.test.ts', // 11 s: blink merging on simulated tables
  'test/pipeline/acceptance.test.ts', // 32 s: the acceptance criteria on simulated stacks
  'test/pipeline/crowded.test.ts', // 27 s: crowded stacks, one and two workers
  'test/pipeline/localizeStream.test.ts', // 15 s: the stream on simulated stacks
  'test/report/makeRunReport.test.ts', // 27 s: run reports (with NeNA and FRC) of made-up runs
  'test/thirdParty/stormAnalysis.test.ts', // 15 s CPU: a spline from third-party beads, 5 localize runs
  'test/astig/zModelErrorByDepth.test.ts', // 11 s CPU: a 9-bead calibrate-psf and 600 spline fits
];

/**
 * Whether a file, or a test/ helper it imports (relative imports, followed), has an import of
 * {@link NOT_UNIT}. (An import written in a string, such as the made-up files of
 * test/architecture.test.ts, may name a file that does not exist: it is passed over.)
 */
function notUnit(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file) || !file.startsWith('test/') || !existsSync(file)) return false;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  if (NOT_UNIT.some((pattern) => pattern.test(text))) return true;
  return [...text.matchAll(/from\s*['"](\.{1,2}\/[^'"]+)['"]/g)]
    .map((m) => normalize(join(dirname(file), m[1])).replace(/\.js$/, '.ts'))
    .some((helper) => notUnit(helper, seen));
}

/** The files of `npm run test:unit`, sorted, as paths from the repository root (the working directory). */
function unitTestFiles(): string[] {
  const candidates = readdirSync('test', { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join('test', f));
  const stale = SLOW.filter((f) => !candidates.includes(f));
  if (stale.length > 0) throw new Error(`test/build/unitTests.ts: SLOW names files that are not candidates: ${stale.join(', ')}`);
  return candidates.filter((f) => !SLOW.includes(f) && !notUnit(f)).sort();
}

const files = unitTestFiles();
if (process.argv.includes('--list')) process.stdout.write(`${files.join('\n')}\n`);
else for (const file of files) await import(pathToFileURL(file).href);
