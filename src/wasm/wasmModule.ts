import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KernelLoadError } from '../errors/KernelLoadError.js';

/** The part of the WebAssembly JS API used here (TypeScript's ES libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Compiled modules by file URL. */
const compiled = new Map<string, object>();

/**
 * The WebAssembly module in the file at `url`, compiled once per thread. There is no silent
 * fallback: a kernel that cannot be loaded is an error (the caller asked for it; the JavaScript
 * engine is a choice of the caller's, `engine: 'js'`).
 * @param url - the .wasm file
 * @throws KernelLoadError naming the file when it is missing, unreadable, or does not compile
 *   here (no WebAssembly, or no SIMD)
 */
export function wasmModule(url: URL): object {
  let module = compiled.get(url.href);
  if (module === undefined) {
    try {
      if (!wasm) throw new Error('this JavaScript runtime has no WebAssembly');
      module = new wasm.Module(readFileSync(url));
    } catch (error) {
      throw new KernelLoadError(url.protocol === 'file:' ? fileURLToPath(url) : url.href, error);
    }
    compiled.set(url.href, module);
  }
  return module;
}

/**
 * A new instance of a module (with its own memory), its exports typed by the caller.
 * @param module - from {@link wasmModule}
 * @param imports - the module's imports @default none
 */
export function instantiate<Exports>(module: object, imports: object = {}): Exports {
  return new (wasm as WasmApi).Instance(module, imports).exports as Exports;
}
