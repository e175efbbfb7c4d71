/**
 * The settings step for frames given as an Observable or an async iterable (no file to read
 * twice): the first frames are buffered (copied), the camera and the PSF σ not given are
 * estimated from them as for a path ({@link settingsFromFrames}), then the buffered frames are
 * replayed ahead of the rest.
 */
import { Observable, Subject } from 'rxjs';
import type { Frame } from '../src/io/Frame.js';
import type { LocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { cameraSourceOf, psfSigmaIsAuto } from '../src/pipeline/LocalizeOptions.js';
import { settingsFrameCount, settingsFromFrames } from './estimateRunSettings.js';

/** Where a stream's settings step tells its warnings ('frames: ' before each). */
export type WarningSink = ((message: string) => void) | undefined;

/**
 * Whether the options leave something to the data: the camera ('auto', nothing given) or the
 * PSF σ ('auto' or not given, in 2-D).
 * @param options - the caller's options
 */
export function needsSettings(options: LocalizeOptions): boolean {
  return cameraSourceOf(options) === 'auto' || psfSigmaIsAuto(options);
}

/** A frame whose pixels are a copy (the caller may reuse its buffers once it moved on). */
function copyFrame(frame: Frame): Frame {
  return { ...frame, data: frame.data.slice() };
}

/**
 * An async iterable's settings: its first frames (as many as a path's settings step reads of
 * frames that size) are read and copied, the settings estimated, and the frames returned
 * replayed ahead of the rest.
 * @param frames - the caller's frames
 * @param options - the caller's options (nothing to estimate: returned as they are)
 * @param onWarning - told of contradictions and of estimates that could not be made
 * @returns the options with explicit values and the frames to localize
 */
export async function settleIterable(frames: AsyncIterable<Frame>, options: LocalizeOptions, onWarning: WarningSink): Promise<{ options: LocalizeOptions; frames: AsyncIterable<Frame> }> {
  if (!needsSettings(options)) return { options, frames };
  const it = frames[Symbol.asyncIterator]();
  const head: Frame[] = [];
  let done = false;
  for (let limit = 2; head.length < limit; ) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head.push(copyFrame(r.value));
    limit = settingsFrameCount(r.value.width, r.value.height);
  }
  const settled = settingsFromFrames(head, options, undefined, (m) => onWarning?.(`frames: ${m}`)).options;
  async function* replay(): AsyncGenerator<Frame> {
    yield* head;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { options: settled, frames: replay() };
}

/**
 * An Observable's settings: its first frames are held (copied) until there are enough (or the
 * source completes), the settings estimated, then `run` is given the held frames and the rest,
 * as they arrive.
 * @param source - the caller's frames
 * @param options - the caller's options (nothing to estimate: `run` on the source as it is)
 * @param onWarning - told of contradictions and of estimates that could not be made
 * @param run - what localizes frames with explicit options
 */
export function settleObservable<T>(source: Observable<Frame>, options: LocalizeOptions, onWarning: WarningSink, run: (frames: Observable<Frame>, options: LocalizeOptions) => Observable<T>): Observable<T> {
  if (!needsSettings(options)) return run(source, options);
  return new Observable<T>((subscriber) => {
    const head: Frame[] = [];
    let subject: Subject<Frame> | undefined;
    const start = () => {
      const settled = settingsFromFrames(head, options, undefined, (m) => onWarning?.(`frames: ${m}`)).options;
      subject = new Subject<Frame>();
      run(subject, settled).subscribe(subscriber);
      for (const f of head.splice(0)) subject.next(f);
    };
    const upstream = source.subscribe({
      next(frame) {
        try {
          if (subject) return subject.next(frame);
          head.push(copyFrame(frame));
          if (head.length >= settingsFrameCount(frame.width, frame.height)) start();
        } catch (error) {
          subscriber.error(error);
        }
      },
      error(error) {
        if (subject) subject.error(error);
        else subscriber.error(error);
      },
      complete() {
        try {
          if (!subject) start();
          subject?.complete();
        } catch (error) {
          subscriber.error(error);
        }
      },
    });
    return () => upstream.unsubscribe();
  });
}
