/**
 * The standard localization pipeline — what `smlm-stream localize` runs, and a template for
 * composing your own from the stages in src/:
 *
 *     TIFF stack ─▶ frames ─▶ localizeStream (camera → detect → patches → fit, on N workers) ─▶ CSV rows
 *
 * It opens the stack (metadata: frame count, pixel size), resolves the options once, pulls the
 * frames through `localizeStream` (which bounds the frames in flight and returns batches in frame
 * order), writes each frame's rows as soon as the frame is done, and records the run in a JSON
 * sidecar next to the CSV. On an error the rows of every completed frame are kept, the sidecar
 * says the run is incomplete, and the error is rethrown.
 */
import { baselineWarning } from '../src/camera/CameraModel.js';
import { LocalizationCsvWriter } from '../src/export/LocalizationCsvWriter.js';
import { sidecarPath, writeSidecar } from '../src/export/writeSidecar.js';
import type { Frame } from '../src/io/Frame.js';
import type { FrameSourceOptions } from '../src/io/framesFromTiff.js';
import { FrameBufferPool } from '../src/io/FrameBufferPool.js';
import { TiffStack } from '../src/io/TiffStack.js';
import { addBatch } from '../src/render/accumulateImage.js';
import { encodePng } from '../src/render/encodePng.js';
import { SuperResolutionImage } from '../src/render/SuperResolutionImage.js';
import { writeFileAtomically } from '../src/export/writeFileAtomically.js';
import type { LocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { resolveLocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import type { LocalizeStats } from '../src/pipeline/LocalizeStats.js';
import { createLocalizeStats } from '../src/pipeline/LocalizeStats.js';
import { defaultWorkers, localizeStream } from '../src/pipeline/localizeStream.js';
import { softwareVersion } from '../src/softwareVersion.js';

/** Progress of a run, reported after every frame. */
export interface Progress {
  /** Frames done. */
  frames: number;
  /** Frames expected (undefined in follow mode). */
  total: number | undefined;
  /** 1-based number of the last frame done. */
  frame: number;
  /** Rows written so far. */
  localizations: number;
  /** Seconds since the start. */
  seconds: number;
}

/** What to run. */
export interface LocalizeStackRun {
  /** The TIFF stack. */
  input: string;
  /** The CSV to write (its sidecar goes next to it, `.json`). */
  output: string;
  /** Pipeline options (pixel size from the file when not given). */
  options?: LocalizeOptions;
  /** Frame range (0-based start, exclusive end, step) and follow mode. */
  frames?: FrameSourceOptions;
  /** Write every fit, not only converged ones. @default false */
  includeAllFits?: boolean;
  /** Worker threads (1 = all on this thread). @default available cores, at most one per two
   *  chunks of frames (short stacks run on one thread); 1 in follow mode */
  workers?: number;
  /** A live preview: a super-resolution PNG rewritten every `everyFrames` frames and at the end. */
  preview?: { path: string; everyFrames?: number; pixelNm?: number };
  /** Called after every frame. */
  onProgress?: (progress: Progress) => void;
  /** Called with warnings (e.g. a base level above most pixels). */
  onWarning?: (message: string) => void;
}

/** The outcome of a run (also what the sidecar records). */
export interface LocalizeStackSummary {
  input: string;
  output: string;
  sidecar: string;
  /** Whether every requested frame was processed. */
  complete: boolean;
  frames: number;
  /** Rows written. */
  localizations: number;
  stats: LocalizeStats;
  /** Worker threads used. */
  workers: number;
  /** Wall time, s, and the time of reading and writing (the stages are in `stats.ms`). */
  seconds: number;
  readSeconds: number;
  writeSeconds: number;
  /** The error that ended the run early, if any. */
  error?: Error;
}

/**
 * Localize a TIFF stack into a CSV (ThunderSTORM columns first) with a JSON sidecar.
 * @param run - input, output, options, callbacks
 * @returns the summary; rejects with the run's error after the sidecar is written
 */
export async function localizeStack(run: LocalizeStackRun): Promise<LocalizeStackSummary> {
  const t0 = performance.now();
  const stack = TiffStack.open(run.input);
  const metadata = stack.metadata;
  let options;
  try {
    options = resolveLocalizeOptions(run.options ?? {}, metadata.pixelSizeNm);
  } catch (error) {
    stack.close();
    throw error;
  }
  const stats = createLocalizeStats();
  const start = run.frames?.start ?? 0;
  const step = run.frames?.step ?? 1;
  const end = Math.min(run.frames?.end ?? Infinity, metadata.frameCount);
  const total = run.frames?.follow ? undefined : Math.max(0, Math.ceil((end - start) / step));
  // Default workers: live runs use one thread (frames arrive at the camera's pace, and a chunk
  // would wait for 64 of them before a worker saw it); short stacks too — workers start in
  // ~0.15 s and warm up their compiled code separately, so two workers beat one thread only
  // from ~1000 frames (measured, 256×256: 512 frames 0.82–0.94 s vs 0.65–0.82 s on one thread;
  // 2048 frames 1.68–1.85 s vs 2.25–2.41 s): at most one worker per 512 frames; otherwise
  // every core.
  const workers = run.workers ?? (total === undefined ? 1 : Math.min(defaultWorkers(), Math.max(1, Math.floor(total / (8 * options.chunkFrames)))));
  const csv = new LocalizationCsvWriter(run.output, { includeAllFits: run.includeAllFits });
  let writeMs = 0;
  let frames = 0;
  let error: Error | undefined;
  const p = options.camera.pixelSizeNm;
  const preview = run.preview
    ? new SuperResolutionImage({ pixelNm: run.preview.pixelNm ?? 20, mode: 'histogram', range: { x0: 0, x1: metadata.width * p, y0: 0, y1: metadata.height * p } })
    : undefined;
  const previewEvery = run.preview?.everyFrames ?? 200;
  const writePreview = () => {
    if (preview && run.preview) writeFileAtomically(run.preview.path, encodePng(preview.counts, preview.width, preview.height));
  };
  const readMs = { value: 0 };
  try {
    // Frames are read into recycled buffers, given back once localized.
    const buffers = new FrameBufferPool();
    const batches = localizeStream(timedFrames(stack.frames({ ...run.frames, buffers }), readMs, (frame) => {
      const warning = baselineWarning(options.camera, frame.data);
      if (warning) run.onWarning?.(`${run.input}: ${warning}`);
    }), options, { workers, stats, recycle: (buffer) => buffers.give(buffer) });
    for await (const batch of batches) {
      const w0 = performance.now();
      csv.write(batch);
      writeMs += performance.now() - w0;
      frames++;
      if (preview) {
        addBatch(preview, batch);
        if (frames % previewEvery === 0) writePreview();
      }
      run.onProgress?.({ frames, total, frame: batch.frame, localizations: csv.rows, seconds: (performance.now() - t0) / 1000 });
    }
  } catch (e) {
    error = e instanceof Error ? e : new Error(String(e));
  } finally {
    csv.close();
    stack.close();
    writePreview();
  }
  const seconds = (performance.now() - t0) / 1000;
  const summary: LocalizeStackSummary = {
    input: run.input,
    output: run.output,
    sidecar: sidecarPath(run.output),
    complete: error === undefined,
    frames,
    localizations: csv.rows,
    stats,
    workers,
    seconds,
    writeSeconds: writeMs / 1000,
    readSeconds: readMs.value / 1000,
  };
  writeSidecar(summary.sidecar, {
    software: { name: 'smlm-stream', version: softwareVersion() },
    input: metadata,
    output: run.output,
    parameters: { ...options, frames: run.frames ?? {}, includeAllFits: run.includeAllFits ?? false, workers },
    complete: summary.complete,
    error: error?.message,
    counts: {
      frames,
      candidates: stats.candidates,
      fits: stats.fits,
      converged: stats.converged,
      localizationsWritten: csv.rows,
      warmStarts: stats.warmStarts,
      iterationHistogram: stats.iterationHistogram,
    },
    timing: {
      wallSeconds: seconds,
      // Stage times are summed over workers (CPU seconds); read and write run on this thread.
      readSeconds: summary.readSeconds,
      cameraSeconds: stats.ms.camera / 1000,
      detectSeconds: stats.ms.detect / 1000,
      fitSeconds: stats.ms.fit / 1000,
      writeSeconds: summary.writeSeconds,
    },
    finished: new Date().toISOString(),
  });
  if (error) {
    summary.error = error;
    throw Object.assign(error, { summary });
  }
  return summary;
}

/** Pass frames through, timing the reads and calling `first` on the first frame. */
async function* timedFrames(frames: AsyncIterable<Frame>, readMs: { value: number }, first: (frame: Frame) => void): AsyncGenerator<Frame> {
  const iterator = frames[Symbol.asyncIterator]();
  let seen = false;
  try {
    for (;;) {
      const t = performance.now();
      const next = await iterator.next();
      readMs.value += performance.now() - t;
      if (next.done) return;
      if (!seen) {
        seen = true;
        first(next.value);
      }
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}
