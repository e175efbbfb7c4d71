import { readFileSync } from 'node:fs';

/** The part of the WebAssembly JS API used here (TypeScript's ES libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Compiled modules by file URL (null: it did not compile here). */
const compiled = new Map<string, object | null>();

/**
 * The WebAssembly module in the file at `url`, compiled once per thread.
 * @param url - the .wasm file
 * @returns the module, or null where it cannot be compiled (no WebAssembly, or a feature such
 *   as SIMD missing): the caller then uses its JavaScript path
 */
export function wasmModule(url: URL): object | null {
  let module = compiled.get(url.href);
  if (module === undefined) {
    try {
      module = new wasm.Module(readFileSync(url));
    } catch {
      module = null;
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
  return new wasm.Instance(module, imports).exports as Exports;
}
