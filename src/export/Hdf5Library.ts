import { FileWriteError } from '../errors/FileWriteError.js';

/** h5wasm's Node build (HDF5 compiled to WebAssembly, files reached through Node's fs). */
type H5wasm = (typeof import('h5wasm/node'))['default'];

/** The file-system calls whose failures are the file's own: creating, writing, cutting, closing it. */
const FILE_CALLS = ['open', 'write', 'ftruncate', 'truncate', 'close'] as const;

/**
 * h5wasm, loaded once per process and made quiet: HDF5's error stacks (the `HDF5-DIAG` lines
 * its default handler prints to stderr, over a hundred for one full disk) are turned into
 * thrown errors by h5wasm's own throwing handler, and the file-system error behind one (no
 * space left, permission denied) is kept, so {@link writing} reports it in one line.
 */
export class Hdf5Library {
  private static loading: Promise<Hdf5Library> | undefined;

  /** Load h5wasm (once), with its diagnostics silenced. */
  static load(): Promise<Hdf5Library> {
    Hdf5Library.loading ??= (async () => {
      const h5wasm = (await import('h5wasm/node')).default;
      const module = await h5wasm.ready;
      module.activate_throwing_error_handler();
      const library = new Hdf5Library(h5wasm);
      // Emscripten's file system turns Node's errors into error numbers that HDF5 only prints:
      // keep the last one (with its code, ENOSPC…) to name the cause. Not the first: creating a
      // file, HDF5 first tries to open it as it is, and that ENOENT is expected.
      const fs = module.FS as unknown as Record<string, (...args: unknown[]) => unknown>;
      for (const name of FILE_CALLS) {
        const call = fs[name];
        fs[name] = function (this: unknown, ...args: unknown[]) {
          try {
            return call.apply(this, args);
          } catch (error) {
            library.fileSystemError = error;
            throw error;
          }
        };
      }
      return library;
    })();
    return Hdf5Library.loading;
  }

  /** h5wasm's API (File, Dataset…). */
  readonly h5wasm: H5wasm;
  /** The last file-system error since the current {@link writing} began. */
  private fileSystemError: unknown;

  private constructor(h5wasm: H5wasm) {
    this.h5wasm = h5wasm;
  }

  /**
   * Run h5wasm calls that write `path`; an HDF5 failure becomes one {@link FileWriteError}
   * naming `path` and the cause (the file system's, e.g. no space left on the device).
   * @param path - the file as the user knows it (its final name)
   * @param work - the h5wasm calls
   * @throws FileWriteError naming `path`; other errors as they are
   */
  writing<T>(path: string, work: () => T): T {
    this.fileSystemError = undefined;
    try {
      return work();
    } catch (error) {
      const cause = this.fileSystemError;
      this.fileSystemError = undefined;
      const hdf5 = error instanceof Error && error.message.startsWith('HDF5-DIAG');
      if (cause === undefined && !hdf5) throw error;
      throw new FileWriteError(path, cause ?? new Error(`the HDF5 library failed (${lastMinor((error as Error).message)})`));
    }
  }
}

/** The innermost reason of an HDF5 error stack ("minor: Write failed"). */
function lastMinor(stack: string): string {
  const minors = [...stack.matchAll(/minor: (.+)/g)];
  return minors.length > 0 ? minors[minors.length - 1][1].trim() : 'no reason given';
}
