// Build the page of `smlm-stream view` into dist/view/: src/view/client/main.ts bundled by
// esbuild's JS API into app.js (one file, no CDN, no network: the server serves it), and
// index.html plus any CSS of src/view/client copied beside it. Plain JavaScript, like
// copyWasm.mjs, so `npm run build` needs only node. Type checking is tsc's (src/view/client/tsconfig.json).
// The licence notices of the packages bundled into app.js go to app.js.LICENSE.txt
// (bundleNotices.mjs; legalComments 'none' for the reason given in bundleWorker.mjs).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeBundleNotices } from './bundleNotices.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const client = join(root, 'src', 'view', 'client');
const out = join(root, 'dist', 'view');
mkdirSync(out, { recursive: true });
const outfile = join(out, 'app.js');
const { metafile } = await build({
  entryPoints: [join(client, 'main.ts')],
  outfile,
  absWorkingDir: root,
  metafile: true,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
writeBundleNotices(root, metafile, outfile);
for (const name of readdirSync(client).filter((f) => f.endsWith('.html') || f.endsWith('.css'))) {
  copyFileSync(join(client, name), join(out, name));
}
