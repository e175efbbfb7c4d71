/** What went wrong with a TIFF file, as a code callers can branch on. */
export type TiffProblem =
  | 'unreadable'
  | 'not-tiff'
  | 'truncated'
  | 'no-frames'
  | 'unsupported'
  | 'corrupt'
  | 'out-of-range'
  | 'series'
  | 'mixed-frames';

/**
 * An error reading a TIFF stack: names the file and the problem ("stack.tif: truncated: frame
 * 812 needs bytes up to 1 064 960 000, the file has 1 064 000 000").
 */
export class TiffError extends Error {
  override readonly name = 'TiffError';
  /** The file. */
  readonly path: string;
  /** The kind of problem. */
  readonly problem: TiffProblem;
  /** What exactly, in words (the message without the file and the problem). */
  readonly detail: string;

  /**
   * @param path - the file
   * @param problem - the kind of problem
   * @param detail - what exactly, in words
   */
  constructor(path: string, problem: TiffProblem, detail: string) {
    super(`${path}: ${problem}: ${detail}`);
    this.path = path;
    this.problem = problem;
    this.detail = detail;
  }
}
