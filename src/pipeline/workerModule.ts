import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The worker bundle's file name, beside the compiled worker (written by test/build/bundleWorker.mjs). */
export const WORKER_BUNDLE = 'localizeWorker.bundle.js';
/** The compiled worker module's file name (tsc's output of localizeWorker.ts). */
export const WORKER_MODULE = 'localizeWorker.js';
/** The bundle's manifest, beside it: the files it was made from, as {@link BundleInput}s. */
export const WORKER_BUNDLE_MANIFEST = 'localizeWorker.bundle.inputs.json';

/** One file a bundle was made from, as it was when the bundle was built. */
export interface BundleInput {
  /** path relative to the bundle's folder, with `/` */
  path: string;
  /** size, bytes */
  size: number;
  /** modification time, ms since the epoch */
  mtimeMs: number;
  /** sha256 of the content, hex */
  sha256: string;
}

/** The sha256 of a file's content, hex. */
function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Describe one input of the bundle for its manifest (the build script's side of
 * {@link workerModule}).
 * @param dir - the bundle's folder
 * @param path - the input's path relative to `dir`, with `/`
 */
export function bundleInput(dir: string, path: string): BundleInput {
  const stat = statSync(join(dir, path));
  return { path, size: stat.size, mtimeMs: stat.mtimeMs, sha256: sha256(join(dir, path)) };
}

/**
 * The worker module to start from `dir` (a built dist/src/pipeline): the bundle when its manifest
 * says it was made from the files there now, else the compiled module. An input matches when it
 * has its recorded size and either its recorded mtime or, where that changed (an npm install sets
 * every mtime to one date; a `tsc` rewrites unchanged files), its recorded sha256. So a partial
 * rebuild (`tsc --watch`, one copied file, `copyWasm.mjs` alone) falls back to the compiled
 * modules, which are current, rather than start workers that run other code than the main
 * thread. About 100 `statSync` calls; the hashes are read only for the inputs whose mtime changed.
 * A missing bundle or manifest, or an input gone, chooses the compiled module.
 * @param dir - the folder of the compiled worker, its bundle and the manifest
 * @returns the path of the module to start
 */
export function workerModule(dir: string): string {
  const bundle = join(dir, WORKER_BUNDLE);
  const compiled = join(dir, WORKER_MODULE);
  const manifest = join(dir, WORKER_BUNDLE_MANIFEST);
  if (!existsSync(bundle) || !existsSync(manifest)) return compiled;
  let inputs: BundleInput[];
  try {
    inputs = (JSON.parse(readFileSync(manifest, 'utf8')) as { inputs: BundleInput[] }).inputs;
  } catch {
    return compiled;
  }
  if (!Array.isArray(inputs) || inputs.length === 0) return compiled;
  for (const input of inputs) {
    const file = join(dir, input.path);
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat || stat.size !== input.size) return compiled;
    if (stat.mtimeMs !== input.mtimeMs && sha256(file) !== input.sha256) return compiled;
  }
  return bundle;
}
