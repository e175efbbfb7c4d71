/**
 * A WebAssembly kernel could not be loaded: its file is missing, unreadable or not a module
 * this runtime compiles (WebAssembly SIMD is needed). Names the file and the cause; the CLI
 * reports it on one line. Choosing the JavaScript engine (`engine: 'js'`) avoids the kernel.
 */
export class KernelLoadError extends Error {
  override readonly name = 'KernelLoadError';
  /** The kernel's file. */
  readonly path: string;

  /**
   * @param path - the .wasm file
   * @param cause - what failed
   */
  constructor(path: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`${path}: cannot load the WebAssembly kernel (${why}); reinstall smlm-stream, or choose the JavaScript engine`, { cause });
    this.path = path;
  }
}
