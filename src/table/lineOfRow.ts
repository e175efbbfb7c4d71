import { FileSource } from '../io/FileSource.js';

/**
 * The line of a CSV that holds data row `row` (0-based, as {@link CsvTableReader} counts rows:
 * the header is line 1, blank lines are not rows). Reads the file again up to that line, so it
 * is for messages (a refused or skipped row), never for a loop. The file is read through
 * {@link FileSource} (src/io/), 64 KiB at a time.
 * @param path - the CSV
 * @param row - the row's 0-based index among the table's rows
 * @returns the 1-based line number, or row + 2 when the file has changed and holds fewer rows
 */
export function lineOfRow(path: string, row: number): number {
  const source = new FileSource(path, 0); // no read-ahead window: every read is a whole block
  try {
    const block = new Uint8Array(1 << 16);
    let line = 1;
    let rows = 0; // data rows before this line
    let blank = true;
    let position = 0;
    const end = () => {
      if (line > 1 && !blank) {
        if (rows === row) return true;
        rows++;
      }
      line++;
      blank = true;
      return false;
    };
    for (;;) {
      const n = source.readInto(position, block);
      if (n === 0) break;
      position += n;
      for (let i = 0; i < n; i++) {
        const c = block[i];
        if (c === 0x0a) {
          const at = line;
          if (end()) return at;
        } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) blank = false;
      }
    }
    const at = line;
    return end() ? at : row + 2;
  } finally {
    source.close();
  }
}
