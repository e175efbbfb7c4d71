import { FrameBufferPool } from '../io/FrameBufferPool.js';
import type { Frame, SampleType } from '../io/Frame.js';
import { pixelArray, sampleTypeOf } from '../io/Frame.js';

/** Shared buffers made by {@link FrameSlots.readerPool} or a FrameSlots: frames in them cross to workers by number. */
const SHARED = new WeakSet<SharedArrayBuffer>();

/** A frame as it crosses to a worker: its fields, its pixels as a slot number and a view on it. */
export interface SlotFrame {
  readonly frame: Omit<Frame, 'data'> & Record<string, unknown>;
  readonly slot: number;
  /** The pixels' sample type (a worker rebuilds the view from it: a subclass such as Buffer counts as its base array). */
  readonly kind: SampleType;
  readonly byteOffset: number;
  readonly length: number;
}

/** A chunk's frames for one worker, with the slots that worker has not seen yet. */
export interface SlotChunk {
  readonly frames: SlotFrame[];
  readonly slots: [number, SharedArrayBuffer][];
}

/**
 * Frame pixels in shared memory, for a pool of worker threads: a frame read into a shared
 * buffer (a slot) crosses to a worker as a number, the slot itself sent once to each worker;
 * the worker views the same bytes. Nothing is copied or transferred per frame, so no thread
 * allocates an ArrayBuffer per frame: a transferred buffer is a new ArrayBuffer in the thread
 * that receives it, and its bytes count as external memory until a full garbage collection
 * frees the detached one (2 × 128 KB per 256² frame on the main thread: 16 mark-compacts,
 * 0.38 s, per 3 000 frames with two workers; 3 with slots; `--trace-gc`, loaded machine). Frames not in a slot are copied into one of this object's own, the original
 * buffer given back at once. Main-thread side; {@link SlotViews} is the worker's.
 */
export class FrameSlots {
  private readonly ids = new Map<SharedArrayBuffer, number>();
  /** Own slots not in use, by byte length (for frames that came in other buffers). */
  private readonly free = new Map<number, SharedArrayBuffer[]>();
  private readonly own = new WeakSet<SharedArrayBuffer>();
  /** Per worker: the slots it has been sent. */
  private readonly sent: Set<number>[];

  /** @param workers - number of workers the slots are sent to */
  constructor(workers: number) {
    this.sent = Array.from({ length: workers }, () => new Set<number>());
  }

  /**
   * A buffer pool for the reader whose new buffers are shared (slots): frames read into them
   * cross to workers with no copy. Given back buffers are reused as by FrameBufferPool.
   * @param capacity - most buffers kept @default unbounded: the frames in flight bound how many
   *   are made, and a slot the pool dropped would be replaced by a new one while every worker's
   *   map (and {@link ids}) still held the old
   */
  static readerPool(capacity = Number.POSITIVE_INFINITY): FrameBufferPool {
    return new FrameBufferPool(capacity, (bytes) => {
      const buffer = new SharedArrayBuffer(bytes);
      SHARED.add(buffer);
      return buffer as unknown as ArrayBuffer;
    });
  }

  /**
   * The frame with its pixels in a slot: as it is when they already are, else a copy in one of
   * this object's slots, the original buffer given to `recycle` at once.
   */
  share<F extends Frame>(frame: F, recycle: ((buffer: ArrayBuffer) => void) | undefined): F {
    const buffer = frame.data.buffer;
    if (buffer instanceof SharedArrayBuffer && SHARED.has(buffer)) return frame;
    const bytes = frame.data.byteLength;
    const slot = this.free.get(bytes)?.pop() ?? this.ownSlot(bytes);
    const data = pixelArray(sampleTypeOf(frame.data), slot);
    data.set(frame.data as never);
    recycle?.(buffer as ArrayBuffer);
    return { ...frame, data };
  }

  /**
   * A chunk's frames for worker `worker` (every frame's pixels in a slot: {@link share}); the
   * frames' other fields go as they are (a background array by transfer: the caller's list).
   */
  encode(frames: readonly Frame[], worker: number): SlotChunk {
    const slots: [number, SharedArrayBuffer][] = [];
    const out = frames.map((f): SlotFrame => {
      const data = f.data;
      const buffer = data.buffer as SharedArrayBuffer;
      let id = this.ids.get(buffer);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(buffer, id);
      }
      if (!this.sent[worker].has(id)) {
        this.sent[worker].add(id);
        slots.push([id, buffer]);
      }
      const frame: Record<string, unknown> = { ...f };
      delete frame.data;
      return { frame: frame as SlotFrame['frame'], slot: id, kind: sampleTypeOf(data), byteOffset: data.byteOffset, length: data.length };
    });
    return { frames: out, slots };
  }

  /** Whether a frame's pixels lie in a slot (crossing by number). */
  static shared(frame: Frame): boolean {
    const buffer = frame.data.buffer;
    return buffer instanceof SharedArrayBuffer && SHARED.has(buffer);
  }

  /**
   * A localized frame's slot back: this object's own to its free slots, the reader's to
   * `recycle` (its pool).
   */
  release(frame: Frame, recycle: ((buffer: ArrayBuffer) => void) | undefined): void {
    const buffer = frame.data.buffer as SharedArrayBuffer;
    if (this.own.has(buffer)) {
      const list = this.free.get(buffer.byteLength) ?? [];
      list.push(buffer);
      this.free.set(buffer.byteLength, list);
    } else {
      recycle?.(buffer as unknown as ArrayBuffer);
    }
  }

  private ownSlot(bytes: number): SharedArrayBuffer {
    const slot = new SharedArrayBuffer(bytes);
    SHARED.add(slot);
    this.own.add(slot);
    return slot;
  }
}
