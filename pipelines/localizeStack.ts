/**
 * The standard localization pipeline — what `smlm-stream localize` runs, and a template for
 * composing your own from the stages in src/:
 *
 *     TIFF stack ─▶ frames ─▶ localizeStream (camera → detect → patches → fit, on N workers) ─▶ CSV rows
 *
 * It checks that no output would overwrite an input or another output, opens the stack
 * (metadata: frame count, pixel size), resolves the options once, pulls the frames through
 * `localizeStream` (which bounds the frames in flight and returns batches in frame order),
 * writes each frame's rows as soon as the frame is done, and records the run in a JSON sidecar
 * next to the CSV.
 *
 * Nothing is lost or misdescribed when a run ends early:
 * - an error reading the stack, or an abort (Ctrl-C in the CLI): the rows of every completed
 *   frame are kept under the CSV's name, the sidecar says the run is incomplete and why;
 * - a write error (disk full): the rows of whole frames stay in `NAME.csv.partial`, never under
 *   the final name, and the sidecar (if it can still be written) says where they are;
 * - a run killed outright: the earlier run's sidecar, marked superseded at the start, says a
 *   later run began and where its partial rows are.
 */
import { baselineWarning, checkOffsetReachable, frameCamera, noiseWarning, saturationLevel } from '../src/camera/CameraModel.js';
import { resolve as resolvePath } from 'node:path';
import { parseQueueUrl } from '../src/cluster/parseQueueUrl.js';
import { FileWriteError } from '../src/errors/FileWriteError.js';
import { InvalidOptionError } from '../src/errors/InvalidOptionError.js';
import { checkOutputPaths } from '../src/export/checkOutputPaths.js';
import type { NamedPath } from '../src/export/checkOutputPaths.js';
import { RUN_RECORD } from '../src/export/checkRecordPath.js';
import { LocalizationCsvWriter, partialPath } from '../src/export/LocalizationCsvWriter.js';
import { supersedeSidecar } from '../src/export/supersedeSidecar.js';
import { temporaryPath, writeFileAtomically } from '../src/export/writeFileAtomically.js';
import { sidecarPath, writeSidecar } from '../src/export/writeSidecar.js';
import { writeStepSidecar } from '../src/export/writeStepSidecar.js';
import { FitStatus } from '../src/fit/FitStatus.js';
import { TableCsvWriter } from '../src/export/TableCsvWriter.js';
import { BatchMerger } from '../src/post/BatchMerger.js';
import { MERGE_DEFAULTS } from '../src/post/BlinkMerger.js';
import type { MergeOptions } from '../src/post/BlinkMerger.js';
import type { CameraMaps } from '../src/camera/CameraModel.js';
import type { Frame } from '../src/io/Frame.js';
import type { FrameSourceOptions } from '../src/io/framesFromTiff.js';
import { FrameBufferPool } from '../src/io/FrameBufferPool.js';
import { openStack } from '../src/io/openStack.js';
import { selectChannel } from '../src/io/selectChannel.js';
import type { StackMetadata } from '../src/io/TiffStack.js';
import type { LocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { checkFrameSize, resolveLocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import type { LocalizeStats } from '../src/pipeline/LocalizeStats.js';
import { createLocalizeStats } from '../src/pipeline/LocalizeStats.js';
import { chooseWorkers, localizeStream } from '../src/pipeline/localizeStream.js';
import { addBatch } from '../src/render/addBatch.js';
import { encodePng } from '../src/render/encodePng.js';
import { SuperResolutionImage } from '../src/render/SuperResolutionImage.js';
import { softwareVersion } from '../src/softwareVersion.js';
import { LogHistogram } from '../src/table/LogHistogram.js';

/** Defaults of the live preview, stated once. */
export const PREVIEW_DEFAULTS = {
  /** Frames between refreshes. */
  everyFrames: 200,
  /** Pixel of the preview image, nm. */
  pixelNm: 20,
} as const;

/** Progress of a run, reported after every frame (on a queue, after every job: its frames arrive at once). */
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
  /** With a queue: the workers that have returned chunks so far. */
  workers?: number;
}

/** What to run. */
export interface LocalizeStackRun {
  /**
   * The stack: a TIFF file (a Micro-Manager series is followed from any of its files), a folder
   * of TIFFs, or a list of files, as one stack (see `openStack`).
   */
  input: string | readonly string[];
  /** The CSV to write (its sidecar goes next to it, `.json`). */
  output: string;
  /**
   * The other files the caller read for this run (the calibration of `options.astigmatism`,
   * the camera maps of `options.camera.maps`), with what each is: no output may replace them
   * (see checkOutputPaths). The stack's own files are added here.
   * @default []
   */
  inputs?: readonly NamedPath[];
  /** Pipeline options (pixel size from the file when not given). */
  options?: LocalizeOptions;
  /** Frame range (0-based start, exclusive end, step) and follow mode. */
  frames?: FrameSourceOptions;
  /** Write every fit, not only converged ones. @default false */
  includeAllFits?: boolean;
  /** Worker threads (1 = all on this thread), at most the cores and the chunks of the run.
   *  @default see {@link chooseWorkers}: available cores, at most one per 512 frames; 1 in follow mode */
  workers?: number;
  /**
   * Merge blinks as the run goes ({@link BatchMerger}, ThunderSTORM's rules) into a second CSV,
   * `path` (default NAME.merged.csv next to the CSV); the CSV of every localization is written
   * as always.
   */
  merge?: MergeOptions & { path?: string };
  /** A live preview: a super-resolution PNG rewritten every `everyFrames` frames and at the end. */
  preview?: { path: string; everyFrames?: number; pixelNm?: number };
  /**
   * Stop early when this signal aborts: reading stops, the frames in flight are finished, their
   * rows kept, and the sidecar records the abort's reason (`String(signal.reason)`).
   */
  signal?: AbortSignal;
  /**
   * Localize on the machines running `smlm-stream worker` against this queue,
   * `redis://[:PASSWORD@]HOST:PORT` (see localizeOnQueue): the stack's paths must be the same
   * on every machine (shared storage). The CSV is the one a run on this machine writes; the
   * sidecar adds the queue (without its password) and the workers. Not with follow mode.
   */
  queue?: string;
  /** Called after every frame (with a queue: after every job's frames). */
  onProgress?: (progress: Progress) => void;
  /** Called with warnings (a base level above most pixels, saturated pixels, fewer workers). */
  onWarning?: (message: string) => void;
  /** Called with what a person should know about how the input was read (the series a file belongs to). */
  onNotice?: (message: string) => void;
}

/** Medians of the localizations written: what a microscopist checks first. */
export interface RunMedians {
  /** Lateral uncertainty, nm. */
  uncertaintyNm: number;
  /** Photons N of a localization. */
  photons: number;
  /** Background, photons per pixel. */
  backgroundPhotons: number;
}

/** The outcome of a run (also what the sidecar records). */
export interface LocalizeStackSummary {
  /** The stack: its (first) file's path. */
  input: string;
  /** Where the rows are: the CSV's final path, or `NAME.csv.partial` after a write error. */
  output: string;
  sidecar: string;
  /** Whether every requested frame was processed. */
  complete: boolean;
  /** Why the run stopped early when it was aborted (the signal's reason). */
  stopReason?: string;
  frames: number;
  /** Rows written. */
  localizations: number;
  /** With `merge`: the merged CSV (or its `.partial` after a write error) and its rows. */
  merged?: { output: string; molecules: number };
  stats: LocalizeStats;
  /** Medians of the rows written (NaN when none). */
  medians: RunMedians;
  /** Worker threads used (with a queue: the queue workers that returned chunks). */
  workers: number;
  /** With a queue: its address (without a password) and the workers that returned chunks. */
  cluster?: { queue: string; workers: string[] };
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
 * @returns the summary (`complete: false` and `stopReason` after an abort)
 * @throws OutputPathError before anything is read when an output would overwrite an input or
 *   another output; InvalidOptionError for impossible options; TiffError for an unreadable
 *   stack. An error mid-run is thrown after the sidecar is written, with the summary attached
 *   (`error.summary`).
 */
export async function localizeStack(run: LocalizeStackRun): Promise<LocalizeStackSummary> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const sidecar = sidecarPath(run.output);
  const partial = partialPath(run.output);
  const address = run.queue === undefined ? undefined : parseQueueUrl(run.queue);
  if (address && run.frames?.follow) throw new InvalidOptionError('follow mode runs on this machine: it cannot be combined with a queue', 'queue');
  const opened = openStack(run.input);
  const notice = opened.notice;
  const stack = selectChannel(opened.stack, run.frames?.channel);
  const metadata = stack.metadata;
  if (address && metadata.channel !== undefined) {
    stack.close();
    throw new InvalidOptionError('one channel of a hyperstack is localized on this machine: a queue reads whole stacks', 'queue');
  }
  const input = metadata.path;
  try {
    const named = typeof run.input === 'string' ? [run.input] : run.input;
    const inputs = [...new Set([...named, ...(metadata.series?.files ?? [input])])].map((path) => ({ path, role: 'the input stack' }));
    inputs.push(...(run.inputs ?? []));
    checkOutputPaths(inputs, outputsOf(run, sidecar, partial));
  } catch (error) {
    stack.close();
    throw error;
  }
  if (notice) run.onNotice?.(notice);
  const warn = (message: string) => run.onWarning?.(message);
  const start = run.frames?.start ?? 0;
  const end = Math.min(run.frames?.end ?? Infinity, metadata.frameCount);
  const total = run.frames?.follow ? undefined : Math.max(0, Math.ceil((end - start) / (run.frames?.step ?? 1)));
  let options;
  let workers;
  let queueModule: typeof import('../src/cluster/localizeOnQueue.js') | undefined;
  let queueClient: import('ioredis').Redis | undefined;
  try {
    options = resolveLocalizeOptions(run.options ?? {}, metadata);
    checkFrameRange(run.frames, metadata);
    checkOffsetReachable(options.camera, metadata.sampleType);
    checkFrameSize(metadata.width, metadata.height, options.fit.box, input);
    frameCamera(options.camera, metadata.width, metadata.height); // the maps cover the frames
    const choice = chooseWorkers(run.workers, total, options.chunkFrames);
    if (choice.warning) warn(choice.warning);
    for (const w of options.astigmatism?.warnings ?? []) warn(`the 3-D calibration says: ${w}`);
    workers = choice.workers;
    // A queue that cannot be reached is an error before anything is written. Its client (BullMQ,
    // ioredis) is loaded only when a run uses one.
    if (address) {
      queueModule = await import('../src/cluster/localizeOnQueue.js');
      queueClient = await queueModule.connectQueue(address);
    }
    supersedeSidecar(sidecar, { startedAt, partial });
  } catch (error) {
    queueClient?.disconnect();
    stack.close();
    throw error;
  }
  let csv: LocalizationCsvWriter;
  try {
    csv = new LocalizationCsvWriter(run.output, { includeAllFits: run.includeAllFits, astigmatic: options.astigmatism !== undefined });
  } catch (error) {
    queueClient?.disconnect();
    stack.close();
    throw error;
  }
  const mergedPath = run.merge ? mergedCsvPath(run) : undefined;
  let merger: BatchMerger | undefined;
  let mergedCsv: TableCsvWriter | undefined;
  try {
    if (run.merge && mergedPath) {
      merger = new BatchMerger({ ...run.merge, includeAllFits: run.includeAllFits, astigmatic: options.astigmatism !== undefined });
      mergedCsv = new TableCsvWriter(mergedPath, merger.header);
    }
  } catch (error) {
    queueClient?.disconnect();
    csv.abandon();
    stack.close();
    throw error;
  }
  const stats = createLocalizeStats();
  const medians = { uncertainty: new LogHistogram(), photons: new LogHistogram(), background: new LogHistogram() };
  let writeMs = 0;
  let frames = 0;
  let error: Error | undefined;
  const p = options.camera.pixelSizeNm;
  const preview = run.preview
    ? new SuperResolutionImage({ pixelNm: run.preview.pixelNm ?? PREVIEW_DEFAULTS.pixelNm, mode: 'histogram', range: { x0: 0, x1: metadata.width * p, y0: 0, y1: metadata.height * p } })
    : undefined;
  const previewEvery = run.preview?.everyFrames ?? PREVIEW_DEFAULTS.everyFrames;
  const writePreview = () => {
    if (preview && run.preview) writeFileAtomically(run.preview.path, encodePng(preview.counts, preview.width, preview.height));
  };
  const readMs = { value: 0 };
  const queueWorkers = new Set<string>();
  const warned = { saturated: false, nonFinite: false };
  let lastFrame = 0;
  const report = () => run.onProgress?.({ frames, total, frame: lastFrame, localizations: csv.rows, seconds: (performance.now() - t0) / 1000, workers: address ? queueWorkers.size : undefined });
  try {
    // Frames are read into recycled buffers, given back once localized.
    const buffers = new FrameBufferPool();
    const camera = options.camera;
    const batches = address && queueModule && queueClient
      ? queueModule.localizeOnQueue({
          address,
          client: queueClient,
          input: typeof run.input === 'string' ? resolvePath(run.input) : run.input.map((f) => resolvePath(f)),
          output: resolvePath(run.output),
          start,
          end,
          step: run.frames?.step ?? 1,
          options: run.options ?? {},
          resolved: options,
          stats,
          workers: queueWorkers,
          signal: run.signal,
          onJobWritten: report,
        })
      : localizeStream(timedFrames(stack.frames({ ...run.frames, buffers, signal: run.signal }), readMs, (frame) => {
          const warning = camera.maps ? undefined : baselineWarning(camera, frame.data);
          if (warning) warn(`${input}: ${warning}`);
          const noise = noiseWarning(frameCamera(camera, frame.width, frame.height), frame.data);
          if (noise) warn(`${input}: ${noise}`);
        }), options, { workers, stats, recycle: (buffer) => buffers.give(buffer) });
    for await (const batch of batches) {
      const w0 = performance.now();
      csv.write(batch);
      if (merger && mergedCsv) mergedCsv.write(merger.push(batch));
      writeMs += performance.now() - w0;
      frames++;
      for (let i = 0; i < batch.count; i++) {
        if (batch.status[i] !== FitStatus.converged) continue;
        medians.uncertainty.add(batch.uncertainty[i]);
        medians.photons.add(batch.intensity[i]);
        medians.background.add(batch.offset[i]);
      }
      if (stats.saturated > 0 && !warned.saturated) {
        warned.saturated = true;
        warn(`${input}: spots with saturated pixels (at or above ${saturationLevel(camera, metadata.sampleType)} ADU) from frame ${batch.frame} on: their fits are left out of the CSV (status ${FitStatus.saturated}; --all-fits keeps them); lower the exposure or the EM gain, or set --saturation`);
      }
      if (stats.nonFinitePixels > 0 && !warned.nonFinite) {
        warned.nonFinite = true;
        warn(`${input}: NaN or infinite pixels from frame ${batch.frame} on: spots touching them are not fitted (status ${FitStatus.badData}); the summary counts them`);
      }
      if (preview) {
        addBatch(preview, batch);
        if (frames % previewEvery === 0) writePreview();
      }
      lastFrame = batch.frame;
      // On a queue, frames arrive a job (1 024 frames) at a time, after seconds of nothing:
      // progress is told once per job, so that the rate is measured between jobs, not within one.
      if (!address) report();
    }
    writePreview();
  } catch (e) {
    error = e instanceof Error ? e : new Error(String(e));
  } finally {
    stack.close();
  }
  // The molecules still open are closed: the merged rows cover the same frames as the CSV's.
  if (merger && mergedCsv && !(error instanceof FileWriteError)) {
    try {
      mergedCsv.write(merger.finish());
    } catch (e) {
      error = e as Error;
    }
  }
  const aborted = run.signal?.aborted === true && error === undefined && (total === undefined || frames < total);
  const summary: LocalizeStackSummary = {
    input,
    output: run.output,
    sidecar,
    complete: error === undefined && !aborted,
    stopReason: aborted ? abortReason(run.signal as AbortSignal) : undefined,
    frames,
    localizations: csv.rows,
    merged: mergedCsv ? { output: mergedCsv.path, molecules: mergedCsv.rows } : undefined,
    stats,
    medians: { uncertaintyNm: medians.uncertainty.quantile(0.5), photons: medians.photons.quantile(0.5), backgroundPhotons: medians.background.quantile(0.5) },
    workers: address ? queueWorkers.size : workers,
    cluster: address ? { queue: address.display, workers: [...queueWorkers].sort() } : undefined,
    seconds: (performance.now() - t0) / 1000,
    writeSeconds: writeMs / 1000,
    readSeconds: readMs.value / 1000,
  };
  const record = (output: string) => sidecarRecord(summary, metadata, options, run, summary.workers, output, startedAt, error);
  // The record first, then the rows under their final name; after a write error the rows stay
  // in the partial file (cut back to whole frames), and the record, if it can still be
  // written, says so.
  let committed = false;
  if (!(error instanceof FileWriteError)) {
    try {
      writeSidecar(sidecar, record(run.output));
      csv.commit();
      if (mergedCsv && run.merge) {
        mergedCsv.commit();
        // The merged CSV's own record, as `smlm-stream merge` writes one, the run's under `previous`.
        writeStepSidecar({
          step: 'merge',
          input: run.output,
          output: mergedCsv.path,
          parameters: { ...MERGE_DEFAULTS, ...run.merge, maxFrames: Number.isFinite(run.merge.maxFrames ?? Infinity) ? run.merge.maxFrames : 'unlimited', path: undefined },
          counts: { rowsIn: csv.rows, rowsOut: mergedCsv.rows },
          started: startedAt,
          seconds: summary.seconds,
        });
      }
      committed = true;
    } catch (e) {
      error ??= e as Error;
    }
  }
  if (!committed) {
    csv.abandon();
    mergedCsv?.abandon();
    if (summary.merged && mergedCsv) summary.merged.output = mergedCsv.partialPath;
    summary.output = partial;
    summary.complete = false;
    try {
      writeSidecar(sidecar, record(partial));
    } catch {
      // The first error is the one reported; the earlier record (marked superseded) remains.
    }
  }
  if (error) {
    summary.error = error;
    throw Object.assign(error, { summary });
  }
  return summary;
}

/**
 * Refuse a frame range outside the stack (`--frames 30:40` on 20 frames): nothing would be
 * localized, or fewer frames than asked. In follow mode the stack grows, so any range is taken.
 */
function checkFrameRange(frames: FrameSourceOptions | undefined, metadata: StackMetadata): void {
  if (!frames || frames.follow) return;
  const first = (frames.start ?? 0) + 1;
  const last = frames.end;
  const count = metadata.frameCount;
  if (first > count || (last !== undefined && Number.isFinite(last) && last > count)) {
    const asked = last === undefined || !Number.isFinite(last) ? `from frame ${first}` : `frames ${first} to ${last}`;
    throw new InvalidOptionError(`${asked} asked for, but ${metadata.path} has ${count} frame${count === 1 ? '' : 's'}`, 'frames');
  }
}

/**
 * The frame range as the sidecar records it: 1-based and inclusive, as `--frames A:B` takes it
 * (`first`, `last`; `last` absent for "to the end"), with the channel, the step and follow mode
 * when set. (Sidecars before this recorded the library's `{start, end}`: 0-based start,
 * exclusive end.)
 */
function framesRecord(frames: FrameSourceOptions | undefined): Record<string, unknown> {
  if (!frames) return { first: 1 };
  const { channel, start, end, step, follow, idleTimeoutMs, pollIntervalMs } = frames;
  return {
    channel,
    first: (start ?? 0) + 1,
    last: end !== undefined && Number.isFinite(end) ? end : undefined,
    step: step !== undefined && step !== 1 ? step : undefined,
    follow: follow || undefined,
    idleTimeoutMs: follow ? idleTimeoutMs : undefined,
    pollIntervalMs: follow ? pollIntervalMs : undefined,
  };
}

/** Every file the run writes, temporary ones included. */
function outputsOf(run: LocalizeStackRun, sidecar: string, partial: string): NamedPath[] {
  const outputs: NamedPath[] = [
    { path: run.output, role: 'the CSV' },
    { path: partial, role: "the CSV's temporary file" },
    { path: sidecar, role: 'the sidecar (the CSV name with .json)', record: RUN_RECORD },
    { path: temporaryPath(sidecar), role: "the sidecar's temporary file" },
  ];
  if (run.merge) {
    const merged = mergedCsvPath(run);
    outputs.push(
      { path: merged, role: 'the merged CSV' },
      { path: partialPath(merged), role: "the merged CSV's temporary file" },
      { path: sidecarPath(merged), role: "the merged CSV's sidecar", record: RUN_RECORD },
      { path: temporaryPath(sidecarPath(merged)), role: "the merged CSV's sidecar's temporary file" },
    );
  }
  if (run.preview) {
    outputs.push({ path: run.preview.path, role: 'the preview' }, { path: temporaryPath(run.preview.path), role: "the preview's temporary file" });
  }
  return outputs;
}

/** Where the merged CSV goes: `merge.path`, or NAME.merged.csv next to NAME.csv. */
function mergedCsvPath(run: LocalizeStackRun): string {
  return run.merge?.path ?? `${run.output.replace(/\.csv$/i, '')}.merged.csv`;
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : String(reason);
}

/** The JSON sidecar of a run. */
function sidecarRecord(
  summary: LocalizeStackSummary,
  metadata: StackMetadata,
  options: ReturnType<typeof resolveLocalizeOptions>,
  run: LocalizeStackRun,
  workers: number,
  output: string,
  startedAt: string,
  error: Error | undefined,
): Record<string, unknown> {
  const { stats } = summary;
  return {
    software: { name: 'smlm-stream', version: softwareVersion() },
    input: metadata,
    output,
    engines: stats.engines,
    cluster: summary.cluster,
    parameters: {
      ...options,
      camera: { ...options.camera, saturationAdu: saturationLevel(options.camera, metadata.sampleType), maps: mapsRecord(options.camera.maps) },
      frames: framesRecord(run.frames),
      includeAllFits: run.includeAllFits ?? false,
      workers,
      merge: run.merge ? { ...MERGE_DEFAULTS, ...run.merge, maxFrames: Number.isFinite(run.merge.maxFrames ?? Infinity) ? run.merge.maxFrames : 'unlimited', path: summary.merged?.output } : undefined,
    },
    complete: error === undefined && summary.complete && output === run.output,
    stopReason: summary.stopReason,
    error: error?.message,
    counts: {
      frames: summary.frames,
      candidates: stats.candidates,
      fits: stats.fits,
      converged: stats.converged,
      saturated: stats.saturated,
      otherFailures: stats.fits - stats.converged - stats.saturated,
      nonFinitePixels: stats.nonFinitePixels,
      framesWithNonFinitePixels: stats.framesWithNonFinite,
      localizationsWritten: summary.localizations,
      mergedMolecules: summary.merged?.molecules,
      warmStarts: stats.warmStarts,
      iterationHistogram: stats.iterationHistogram,
      multiEmitterTried: stats.multiEmitterTried,
      // Fits by the emitters of their model: index 1 single fits, index K windows of K.
      fitsByEmitters: stats.emitterFits,
    },
    medians: summary.medians,
    timing: {
      wallSeconds: summary.seconds,
      // Stage times are summed over workers (CPU seconds); read and write run on this thread.
      readSeconds: summary.readSeconds,
      cameraSeconds: stats.ms.camera / 1000,
      detectSeconds: stats.ms.detect / 1000,
      fitSeconds: stats.ms.fit / 1000,
      writeSeconds: summary.writeSeconds,
    },
    started: startedAt,
    finished: new Date().toISOString(),
  };
}

/** What the sidecar says of the camera's maps: their size, origin and files, not their pixels. */
function mapsRecord(maps: CameraMaps | undefined): Record<string, unknown> | undefined {
  if (!maps) return undefined;
  const sources = (maps as { sources?: unknown }).sources;
  return {
    width: maps.width,
    height: maps.height,
    originX: maps.originX ?? 0,
    originY: maps.originY ?? 0,
    given: { offset: maps.offsetAdu !== undefined, variance: maps.varianceAdu2 !== undefined, gain: maps.gainAduPerElectron !== undefined },
    ...(sources ? { files: sources } : {}),
  };
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
