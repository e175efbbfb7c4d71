import { instantiate, wasmModule } from '../wasm/wasmModule.js';

/** The fit kernel's file, compiled from src/fit/assembly/ (`npm run build:wasm`). */
const FIT_KERNEL_URL = new URL('./fitKernel.wasm', import.meta.url);

/**
 * A new instance of the fit kernel (fitKernel.wasm, compiled once per thread), with its own
 * memory: the state of a fit lives in the module's globals, so every wrapper (WasmFitKernel,
 * WasmEmitterSelector, WasmAstigmaticFit, WasmMultiAstigmaticFit) holds its own instance.
 * A kernel abort (a broken invariant, never a numeric failure) throws an Error naming the file.
 * @returns the kernel's exports, typed by the caller
 * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
 */
export function fitKernelInstance<Exports>(): Exports {
  return instantiate<Exports>(wasmModule(FIT_KERNEL_URL), { env: { abort: () => { throw new Error('fitKernel.wasm aborted'); } } });
}
