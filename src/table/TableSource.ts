import { InputFileError } from '../errors/InputFileError.js';
import { CsvTableReader, TABLE_BLOCK_ROWS } from './CsvTableReader.js';
import type { LocalizationTable } from './LocalizationTable.js';

/** A block of a table's rows (every column), with where it starts in the file. */
export interface TableBlock extends LocalizationTable {
  /** 1-based line number of the block's first row in the file (the header is line 1). */
  readonly firstLine: number;
  /** 0-based index of the block's first row in the table. */
  readonly firstRow: number;
}

/**
 * A table on disk, read block by block ({@link CsvTableReader}) as many times as a command
 * needs: a streamed command makes one pass, and memory stays that of a block whatever the rows;
 * a command whose algorithm needs all rows at once (drift, merging) keeps only the columns it
 * needs ({@link readColumns}) and writes its output in a second pass.
 */
export class TableSource {
  /** Column headers as in the file (quotes removed), in order. */
  readonly header: readonly string[];
  /** Rows of the table, counted by the first pass read to the end (−1 before). */
  rows = -1;

  /**
   * Open the file and read its header.
   * @param path - the CSV
   * @param blockRows - rows per block @default TABLE_BLOCK_ROWS (8192)
   * @throws InputFileError naming the file when it is binary or has no header
   */
  constructor(readonly path: string, readonly blockRows = TABLE_BLOCK_ROWS) {
    const reader = new CsvTableReader(path);
    reader.close();
    this.header = reader.header;
  }

  /** One pass over the rows, block by block, in file order (the file is opened again for each pass). */
  *blocks(): Generator<TableBlock, void, undefined> {
    const reader = new CsvTableReader(this.path);
    let rows = 0;
    try {
      for (const chunk of reader.chunks(this.blockRows)) {
        yield { header: this.header, columns: chunk.columns, rows: chunk.rows, firstLine: chunk.firstLine, firstRow: rows };
        rows += chunk.rows;
      }
    } finally {
      reader.close();
    }
    this.rows = rows;
  }

  /**
   * Some columns whole, as numbers (one pass, each column allocated once at the file's row
   * capacity and cut to the rows read). A column named in `wholeNumbers` (a frame column) is
   * kept as an Int32Array while every value is a whole number of int32's range (half the
   * memory), else as a Float64Array: its values are the file's either way.
   * @param indices - the columns, by index in {@link header}
   * @param wholeNumbers - those of `indices` to try as Int32Array @default none
   * @returns the columns, in the order of `indices`
   * @throws InputFileError when the file grows while it is read
   */
  readColumns(indices: readonly number[], wholeNumbers: readonly number[] = []): (Float64Array | Int32Array)[] {
    const capacity = CsvTableReader.rowCapacity(this.path);
    const out: (Float64Array | Int32Array)[] = indices.map((c) => (wholeNumbers.includes(c) ? new Int32Array(capacity) : new Float64Array(capacity)));
    let at = 0;
    for (const block of this.blocks()) {
      if (at + block.rows > capacity) throw new InputFileError(`${this.path}: changed while it was read (it grew); run the command again once it is complete`);
      indices.forEach((c, k) => {
        const column = block.columns[c];
        let o = out[k];
        if (o instanceof Int32Array && !column.every((v) => (v | 0) === v)) {
          // A value an Int32Array would change (a fraction, NaN, beyond ±2³¹): numbers from here on.
          out[k] = o = Float64Array.from(o);
        }
        o.set(column, at);
      });
      at += block.rows;
    }
    return out.map((c) => c.subarray(0, at));
  }
}
