/**
 * The layering rule of docs/design.md §12, kept by a test: it reads the imports of every source
 * file under src/ and pipelines/ (static `import … from`, `export … from` and dynamic
 * `import('…')`) and fails on
 * - an import that runs against the folder order below (a lower folder importing a higher one),
 * - a circle of imports between files,
 * - `node:*` or `rxjs` in a math folder, `process` outside src/cli/.
 * Known exceptions are listed by file, each with what removes it; a listed exception that no
 * longer occurs also fails, so the lists only shrink.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Folders from the bottom up: a file may import from its own folder and from folders of the
 * same or a lower rank, never from a higher one. Math and I/O at the bottom; the pipeline, the
 * queue, the ready pipelines and the command line at the top.
 */
const FOLDER_RANK: Readonly<Record<string, number>> = {
  errors: 0,
  types: 0,
  '.': 0, // src/softwareVersion.ts
  io: 1,
  wasm: 1,
  camera: 2,
  fit: 2,
  detect: 3,
  table: 3,
  patches: 4,
  render: 4,
  astig: 5,
  simulate: 6,
  post: 7,
  evaluate: 7,
  export: 8,
  pipeline: 9,
  cluster: 10,
  pipelines: 11,
  cli: 12,
  index: 12, // src/index.ts, the library's entry point
};

/** Folders of arithmetic: no file system, no streams (they run in workers and, later, a browser). */
const MATH_FOLDERS = ['fit', 'detect', 'camera', 'patches', 'astig', 'table', 'render', 'post', 'evaluate', 'simulate'];

/** Imports against the order that exist today, each with what removes it: none left. */
const KNOWN_UPWARD: readonly string[] = [];

/** `node:*` or `rxjs` in a math folder today, and what removes each (issue 24). */
const KNOWN_PLATFORM_IN_MATH: readonly string[] = [];

/** `process` outside src/cli/ today, and what removes each (issue 24). */
const KNOWN_PROCESS: readonly string[] = [];

/** Every .ts file under a folder, as paths relative to the repository. */
function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.split('/').includes('assembly'))
    .map((f) => join(folder, f));
}

/** A source file's folder for the order: `src/fit/x.ts` → fit, `pipelines/x.ts` → pipelines. */
function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'pipelines') return 'pipelines';
  if (parts.length === 2) return parts[1] === 'index.ts' ? 'index' : '.';
  return parts[1];
}

/** The relative imports of a file, resolved to repository paths of .ts files. */
function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  const pattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(pattern)) {
    const target = m[1] ?? m[2];
    found.push(normalize(join(dirname(file), target)).replace(/\.js$/, '.ts'));
  }
  return found;
}

/** The imports that run up the folder order, as `FILE -> TARGET`. */
function upwardImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const upward: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (FOLDER_RANK[folderOf(target)] > FOLDER_RANK[folderOf(file)]) upward.push(`${file} -> ${target}`);
    }
  }
  return upward;
}

/** The circles of a graph of files, each as `A -> B -> … -> A` (depth first). */
function circlesOf(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (file: string, path: string[]): void => {
    state.set(file, 'open');
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') circles.push([...path.slice(path.indexOf(target)), target].join(' -> '));
      else if (!state.has(target)) visit(target, [...path, target]);
    }
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  return circles;
}

const files = [...sources('src'), ...sources('pipelines')];
const texts = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));
const graph = new Map(files.map((f) => [f, importsOf(f, texts.get(f) as string).filter((t) => texts.has(t))]));

describe('layering (docs/design.md §12)', () => {
  test('every folder of src/ has a place in the order', () => {
    const unknown = [...new Set(files.map(folderOf))].filter((f) => FOLDER_RANK[f] === undefined);
    assert.deepEqual(unknown, [], 'a new folder needs a rank in FOLDER_RANK');
  });

  test('no import runs up the folder order (beyond the listed exceptions)', () => {
    const upward = upwardImports(graph);
    assert.deepEqual(upward.filter((u) => !KNOWN_UPWARD.includes(u)), [], 'imports against the order');
    assert.deepEqual(KNOWN_UPWARD.filter((k) => !upward.includes(k)), [], 'a listed exception is gone: remove it from KNOWN_UPWARD');
  });

  test('no circle of imports between files', () => {
    assert.deepEqual(circlesOf(graph), []);
  });

  test('no node:* or rxjs in the math folders, no process outside src/cli/ (beyond the listed exceptions)', () => {
    const platform: string[] = [];
    const processUse: string[] = [];
    for (const [file, text] of texts) {
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ''); // comments may name them
      if (MATH_FOLDERS.includes(folderOf(file))) {
        if (/from\s*['"]node:/.test(code)) platform.push(`${file} node:`);
        if (/from\s*['"]rxjs/.test(code)) platform.push(`${file} rxjs`);
      }
      if (folderOf(file) !== 'cli' && /(?<![.\w])process\s*\./.test(code)) processUse.push(file);
    }
    assert.deepEqual(platform.filter((p) => !KNOWN_PLATFORM_IN_MATH.includes(p)), [], 'node:* or rxjs in a math folder');
    assert.deepEqual(KNOWN_PLATFORM_IN_MATH.filter((k) => !platform.includes(k)), [], 'a listed exception is gone: remove it');
    assert.deepEqual(processUse.filter((p) => !KNOWN_PROCESS.includes(p)), [], 'process outside src/cli/');
    assert.deepEqual(KNOWN_PROCESS.filter((k) => !processUse.includes(k)), [], 'a listed exception is gone: remove it');
  });

  test('the checks find what they look for: an upward import, a circle (on made-up files)', () => {
    // The reader and the checks themselves: a check that could never fail would keep nothing.
    const made = importsOf('src/fit/a.ts', "import { b } from '../cli/b.js';\nexport { c } from './c.js';\nconst d = await import('../io/d.js');");
    assert.deepEqual(made, ['src/cli/b.ts', 'src/fit/c.ts', 'src/io/d.ts']);
    const fake = new Map<string, string[]>([
      ['src/fit/a.ts', made],
      ['src/fit/c.ts', ['src/fit/a.ts']],
      ['src/cli/b.ts', []],
      ['src/io/d.ts', []],
    ]);
    assert.deepEqual(upwardImports(fake), ['src/fit/a.ts -> src/cli/b.ts']);
    assert.deepEqual(circlesOf(fake), ['src/fit/a.ts -> src/fit/c.ts -> src/fit/a.ts']);
  });
});
