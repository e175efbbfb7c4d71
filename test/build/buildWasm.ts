/**
 * Compile the WebAssembly kernels (`npm run build:wasm`), both from AssemblyScript with asc:
 * - src/detect/assembly/waveletKernel.ts → src/detect/waveletKernel.wasm;
 * - src/fit/assembly/fitKernel.ts → src/fit/fitKernel.wasm (the entry file: asc compiles it with
 *   the files it imports, src/fit/assembly/*.ts).
 * Each kernel imports its plain-TypeScript constants module (src/detect/detectConstants.ts,
 * src/fit/fitConstants.ts), which the JavaScript side imports too. The compile functions are
 * also used by the tests that check each committed binary is its source compiled.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WASM_PATH = new URL('../../src/detect/waveletKernel.wasm', import.meta.url);
export const FIT_WASM_PATH = new URL('../../src/fit/fitKernel.wasm', import.meta.url);
const WAVELET_SOURCE = new URL('../../src/detect/assembly/waveletKernel.ts', import.meta.url);
const FIT_SOURCE = new URL('../../src/fit/assembly/fitKernel.ts', import.meta.url);

/** The part of assemblyscript/asc used here. */
interface AscApi {
  main(
    argv: string[],
    options: { writeFile?: (name: string, contents: Uint8Array | string, baseDir: string) => void },
  ): Promise<{ error: Error | null; stderr: { toString(): string } }>;
}

/** An AssemblyScript entry file compiled to WebAssembly bytes (-O3, stub runtime, no asserts, SIMD). */
async function compile(source: URL): Promise<Uint8Array> {
  // Imported by a computed name: asc's declarations bring AssemblyScript's globals (its
  // `console`, …) into the program, which would clash with Node's.
  const ascModule = 'assemblyscript/asc';
  const asc = ((await import(ascModule)) as { default: AscApi }).default;
  let binary: Uint8Array | undefined;
  const result = await asc.main(
    [fileURLToPath(source), '-O3', '--shrinkLevel', '0', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '--outFile', 'kernel.wasm'],
    {
      writeFile: (name, contents) => {
        if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
      },
    },
  );
  if (result.error || !binary) throw new Error(`${fileURLToPath(source)} does not compile: ${result.error?.message ?? ''}\n${result.stderr.toString()}`);
  return binary;
}

/** The detection kernel compiled. */
export function compileKernel(): Promise<Uint8Array> {
  return compile(WAVELET_SOURCE);
}

/** The fit kernel compiled. */
export function compileFitKernel(): Promise<Uint8Array> {
  return compile(FIT_SOURCE);
}

if (process.argv[1] && new URL(`file://${process.argv[1]}`).href === import.meta.url) {
  writeFileSync(WASM_PATH, await compileKernel());
  console.log(`wrote ${WASM_PATH.pathname}`);
  writeFileSync(FIT_WASM_PATH, await compileFitKernel());
  console.log(`wrote ${FIT_WASM_PATH.pathname}`);
}
