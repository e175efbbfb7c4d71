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
    if (value < 0) this.bytes[this.length++] = 45; // '-', as toFixed writes it for every value < 0
    const whole = Math.floor(scaled / scale);
    if (whole < INT32) {
      this.digits(whole | 0, 1);
    } else {
      // Beyond int32: the high digits, then the low nine zero-padded.
      const high = Math.floor(whole / 1e9);
      this.digits(high, 1);
      this.digits(whole - high * 1e9, 9);
    }
    if (decimals === 0) return;
    this.bytes[this.length++] = 46; // '.'
    this.digits(scaled - whole * scale, decimals);
  }

  /**
   * Append the decimal digits of an integer 0 ≤ n < 2³¹, zero-padded to at least `width`
   * digits, in int32 arithmetic (V8 turns the divisions by 10 into multiplications). The caller
   * has reserved the room.
   */
  private digits(n: number, width: number): void {
    const bytes = this.bytes;
    let count = 1;
    for (let t = n; t >= 10; t = (t / 10) | 0) count++;
    if (count < width) count = width;
    let at = this.length + count;
    this.length = at;
    for (let k = 0; k < count; k++) {
      const q = (n / 10) | 0;
      bytes[--at] = 48 + (n - q * 10);
      n = q;
    }
  }

  /** Append a whole number (an integer below 2⁵³ in magnitude). */
  integer(value: number): void {
    this.fixed(value, 0);
  }
}
