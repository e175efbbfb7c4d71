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
import { resolve as resolvePath } from 'node:path';
import { baselineWarning, checkOffsetReachable, frameCamera, saturationLevel } from '../src/camera/CameraModel.js';
import { FileWriteError } from '../src/errors/FileWriteError.js';
import { InvalidOptionError } from '../src/errors/InvalidOptionError.js';
import { checkOutputPaths } from '../src/export/checkOutputPaths.js';
import type { NamedPath } from '../src/export/checkOutputPaths.js';
import { RUN_RECORD } from '../src/export/checkRecordPath.js';
import { LocalizationCsvWriter, partialPath } from '../src/export/LocalizationCsvWriter.js';
import { supersedeSidecar } from '../src/export/supersedeSidecar.js';
import { TableCsvWriter } from '../src/export/TableCsvWriter.js';
import { temporaryPath, writeFileAtomically } from '../src/export/writeFileAtomically.js';
import { sidecarPath, writeSidecar } from '../src/export/writeSidecar.js';
import { writeStepSidecar } from '../src/export/writeStepSidecar.js';
import type { Frame } from '../src/io/Frame.js';
import type { FrameSourceOptions } from '../src/io/framesFromTiff.js';
import type { StackMetadata } from '../src/io/TiffStack.js';
import type { LocalizeOptions, ResolvedLocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { checkFrameSize, resolveLocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import type { LocalizerPool } from '../src/pipeline/LocalizerPool.js';
import type { LocalizeStats } from '../src/pipeline/LocalizeStats.js';
import { createLocalizeStats } from '../src/pipeline/LocalizeStats.js';
import { estimateRunSettings } from './estimateRunSettings.js';
import type { RunSettings } from './estimateRunSettings.js';
import { BatchMerger } from '../src/post/BatchMerger.js';
import type { MergeOptions } from '../src/post/BlinkMerger.js';
import { addBatch } from '../src/render/addBatch.js';
import { encodePng } from '../src/render/encodePng.js';
import { SuperResolutionImage } from '../src/render/SuperResolutionImage.js';
import type { LocalizationBatch } from '../src/table/LocalizationBatch.js';
import { chooseBackground } from './chooseBackground.js';
import { chooseRunner, startWorkersEarly } from './chooseRunner.js';
import type { Runner } from './chooseRunner.js';
import { PREVIEW_DEFAULTS } from './LocalizeStackRun.js';
import type { LocalizeStackRun, LocalizeStackSummary, RunMedians } from './LocalizeStackRun.js';
import { openRun } from './openRun.js';
import { RunTally } from './RunTally.js';
import type { OpenedRun } from './openRun.js';
import { mergeParameters } from './mergeParameters.js';
import { runRecord } from './runRecord.js';

/**
 * Localize a TIFF stack into a CSV (ThunderSTORM columns first) with a JSON sidecar, in named
 * steps: open the stack → check the outputs → estimate the settings not given (the camera, the
 * PSF σ: estimateRunSettings) → choose the background (`auto`: from the first frames) →
 * resolve the options → choose where it runs (the
 * workers, a queue) → stream the batches into the CSV → write (commit the rows) → record (the
 * sidecar). Whatever was opened is closed in one place.
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
  const plan = planRun(run);
  const opened = openRun(run.input, run.frames, run.queue);
  let runner: Runner | undefined;
  let writers: RunWriters | undefined;
  // Workers started before the settings step load their code while it runs; the stream takes them over.
  let early: LocalizerPool | undefined;
  try {
    checkOutputs(run, opened, plan);
    if (opened.notice) run.onNotice?.(opened.notice);
    checkFrameRange(run.frames, opened.metadata);
    early = startWorkersEarly(opened, run.workers, run.options?.chunkFrames);
    const settled = await estimateRunSettings(opened, run.options ?? {}, run.frames, run.onWarning);
    // The background is chosen with the camera the run uses (estimated or given).
    const background = await chooseBackground(opened, settled.options, run.signal);
    if (background.notice) run.onNotice?.(background.notice);
    if (background.warning) run.onWarning?.(background.warning);
    // From here on the settings and the background are explicit: workers and the queue take them as chosen.
    const explicit = background.options;
    const options = resolveRunOptions(run, opened, explicit);
    runner = await chooseRunner(opened, options, run.workers, run.onWarning);
    const started = early?.size === runner.workers && runner.address === undefined ? early : undefined;
    // A pool the runner does not take is closed now, not after the run; one it takes stays
    // `early` until the end too (closed twice at worst), so nothing thrown before the stream
    // owns it leaves threads running.
    if (!started) {
      void early?.close();
      early = undefined;
    }
    supersedeSidecar(plan.sidecar, { startedAt, partial: plan.partial });
    writers = openWriters(run, options, plan);
    const streamed = await streamRun(run, plan, opened, options, explicit, runner, writers, t0, started);
    opened.close(); // read no more: closed before the rows are committed
    const error = finishMerge(writers, streamed.error);
    const summary = summarize(run, plan, opened, runner, writers, streamed, t0, settled.settings);
    // The record says how the background was chosen (workers and the queue only see the method).
    const recorded = background.choice ? { ...options, background: { ...options.background, ...background.choice } } : options;
    return recordRun(run, plan, opened, recorded, writers, summary, startedAt, error);
  } finally {
    void early?.close();
    runner?.close();
    writers?.close();
    opened.close();
  }
}

/**
 * The run's own choices, resolved once before anything is read: the files it writes besides
 * the CSV, the merge with the merged CSV's path, the preview with its defaults.
 */
interface RunPlan {
  /** The sidecar (the CSV name with .json) and the CSV's temporary file. */
  readonly sidecar: string;
  readonly partial: string;
  /** With `merge`: its options as given, and the merged CSV (`merge.path`, or NAME.merged.csv next to NAME.csv). */
  readonly merge: { readonly options: MergeOptions & { path?: string }; readonly path: string } | undefined;
  /** With `preview`: the PNG, frames between refreshes, its pixel (nm). */
  readonly preview: { readonly path: string; readonly everyFrames: number; readonly pixelNm: number } | undefined;
  readonly includeAllFits: boolean;
}

function planRun(run: LocalizeStackRun): RunPlan {
  const { merge, preview } = run;
  return {
    sidecar: sidecarPath(run.output),
    partial: partialPath(run.output),
    merge: merge ? { options: merge, path: merge.path ?? `${run.output.replace(/\.csv$/i, '')}.merged.csv` } : undefined,
    preview: preview ? { path: preview.path, everyFrames: preview.everyFrames ?? PREVIEW_DEFAULTS.everyFrames, pixelNm: preview.pixelNm ?? PREVIEW_DEFAULTS.pixelNm } : undefined,
    includeAllFits: run.includeAllFits ?? false,
  };
}

/** Refuse outputs that would replace an input (the stack's files, the caller's) or each other. */
function checkOutputs(run: LocalizeStackRun, opened: OpenedRun, plan: RunPlan): void {
  const inputs: NamedPath[] = opened.files.map((path) => ({ path, role: 'the input stack' }));
  inputs.push(...(run.inputs ?? []));
  checkOutputPaths(inputs, outputsOf(run.output, plan));
}

/**
 * Resolve the options once (the settings step's, with explicit values), against the stack's
 * metadata, and check them against the stack: the camera's offset and maps, the fitting window.
 * Tells the 3-D calibration's own warnings.
 */
function resolveRunOptions(run: LocalizeStackRun, opened: OpenedRun, settled: LocalizeOptions): ResolvedLocalizeOptions {
  const { metadata, input } = opened;
  const options = resolveLocalizeOptions(settled, metadata);
  checkOffsetReachable(options.camera, metadata.sampleType);
  checkFrameSize(metadata.width, metadata.height, options.fit.box, input);
  frameCamera(options.camera, metadata.width, metadata.height); // the maps cover the frames
  for (const w of options.astigmatism?.warnings ?? options.spline?.warnings ?? []) run.onWarning?.(`the 3-D calibration says: ${w}`);
  return options;
}

/** The CSV of a run and, with `merge`, the merger and its CSV. */
interface RunWriters {
  readonly csv: LocalizationCsvWriter;
  readonly merger: BatchMerger | undefined;
  readonly mergedCsv: TableCsvWriter | undefined;
  /** Whether the rows stand under their final names. */
  committed: boolean;
  /** Leave the rows of writers neither committed nor abandoned in their `.partial` files. */
  close(): void;
}

/** Open the CSV (rows go to its `.partial` until the run is recorded) and, with `merge`, the merged one. */
function openWriters(run: LocalizeStackRun, options: ResolvedLocalizeOptions, plan: RunPlan): RunWriters {
  const astigmatic = options.astigmatism !== undefined || options.spline !== undefined;
  const { includeAllFits, merge } = plan;
  // In follow mode each frame's rows are written as it is done (frames come at the camera's
  // pace); otherwise in blocks (CSV_FLUSH_BYTES), the rows held written when the stream ends.
  const csv = new LocalizationCsvWriter(run.output, { includeAllFits, astigmatic, flushBytes: run.frames?.follow ? 0 : undefined });
  let merger: BatchMerger | undefined;
  let mergedCsv: TableCsvWriter | undefined;
  try {
    if (merge) {
      merger = new BatchMerger({ ...merge.options, includeAllFits, astigmatic });
      mergedCsv = new TableCsvWriter(merge.path, merger.header);
    }
  } catch (error) {
    csv.abandon();
    throw error;
  }
  let closed = false;
  return {
    csv,
    merger,
    mergedCsv,
    committed: false,
    close() {
      if (closed || this.committed) return;
      closed = true;
      csv.abandon();
      mergedCsv?.abandon();
    },
  };
}

/** What streaming a run gave: frames done, the medians, the read and write times, and the error that stopped it. */
interface Streamed {
  readonly frames: number;
  /** The run's counters. */
  readonly stats: LocalizeStats;
  readonly medians: RunMedians;
  readonly readSeconds: number;
  readonly writeSeconds: number;
  /** With a queue: the workers that returned chunks. */
  readonly queueWorkers: ReadonlySet<string>;
  readonly error: Error | undefined;
}

/**
 * Pull the run's batches and write each frame's rows as it is done (the CSV's in blocks, all
 * written before this returns, also after an error): the CSV, the merged
 * CSV, the medians, the preview, the warnings of the first frames and of saturated or non-finite
 * pixels, the progress. An error (a read, a write, the queue) ends the stream and is returned,
 * the rows of the frames before it kept.
 */
async function streamRun(
  run: LocalizeStackRun,
  plan: RunPlan,
  opened: OpenedRun,
  options: ResolvedLocalizeOptions,
  settled: LocalizeOptions,
  runner: Runner,
  writers: RunWriters,
  t0: number,
  started: LocalizerPool | undefined,
): Promise<Streamed> {
  const stats = createLocalizeStats();
  const { input, metadata, range } = opened;
  const camera = options.camera;
  const warn = (message: string) => run.onWarning?.(message);
  const tally = new RunTally(input, saturationLevel(camera, metadata.sampleType), warn);
  const preview = plan.preview && openPreview(plan.preview, metadata, camera.pixelSizeNm);
  const readMs = { value: 0 };
  const queueWorkers = new Set<string>();
  let writeMs = 0;
  let frames = 0;
  let lastFrame = 0;
  let error: Error | undefined;
  const onQueue = runner.address !== undefined;
  const report = () => run.onProgress?.({ frames, total: range.total, frame: lastFrame, localizations: writers.csv.rows, seconds: (performance.now() - t0) / 1000, workers: onQueue ? queueWorkers.size : undefined });
  // Frames are read into recycled buffers, given back once localized; with workers, shared
  // ones that cross to them by number (FrameSlots: no copy, no transfer).
  const buffers = runner.readerBuffers();
  // The first frame's check: the base level against it. (The camera's settings were checked
  // against the data by the settings step; spots that stay in place through the first frames
  // are looked for before the run: chooseBackground.)
  const firstFrames = (frame: Frame): boolean => {
    const warning = camera.maps ? undefined : baselineWarning(camera, frame.data);
    if (warning) warn(`${input}: ${warning}`);
    return false;
  };
  try {
    const batches = runner.batches({
      frames: () => timedFrames(opened.read(buffers, run.signal), readMs, firstFrames),
      stats,
      recycle: (buffer) => buffers.give(buffer),
      output: resolvePath(run.output),
      options: settled,
      queueWorkers,
      signal: run.signal,
      onJobWritten: report,
      started,
    });
    for await (const batch of batches) {
      const w0 = performance.now();
      writeBatch(writers, batch);
      writeMs += performance.now() - w0;
      frames++;
      tally.add(batch, stats);
      preview?.add(batch, frames);
      await run.onBatch?.(batch);
      lastFrame = batch.frame;
      // On a queue, frames arrive a job (1 024 frames) at a time, after seconds of nothing:
      // progress is told once per job, so that the rate is measured between jobs, not within one.
      if (!onQueue) report();
    }
    preview?.write();
  } catch (e) {
    error = e instanceof Error ? e : new Error(String(e));
  }
  // The rows held for the next block, also when the run stopped or failed (the summary counts
  // the rows in the file).
  const w0 = performance.now();
  try {
    writers.csv.flush();
  } catch (e) {
    error ??= e instanceof Error ? e : new Error(String(e));
  }
  writeMs += performance.now() - w0;
  // After a failed block the file holds fewer frames than were localized: the record says what
  // the file holds (the rows of the dropped block are counted out of `rows` by the writer).
  if (error instanceof FileWriteError) frames = writers.csv.framesInFile;
  return {
    frames,
    stats,
    medians: tally.medians(),
    readSeconds: readMs.value / 1000,
    writeSeconds: writeMs / 1000,
    queueWorkers,
    error,
  };
}

/** One frame's rows into the CSV and, with `merge`, its molecules into the merged CSV. */
function writeBatch(writers: RunWriters, batch: LocalizationBatch): void {
  writers.csv.write(batch);
  if (writers.merger && writers.mergedCsv) writers.mergedCsv.write(writers.merger.push(batch));
}

/** The live preview of a run: a super-resolution PNG with a scale bar, rewritten every `everyFrames` frames and at the end. */
function openPreview(asked: NonNullable<RunPlan['preview']>, metadata: StackMetadata, pixelSizeNm: number): { add(batch: LocalizationBatch, frames: number): void; write(): void } {
  const p = pixelSizeNm;
  const image = new SuperResolutionImage({ pixelNm: asked.pixelNm, mode: 'histogram', range: { x0: 0, x1: metadata.width * p, y0: 0, y1: metadata.height * p } });
  // With a scale bar, as render's images (the strip's pixels only: small against the encoding).
  const write = () => writeFileAtomically(asked.path, encodePng(image.counts, image.width, image.height, { annotation: { scaleBarPixelNm: image.pixelNm } }));
  return {
    add(batch, frames) {
      addBatch(image, batch);
      if (frames % asked.everyFrames === 0) write();
    },
    write,
  };
}

/** Close the molecules still open, so that the merged rows cover the same frames as the CSV's (not after a write error). */
function finishMerge(writers: RunWriters, error: Error | undefined): Error | undefined {
  const { merger, mergedCsv } = writers;
  if (!merger || !mergedCsv || error instanceof FileWriteError) return error;
  try {
    mergedCsv.write(merger.finish());
  } catch (e) {
    return e as Error;
  }
  return error;
}

/** The outcome of a run before it is written down: complete, or why not. */
function summarize(run: LocalizeStackRun, plan: RunPlan, opened: OpenedRun, runner: Runner, writers: RunWriters, streamed: Streamed, t0: number, settings: RunSettings): LocalizeStackSummary {
  const { error, frames, stats } = streamed;
  const { total } = opened.range;
  const { csv, mergedCsv } = writers;
  const address = runner.address;
  const aborted = run.signal?.aborted === true && error === undefined && (total === undefined || frames < total);
  return {
    input: opened.input,
    output: run.output,
    sidecar: plan.sidecar,
    complete: error === undefined && !aborted,
    stopReason: aborted ? abortReason(run.signal as AbortSignal) : undefined,
    frames,
    localizations: csv.rows,
    merged: mergedCsv ? { output: mergedCsv.path, molecules: mergedCsv.rows } : undefined,
    stats,
    medians: streamed.medians,
    workers: address ? streamed.queueWorkers.size : runner.workers,
    cluster: address ? { queue: address.display, workers: [...streamed.queueWorkers].sort() } : undefined,
    seconds: (performance.now() - t0) / 1000,
    writeSeconds: streamed.writeSeconds,
    readSeconds: streamed.readSeconds,
    settings,
  };
}

/**
 * Write the run down: the record first, then the rows under their final name (and the merged
 * CSV with its own record, as `smlm-stream merge` writes one). After a write error the rows stay
 * in the partial file (cut back to whole frames), and the record, if it can still be written,
 * says so.
 * @throws the error that ended the run, with the summary attached (`error.summary`)
 */
function recordRun(
  run: LocalizeStackRun,
  plan: RunPlan,
  opened: OpenedRun,
  options: ResolvedLocalizeOptions,
  writers: RunWriters,
  summary: LocalizeStackSummary,
  startedAt: string,
  streamError: Error | undefined,
): LocalizeStackSummary {
  let error = streamError;
  const { csv, mergedCsv } = writers;
  const record = (output: string) => runRecord(summary, opened.metadata, options, run, output, startedAt, error);
  if (!(error instanceof FileWriteError)) {
    try {
      writeSidecar(summary.sidecar, record(run.output));
      csv.commit();
      if (mergedCsv && plan.merge) {
        mergedCsv.commit();
        // The merged CSV's own record, as `smlm-stream merge` writes one, the run's under `previous`.
        writeStepSidecar({
          step: 'merge',
          input: run.output,
          output: mergedCsv.path,
          parameters: mergeParameters(plan.merge.options, undefined),
          counts: { rowsIn: csv.rows, rowsOut: mergedCsv.rows },
          started: startedAt,
          seconds: summary.seconds,
        });
      }
      writers.committed = true;
    } catch (e) {
      error ??= e as Error;
    }
  }
  if (!writers.committed) {
    writers.close();
    if (summary.merged && mergedCsv) summary.merged.output = mergedCsv.partialPath;
    summary.output = plan.partial;
    summary.complete = false;
    try {
      writeSidecar(summary.sidecar, record(summary.output));
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

/** Every file the run writes, temporary ones included. */
function outputsOf(output: string, plan: RunPlan): NamedPath[] {
  const { sidecar, partial, merge, preview } = plan;
  const outputs: NamedPath[] = [
    { path: output, role: 'the CSV' },
    { path: partial, role: "the CSV's temporary file" },
    { path: sidecar, role: 'the sidecar (the CSV name with .json)', record: RUN_RECORD },
    { path: temporaryPath(sidecar), role: "the sidecar's temporary file" },
  ];
  if (merge) {
    outputs.push(
      { path: merge.path, role: 'the merged CSV' },
      { path: partialPath(merge.path), role: "the merged CSV's temporary file" },
      { path: sidecarPath(merge.path), role: "the merged CSV's sidecar", record: RUN_RECORD },
      { path: temporaryPath(sidecarPath(merge.path)), role: "the merged CSV's sidecar's temporary file" },
    );
  }
  if (preview) {
    outputs.push({ path: preview.path, role: 'the preview' }, { path: temporaryPath(preview.path), role: "the preview's temporary file" });
  }
  return outputs;
}

/** An abort's reason in words: an Error's message, or the reason as a string. */
function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : String(reason);
}

/** Pass frames through, timing the reads and calling `first` on the first frames while it returns true. */
async function* timedFrames(frames: AsyncIterable<Frame>, readMs: { value: number }, first: (frame: Frame) => boolean): AsyncGenerator<Frame> {
  const iterator = frames[Symbol.asyncIterator]();
  let more = true;
  try {
    for (;;) {
      const t = performance.now();
      const next = await iterator.next();
      readMs.value += performance.now() - t;
      if (next.done) return;
      if (more) more = first(next.value);
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}
