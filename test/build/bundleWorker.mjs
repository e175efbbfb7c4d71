// Bundle the localize worker into one module, dist/src/pipeline/localizeWorker.bundle.js, with
// the WebAssembly kernels it loads copied beside it (the bundle's modules find their kernels
// next to import.meta.url, which is now the bundle's), and the packages it imports inside (those
// loaded as UMD bundles, src/wasm/umdBundle.ts, are still found in node_modules at run time).
// Two workers loading their compiled modules and packages one by one took 0.53-0.89 s of CPU to
// start, 0.45-0.53 s with the packages left outside a bundle, 0.20-0.29 s with all of it in one
// (load 18-21, three runs each). Beside the bundle: the licence notices of the packages in it
// (bundleNotices.mjs) and its manifest (the compiled modules and kernels it was made from, with
// size, mtime and sha256): LocalizerPool starts the bundle only while every one of those is
// unchanged (workerModule.ts), else the compiled module. Plain JavaScript, like copyWasm.mjs,
// run after it; esbuild's JS API, as buildView.mjs. legalComments 'none': the notice file holds
// every bundled package's full licence; 'eof' would add only the few headers marked /*! */.
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { writeBundleNotices } from './bundleNotices.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pipeline = join(root, 'dist', 'src', 'pipeline');
const { WORKER_BUNDLE, WORKER_BUNDLE_MANIFEST, WORKER_MODULE, bundleInput } = await import(pathToFileURL(join(pipeline, 'workerModule.js')).href);
const outfile = join(pipeline, WORKER_BUNDLE);
const { metafile } = await build({
  entryPoints: [join(pipeline, WORKER_MODULE)],
  outfile,
  absWorkingDir: root,
  metafile: true,
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
writeBundleNotices(root, metafile, outfile);
const local = (file) => relative(pipeline, file).split(sep).join('/');
const compiled = Object.keys(metafile.inputs).filter((f) => f.startsWith('dist/')).map((f) => join(root, f));
const inputs = [...compiled, ...kernels].map((file) => bundleInput(pipeline, local(file)));
writeFileSync(join(pipeline, WORKER_BUNDLE_MANIFEST), `${JSON.stringify({ bundle: WORKER_BUNDLE, inputs }, null, 1)}\n`);
