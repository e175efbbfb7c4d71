/**
 * Compile the WebAssembly kernels (`npm run build:wasm`):
 * - src/detect/waveletKernel.wat → waveletKernel.wasm with wabt (SIMD, bulk memory);
 * - src/fit/assembly/fitKernel.ts (AssemblyScript) → src/fit/fitKernel.wasm with asc.
 * The compile functions are also used by the tests that check each committed binary is its
 * source compiled.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import wabtInit from 'wabt';

export const WAT_PATH = new URL('../../src/detect/waveletKernel.wat', import.meta.url);
export const WASM_PATH = new URL('../../src/detect/waveletKernel.wasm', import.meta.url);
export const FIT_SOURCE_PATH = new URL('../../src/fit/assembly/fitKernel.ts', import.meta.url);
export const FIT_WASM_PATH = new URL('../../src/fit/fitKernel.wasm', import.meta.url);

/** The part of assemblyscript/asc used here. */
interface AscApi {
  compileString(
    sources: Record<string, string>,
    options: Record<string, unknown>,
  ): Promise<{ error: Error | null; binary: Uint8Array | null; stderr: { toString(): string } }>;
}

/** The wavelet kernel's .wat compiled to WebAssembly bytes (SIMD and bulk memory enabled). */
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

/** The fit kernel's AssemblyScript compiled to WebAssembly bytes (-O3, stub runtime, no asserts, SIMD). */
export async function compileFitKernel(): Promise<Uint8Array> {
  // Imported by a computed name: asc's declarations bring AssemblyScript's globals (its
  // `console`, …) into the program, which would clash with Node's.
  const ascModule = 'assemblyscript/asc';
  const asc = ((await import(ascModule)) as { default: AscApi }).default;
  const result = await asc.compileString(
    { 'fitKernel.ts': readFileSync(FIT_SOURCE_PATH, 'utf8') },
    { optimizeLevel: 3, shrinkLevel: 0, runtime: 'stub', noAssert: true, enable: ['simd'] },
  );
  if (result.error || !result.binary) throw new Error(`fitKernel.ts does not compile: ${result.error?.message ?? ''}\n${result.stderr.toString()}`);
  return result.binary;
}

if (process.argv[1] && new URL(`file://${process.argv[1]}`).href === import.meta.url) {
  writeFileSync(WASM_PATH, await compileKernel());
  console.log(`wrote ${WASM_PATH.pathname}`);
  writeFileSync(FIT_WASM_PATH, await compileFitKernel());
  console.log(`wrote ${FIT_WASM_PATH.pathname}`);
}
