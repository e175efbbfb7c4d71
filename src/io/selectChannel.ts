import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { Frame } from './Frame.js';
import type { FrameBufferPool } from './FrameBufferPool.js';
import { TiffError } from './TiffError.js';
import type { FrameRangeOptions, FrameStack, StackMetadata } from './TiffStack.js';

/** The library option that chooses a channel, for errors the CLI words with its flag. */
const CHANNEL_OPTION = 'frames.channel';

/**
 * The frames of one channel of a stack whose planes interleave channels (an ImageJ hyperstack
 * or an OME-TIFF, planes in their dimension order): frame k of the channel is plane
 * `offset + k·stride` of the stack.
 */
class ChannelStack implements FrameStack {
  private readonly stack: FrameStack;
  private readonly channel: number;
  private readonly offset: number;
  private readonly stride: number;
  /** Time points (or z-slices) the file states, or undefined when it does not. */
  private readonly stated: number | undefined;

  constructor(stack: FrameStack, channel: number, offset: number, stride: number, stated: number | undefined) {
    this.stack = stack;
    this.channel = channel;
    this.offset = offset;
    this.stride = stride;
    this.stated = stated;
  }

  get metadata(): StackMetadata {
    const m = this.stack.metadata;
    return { ...m, frameCount: this.framesIn(m.frameCount), channel: this.channel };
  }

  async *frames(options: FrameRangeOptions = {}): AsyncGenerator<Frame, void, undefined> {
    const start = options.start ?? 0;
    const step = options.step ?? 1;
    const end = Math.min(options.end ?? Number.POSITIVE_INFINITY, this.stated ?? Number.POSITIVE_INFINITY);
    if (!(Number.isInteger(start) && start >= 0)) throw new RangeError(`start frame must be a whole number ≥ 0, got ${start}`);
    if (!(Number.isInteger(step) && step >= 1)) throw new RangeError(`frame step must be a whole number ≥ 1, got ${step}`);
    if (start >= end) return;
    const planes = this.stack.frames({
      ...options,
      start: this.plane(start),
      end: Number.isFinite(end) ? this.plane(end - 1) + 1 : end,
      step: step * this.stride,
    });
    for await (const frame of planes) yield { ...frame, index: (frame.index - this.offset) / this.stride };
  }

  async readFrame(index: number, buffers?: FrameBufferPool): Promise<Frame> {
    const count = this.metadata.frameCount;
    if (!(Number.isInteger(index) && index >= 0 && index < count)) {
      throw new TiffError(this.stack.metadata.path, 'out-of-range', `frame index ${index}, channel ${this.channel} has ${count} frames (0-based)`);
    }
    const frame = await this.stack.readFrame(this.plane(index), buffers);
    return { ...frame, index };
  }

  close(): void {
    this.stack.close();
  }

  /** The stack's plane of frame `index` of the channel. */
  private plane(index: number): number {
    return this.offset + index * this.stride;
  }

  /** The channel's frames among the stack's first `planes` planes. */
  private framesIn(planes: number): number {
    const found = planes > this.offset ? Math.floor((planes - this.offset - 1) / this.stride) + 1 : 0;
    return Math.min(found, this.stated ?? found);
  }
}

/**
 * The frames to localize of a stack: a time series of one plane. A stack with several channels
 * (an ImageJ hyperstack with `channels=`, an OME-TIFF with SizeC > 1) gives the frames of the
 * channel chosen, numbered from 0 as time points; one with z-slices at several time points is
 * refused, as is a stack with several channels and none chosen. A stack of one channel and one
 * z-slice (or of z-slices only, which ImageJ also writes for time series) is returned as it is.
 * @param stack - the opened stack (closed when the selection is closed, or here on an error)
 * @param channel - the channel to read, 1-based @default the only channel
 * @throws InvalidOptionError (option `frames.channel`) naming the file and its channels when
 *   none or no such channel is chosen; TiffError `unsupported` for z-slices at several time points
 */
export function selectChannel(stack: FrameStack, channel?: number): FrameStack {
  try {
    return channelOf(stack, channel);
  } catch (error) {
    stack.close();
    throw error;
  }
}

function channelOf(stack: FrameStack, channel: number | undefined): FrameStack {
  const m = stack.metadata;
  const h = m.hyperstack;
  const channels = h?.channels ?? 1;
  const slices = h?.slices ?? 1;
  const times = h?.frames ?? 1;
  const what = m.description === 'ome' ? 'an OME-TIFF' : 'an ImageJ hyperstack';
  if (channel !== undefined && !(Number.isInteger(channel) && channel >= 1 && channel <= channels)) {
    throw new InvalidOptionError(`${m.path} has ${channels === 1 ? 'one channel' : `channels 1 to ${channels}`}, not channel ${channel}`, CHANNEL_OPTION);
  }
  if (slices > 1 && times > 1) {
    throw new TiffError(m.path, 'unsupported', `${what} of ${slices} z-slices at each of ${times} time points: localization reads a time series of one plane (save one z-slice as its own stack)`);
  }
  if (channels === 1 || !h) return stack;
  if (channel === undefined) {
    throw new InvalidOptionError(`${m.path}: ${what} with ${channels} channels, their frames interleaved: choose one channel (1 to ${channels})`, CHANNEL_OPTION);
  }
  // Strides of the plane index along C, Z and T, from the plane order (fastest first).
  const size: Record<string, number> = { C: channels, Z: slices, T: times };
  const strides: Record<string, number> = {};
  let stride = 1;
  for (const axis of h.order) {
    strides[axis] = stride;
    stride *= size[axis];
  }
  // The axis that runs through the frames: time, or z-slices when the file has no time points.
  const axis = times > 1 || slices === 1 ? 'T' : 'Z';
  const stated = axis === 'T' ? h.frames : h.slices;
  return new ChannelStack(stack, channel, (channel - 1) * strides.C, strides[axis], stated);
}
