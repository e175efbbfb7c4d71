import { LOC_RECORD_LENGTH } from '../../protocol.js';

/**
 * Records per block: 2¹⁶ localizations (2 MB of Float32). Appending copies into fixed blocks, so
 * 10⁷ localizations never need one 320 MB array nor a copy of it when the store grows.
 */
export const BLOCK_RECORDS = 1 << 16;

/** A test of one record: `records[base + LOC_FIELD.photons]` and so on. */
export type RecordTest = (records: Float32Array, base: number) => boolean;

/**
 * The localizations the page has received, in the LOC_RECORD_FIELDS Float32 layout, kept in
 * blocks of {@link BLOCK_RECORDS}, with a mask of those the filter shows (1 shown, 0 hidden).
 * Record i is in `blocks[i >> 16]` at float `(i & 0xffff) * LOC_RECORD_LENGTH`, its mask at `shown[i]`.
 */
export class LocalizationStore {
  /** The blocks, each BLOCK_RECORDS records long (the last one partly filled). */
  readonly blocks: Float32Array[] = [];
  /** 1 where the filter shows the record; grows by doubling. */
  shown = new Uint8Array(BLOCK_RECORDS);
  /** Records stored. */
  count = 0;
  /** Records the filter shows. */
  shownCount = 0;
  private test: RecordTest | null = null;

  /**
   * Add records (LOC_RECORD_LENGTH floats each), tested by the current filter.
   * @param records - whole records; a trailing partial record is an error
   * @returns the index of the first record added
   */
  append(records: Float32Array): number {
    if (records.length % LOC_RECORD_LENGTH !== 0) {
      throw new Error(`localization records must be ${LOC_RECORD_LENGTH} floats each, got ${records.length} floats (${(records.length / LOC_RECORD_LENGTH).toFixed(2)} records)`);
    }
    const first = this.count;
    const n = records.length / LOC_RECORD_LENGTH;
    this.growMask(first + n);
    let done = 0;
    while (done < n) {
      const at = this.count & (BLOCK_RECORDS - 1);
      if (at === 0 && this.blocks.length * BLOCK_RECORDS <= this.count) this.blocks.push(new Float32Array(BLOCK_RECORDS * LOC_RECORD_LENGTH));
      const block = this.blocks[this.count >> 16];
      const take = Math.min(n - done, BLOCK_RECORDS - at);
      block.set(records.subarray(done * LOC_RECORD_LENGTH, (done + take) * LOC_RECORD_LENGTH), at * LOC_RECORD_LENGTH);
      this.markShown(block, at, this.count, take);
      this.count += take;
      done += take;
    }
    return first;
  }

  /**
   * Show only the records that pass `test` (null: all of them).
   * @returns the number shown
   */
  setFilter(test: RecordTest | null): number {
    this.test = test;
    this.shownCount = 0;
    for (let b = 0; b < this.blocks.length; b++) {
      const inBlock = Math.min(BLOCK_RECORDS, this.count - b * BLOCK_RECORDS);
      if (inBlock > 0) this.markShown(this.blocks[b], 0, b * BLOCK_RECORDS, inBlock);
    }
    return this.shownCount;
  }

  /** Forget every record (the filter stays). */
  clear(): void {
    this.blocks.length = 0;
    this.count = 0;
    this.shownCount = 0;
    this.shown = new Uint8Array(BLOCK_RECORDS);
  }

  /** Test `n` records of `block` from record `at` (store index `index`) and mark them. */
  private markShown(block: Float32Array, at: number, index: number, n: number): void {
    const test = this.test;
    const shown = this.shown;
    if (test === null) {
      shown.fill(1, index, index + n);
      this.shownCount += n;
      return;
    }
    let passed = 0;
    for (let k = 0; k < n; k++) {
      const ok = test(block, (at + k) * LOC_RECORD_LENGTH) ? 1 : 0;
      shown[index + k] = ok;
      passed += ok;
    }
    this.shownCount += passed;
  }

  private growMask(size: number): void {
    if (size <= this.shown.length) return;
    let length = this.shown.length;
    while (length < size) length *= 2;
    const grown = new Uint8Array(length);
    grown.set(this.shown.subarray(0, this.count));
    this.shown = grown;
  }
}
