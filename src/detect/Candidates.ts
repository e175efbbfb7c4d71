/** Spot candidates of one frame, struct of arrays (pixel row and column of each local maximum). */
export class Candidates {
  /** Number of candidates. */
  count = 0;
  /** Row of each candidate, px. */
  row: Int32Array;
  /** Column of each candidate, px. */
  column: Int32Array;
  /** Filter response F2 at the candidate (photons). */
  strength: Float64Array;

  /** @param capacity - initial capacity (grows as needed) @default 256 */
  constructor(capacity = 256) {
    this.row = new Int32Array(capacity);
    this.column = new Int32Array(capacity);
    this.strength = new Float64Array(capacity);
  }

  /** Append a candidate (grows the arrays by doubling when full). */
  push(row: number, column: number, strength: number): void {
    if (this.count === this.row.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.row = grow(this.row, (n) => new Int32Array(n));
      this.column = grow(this.column, (n) => new Int32Array(n));
      this.strength = grow(this.strength, (n) => new Float64Array(n));
    }
    this.row[this.count] = row;
    this.column[this.count] = column;
    this.strength[this.count] = strength;
    this.count++;
  }
}
