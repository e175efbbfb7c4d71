/**
 * Compile src/detect/waveletKernel.wat into src/detect/waveletKernel.wasm with wabt
 * (`npm run build:wasm`); `compileKernel` is also used by the test that checks the committed
 * binary is this text compiled.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import wabtInit from 'wabt';

export const WAT_PATH = new URL('../../src/detect/waveletKernel.wat', import.meta.url);
export const WASM_PATH = new URL('../../src/detect/waveletKernel.wasm', import.meta.url);

/** The .wat compiled to WebAssembly bytes (SIMD enabled). */
export async function compileKernel(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat('waveletKernel.wat', readFileSync(WAT_PATH, 'utf8'), { simd: true, bulk_memory: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

if (process.argv[1] && new URL(`file://${process.argv[1]}`).href === import.meta.url) {
  writeFileSync(WASM_PATH, await compileKernel());
  console.log(`wrote ${WASM_PATH.pathname}`);
}
