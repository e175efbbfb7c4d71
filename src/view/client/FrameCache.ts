import type { FramePixels, ViewApi } from './ViewApi.js';

/** Frames kept in the page (256² px: 256 KiB each), so moving the slider back and forth is instant. */
export const FRAME_CACHE_FRAMES = 32;

/** The last {@link FRAME_CACHE_FRAMES} frames fetched, least recently used dropped first. */
export class FrameCache {
  private readonly frames = new Map<number, FramePixels>();

  constructor(private readonly api: ViewApi) {}

  /** Frame `index` (0-based), from the cache or GET /api/frame. */
  async get(index: number, signal?: AbortSignal): Promise<FramePixels> {
    const cached = this.peek(index);
    if (cached !== undefined) return cached;
    const frame = await this.api.frame(index, signal);
    this.frames.set(index, frame);
    if (this.frames.size > FRAME_CACHE_FRAMES) this.frames.delete(this.frames.keys().next().value as number);
    return frame;
  }

  /** Frame `index` if cached (it becomes the most recently used). */
  peek(index: number): FramePixels | undefined {
    const frame = this.frames.get(index);
    if (frame !== undefined) {
      this.frames.delete(index);
      this.frames.set(index, frame);
    }
    return frame;
  }

  /** Forgets every frame (another stack was opened). */
  clear(): void {
    this.frames.clear();
  }
}
