import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';

/**
 * The exports of a package whose `main` is a UMD bundle, evaluated as a CommonJS module. The
 * platform side of loading code from a file, as {@link wasmModule} is for WebAssembly: the
 * modules that use the bundle (src/fit/fmin.ts) stay free of `node:*`.
 *
 * Why not `import`: a UMD bundle inside a `"type": "module"` package (fmin 0.0.4) is evaluated
 * as ESM, so its named exports come back empty, a default import fails to link, and the bundle
 * registers itself on `globalThis` — or, in a worker started from source code with
 * `new Worker(code, { eval: true })` (src/pipeline/LocalizerPool.ts under tsx), on the `exports`
 * object such a worker leaves global, i.e. nowhere an `import` can find it. Reading the package's
 * own file and compiling it with `exports` and `module` takes the bundle's CommonJS branch in
 * every thread, compiled or from source.
 * @param name - the package, as `require` resolves it from this module
 * @returns the bundle's `module.exports`, typed by the caller (who checks what it needs)
 */
export function umdBundle<Exports>(name: string): Partial<Exports> {
  const path = createRequire(import.meta.url).resolve(name);
  const module = { exports: {} as Partial<Exports> };
  compileFunction(readFileSync(path, 'utf8'), ['exports', 'module'], { filename: path })(module.exports, module);
  return module.exports;
}
