// Bundle the localize worker into one module, dist/src/pipeline/localizeWorker.bundle.js, with
// the WebAssembly kernels it loads copied beside it (the bundle's modules find their kernels
// next to import.meta.url, which is now the bundle's), and the packages it imports inside (those
// loaded as UMD bundles, src/wasm/umdBundle.ts, are still found in node_modules at run time).
// Two workers loading their compiled modules and packages one by one took 0.53-0.89 s of CPU to
// start, 0.45-0.53 s with the packages left outside a bundle, 0.20-0.29 s with all of it in one
// (load 18-21, three runs each): LocalizerPool starts the bundle when it is there. Plain
// JavaScript, like copyWasm.mjs, run after it; esbuild's JS API, as buildView.mjs.
import { copyFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pipeline = join(root, 'dist', 'src', 'pipeline');
await build({
  entryPoints: [join(pipeline, 'localizeWorker.js')],
  outfile: join(pipeline, 'localizeWorker.bundle.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
const kernels = walk(join(root, 'dist', 'src')).filter((f) => f.endsWith('.wasm') && !f.startsWith(pipeline));
const names = kernels.map((f) => basename(f));
if (new Set(names).size !== names.length) throw new Error(`bundleWorker: two kernels share a name (${names.join(', ')}): the bundle cannot hold both beside it`);
for (const file of kernels) copyFileSync(file, join(pipeline, basename(file)));
