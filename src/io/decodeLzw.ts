/** TIFF LZW's two special codes and its largest table. */
const CLEAR = 256;
const END = 257;
const TABLE_SIZE = 4096;

/** The string table of one decode, allocated once per thread (16 KB). */
const prefix = new Int16Array(TABLE_SIZE);
const last = new Uint8Array(TABLE_SIZE);
const first = new Uint8Array(TABLE_SIZE);
const length = new Uint16Array(TABLE_SIZE);
for (let c = 0; c < 256; c++) {
  prefix[c] = -1;
  last[c] = c;
  first[c] = c;
  length[c] = 1;
}

/**
 * Decode one TIFF LZW block (TIFF 6.0 §13: codes of 9 to 12 bits, most significant bit first,
 * the code width growing one code early) into `out`, which the caller sizes to the block.
 *
 * Written here rather than taken from a library because the ones at hand do not survive
 * corrupt data, which a reader of camera files must: geotiff's decoder follows a code beyond
 * its table into a cycle and grows an array until V8 aborts the process (not an exception: the
 * process dies), and the `lzw-tiff-decoder` package loops forever (measured on seeded mutants
 * of a valid stream). This one writes into a fixed buffer, checks every code against the
 * table, and ends on the end code, the end of the data or a full buffer.
 *
 * @param input - the stored block
 * @param out - where the decoded bytes go (decoding stops when it is full)
 * @returns the number of bytes written (less than `out.length` when the stream ends early)
 * @throws Error naming the bad code when the stream is corrupt
 */
export function decodeLzw(input: Uint8Array, out: Uint8Array): number {
  const bits = input.length * 8;
  let position = 0;
  let width = 9;
  let next = 258;
  let previous = -1;
  let written = 0;
  const capacity = out.length;
  while (written < capacity && position + width <= bits) {
    // The next code: `width` bits from `position`, most significant first (spans ≤ 3 bytes).
    const byte = position >>> 3;
    const window = (input[byte] << 16) | ((input[byte + 1] ?? 0) << 8) | (input[byte + 2] ?? 0);
    const code = (window >>> (24 - (position & 7) - width)) & ((1 << width) - 1);
    position += width;
    if (code === END) break;
    if (code === CLEAR) {
      width = 9;
      next = 258;
      previous = -1;
      continue;
    }
    let start: number;
    if (previous < 0) {
      if (code > 255) throw new Error(`LZW code ${code} where a literal byte must follow a clear code`);
      out[written++] = code;
      previous = code;
      continue;
    }
    if (code < next) {
      start = first[code];
    } else if (code === next) {
      start = first[previous];
    } else {
      throw new Error(`LZW code ${code} beyond the ${next} codes defined so far`);
    }
    // A new string: the previous one plus the first byte of this one.
    if (next < TABLE_SIZE) {
      prefix[next] = previous;
      last[next] = start;
      first[next] = first[previous];
      length[next] = length[previous] + 1;
      next++;
      if (next + 1 >= 1 << width && width < 12) width++;
    }
    // Write the code's string backwards from its end (only what fits).
    const n = length[code];
    let at = written + n - 1;
    for (let c = code; c >= 0; c = prefix[c], at--) if (at < capacity) out[at] = last[c];
    written = Math.min(capacity, written + n);
    previous = code;
  }
  return written;
}
