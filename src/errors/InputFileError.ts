/**
 * An error in a file the user handed in (a CSV without the needed columns, a bad line): the CLI
 * reports its message on one line.
 */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
}
