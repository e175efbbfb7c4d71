import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StackSeries, tiffFiles } from './StackSeries.js';
import { TiffError } from './TiffError.js';
import type { FrameStack } from './TiffStack.js';
import { TiffStack } from './TiffStack.js';

/** A stack opened by {@link openStack}, and what a person should be told about how it was found. */
export interface OpenedStack {
  readonly stack: FrameStack;
  /** Set when the stack is not simply the file named: e.g. the series a named file belongs to. */
  readonly notice?: string;
}

/** Micro-Manager's file names: NAME_MMStack_POS.ome.tif, then NAME_MMStack_POS_1.ome.tif, … */
const MICRO_MANAGER = /^(.*_MMStack(?:_[^_]+?)?)(?:_(\d+))?(\.ome\.tiff?)$/i;

/**
 * Open a stack that may span many files, with one frame API ({@link FrameStack}):
 * - a file whose OME-XML lists planes in other files (a Micro-Manager OME-TIFF series; its
 *   other files say `BinaryOnly` and name it): the series, in plane order, whichever file of it
 *   is named;
 * - a file named as Micro-Manager names a series: it and the files numbered after it;
 * - a folder: its TIFFs in natural order (frame_2 before frame_10);
 * - a list of files: them, in order;
 * - any other file: that file ({@link TiffStack}).
 * @param source - a path (file or folder) or a list of files
 * @throws TiffError naming the file and the problem (unreadable, a file of another size or
 *   sample type in a series, a UUID that does not match, a folder without TIFFs)
 */
export function openStack(source: string | readonly string[]): OpenedStack {
  if (typeof source !== 'string') {
    if (source.length === 0) throw new TiffError('', 'no-frames', 'no file given');
    if (source.length > 1) return { stack: StackSeries.ofFiles(source, 'list'), notice: `${source.length} files as one stack` };
    source = source[0];
  }
  const path = source;
  if (existsSync(path) && statSync(path).isDirectory()) {
    const files = tiffFiles(path);
    if (files.length === 0) throw new TiffError(path, 'no-frames', 'the folder holds no TIFF files (.tif, .tiff)');
    let series: StackSeries | undefined;
    const next = () => {
      const known = new Set(series?.files() ?? []);
      const later = tiffFiles(path).filter((f) => !known.has(f));
      return later.find(isReady);
    };
    series = StackSeries.ofFiles(files, 'folder', next);
    return { stack: series, notice: `the folder ${path}: ${files.length} TIFF files as one stack, in natural order` };
  }
  const stack = TiffStack.open(path);
  const ome = stack.ome;
  // A binary-only file of an OME series: the series is the one its metadata file describes.
  if (ome?.binaryOnly) {
    const master = join(dirname(path), ome.binaryOnly.metadataFile);
    stack.close();
    const opened = TiffStack.open(master);
    const series = seriesOf(master, opened);
    if (!series) {
      opened.close();
      throw new TiffError(path, 'series', `its metadata file ${basename(master)} lists no planes`);
    }
    return { stack: series, notice: `${basename(path)} is part of the OME-TIFF series of ${basename(master)} (${series.metadata.series?.files.length} files, ${series.metadata.frameCount} frames): localizing the series from its first frame` };
  }
  const series = seriesOf(path, stack);
  if (series) {
    const files = series.metadata.series?.files.length ?? 1;
    return { stack: series, notice: files > 1 ? `${basename(path)}: an OME-TIFF series of ${files} files, ${series.metadata.frameCount} frames` : undefined };
  }
  const mm = MICRO_MANAGER.exec(basename(path));
  if (!mm) return { stack };
  stack.close();
  // Micro-Manager's naming: the first file and those numbered after it (also while they are written).
  const folder = dirname(path);
  const fileAt = (k: number) => join(folder, `${mm[1]}${k === 0 ? '' : `_${k}`}${mm[3]}`);
  const files: string[] = [];
  for (let k = 0; existsSync(fileAt(k)); k++) files.push(fileAt(k));
  if (!files.includes(path)) files.unshift(path);
  let mmSeries: StackSeries | undefined;
  const next = () => {
    const count = mmSeries?.files().length ?? files.length;
    const file = fileAt(count);
    return isReady(file) ? file : undefined;
  };
  mmSeries = StackSeries.ofFiles(files, 'micromanager', next);
  const notice = files[0] !== path ? `${basename(path)} is part of the Micro-Manager series ${basename(files[0])} (${files.length} files, ${mmSeries.metadata.frameCount} frames): localizing the series from its first frame` : files.length > 1 ? `${basename(path)}: a Micro-Manager series of ${files.length} files, ${mmSeries.metadata.frameCount} frames` : undefined;
  return { stack: mmSeries, notice };
}

/** The series an OME-XML lists when its planes lie in other files too, else undefined. */
function seriesOf(path: string, stack: TiffStack): StackSeries | undefined {
  const ome = stack.ome;
  if (!ome || ome.planes.length === 0) return undefined;
  const own = basename(path);
  if (ome.planes.every((p) => p.file === undefined || p.file === own)) return undefined;
  const metadata = stack.metadata;
  stack.close();
  return StackSeries.ofOme(path, ome, metadata);
}

/** Whether a file is there with at least its first frame's directory (one being written may not be). */
function isReady(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    TiffStack.open(file).close();
    return true;
  } catch {
    return false;
  }
}
