/** Powers of ten for fixed-point formatting. */
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];
/** Above this scaled magnitude the integer digits would lose exactness: use toFixed. */
const EXACT = 2 ** 52;
/** Below this scaled magnitude the digits are found in int32 arithmetic. */
const INT32 = 2 ** 31;

/**
 * A growable byte buffer of ASCII text with number formatting that writes digits straight into
 * it: CSV rows without a string per value. Reused across writes (`length = 0`).
 */
export class AsciiBuffer {
  /** The bytes; valid up to {@link length}. */
  bytes: Uint8Array;
  /** Bytes written. */
  length = 0;

  /** @param capacity - initial size, bytes (doubles when full) @default 65536 */
  constructor(capacity = 65536) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Make room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const bytes = new Uint8Array(size);
    bytes.set(this.bytes.subarray(0, this.length));
    this.bytes = bytes;
  }

  /** Append one byte (an ASCII code). */
  byte(code: number): void {
    this.reserve(1);
    this.bytes[this.length++] = code;
  }

  /** Append an ASCII string. */
  text(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.bytes[this.length++] = s.charCodeAt(i);
  }

  /**
   * Append `value` with `decimals` digits after the point (0–9), like `value.toFixed(decimals)`
   * — the same text except where value·10^decimals lies within rounding of a half-way point,
   * where the last digit may be the other neighbour (both within half a unit of the last digit
   * plus 2⁻⁵² relative). Non-finite values are written `NaN`; integer digits beyond 2⁵² by
   * toFixed.
   */
  fixed(value: number, decimals: number): void {
    if (!Number.isFinite(value)) {
      this.text('NaN');
      return;
    }
    const scale = POW10[decimals];
    const scaled = Math.round(Math.abs(value) * scale);
    if (!(scaled < EXACT)) {
      this.text(value.toFixed(decimals));
      return;
    }
    this.reserve(24);
    const bytes = this.bytes;
    if (value < 0) bytes[this.length++] = 45; // '-', as toFixed writes it for every value < 0
    if (scaled < INT32) {
      this.fixedInt32(scaled | 0, scale, decimals);
      return;
    }
    let whole = Math.floor(scaled / scale);
    let fraction = scaled - whole * scale;
    // Integer digits, most significant first: count them, then fill from the end.
    let digits = 1;
    for (let t = whole; t >= 10; t = Math.floor(t / 10)) digits++;
    let at = this.length + digits;
    this.length = at;
    do {
      const q = Math.floor(whole / 10);
      bytes[--at] = 48 + (whole - q * 10);
      whole = q;
    } while (whole > 0);
    if (decimals === 0) return;
    bytes[this.length++] = 46; // '.'
    at = this.length + decimals;
    this.length = at;
    for (let k = 0; k < decimals; k++) {
      const q = Math.floor(fraction / 10);
      bytes[--at] = 48 + (fraction - q * 10);
      fraction = q;
    }
  }

  /**
   * The digits of scaled / scale with `decimals` digits after the point, for 0 ≤ scaled < 2³¹:
   * the same digits as {@link fixed}'s general path, in int32 arithmetic (V8 turns the
   * divisions by 10 into multiplications) — most values of the table take this path. The
   * truncated double quotient is the exact integer part: below 2³¹/scale its rounding error is
   * far under the 1/scale that separates it from the next integer.
   */
  private fixedInt32(scaled: number, scale: number, decimals: number): void {
    const bytes = this.bytes;
    let whole = (scaled / scale) | 0;
    let fraction = scaled - whole * scale;
    let digits = 1;
    for (let t = whole; t >= 10; t = (t / 10) | 0) digits++;
    let at = this.length + digits;
    this.length = at;
    do {
      const q = (whole / 10) | 0;
      bytes[--at] = 48 + (whole - q * 10);
      whole = q;
    } while (whole > 0);
    if (decimals === 0) return;
    bytes[this.length++] = 46; // '.'
    at = this.length + decimals;
    this.length = at;
    for (let k = 0; k < decimals; k++) {
      const q = (fraction / 10) | 0;
      bytes[--at] = 48 + (fraction - q * 10);
      fraction = q;
    }
  }

  /** Append a whole number (an integer below 2⁵³ in magnitude). */
  integer(value: number): void {
    this.fixed(value, 0);
  }
}
