import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { openRun } from '../../../pipelines/openRun.js';
import type { OpenedRun } from '../../../pipelines/openRun.js';
import { tiffFiles } from '../../io/StackSeries.js';
import { FOLLOW_DEFAULTS, TiffStack } from '../../io/TiffStack.js';
import { resolveLocalizeOptions } from '../../pipeline/LocalizeOptions.js';
import { readLocalizationTable } from '../../table/LocalizationTable.js';
import type { DriftResult, ExportFormat, FileListing, FlagValues, MergeResult, PreviewResult, ResolutionResult, RunStarted, StackInfo, ViewState } from '../protocol.js';
import { VIEW_EVENTS } from '../protocol.js';
import { EventHub } from './EventHub.js';
import { exportTable } from './exportTable.js';
import type { ExportFile } from './exportTable.js';
import { cameraSettings, FramePreview } from './FramePreview.js';
import { HttpError } from './HttpError.js';
import { listFiles } from './listFiles.js';
import type { LocalizeFlags, ParsedLocalize } from './LocalizeFlags.js';
import { LocRecords } from './LocRecords.js';
import { ForbiddenPathError, isUnder, relativeTo, resolveUnder } from './resolveUnder.js';
import { ViewRun } from './ViewRun.js';
import { TableSteps } from './TableSteps.js';
import type { TableCommands } from './TableSteps.js';

/** How often follow mode looks for new frames, ms (the page's frame count, not the run's reading). */
export const FOLLOW_POLL_MS = 5 * FOLLOW_DEFAULTS.pollIntervalMs;

/** What a session is started with. */
export interface ViewSessionOptions {
  /** The folder (or the stack, or the CSV) the server was started on. */
  readonly path: string;
  /** The localize flags of the command line (name → value; '' for a switch). */
  readonly flags: FlagValues;
  /** Follow a stack that is still being written. */
  readonly follow: boolean;
  /** localize's parser and defaults. */
  readonly localize: LocalizeFlags;
  /** The drift, merge and resolution commands behind the reconstruction's buttons. */
  readonly tables: TableCommands;
}

/** An opened stack (frames) or CSV (localizations only). */
type Opened =
  | { readonly kind: 'stack'; readonly abs: string; info: StackInfo; readonly run: OpenedRun; readonly preview: FramePreview }
  | { readonly kind: 'csv'; readonly abs: string; readonly info: StackInfo };

/**
 * The state behind `smlm-stream view`'s API: the root (files only under it), the opened stack or
 * CSV, its frames, the preview of a frame and the run (through the pipeline `localize` runs),
 * the localizations so far, follow mode and the event streams. The HTTP layer
 * (startViewServer) only routes to it.
 */
export class ViewSession {
  /** The root's real path: a folder; for a file given, its folder. */
  readonly root: string;
  /** Started on a file: only the root's own stacks and CSVs are listed and opened (not its other files, not its subfolders). */
  private readonly fileRoot: boolean;
  readonly hub = new EventHub();
  private readonly records = new LocRecords();
  private readonly run: ViewRun;
  private opened: Opened | undefined;
  private estimated: ViewState['estimated'] = null;
  private follower: ReturnType<typeof setInterval> | undefined;
  /** Set while the settings step at open waits for the first frame to be served. */
  private firstFrameServed: (() => void) | undefined;
  /** The CSVs this session's runs have written (absolute): a run replaces only one of these. */
  private readonly written = new Set<string>();
  /** Set while an open or a run's start awaits the flags' parsing: the other is refused (409) meanwhile. */
  private pending: 'open' | 'run' | undefined;

  /** @param options - the path, the flags, follow mode, localize's parser, the table commands */
  constructor(private readonly options: ViewSessionOptions) {
    this.steps = new TableSteps(options.tables);
    const real = realpathSync(options.path);
    this.fileRoot = !statSync(real).isDirectory();
    this.root = this.fileRoot ? realpathSync(`${real}/..`) : real;
    this.run = new ViewRun(this.hub, this.records, options.localize.describe);
  }

  /**
   * Open the start path when it is a stack (a TIFF, a series, a folder of TIFFs) or a CSV: what
   * the page shows without a click. A folder without TIFFs is only listed.
   */
  async openStart(): Promise<StackInfo | undefined> {
    const real = realpathSync(this.options.path);
    if (real === this.root && !hasTiffs(real)) return undefined;
    return this.open(relativeTo(this.root, real));
  }

  /** An error in the CLI's words. */
  describe(error: unknown): string {
    return this.options.localize.describe(error);
  }

  /** GET /api/state. */
  state(): ViewState {
    return {
      root: this.root,
      opened: this.opened?.info ?? null,
      flags: this.options.flags,
      estimated: this.estimated,
      run: this.run.state,
      follow: this.options.follow,
      defaults: this.options.localize.defaults,
    };
  }

  /** GET /api/files. */
  files(dir: string): FileListing {
    return listFiles(this.root, dir, this.fileRoot);
  }

  /**
   * POST /api/open: a stack (read as localize reads it: openRun, with the command line's channel)
   * or a localization CSV (its rows become the records at once).
   * @throws HttpError 403/404 for a path outside the root or missing, 409 during a run, 400 for
   *   a file that is neither
   */
  async open(rel: string): Promise<StackInfo> {
    if (this.run.busy || this.pending === 'run') throw new HttpError(409, 'a run is going: cancel it before opening another file');
    if (this.pending === 'open') throw new HttpError(409, 'another file is being opened: wait for it');
    const abs = this.under(rel, true);
    const parsed = await this.whilePending('open', this.options.localize.parse(this.options.flags));
    this.closeOpened();
    this.records.clear();
    this.estimated = null;
    const path = relativeTo(this.root, abs);
    if (/\.csv$/i.test(abs) && !statSync(abs).isDirectory()) {
      const table = readLocalizationTable(abs);
      this.records.addTable(table, abs);
      const extent = (name: string) => {
        const k = table.header.findIndex((h) => h.replace(/\s*\[.*$/, '') === name);
        let max = 0;
        if (k >= 0) for (const v of table.columns[k]) if (v > max) max = v;
        return max;
      };
      const info: StackInfo = { path, kind: 'csv', width: 0, height: 0, frames: 0, pixelSizeNm: parsed.options.camera?.pixelSizeNm ?? 0, widthNm: extent('x'), heightNm: extent('y') };
      this.opened = { kind: 'csv', abs, info };
      return info;
    }
    const run = openRun(abs, { ...parsed.frames, follow: false }, undefined);
    const outside = run.files.find((f) => !isUnder(this.root, realpathSync(f)));
    if (outside !== undefined) {
      run.close();
      throw new ForbiddenPathError(`the stack ${path} reads ${outside}, outside the root`);
    }
    const { metadata } = run;
    const info: StackInfo = { path, kind: 'stack', width: metadata.width, height: metadata.height, frames: metadata.frameCount, pixelSizeNm: pixelSizeOf(parsed, run) };
    const preview = new FramePreview(run, this.options.localize.fitOnlyFlags);
    this.opened = { kind: 'stack', abs, info, run, preview };
    this.hub.send(VIEW_EVENTS.frames, { frames: info.frames });
    // The settings step of the command line's flags, in the background once the page has had
    // its first frame (the step holds the thread for a while: 50 frames of 256² px read and
    // estimated): the estimates for the page, and the first preview's cache.
    this.afterFirstFrame(() => preview.settle(parsed.options, parsed.frames, this.options.flags)).then(
      (s) => {
        if (this.opened?.kind !== 'stack' || this.opened.preview !== preview) return;
        const e = s.settings.camera.estimate;
        const resolved = resolveLocalizeOptions(s.options, metadata);
        const camera = cameraSettings(resolved);
        this.estimated = {
          camera: e ? { ...camera, baselineAdu: e.baselineAdu, photonsPerAdu: e.photonsPerAdu, readNoiseElectrons: e.readNoiseElectrons } : undefined,
          psfSigmaNm: s.settings.psfSigma.estimate?.sigmaNm,
        };
        // The background's choice and the kernels warmed for the page's first preview.
        preview.preview(0, parsed.options, parsed.frames, this.options.flags).catch(() => undefined);
      },
      () => undefined, // the preview and the run report what is wrong with the options
    );
    if (this.options.follow) this.follow(parsed.frames);
    return info;
  }

  /**
   * GET /api/frame: frame `index` (0-based) as little-endian Float32 ADU, row-major.
   * @throws HttpError 409 with no stack opened, 400 for an index out of range
   */
  async frame(index: number): Promise<{ width: number; height: number; index: number; bytes: Buffer }> {
    const opened = this.stackOpened();
    if (!Number.isInteger(index) || index < 0 || index >= opened.info.frames) throw new HttpError(400, `frame index ${index}: the stack has ${opened.info.frames} frames (0-based)`);
    const frame = await opened.run.stack.readFrame(index);
    this.firstFrameServed?.();
    const data = Float32Array.from(frame.data as ArrayLike<number>);
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return { width: frame.width, height: frame.height, index, bytes };
  }

  /**
   * POST /api/preview: one frame through localize's code with the command line's flags and
   * the page's on top.
   * @param allowStale - answer with the last background choice rather than wait for a new one (FramePreview.preview)
   */
  async preview(frame: number, flags: FlagValues, allowStale = false): Promise<PreviewResult> {
    const opened = this.stackOpened();
    if (!Number.isInteger(frame) || frame < 0 || frame >= opened.info.frames) throw new HttpError(400, `frame index ${frame}: the stack has ${opened.info.frames} frames (0-based)`);
    const merged = this.merged(flags);
    const parsed = await this.options.localize.parse(merged);
    try {
      return await opened.preview.preview(frame, parsed.options, parsed.frames, merged, allowStale);
    } catch (error) {
      throw new HttpError(400, this.options.localize.describe(error));
    }
  }

  /** POST /api/run: the whole opened stack through localize's pipeline, its CSV where localize writes it. */
  async startRun(flags: FlagValues): Promise<RunStarted> {
    const opened = this.stackOpened();
    if (this.run.busy || this.pending === 'run') throw new HttpError(409, 'a run is going: cancel it first');
    if (this.pending === 'open') throw new HttpError(409, 'a file is being opened: run it once it is open');
    const merged = this.merged(flags);
    const parsed: ParsedLocalize = await this.whilePending('run', this.options.localize.parse(merged));
    const output = this.options.localize.outputOf(opened.abs);
    this.checkOutput(output);
    const follow = this.options.follow || parsed.frames.follow === true;
    const total = follow ? 0 : (opened.run.range.total ?? 0);
    const started = this.run.start({ input: opened.abs, output, shownOutput: relativeTo(this.root, output), parsed, follow }, total);
    this.written.add(output);
    return started;
  }

  /**
   * A run writes only under the root, and replaces no file but one of this session's runs'
   * own CSVs (`localize` replaces STACK.csv; a page must not replace a file it never wrote).
   * @throws HttpError 409 naming the file
   */
  private checkOutput(output: string): void {
    let folder: string;
    try {
      folder = realpathSync(dirname(output));
    } catch {
      folder = dirname(output);
    }
    if (!isUnder(this.root, folder)) throw new HttpError(409, `a run writes ${output}, outside ${this.root}: start smlm-stream view on the folder that holds it, or run smlm-stream localize with -o`);
    if (existsSync(output) && !this.written.has(output)) throw new HttpError(409, `${relativeTo(this.root, output)} exists and this view did not write it: move or rename it to run again (or run smlm-stream localize with -o)`);
  }

  /** POST /api/run/cancel. */
  cancel(): boolean {
    return this.run.cancel();
  }

  /** GET /api/locs: the records from `from` on, and how many there are. */
  locs(from: number): { total: number; bytes: Buffer } {
    return { total: this.records.count, bytes: this.records.bytesFrom(Number.isFinite(from) ? from : 0) };
  }

  /**
   * GET /api/export: the run's CSV (or the opened one), filtered, in a format.
   * @throws HttpError 409 with nothing to export yet
   */
  async export(format: ExportFormat, filter: string): Promise<ExportFile> {
    const csv = this.run.busy ? undefined : this.tableShown();
    if (csv === undefined) throw new HttpError(409, this.run.busy ? 'the run is going: export when it is done' : 'nothing to export: run the stack or open a CSV first');
    const stack = this.opened?.kind === 'stack' ? this.opened.info : undefined;
    try {
      return await exportTable(csv, format, filter, stack && { width: stack.width, height: stack.height, frames: stack.frames, pixelSizeNm: stack.pixelSizeNm });
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, this.options.localize.describe(error));
    }
  }

  // The reconstruction's drift, merge and resolution buttons (TableSteps: the commands' code).
  private readonly steps: TableSteps;
  /** The table a drift or merge step wrote, shown since; for the run or the file it came from. */
  private stepTable: { readonly abs: string; readonly runId: number | null; readonly opened: Opened | undefined } | undefined;

  /** The table the page shows: a step's output, else the opened CSV, else the finished run's CSV. */
  private tableShown(): string | undefined {
    const s = this.stepTable;
    if (s !== undefined && s.opened === this.opened && s.runId === this.run.state.runId) return s.abs;
    return this.opened?.kind === 'csv' ? this.opened.abs : this.run.csv;
  }

  /**
   * POST /api/drift, /api/merge, /api/resolution: the command on the table shown; drift's and
   * merge's output becomes the table shown (the records of /api/locs).
   * @throws HttpError 409 with no table or during a run, 400 with the command's refusal
   */
  async tableStep(kind: 'drift'): Promise<DriftResult>;
  async tableStep(kind: 'merge'): Promise<MergeResult>;
  async tableStep(kind: 'resolution'): Promise<ResolutionResult>;
  async tableStep(kind: 'drift' | 'merge' | 'resolution'): Promise<DriftResult | MergeResult | ResolutionResult> {
    if (this.run.busy) throw new HttpError(409, `the run is going: ${kind} when it is done`);
    const csv = this.tableShown();
    if (csv === undefined) throw new HttpError(409, `no table for ${kind}: run the stack or open a CSV first`);
    const shown = (abs: string) => (isUnder(this.root, abs) ? relativeTo(this.root, abs) : abs);
    if (kind === 'resolution') return { ...(await this.steps.resolution(csv)), csvPath: shown(csv) };
    const step = kind === 'drift' ? await this.steps.drift(csv) : await this.steps.merge(csv);
    this.records.clear();
    this.records.addTable(step.table, step.csv);
    this.stepTable = { abs: step.csv, runId: this.run.state.runId, opened: this.opened };
    return { ...step.result, csvPath: shown(step.csv), written: step.result.written.map(shown) };
  }

  /**
   * Run `work` once a frame has been served (a preview asks for the step itself at once). No
   * timer starts it sooner: the step holds the thread for a second or more under load, and a
   * browser that starts slowly (its first page load) would then wait for it for the page, its
   * state and its first frame.
   */
  private afterFirstFrame<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<void>((resolve) => {
      this.firstFrameServed = () => {
        this.firstFrameServed = undefined;
        setImmediate(resolve);
      };
    }).then(work);
  }

  /** Stop: cancel the run (its rows kept) and wait for it, end the event streams, close the stack. */
  async close(): Promise<void> {
    await this.run.close();
    this.closeOpened();
    this.hub.close();
  }

  /** Await `work` with {@link pending} set: an open and a run's start exclude each other while they parse. */
  private async whilePending<T>(what: 'open' | 'run', work: Promise<T>): Promise<T> {
    this.pending = what;
    try {
      return await work;
    } finally {
      this.pending = undefined;
    }
  }

  /** The command line's flags with the page's on top; a page's file flag must name a file under the root. */
  private merged(flags: FlagValues): FlagValues {
    if (typeof flags !== 'object' || flags === null || Array.isArray(flags)) throw new HttpError(400, 'flags must be an object of flag names and values');
    const merged: Record<string, string> = { ...this.options.flags };
    for (const [name, value] of Object.entries(flags)) {
      if (typeof value !== 'string') throw new HttpError(400, `--${name}: the value must be a string`);
      merged[name] = this.options.localize.fileFlags.has(name) && value !== '' ? this.under(value, false) : value;
    }
    return merged;
  }

  /**
   * A page's path under the root ({@link resolveUnder}); for a root that is a file PATH's folder,
   * only a file of that folder itself, and to open, only a stack or a CSV (as listed).
   */
  private under(rel: string, toOpen: boolean): string {
    const abs = resolveUnder(this.root, rel);
    if (!this.fileRoot) return abs;
    if (dirname(abs) !== this.root) throw new ForbiddenPathError(`${rel}: started on a file, the view reads only files of that file's folder (start it on a folder to see more)`);
    if (toOpen && !listFiles(this.root, '.', true).entries.some((e) => e.name === basename(abs))) throw new ForbiddenPathError(`${rel}: started on a file, the view opens only the stacks and CSVs of its folder`);
    return abs;
  }

  private stackOpened(): Extract<Opened, { kind: 'stack' }> {
    if (this.opened?.kind !== 'stack') throw new HttpError(409, this.opened ? 'the opened file is a CSV: it has no frames' : 'no stack opened: POST /api/open first');
    return this.opened;
  }

  /**
   * Follow mode: look for new frames of the opened stack, and tell the page. A series (StackSeries
   * has no refresh of its own) is opened again when it has grown, its new files with it.
   * @param frames - the frames' options the stack was opened with (its channel)
   */
  private follow(frames: ParsedLocalize['frames']): void {
    this.follower = setInterval(() => {
      const opened = this.opened;
      if (opened?.kind !== 'stack') return;
      try {
        const stack = opened.run.stack;
        if (stack instanceof TiffStack) {
          const count = stack.refresh(true);
          if (count > opened.info.frames) {
            opened.info = { ...opened.info, frames: count };
            this.hub.send(VIEW_EVENTS.frames, { frames: count });
          }
          return;
        }
        const run = openRun(opened.abs, { ...frames, follow: false }, undefined);
        const count = run.metadata.frameCount;
        if (count <= opened.info.frames || run.files.some((f) => !isUnder(this.root, realpathSync(f)))) {
          run.close();
          return;
        }
        const preview = new FramePreview(run, this.options.localize.fitOnlyFlags);
        this.opened = { ...opened, info: { ...opened.info, frames: count }, run, preview };
        opened.run.close();
        this.hub.send(VIEW_EVENTS.frames, { frames: count });
      } catch {
        // A file caught mid-write: the next look sees it whole.
      }
    }, FOLLOW_POLL_MS);
    this.follower.unref();
  }

  private closeOpened(): void {
    if (this.follower) clearInterval(this.follower);
    this.follower = undefined;
    if (this.opened?.kind === 'stack') this.opened.run.close();
    this.opened = undefined;
  }
}

/** The pixel size a run would use: the flag or the file's metadata (0 when neither gives it: the run then asks for --pixel-size). */
function pixelSizeOf(parsed: ParsedLocalize, run: OpenedRun): number {
  try {
    return resolveLocalizeOptions(parsed.options, run.metadata).camera.pixelSizeNm;
  } catch {
    return parsed.options.camera?.pixelSizeNm ?? run.metadata.pixelSizeNm ?? 0;
  }
}

/** Whether a folder holds TIFF files (a stack to open at start, as localize reads a folder). */
function hasTiffs(folder: string): boolean {
  return tiffFiles(folder).length > 0;
}
