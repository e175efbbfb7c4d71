/**
 * The layering rule, kept by a test (FOLDER_RANK below is its one home; docs/development.md
 * describes it). It reads the imports of every source file under src/ and pipelines/ (static
 * `import … from`, `export … from`, side-effect `import '…'` and dynamic `import('…')`) and fails on
 * - a folder without a rank,
 * - an import that runs against the folder order below (a lower folder importing a higher one),
 * - a circle of imports between files,
 * - `node:*` (or a Node built-in by its bare name) or `rxjs` in a math folder,
 * - `process` outside src/cli/,
 * and, over every hand-written source file of src/, pipelines/ and test/, on a file over
 * {@link MAX_SOURCE_LINES} lines.
 * Known exceptions are listed by file, each with what removes it; a listed exception that no
 * longer occurs also fails, so the lists only shrink. The checks are plain functions of the
 * files' texts, run at the end on made-up files to show that each finds what it looks for.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
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
  view: 12, // `smlm-stream view`: its server (pipelines, files) and its page (src/view/client)
  index: 12, // src/index.ts, the library's entry point
};

/** Folders of arithmetic: no file system, no streams (they run in workers and, later, a browser). */
const MATH_FOLDERS = ['fit', 'detect', 'camera', 'patches', 'astig', 'table', 'render', 'post', 'evaluate', 'simulate'];

/** The one folder that may read `process` (arguments, environment, exit codes, signals, pid). */
const PROCESS_FOLDER = 'cli';

/** No hand-written source file over this many lines (a rule of the project). */
const MAX_SOURCE_LINES = 800;

/** Extensions of hand-written source files (data, such as test/fit/reference/*.json, is not counted). */
const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.py'];

/** Imports against the order that exist today, each with what removes it: none left. */
const KNOWN_UPWARD: readonly string[] = [];

/** `node:*` or `rxjs` in a math folder today (as `FILE node:` or `FILE rxjs`), and what removes each: none left. */
const KNOWN_PLATFORM_IN_MATH: readonly string[] = [];

/** `process` outside src/cli/ today, and what removes each: none left. */
const KNOWN_PROCESS: readonly string[] = [];

/** Source files over {@link MAX_SOURCE_LINES} lines today, and what removes each. */
const KNOWN_LONG: readonly string[] = [];

/** Every file under a folder of the repository, as paths relative to it. */
function filesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }).map((f) => join(folder, f));
}

/**
 * The files of the layering checks: .ts under a folder, without declarations and without the
 * AssemblyScript sources (`assembly/`: compiled on their own, they import nothing of src/).
 */
function layeredSources(folder: string): string[] {
  return filesUnder(folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.split('/').includes('assembly'));
}

/** A source file's folder for the order: `src/fit/x.ts` → fit, `pipelines/x.ts` → pipelines. */
function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'pipelines') return 'pipelines';
  if (parts.length === 2) return parts[1] === 'index.ts' ? 'index' : '.';
  return parts[1];
}

/** A text without its comments (comments may name what the code must not use). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
}

/**
 * Every module a text imports or re-exports, as written: `import … from 'm'`, `export … from 'm'`,
 * `import 'm'` and `import('m')`.
 */
function specifiersOf(text: string): string[] {
  const pattern = /(?:^|[\n;])\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...text.matchAll(pattern)].map((m) => (m[1] ?? m[2] ?? m[3]) as string);
}

/** The relative imports of a file, resolved to repository paths of .ts files. */
function importsOf(file: string, text: string): string[] {
  return specifiersOf(text)
    .filter((s) => s.startsWith('./') || s.startsWith('../'))
    .map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** Node's built-in modules by their bare names too (`fs`, `fs/promises`): `node:` is not the only way in. */
const NODE_BUILTINS = new Set(builtinModules);

/** The platform a text's code imports: `node:` for a Node built-in, `rxjs` for RxJS (each once, in that order). */
function platformOf(text: string): string[] {
  const specifiers = specifiersOf(withoutComments(text));
  const found: string[] = [];
  if (specifiers.some((s) => s.startsWith('node:') || NODE_BUILTINS.has(s))) found.push('node:');
  if (specifiers.some((s) => s === 'rxjs' || s.startsWith('rxjs/'))) found.push('rxjs');
  return found;
}

/** Whether a text's code reads `process`: `process.x`, `process[x]`, `= process`, or an import of `node:process`. */
function readsProcess(text: string): boolean {
  const code = withoutComments(text);
  return /(?<![.\w$])process\s*[.[]|=\s*process\b(?!\s*[\w$])/.test(code) || specifiersOf(code).some((s) => s === 'node:process' || s === 'process');
}

/** What the layering checks find in a set of files (path relative to the repository → text). */
interface LayeringViolations {
  /** Folders without a rank in {@link FOLDER_RANK}. */
  readonly unknownFolders: string[];
  /** Imports that run up the folder order, as `FILE -> TARGET`. */
  readonly upward: string[];
  /** Circles of imports, each as `A -> B -> … -> A`. */
  readonly circles: string[];
  /** `node:*` or `rxjs` in a math folder, as `FILE node:` or `FILE rxjs`. */
  readonly platform: string[];
  /** Files outside src/cli/ that read `process`. */
  readonly processUse: string[];
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

/** Every layering check over a set of files (imports of files outside the set are not followed). */
function layeringViolations(texts: ReadonlyMap<string, string>): LayeringViolations {
  const graph = new Map([...texts].map(([f, text]) => [f, importsOf(f, text).filter((t) => texts.has(t))]));
  const files = [...texts.keys()];
  return {
    unknownFolders: [...new Set(files.map(folderOf))].filter((f) => FOLDER_RANK[f] === undefined),
    upward: upwardImports(graph),
    circles: circlesOf(graph),
    platform: files.filter((f) => MATH_FOLDERS.includes(folderOf(f))).flatMap((f) => platformOf(texts.get(f) as string).map((p) => `${f} ${p}`)),
    processUse: files.filter((f) => folderOf(f) !== PROCESS_FOLDER && readsProcess(texts.get(f) as string)),
  };
}

/** Lines of a text, as `wc -l` counts them (plus a last line without its line end). */
function lineCount(text: string): number {
  const ends = text.split('\n').length - 1;
  return text.length > 0 && !text.endsWith('\n') ? ends + 1 : ends;
}

/** The files over `limit` lines, as `FILE (N lines)`. */
function longFiles(texts: ReadonlyMap<string, string>, limit: number): string[] {
  return [...texts].filter(([, text]) => lineCount(text) > limit).map(([f, text]) => `${f} (${lineCount(text)} lines)`);
}

/** Assert that `found` holds no more than `known`, and `known` no entry `found` lacks (the list only shrinks). */
function assertOnlyKnown(found: readonly string[], known: readonly string[], what: string, list: string): void {
  assert.deepEqual(found.filter((f) => !known.includes(f)), [], what);
  assert.deepEqual(known.filter((k) => !found.includes(k)), [], `a listed exception is gone: remove it from ${list}`);
}

const layered = [...layeredSources('src'), ...layeredSources('pipelines')];
const found = layeringViolations(new Map(layered.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')])));

describe('layering', () => {
  test('every folder of src/ has a place in the order', () => {
    assert.deepEqual(found.unknownFolders, [], 'a new folder needs a rank in FOLDER_RANK');
  });

  test('no import runs up the folder order (beyond the listed exceptions)', () => {
    assertOnlyKnown(found.upward, KNOWN_UPWARD, 'imports against the order', 'KNOWN_UPWARD');
  });

  test('no circle of imports between files', () => {
    assert.deepEqual(found.circles, []);
  });

  test('no node:* or rxjs in the math folders (beyond the listed exceptions)', () => {
    assertOnlyKnown(found.platform, KNOWN_PLATFORM_IN_MATH, 'node:* or rxjs in a math folder', 'KNOWN_PLATFORM_IN_MATH');
  });

  test('no process outside src/cli/ (beyond the listed exceptions)', () => {
    assertOnlyKnown(found.processUse, KNOWN_PROCESS, 'process outside src/cli/', 'KNOWN_PROCESS');
  });
});

describe('the page of smlm-stream view', () => {
  test('src/view/client imports no node:*, no rxjs and nothing of the server (it runs in a browser)', () => {
    const client = layeredSources('src').filter((f) => f.startsWith('src/view/client/'));
    const bad = client.flatMap((f) => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      return [...platformOf(text).map((p) => `${f} ${p}`), ...importsOf(f, withoutComments(text)).filter((t) => t.startsWith('src/view/server/') || t.startsWith('src/cli/')).map((t) => `${f} -> ${t}`)];
    });
    assert.deepEqual(bad, []);
  });
});

describe('file size', () => {
  test(`no hand-written source file of src/, pipelines/ or test/ over ${MAX_SOURCE_LINES} lines (beyond the listed exceptions)`, () => {
    const sources = ['src', 'pipelines', 'test'].flatMap(filesUnder).filter((f) => SOURCE_EXTENSIONS.some((e) => f.endsWith(e)));
    assert.ok(sources.length > layered.length, 'test/ and the AssemblyScript sources are counted too');
    const long = longFiles(new Map(sources.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')])), MAX_SOURCE_LINES);
    assertOnlyKnown(long.map((l) => l.replace(/ \(\d+ lines\)$/, '')), KNOWN_LONG, `files over ${MAX_SOURCE_LINES} lines: ${long.join(', ')}`, 'KNOWN_LONG');
  });
});

describe('the checks find what they look for (on made-up files)', () => {
  // A check that could never fail would keep nothing: each is run on files that break it, next
  // to files that may do the same thing where it is allowed.
  test('the import reader sees static, re-exported, side-effect and dynamic imports, not those in comments', () => {
    const text = [
      "import { b } from '../cli/b.js';",
      "export { c } from './c.js';",
      "import type {\n  E,\n} from '../io/e.js';",
      "import '../io/side.js';",
      "const d = await import('../io/d.js');",
      "// import { x } from '../cli/commented.js';",
      "import { map } from 'rxjs';",
    ].join('\n');
    assert.deepEqual(importsOf('src/fit/a.ts', text), ['src/cli/b.ts', 'src/fit/c.ts', 'src/io/e.ts', 'src/io/side.ts', 'src/io/d.ts']);
    assert.deepEqual(platformOf(text), ['rxjs'], 'a commented import is not code');
  });

  test('each violation is reported, and only where it is one', () => {
    const made = new Map<string, string>([
      // fit/ (rank 2): an upward import, one side of a circle, node:, rxjs, process.
      ['src/fit/a.ts', "import { readFileSync } from 'node:fs';\nimport { map } from 'rxjs';\nimport { b } from '../cli/b.js';\nimport { c } from './c.js';\nexport const home = process.env.HOME;"],
      ['src/fit/c.ts', "import { a } from './a.js';"],
      // A Node built-in by its bare name in detect/, `process` taken whole in render/, and
      // node:process in table/ (both a platform module in a math folder and process).
      ['src/detect/f.ts', "import { readFileSync } from 'fs';"],
      ['src/render/g.ts', 'const { pid } = process;'],
      ['src/table/h.ts', "import { argv } from 'node:process';"],
      // Allowed: the same in the folders that may (io/ reads files, pipeline/ streams, cli/ is the process).
      ['src/io/d.ts', "import { readFileSync } from 'node:fs';"],
      ['src/pipeline/p.ts', "import { map } from 'rxjs';\nimport { d } from '../io/d.js';"],
      ['src/cli/b.ts', "import { a } from '../fit/a.js';\nprocess.exit(0);"],
      // Allowed: words that only look like it (a comment, a property named process, a string).
      ['src/fit/ok.ts', "// process.exit and import 'node:fs' are named in this comment\nconst worker = { process: 1 };\nworker.process = 2;\nconst s = 'node:fs';"],
      // A folder without a rank.
      ['src/newFolder/n.ts', ''],
    ]);
    assert.deepEqual(layeringViolations(made), {
      unknownFolders: ['newFolder'],
      upward: ['src/fit/a.ts -> src/cli/b.ts'],
      circles: ['src/fit/a.ts -> src/cli/b.ts -> src/fit/a.ts', 'src/fit/a.ts -> src/fit/c.ts -> src/fit/a.ts'],
      platform: ['src/fit/a.ts node:', 'src/fit/a.ts rxjs', 'src/detect/f.ts node:', 'src/table/h.ts node:'],
      processUse: ['src/fit/a.ts', 'src/render/g.ts', 'src/table/h.ts'],
    });
  });

  test(`a file over ${MAX_SOURCE_LINES} lines is reported, one of exactly ${MAX_SOURCE_LINES} is not`, () => {
    const lines = (n: number) => 'x\n'.repeat(n);
    const made = new Map([
      ['test/long.test.ts', lines(MAX_SOURCE_LINES + 1)],
      ['src/fit/atLimit.ts', lines(MAX_SOURCE_LINES)],
      ['src/fit/noLastLineEnd.ts', `${lines(MAX_SOURCE_LINES)}x`],
    ]);
    assert.deepEqual(longFiles(made, MAX_SOURCE_LINES), [`test/long.test.ts (${MAX_SOURCE_LINES + 1} lines)`, `src/fit/noLastLineEnd.ts (${MAX_SOURCE_LINES + 1} lines)`]);
  });

  test('a listed exception that is gone fails, as does one not listed', () => {
    assert.throws(() => assertOnlyKnown([], ['src/fit/gone.ts'], 'x', 'KNOWN_X'), /a listed exception is gone: remove it from KNOWN_X/);
    assert.throws(() => assertOnlyKnown(['src/fit/new.ts'], [], 'new violation', 'KNOWN_X'), /new violation/);
    assert.doesNotThrow(() => assertOnlyKnown(['src/fit/known.ts'], ['src/fit/known.ts'], 'x', 'KNOWN_X'));
  });
});
