/**
 * An output path that cannot be written safely: it is an input, another output of the same
 * run, a folder, or in a folder that does not exist. Raised before anything is read or
 * written; the CLI reports it on one line as a user error (exit 2).
 */
export class OutputPathError extends Error {
  override readonly name = 'OutputPathError';
  /** The output path refused. */
  readonly path: string;

  /**
   * @param path - the output path refused
   * @param detail - why, in words
   */
  constructor(path: string, detail: string) {
    super(`${path === '' ? "''" : path}: ${detail}`);
    this.path = path;
  }
}
