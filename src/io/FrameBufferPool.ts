/**
 * Frame buffers handed back for reuse once their frame is localized, so that a long run reads
 * into the same few buffers instead of allocating one per frame: memory stays at the frames in
 * flight, with no dead frames waiting for a garbage collection in each worker (which held
 * ~35 MB per run with two workers) and no allocation per frame. Not thread-safe: one pool per
 * reading thread (buffers come back from workers by transfer).
 */
export class FrameBufferPool {
  /** Most buffers kept; more given back are left to the garbage collector. */
  readonly capacity: number;
  private readonly free: ArrayBuffer[] = [];
  private readonly allocate: (bytes: number) => ArrayBuffer;

  /**
   * @param capacity - most buffers kept @default 1024
   * @param allocate - makes a new buffer (e.g. a shared one, for worker threads) @default `new ArrayBuffer(bytes)`
   */
  constructor(capacity = 1024, allocate: (bytes: number) => ArrayBuffer = (bytes) => new ArrayBuffer(bytes)) {
    this.capacity = capacity;
    this.allocate = allocate;
  }

  /** A buffer of exactly `bytes` bytes: a returned one if there is one, else a new one (contents undefined). */
  take(bytes: number): ArrayBuffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i].byteLength === bytes) {
        const buffer = this.free[i];
        this.free[i] = this.free[this.free.length - 1];
        this.free.pop();
        return buffer;
      }
    }
    return this.allocate(bytes);
  }

  /** Give a buffer back for reuse (detached or over-capacity ones are dropped). */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength > 0 && this.free.length < this.capacity) this.free.push(buffer);
  }
}
