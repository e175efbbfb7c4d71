import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The line of a CSV that holds data row `row` (0-based, as {@link CsvTableReader} counts rows:
 * the header is line 1, blank lines are not rows). Reads the file again up to that line, so it
 * is for messages (a refused or skipped row), never for a loop.
 * @param path - the CSV
 * @param row - the row's 0-based index among the table's rows
 * @returns the 1-based line number, or row + 2 when the file has changed and holds fewer rows
 */
export function lineOfRow(path: string, row: number): number {
  const fd = openSync(path, 'r');
  try {
    const block = Buffer.alloc(1 << 16);
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
      const n = readSync(fd, block, 0, block.length, position);
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
    closeSync(fd);
  }
}
