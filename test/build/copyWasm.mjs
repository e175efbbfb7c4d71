// Copy the WebAssembly kernels next to their compiled modules (tsc copies no binaries):
// src/**/*.wasm → dist/src/**/*.wasm. Plain JavaScript, so `npm run build` needs only tsc.
import { copyFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
for (const file of walk(join(root, 'src')).filter((f) => f.endsWith('.wasm'))) {
  copyFileSync(file, join(root, 'dist', relative(root, file)));
}
