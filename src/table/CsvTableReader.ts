import { InputFileError } from '../errors/InputFileError.js';
import { printable } from '../errors/printable.js';
import { FileSource } from '../io/FileSource.js';
import { parseCell } from './parseCell.js';

/** A block of rows of a numeric CSV: one Float64Array per column, in the header's order. */
export interface CsvChunk {
  /** Rows in this block. */
  readonly rows: number;
  /** 1-based line number of the block's first row in the file (the header is line 1). */
  readonly firstLine: number;
  /** The columns (NaN where a cell is empty or says nan/NA; a line of another width or a cell of text is refused). */
  readonly columns: readonly Float64Array[];
}

/** Bytes read per system call. */
const BLOCK_BYTES = 1 << 20;

/**
 * Bytes to text, as UTF-8 (invalid bytes become U+FFFD). A byte-order mark is kept, as a
 * character of the first header (the file reads as it is written).
 */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Rows per block a table is read in by the table commands (8192 rows of 15 columns: 1 MB of
 * numbers). Smaller blocks hold fewer line strings while a block is parsed, which the garbage
 * collector would otherwise promote: `filter` on 1 M rows peaked at 227 MB RSS with 65 536-row
 * blocks, 158 MB with 16 384, 147 MB with 8192, 128 MB with 2048, at the same speed.
 */
export const TABLE_BLOCK_ROWS = 8192;

/**
 * Reads a numeric CSV (ours, ThunderSTORM's, a truth table) block by block, in fixed memory:
 * the header once, then {@link chunks} of rows as columns. Quoted or bare headers, `\n` or
 * `\r\n` line ends, blank lines skipped; a line with more or fewer values than the header, or a
 * cell that is text rather than a number (missing values written as empty, nan, NA or inf are
 * numbers: NaN, ±Infinity), is refused with its line. A file that is not text (a TIFF given where a CSV
 * belongs) is refused before any of it reaches a message. The file is read through
 * {@link FileSource} (src/io/), in blocks of 1 MiB; the parsing is here.
 */
export class CsvTableReader {
  /** The file. */
  readonly path: string;
  /** Column names, quotes removed. */
  readonly header: readonly string[];
  private readonly source: FileSource;
  private readonly block = new Uint8Array(BLOCK_BYTES);
  /** Bytes read but not yet split into lines (a line cut by the block's end). */
  private carry = '';
  private position = 0;
  private line = 1;
  private ended = false;

  /**
   * Open the file and read its header.
   * @param path - the CSV
   * @throws InputFileError when the file is binary or has no header line
   */
  constructor(path: string) {
    this.path = path;
    this.source = new FileSource(path, 0); // no read-ahead window: every read is a whole block
    try {
      const first = this.readBlock();
      refuseBinary(path, first);
      this.carry = UTF8.decode(first);
      const end = this.carry.indexOf('\n');
      const headerLine = (end < 0 ? this.carry : this.carry.slice(0, end)).replace(/\r$/, '');
      this.carry = end < 0 ? '' : this.carry.slice(end + 1);
      this.header = headerLine.split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
      if (headerLine.trim() === '') throw new InputFileError(`${path}: is empty, a CSV needs a header line`);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** The index of the first column named one of `names`, or -1. */
  find(...names: string[]): number {
    return this.header.findIndex((h) => names.includes(h));
  }

  /**
   * The rows, `rows` at a time (the last block may hold fewer), as columns of numbers.
   * @param rows - rows per block @default 65536
   * @throws InputFileError naming the line of a row of another width or a cell that is not a number
   */
  *chunks(rows = 65536): Generator<CsvChunk, void, undefined> {
    const width = this.header.length;
    let pending: string[] = [];
    try {
      for (;;) {
        while (pending.length < rows && !this.ended) {
          const bytes = this.readBlock();
          if (bytes.length === 0) {
            this.ended = true;
            if (this.carry !== '') pending = pending.concat(this.carry.split('\n'));
            this.carry = '';
            break;
          }
          const text = this.carry + UTF8.decode(bytes);
          const cut = text.lastIndexOf('\n');
          this.carry = text.slice(cut + 1);
          if (cut >= 0) pending = pending.concat(text.slice(0, cut).split('\n'));
        }
        if (pending.length === 0) return;
        const block = pending.length <= rows ? pending : pending.slice(0, rows);
        pending = pending.length <= rows ? [] : pending.slice(rows);
        const columns = Array.from({ length: width }, () => new Float64Array(block.length));
        const firstLine = this.line + 1;
        let n = 0;
        for (const raw of block) {
          this.line++;
          const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
          if (text.trim() === '') continue;
          const cells = text.split(',');
          if (cells.length !== width) {
            throw new InputFileError(`${this.path}: line ${this.line} has ${cells.length} ${cells.length === 1 ? 'value' : 'values'} but the header names ${width} columns`);
          }
          for (let c = 0; c < width; c++) {
            const value = parseCell(cells[c]);
            if (value === undefined) throw new InputFileError(`${this.path}: line ${this.line}, column "${printable(this.header[c])}": '${printable(cells[c])}' is not a number`);
            columns[c][n] = value;
          }
          n++;
        }
        // Blank lines were skipped: the block holds n rows.
        if (n > 0) yield { rows: n, firstLine, columns: n === block.length ? columns : columns.map((c) => c.subarray(0, n)) };
      }
    } finally {
      this.close();
    }
  }

  /**
   * How many rows the file can hold at most: its line ends after the header's, plus one for a
   * last line without one (blank lines counted too), read in fixed memory without parsing. Lets a
   * caller that keeps a few columns allocate them once.
   * @param path - the CSV
   */
  static rowCapacity(path: string): number {
    const source = new FileSource(path, 0);
    const block = new Uint8Array(BLOCK_BYTES);
    let lines = 0;
    let position = 0;
    try {
      for (let n = source.readInto(0, block); n > 0; n = source.readInto(position, block)) {
        position += n;
        for (let at = block.indexOf(10); at >= 0 && at < n; at = block.indexOf(10, at + 1)) lines++;
      }
    } finally {
      source.close();
    }
    return lines;
  }

  /** Close the file (also done when the reader is exhausted). */
  close(): void {
    this.source.close();
  }

  private readBlock(): Uint8Array {
    const n = this.source.readInto(this.position, this.block);
    this.position += n;
    return this.block.subarray(0, n);
  }
}

/**
 * Refuse a file that is not text (a TIFF stack given where a CSV belongs, say) before any of it
 * reaches a message or the terminal.
 */
function refuseBinary(path: string, bytes: Uint8Array): void {
  const head = bytes.subarray(0, 4096);
  const tiff = (head[0] === 0x49 && head[1] === 0x49 && head[2] === 42) || (head[0] === 0x4d && head[1] === 0x4d && head[3] === 42);
  if (tiff) throw new InputFileError(`${path}: is a TIFF image, not a localization CSV (localize it first: smlm-stream localize ${path})`);
  if (head.includes(0)) throw new InputFileError(`${path}: is binary data, not a localization CSV`);
}

/** A line shown in a message (one home: src/errors/printable.ts). */
export { printable } from '../errors/printable.js';
